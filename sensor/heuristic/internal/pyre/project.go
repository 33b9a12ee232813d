package pyre

import (
	"unicode"
)

// A projection lets the ASCII form decide non-ASCII input. A pattern
// whose literals and class members are ASCII (or, case-insensitively,
// equivalent to ASCII letters) can only tell a non-ASCII character apart
// by its categories: digit (\d, also a word character), other word
// character, space, or none of these. Replacing each non-ASCII character
// by an ASCII character of the same categories that the pattern never
// names (or by its ASCII case equivalent, as 'K' for the Kelvin sign)
// keeps every match, one character for one character. This keeps
// patterns with \b on a linear-time engine whatever the input, where
// Python (and the backtracking fallback) can take seconds on crafted
// input.
//
// Only the categories the pattern tests matter: a digit is merely a word
// character to a pattern without \d, and anything is "other" to a
// pattern that tests no category.
type projection struct {
	lower                     bool // the ASCII form expects lower-cased input
	digit, word, space, other byte
}

// newProjection picks representatives outside the pattern's alphabet for
// the categories it tests (cats, indexed by category), or returns nil when
// one has none left.
func newProjection(alpha *[utf8RuneSelf]bool, cats [catNotWord + 1]bool, lower bool) *projection {
	pick := func(candidates string) (byte, bool) {
		for i := 0; i < len(candidates); i++ {
			if c := candidates[i]; !alpha[c] {
				return c, true
			}
		}
		return 0, false
	}
	p := &projection{lower: lower}
	var ok bool
	if p.other, ok = pick("\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x7f"); !ok {
		return nil
	}
	p.digit, p.word, p.space = p.other, p.other, p.other
	if cats[catWord] || cats[catNotWord] || cats[catDigit] || cats[catNotDigit] {
		if p.word, ok = pick("_abcdefghijklmnopqrstuvwxyz"); !ok {
			return nil
		}
		p.digit = p.word
	}
	if cats[catDigit] || cats[catNotDigit] {
		if p.digit, ok = pick("0123456789"); !ok {
			return nil
		}
	}
	if cats[catSpace] || cats[catNotSpace] {
		if p.space, ok = pick("\x1c\x1d\x1e\x1f\v\f\t\r "); !ok {
			return nil
		}
	}
	return p
}

// project appends the projection of s to dst and, to offs, the byte
// offset in s of every projected byte plus len(s).
func (p *projection) project(dst []byte, offs []int32, s string) ([]byte, []int32) {
	for i, r := range s {
		offs = append(offs, int32(i))
		dst = append(dst, p.char(r))
	}
	return dst, append(offs, int32(len(s)))
}

func (p *projection) char(r rune) byte {
	if r < utf8RuneSelf {
		c := byte(r)
		if p.lower && c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		return c
	}
	if p.lower {
		if k := Canon(r); k < utf8RuneSelf {
			return byte(k) + 'a' - 'A' // an ASCII letter's equivalent
		}
	}
	switch {
	case unicode.Is(unicode.Nd, r):
		return p.digit
	case unicode.IsLetter(r) || unicode.IsNumber(r):
		return p.word
	case isPySpace(r):
		return p.space
	}
	return p.other
}

// isPySpace is Python's str.isspace (\s) for one code point.
func isPySpace(r rune) bool {
	for _, rg := range spaceRanges {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}
