package heuristic

import (
	"strings"
	"unicode/utf8"
)

// Unquote is Python's urllib.parse.unquote(s) (UTF-8, errors="replace"):
// %XX escapes (either hex case) inside runs of ASCII characters are decoded,
// the resulting bytes are read as UTF-8 with every maximal invalid
// subsequence replaced by U+FFFD, and a malformed escape is kept literally.
// Non-ASCII characters pass through untouched. Without a '%' it returns s
// itself and does not allocate.
func Unquote(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var u Unquoter
	return string(u.Append(nil, s))
}

// Unquoter is Unquote into caller-owned memory, for the packet path: its
// scratch buffer is reused across calls. Not safe for concurrent use.
type Unquoter struct {
	run []byte
}

// Append appends Unquote(s) to dst.
func (u *Unquoter) Append(dst []byte, s string) []byte {
	if strings.IndexByte(s, '%') < 0 {
		return append(dst, s...)
	}
	out := dst
	for i := 0; i < len(s); {
		if s[i] >= utf8.RuneSelf {
			j := i
			for j < len(s) && s[j] >= utf8.RuneSelf {
				j++
			}
			out = append(out, s[i:j]...)
			i = j
			continue
		}
		j := i
		for j < len(s) && s[j] < utf8.RuneSelf {
			j++
		}
		u.run = unquoteToBytes(u.run[:0], s[i:j])
		out = appendDecoded(out, u.run)
		i = j
	}
	return out
}

// unquoteToBytes is urllib.parse.unquote_to_bytes for an ASCII string.
func unquoteToBytes(dst []byte, s string) []byte {
	first, rest, found := strings.Cut(s, "%")
	dst = append(dst, first...)
	for found {
		var item string
		item, rest, found = strings.Cut(rest, "%")
		if len(item) >= 2 && isHex(item[0]) && isHex(item[1]) {
			dst = append(dst, unhex(item[0])<<4|unhex(item[1]))
			dst = append(dst, item[2:]...)
			continue
		}
		dst = append(dst, '%')
		dst = append(dst, item...)
	}
	return dst
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// appendDecoded appends b decoded as CPython decodes UTF-8 with
// errors="replace": each maximal subpart of an ill-formed sequence becomes
// one U+FFFD.
func appendDecoded(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			dst = append(dst, b[i])
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size > 1 {
			dst = append(dst, b[i:i+size]...)
			i += size
			continue
		}
		dst = utf8.AppendRune(dst, utf8.RuneError)
		i += maximalSubpart(b[i:])
	}
	return dst
}

// decodedLen returns how many bytes of b hold its first n characters as
// CPython's errors="replace" decoding counts them.
func decodedLen(b []byte, n int) int {
	if len(b) <= n {
		return len(b) // never more characters than bytes
	}
	i := 0
	for ; n > 0 && i < len(b); n-- {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size > 1 {
			i += size
			continue
		}
		i += maximalSubpart(b[i:])
	}
	return i
}

// maximalSubpart returns the length of the ill-formed sequence starting
// b (at least 1): a lead byte and the continuation bytes that were valid
// for it before the sequence broke off.
func maximalSubpart(b []byte) int {
	type span struct{ lo, hi byte }
	var want []span
	switch c := b[0]; {
	case c >= 0xc2 && c <= 0xdf:
		want = []span{{0x80, 0xbf}}
	case c == 0xe0:
		want = []span{{0xa0, 0xbf}, {0x80, 0xbf}}
	case c == 0xed:
		want = []span{{0x80, 0x9f}, {0x80, 0xbf}}
	case c >= 0xe1 && c <= 0xef:
		want = []span{{0x80, 0xbf}, {0x80, 0xbf}}
	case c == 0xf0:
		want = []span{{0x90, 0xbf}, {0x80, 0xbf}, {0x80, 0xbf}}
	case c >= 0xf1 && c <= 0xf3:
		want = []span{{0x80, 0xbf}, {0x80, 0xbf}, {0x80, 0xbf}}
	case c == 0xf4:
		want = []span{{0x80, 0x8f}, {0x80, 0xbf}, {0x80, 0xbf}}
	}
	n := 1
	for _, w := range want {
		if n >= len(b) || b[n] < w.lo || b[n] > w.hi {
			break
		}
		n++
	}
	return n
}

// SplitExt is Python's os.path.splitext for a POSIX path: the extension
// starts at the last '.' of the last path component, unless that component
// is only leading dots up to it (".bashrc" has none).
func SplitExt(name string) (root, ext string) {
	sep := strings.LastIndexByte(name, '/')
	dot := strings.LastIndexByte(name, '.')
	if dot > sep {
		for i := sep + 1; i < dot; i++ {
			if name[i] != '.' {
				return name[:dot], name[dot:]
			}
		}
	}
	return name, ""
}

// isPySpace is Python's str.isspace for one code point.
func isPySpace(r rune) bool {
	switch {
	case r >= '\t' && r <= '\r', r >= 0x1c && r <= 0x20, r == 0x85, r == 0xa0, r == 0x1680,
		r >= 0x2000 && r <= 0x200a, r == 0x2028, r == 0x2029, r == 0x202f, r == 0x205f, r == 0x3000:
		return true
	}
	return false
}

// pyStrip is Python's bytes-decoded str.strip() applied to raw bytes.
func pyStrip(b []byte) []byte {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if !isPySpace(r) {
			break
		}
		b = b[size:]
	}
	for len(b) > 0 {
		r, size := utf8.DecodeLastRune(b)
		if !isPySpace(r) {
			break
		}
		b = b[:len(b)-size]
	}
	return b
}

// PyStrip is Python's str.strip(): leading and trailing characters for
// which str.isspace() holds are removed.
func PyStrip(s string) string {
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if !isPySpace(r) {
			break
		}
		s = s[size:]
	}
	for len(s) > 0 {
		r, size := utf8.DecodeLastRuneInString(s)
		if !isPySpace(r) {
			break
		}
		s = s[:len(s)-size]
	}
	return s
}

// pyLowerASCII maps r as Python's str.lower() does when the result is a
// single ASCII character; ok is false when it is anything else. Besides
// A-Z only the Kelvin sign lowers to an ASCII letter.
func pyLowerASCII(r rune) (byte, bool) {
	switch {
	case r >= 'A' && r <= 'Z':
		return byte(r) + 'a' - 'A', true
	case r < utf8.RuneSelf:
		return byte(r), true
	case r == 0x212a:
		return 'k', true
	}
	return 0, false
}

// equalLowerASCII reports whether Python's a.lower() == b, for b a
// lower-case ASCII constant.
func equalLowerASCII[T string | []byte](a T, b string) bool {
	j := 0
	for i := 0; i < len(a); {
		r, size := rune(a[i]), 1
		if r >= utf8.RuneSelf {
			r, size = decodeRune(a[i:])
		}
		c, ok := pyLowerASCII(r)
		if !ok || j >= len(b) || c != b[j] {
			return false
		}
		i += size
		j++
	}
	return j == len(b)
}

// decodeRune is utf8.DecodeRune for a string or a byte slice.
func decodeRune[T string | []byte](s T) (rune, int) {
	switch v := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(v)
	case []byte:
		return utf8.DecodeRune(v)
	}
	panic("BUG: unreachable")
}

// containsLowerASCII reports whether Python's sub in s.lower() holds, for
// sub a lower-case ASCII constant, without allocating.
func containsLowerASCII(s, sub string) bool {
	for i := 0; i < len(s); {
		if hasLowerPrefix(s[i:], sub) {
			return true
		}
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return sub == ""
}

func hasLowerPrefix(s, sub string) bool {
	i := 0
	for j := 0; j < len(sub); j++ {
		if i >= len(s) {
			return false
		}
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if r == 0x130 {
			// 'İ'.lower() is "i\u0307": an 'i' then a non-ASCII mark.
			return sub[j] == 'i' && j == len(sub)-1
		}
		c, ok := pyLowerASCII(r)
		if !ok || c != sub[j] {
			return false
		}
		i += size
	}
	return true
}
