package tlshello

import (
	"crypto/sha256"
	"slices"
)

// isGREASE reports whether v is one of the sixteen GREASE code points
// 0x0a0a, 0x1a1a, … 0xfafa (RFC 8701), used for cipher suites, extensions,
// versions and signature algorithms alike.
func isGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// ja4Version is the version JA4 reports: the highest non-GREASE
// supported_versions entry if the extension is present, else the legacy
// version.
func (c *ClientHello) ja4Version() uint16 {
	var best uint16
	found := false
	for _, v := range c.Versions {
		if !isGREASE(v) && (!found || v > best) {
			best, found = v, true
		}
	}
	if !found {
		return c.LegacyVersion
	}
	return best
}

func ja4VersionCode(v uint16) string {
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0002:
		return "s2"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

func isAlnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'
}

const hexDigits = "0123456789abcdef"

// appendALPNCode appends JA4's two ALPN characters: the first and last
// byte of the first protocol, or, when either is not ASCII alphanumeric,
// the first and last hex digit of the protocol ("00" when there is none).
func appendALPNCode(dst, p []byte) []byte {
	if len(p) == 0 {
		return append(dst, '0', '0')
	}
	first, last := p[0], p[len(p)-1]
	if isAlnum(first) && isAlnum(last) {
		return append(dst, first, last)
	}
	return append(dst, hexDigits[first>>4], hexDigits[last&0x0f])
}

func appendTwoDigits(dst []byte, n int) []byte {
	n = min(n, 99)
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}

func appendHex16(dst []byte, v uint16) []byte {
	return append(dst, hexDigits[v>>12], hexDigits[v>>8&0xf], hexDigits[v>>4&0xf], hexDigits[v&0xf])
}

// appendHexList appends vs as comma-separated 4-digit lowercase hex.
func appendHexList(dst []byte, vs []uint16) []byte {
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendHex16(dst, v)
	}
	return dst
}

// appendNonGREASE appends the values of vs that are not GREASE.
func appendNonGREASE(dst, vs []uint16) []uint16 {
	for _, v := range vs {
		if !isGREASE(v) {
			dst = append(dst, v)
		}
	}
	return dst
}

// appendHash12 appends the first 12 hex digits of SHA-256(s), or twelve
// zeros when the list behind s was empty, as JA4 prescribes.
func appendHash12(dst, s []byte, empty bool) []byte {
	if empty {
		return append(dst, "000000000000"...)
	}
	sum := sha256.Sum256(s)
	for _, b := range sum[:6] {
		dst = append(dst, hexDigits[b>>4], hexDigits[b&0xf])
	}
	return dst
}

// ja4Parts computes JA4's sorted cipher list and sorted extension list
// (GREASE, server_name and ALPN removed) into c's scratch buffer.
func (c *ClientHello) ja4Parts() (ciphers, exts []uint16) {
	c.sorted = appendNonGREASE(c.sorted[:0], c.CipherSuites)
	nc := len(c.sorted)
	for _, e := range c.Extensions {
		if !isGREASE(e) && e != extServerName && e != extALPN {
			c.sorted = append(c.sorted, e)
		}
	}
	ciphers, exts = c.sorted[:nc:nc], c.sorted[nc:]
	slices.Sort(ciphers)
	slices.Sort(exts)
	return ciphers, exts
}

// appendJA4a appends the readable first part, e.g. "t13d1516h2".
func (c *ClientHello) appendJA4a(dst []byte, transport byte) []byte {
	dst = append(dst, transport)
	dst = append(dst, ja4VersionCode(c.ja4Version())...)
	sni := byte('i')
	if slices.Contains(c.Extensions, extServerName) {
		sni = 'd'
	}
	dst = append(dst, sni)
	nc, ne := 0, 0
	for _, v := range c.CipherSuites {
		if !isGREASE(v) {
			nc++
		}
	}
	for _, v := range c.Extensions {
		if !isGREASE(v) {
			ne++
		}
	}
	dst = appendTwoDigits(dst, nc)
	dst = appendTwoDigits(dst, ne)
	return appendALPNCode(dst, c.ALPN)
}

// appendJA4c appends JA4_c's input: sorted extensions, then "_" and the
// non-GREASE signature algorithms in wire order when there are any.
func (c *ClientHello) appendJA4c(dst []byte, exts []uint16) []byte {
	dst = appendHexList(dst, exts)
	sep := byte('_')
	for _, v := range c.SigAlgs {
		if !isGREASE(v) {
			dst = append(dst, sep)
			dst = appendHex16(dst, v)
			sep = ','
		}
	}
	return dst
}

// AppendJA4 appends c's JA4 fingerprint (FoxIO JA4 specification, e.g.
// "t13d1516h2_8daaf6152771_e5627efa2ab1") to dst. transport is 't' for TLS
// over TCP or 'q' for QUIC. It does not allocate when dst has room for the
// 36 bytes; c's scratch buffers grow once to the size of its lists.
//
// GREASE values are ignored everywhere, signature algorithms included. The
// SNI flag is 'd' whenever the server_name extension is present, whatever it
// names.
func (c *ClientHello) AppendJA4(dst []byte, transport byte) []byte {
	dst = c.appendJA4a(dst, transport)
	ciphers, exts := c.ja4Parts()

	c.text = appendHexList(c.text[:0], ciphers)
	dst = append(dst, '_')
	dst = appendHash12(dst, c.text, len(ciphers) == 0)

	c.text = c.appendJA4c(c.text[:0], exts)
	dst = append(dst, '_')
	return appendHash12(dst, c.text, len(exts) == 0)
}

// AppendJA4Raw appends JA4_r, the fingerprint before hashing: the first
// part, then the sorted cipher list, then JA4_c's input. It exists for
// debugging fingerprints and comparing with other tools.
func (c *ClientHello) AppendJA4Raw(dst []byte, transport byte) []byte {
	dst = c.appendJA4a(dst, transport)
	ciphers, exts := c.ja4Parts()
	dst = append(dst, '_')
	dst = appendHexList(dst, ciphers)
	dst = append(dst, '_')
	return c.appendJA4c(dst, exts)
}
