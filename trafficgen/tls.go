package trafficgen

import (
	"encoding/binary"
	"math/rand/v2"
)

// Cipher suites, groups and signature algorithms of a current browser's
// ClientHello, so the JA4 fingerprints the sensor records look ordinary.
var (
	helloCiphers = []uint16{0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}
	helloGroups  = []uint16{0x001d, 0x0017, 0x0018}
	helloSigAlgs = []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}
)

// appendClientHello appends a TLS record holding a TLS 1.3 ClientHello for
// sni (none when empty) with the given ALPN protocols.
func appendClientHello(b []byte, rng *rand.Rand, sni string, alpn []string) []byte {
	rec := len(b)
	b = append(b, 0x16, 0x03, 0x01, 0, 0) // handshake record, length below
	hs := len(b)
	b = append(b, 0x01, 0, 0, 0) // ClientHello, length below
	body := len(b)
	b = append(b, 0x03, 0x03)
	b = appendRandom(b, rng, 32)
	b = append(b, 32)
	b = appendRandom(b, rng, 32) // legacy session id
	b = binary.BigEndian.AppendUint16(b, uint16(2*len(helloCiphers)))
	for _, c := range helloCiphers {
		b = binary.BigEndian.AppendUint16(b, c)
	}
	b = append(b, 1, 0) // null compression
	exts := len(b)
	b = append(b, 0, 0)
	if sni != "" {
		b = appendExt(b, 0x0000, func(b []byte) []byte {
			b = binary.BigEndian.AppendUint16(b, uint16(3+len(sni)))
			b = append(b, 0)
			b = binary.BigEndian.AppendUint16(b, uint16(len(sni)))
			return append(b, sni...)
		})
	}
	b = appendExt(b, 0x0017, nil)                                           // extended master secret
	b = appendExt(b, 0xff01, func(b []byte) []byte { return append(b, 0) }) // renegotiation info
	b = appendExt(b, 0x000a, func(b []byte) []byte { return appendU16List(b, helloGroups, 2) })
	b = appendExt(b, 0x000b, func(b []byte) []byte { return append(b, 1, 0) }) // point formats
	b = appendExt(b, 0x0023, nil)                                              // session ticket
	if len(alpn) > 0 {
		b = appendExt(b, 0x0010, func(b []byte) []byte {
			n := 0
			for _, p := range alpn {
				n += 1 + len(p)
			}
			b = binary.BigEndian.AppendUint16(b, uint16(n))
			for _, p := range alpn {
				b = append(b, byte(len(p)))
				b = append(b, p...)
			}
			return b
		})
	}
	b = appendExt(b, 0x000d, func(b []byte) []byte { return appendU16List(b, helloSigAlgs, 2) })
	b = appendExt(b, 0x0033, func(b []byte) []byte { // key share: x25519
		b = binary.BigEndian.AppendUint16(b, 36)
		b = append(b, 0x00, 0x1d, 0, 32)
		return appendRandom(b, rng, 32)
	})
	b = appendExt(b, 0x002d, func(b []byte) []byte { return append(b, 1, 1) })                      // PSK modes
	b = appendExt(b, 0x002b, func(b []byte) []byte { return append(b, 4, 0x03, 0x04, 0x03, 0x03) }) // versions
	binary.BigEndian.PutUint16(b[exts:], uint16(len(b)-exts-2))
	n := len(b) - body
	b[hs+1], b[hs+2], b[hs+3] = byte(n>>16), byte(n>>8), byte(n)
	binary.BigEndian.PutUint16(b[rec+3:], uint16(len(b)-hs))
	return b
}

// appendExt appends extension typ with the body fill writes (empty if nil).
func appendExt(b []byte, typ uint16, fill func([]byte) []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, typ)
	at := len(b)
	b = append(b, 0, 0)
	if fill != nil {
		b = fill(b)
	}
	binary.BigEndian.PutUint16(b[at:], uint16(len(b)-at-2))
	return b
}

// appendU16List appends vs with a length prefix of prefix bytes.
func appendU16List(b []byte, vs []uint16, prefix int) []byte {
	if prefix == 2 {
		b = binary.BigEndian.AppendUint16(b, uint16(2*len(vs)))
	} else {
		b = append(b, byte(2*len(vs)))
	}
	for _, v := range vs {
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

func appendRandom(b []byte, rng *rand.Rand, n int) []byte {
	for ; n >= 8; n -= 8 {
		b = binary.LittleEndian.AppendUint64(b, rng.Uint64())
	}
	for ; n > 0; n-- {
		b = append(b, byte(rng.Uint32()))
	}
	return b
}
