package quic

import "encoding/binary"

// varint decodes a QUIC variable-length integer (RFC 9000 §16); n is 0 when
// b is too short.
func varint(b []byte) (v uint64, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	n = 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0
	}
	v = uint64(b[0] & 0x3f)
	for _, x := range b[1:n] {
		v = v<<8 | uint64(x)
	}
	return v, n
}

// longHeader is the cleartext part of a long-header packet (RFC 9000 §17.2).
type longHeader struct {
	params   *versionParams
	version  uint32
	initial  bool
	dcid     []byte
	pnOffset int // where the protected packet number starts
	length   int // bytes of the datagram this packet occupies
}

// parseLongHeader reads the long header at the start of b. Packets other than
// Initial are only measured, so coalesced packets can be skipped.
func parseLongHeader(b []byte) (h longHeader, err error) {
	if len(b) == 0 || b[0]&0x80 == 0 {
		return h, errShortHeader
	}
	if len(b) < 7 {
		return h, errTruncated
	}
	h.version = binary.BigEndian.Uint32(b[1:])
	if h.version == 0 {
		return h, errVersionNeg
	}
	if h.params = paramsFor(h.version); h.params == nil {
		return h, errVersion
	}
	off := 5
	for i := range 2 { // Destination, then Source Connection ID
		n := int(b[off])
		if n > 20 {
			return h, errCIDLength
		}
		if len(b) < off+1+n+1 {
			return h, errTruncated
		}
		if i == 0 {
			h.dcid = b[off+1 : off+1+n]
		}
		off += 1 + n
	}

	typ := b[0] >> 4 & 3
	if typ == h.params.retryType {
		h.length = len(b) // a Retry has no Length field and ends the datagram
		return h, nil
	}
	if h.initial = typ == h.params.initialType; h.initial {
		token, n := varint(b[off:])
		if n == 0 || token > uint64(len(b)-off-n) {
			return h, errTruncated
		}
		off += n + int(token)
	}
	length, n := varint(b[off:])
	if n == 0 || length > uint64(len(b)-off-n) {
		return h, errTruncated
	}
	h.pnOffset = off + n
	h.length = h.pnOffset + int(length)
	// Header protection samples 16 bytes starting 4 past the packet number.
	if h.initial && length < 4+16 {
		return h, errTruncated
	}
	return h, nil
}

// open removes header protection from the Initial pkt and decrypts it into
// p.plain (RFC 9001 §5.3–5.4). The packet number is used as sent: a client's
// first Initials number from zero, which no truncation can disguise.
func (p *Parser) open(k *initialKeys, pkt []byte, h *longHeader) ([]byte, error) {
	sample := pkt[h.pnOffset+4 : h.pnOffset+20]
	k.hp.Encrypt(p.mask[:], sample)
	first := pkt[0] ^ p.mask[0]&0x0f
	pnLen := int(first&3) + 1
	hdrLen := h.pnOffset + pnLen
	if len(pkt)-hdrLen < k.aead.Overhead() {
		return nil, errTruncated
	}

	p.hdr = append(p.hdr[:0], pkt[:hdrLen]...)
	p.hdr[0] = first
	var pn uint64
	for i := range pnLen {
		p.hdr[h.pnOffset+i] ^= p.mask[1+i]
		pn = pn<<8 | uint64(p.hdr[h.pnOffset+i])
	}
	p.nonce = k.iv
	for i := range 8 {
		p.nonce[4+i] ^= byte(pn >> (56 - 8*i))
	}
	plain, err := k.aead.Open(p.plain[:0], p.nonce[:], pkt[hdrLen:], p.hdr)
	if err != nil {
		return nil, ErrDecrypt
	}
	p.plain = plain
	return plain, nil
}
