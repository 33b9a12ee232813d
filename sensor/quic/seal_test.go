package quic

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"testing"
)

// A client-side sealer for building test packets. It derives keys with the
// standard library's HKDF, independently of keySchedule, and
// TestSealMatchesRFC checks it reproduces the RFCs' packets.

type testKeys struct{ key, iv, hp []byte }

func stdExpandLabel(tb testing.TB, secret []byte, label string, n int) []byte {
	tb.Helper()
	info := append([]byte{0, byte(n), byte(6 + len(label))}, "tls13 "+label...)
	out, err := hkdf.Expand(sha256.New, secret, string(append(info, 0)), n)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func stdKeys(tb testing.TB, version uint32, dcid []byte) testKeys {
	tb.Helper()
	v := paramsFor(version)
	initial, err := hkdf.Extract(sha256.New, dcid, v.salt)
	if err != nil {
		tb.Fatal(err)
	}
	client := stdExpandLabel(tb, initial, "client in", 32)
	return testKeys{
		key: stdExpandLabel(tb, client, v.keyLabel, 16),
		iv:  stdExpandLabel(tb, client, v.ivLabel, 12),
		hp:  stdExpandLabel(tb, client, v.hpLabel, 16),
	}
}

type initialSpec struct {
	version           uint32
	dcid, scid, token []byte
	pn                uint64
	pnLen             int
	payload           []byte // frames, padding included
}

// appendVarint appends v in the shortest QUIC encoding, or in exactly size
// bytes when size > 0.
func appendVarint(b []byte, v uint64, size int) []byte {
	if size == 0 {
		switch {
		case v < 1<<6:
			size = 1
		case v < 1<<14:
			size = 2
		case v < 1<<30:
			size = 4
		default:
			size = 8
		}
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], v)
	enc := buf[8-size:]
	enc[0] |= map[int]byte{1: 0, 2: 0x40, 4: 0x80, 8: 0xc0}[size]
	return append(b, enc...)
}

// sealInitial builds a protected client Initial packet.
func sealInitial(tb testing.TB, s initialSpec) []byte {
	tb.Helper()
	if s.version == 0 {
		s.version = version1
	}
	if s.pnLen == 0 {
		s.pnLen = 1
	}
	k := stdKeys(tb, s.version, s.dcid)
	hdr := []byte{0xc0 | paramsFor(s.version).initialType<<4 | byte(s.pnLen-1)}
	hdr = binary.BigEndian.AppendUint32(hdr, s.version)
	hdr = append(append(hdr, byte(len(s.dcid))), s.dcid...)
	hdr = append(append(hdr, byte(len(s.scid))), s.scid...)
	hdr = appendVarint(hdr, uint64(len(s.token)), 0)
	hdr = append(hdr, s.token...)
	hdr = appendVarint(hdr, uint64(s.pnLen+len(s.payload)+16), 2)
	pnOffset := len(hdr)
	for i := s.pnLen - 1; i >= 0; i-- {
		hdr = append(hdr, byte(s.pn>>(8*i)))
	}

	block, err := aes.NewCipher(k.key)
	if err != nil {
		tb.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		tb.Fatal(err)
	}
	nonce := append([]byte(nil), k.iv...)
	for i := range 8 {
		nonce[4+i] ^= byte(s.pn >> (56 - 8*i))
	}
	pkt := gcm.Seal(append([]byte(nil), hdr...), nonce, s.payload, hdr)

	hp, err := aes.NewCipher(k.hp)
	if err != nil {
		tb.Fatal(err)
	}
	var mask [16]byte
	hp.Encrypt(mask[:], pkt[pnOffset+4:pnOffset+20])
	pkt[0] ^= mask[0] & 0x0f
	for i := range s.pnLen {
		pkt[pnOffset+i] ^= mask[1+i]
	}
	return pkt
}

// cryptoFrame returns a CRYPTO frame carrying data at offset off.
func cryptoFrame(off int, data []byte) []byte {
	b := appendVarint([]byte{frameCrypto}, uint64(off), 0)
	b = appendVarint(b, uint64(len(data)), 0)
	return append(b, data...)
}

// padded appends PADDING so the frames fill a 1200-byte datagram together
// with a short header.
func padded(frames []byte) []byte {
	const payload = 1200 - 60
	if len(frames) < payload {
		frames = append(frames, make([]byte, payload-len(frames))...)
	}
	return frames
}

// helloMessage builds a ClientHello handshake message like Chrome's with a
// post-quantum key share: about 1.9 KB, too large for one Initial.
func helloMessage(sni string, keyShare int) []byte {
	type ext struct {
		typ  uint16
		body []byte
	}
	u16 := func(v int) []byte { return []byte{byte(v >> 8), byte(v)} }
	cat := func(parts ...[]byte) (out []byte) {
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	name := cat([]byte{0}, u16(len(sni)), []byte(sni))
	exts := []ext{
		{0x3a3a, nil},
		{0x0000, cat(u16(len(name)), name)},
		{0x0010, cat(u16(3), []byte{2, 'h', '3'})},
		{0x002b, []byte{2, 3, 4}},
		{0x000d, cat(u16(8), []byte{4, 3, 8, 4, 4, 1, 5, 3})},
		{0x000a, cat(u16(6), []byte{0x11, 0xec, 0, 0x1d, 0, 0x17})},
		{0x0033, cat(u16(keyShare+4), []byte{0x11, 0xec}, u16(keyShare), make([]byte, keyShare))},
		{0x002d, []byte{1, 1}},
		{0x0039, make([]byte, 60)},
		{0x001b, []byte{2, 0, 2}},
		{0xfe0d, make([]byte, 200)},
	}
	var eb []byte
	for _, e := range exts {
		eb = cat(eb, u16(int(e.typ)), u16(len(e.body)), e.body)
	}
	body := cat(u16(0x0303), make([]byte, 32), []byte{0}, u16(6), []byte{0x13, 1, 0x13, 2, 0x13, 3}, []byte{1, 0}, u16(len(eb)), eb)
	return cat([]byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body)
}
