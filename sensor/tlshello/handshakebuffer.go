package tlshello

import "slices"

// maxSpans bounds how many separate byte ranges a HandshakeBuffer tracks.
// In-order TCP needs one; QUIC clients that shuffle their CRYPTO frames
// (Chrome's "chaos protection") leave a handful of gaps at most.
const maxSpans = 32

type span struct{ lo, hi int }

// HandshakeBuffer reassembles the first bytes of a handshake byte stream
// from fragments that arrive at byte offsets in any order — TCP segments of a
// TLS connection, CRYPTO frames of QUIC Initial packets — up to a byte limit.
// Memory is reused across Reset. The zero value accepts nothing until Reset.
type HandshakeBuffer struct {
	buf   []byte
	spans [maxSpans]span // received ranges: sorted, disjoint, not touching
	n     int
	limit int
}

// Reset empties b and sets the number of leading stream bytes it keeps.
func (b *HandshakeBuffer) Reset(limit int) {
	b.buf = b.buf[:0]
	b.n = 0
	b.limit = max(limit, 0)
}

// Write stores p as the stream bytes starting at offset off. Bytes at or
// past the limit are dropped, as is a fragment that would leave more than
// maxSpans separate ranges; a later copy of a byte replaces an earlier one.
func (b *HandshakeBuffer) Write(off uint64, p []byte) {
	if off >= uint64(b.limit) || len(p) == 0 {
		return
	}
	lo := int(off)
	hi := lo + min(len(p), b.limit-lo)
	if !b.addSpan(lo, hi) {
		return
	}
	if hi > len(b.buf) {
		b.buf = slices.Grow(b.buf, hi-len(b.buf))[:hi]
	}
	copy(b.buf[lo:hi], p)
}

// addSpan records [lo, hi) as received, merging with ranges it overlaps or
// touches.
func (b *HandshakeBuffer) addSpan(lo, hi int) bool {
	s := b.spans[:b.n]
	i := 0 // first range that ends at or after lo
	for i < len(s) && s[i].hi < lo {
		i++
	}
	j := i // first range that starts after hi
	for j < len(s) && s[j].lo <= hi {
		j++
	}
	if i == j {
		if b.n == maxSpans {
			return false
		}
		copy(b.spans[i+1:b.n+1], b.spans[i:b.n])
		b.spans[i] = span{lo, hi}
		b.n++
		return true
	}
	merged := span{min(lo, s[i].lo), max(hi, s[j-1].hi)}
	b.spans[i] = merged
	copy(b.spans[i+1:], b.spans[j:b.n])
	b.n -= j - i - 1
	return true
}

// Prefix returns the stream bytes received without a gap from offset 0.
// The slice aliases b and is valid until the next Write or Reset.
func (b *HandshakeBuffer) Prefix() []byte {
	if b.n == 0 || b.spans[0].lo != 0 {
		return nil
	}
	return b.buf[:b.spans[0].hi:b.spans[0].hi]
}

// Full reports whether the gap-free prefix has reached the limit, so no
// further Write can extend it.
func (b *HandshakeBuffer) Full() bool {
	return b.n > 0 && b.spans[0].lo == 0 && b.spans[0].hi >= b.limit
}
