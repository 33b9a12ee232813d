// Package pyre runs Python (CPython 3.11 re module) regular expressions on
// Go strings with Python's semantics.
//
// Maltrail's detection rules are Python patterns. Go's regexp (RE2) shares
// Python's leftmost-first match semantics, but spells some things
// differently (\Z, literal braces, {,n}), lacks others (look-around, back
// references, atomic groups, possessive quantifiers), treats \b, \w, \d
// and \s as ASCII where Python's are Unicode, and folds case differently
// (Python matches 'i' with 'İ' and 'ı'). A pattern is parsed with a port of
// CPython's parser, so exactly the patterns CPython rejects are rejected,
// with each case-insensitive character spelled out as its Python
// equivalence class, and written out in up to four forms:
//
//   - ascii: Go regexp for ASCII input, on lower-cased input when the
//     whole pattern ignores case, so Go finds literal prefixes;
//   - uni: Go regexp with Python's Unicode classes, exact on any input
//     unless \b or \B meets non-ASCII text;
//   - a projection of non-ASCII input onto ASCII characters of the same
//     categories, which lets the ascii form decide it (see projection);
//   - regexp2 (backtracking, .NET syntax with \b as look-arounds), for
//     what the Go forms cannot express or decide, screened first by a
//     linear-time Go form matching a superset and bounded by a timeout.
//
// Every input thus runs in linear time except in the rare last case.
// Unicode tables are Go's (Unicode 15); CPython 3.11 uses Unicode 14.
package pyre

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/dlclark/regexp2"
)

// netTimeout bounds one regexp2 match, the only backtracking engine used:
// on expiry the match counts as a miss. Input reaches it only after the
// linear-time superset form matched.
const netTimeout = 20 * time.Millisecond

// Regexp is a compiled Python pattern. It is safe for concurrent use.
type Regexp struct {
	pattern string
	// ascii is exact on ASCII input; with lower it must see the input
	// lower-cased (ASCII letters only), which lets Go use literal prefixes.
	ascii *regexp.Regexp
	lower bool
	// uni is exact on any input, except on non-ASCII input when word is
	// set (a Unicode \b or \B).
	uni  *regexp.Regexp
	word bool
	// eol: the Go forms are inexact on input ending in "\n" (a
	// non-multiline $).
	eol bool
	// proj lets ascii decide non-ASCII input too (nil: not possible).
	proj *projection
	// net (regexp2) is exact everywhere; only built when the Go forms do
	// not cover every input.
	net     *regexp2.Regexp
	sup     *regexp.Regexp // the relaxed form, screening input for net
	relaxed string         // Go syntax matching a superset, for prefilters
}

// IsUnsupported reports whether err is a valid Python pattern that neither
// engine can run (e.g. \N{...} escapes).
func IsUnsupported(err error) bool {
	var u errUnsupported
	return errors.As(err, &u)
}

// Compile parses pattern as re.compile(pattern, flags) would. A pattern
// CPython rejects returns a *SyntaxError.
func Compile(pattern string, flags Flags) (*Regexp, error) {
	root, fl, _, err := parse(pattern, flags)
	if err != nil {
		return nil, fmt.Errorf("cannot compile %q: %w", pattern, err)
	}
	re, err := build(root, fl, pattern)
	if err != nil {
		return nil, fmt.Errorf("cannot compile %q: %w", pattern, err)
	}
	return re, nil
}

// CompileAlternatives compiles the top-level alternatives of pattern as
// separate patterns: re.search(pattern) finds the match Set.Leftmost finds
// over them, and matches exactly when one of them does. Smaller patterns
// run faster and each gets its own literal prefilter. A pattern without a
// top-level '|' (or with back references, whose group numbers would
// shift) comes back whole.
func CompileAlternatives(pattern string, flags Flags) ([]*Regexp, error) {
	root, fl, _, err := parse(pattern, flags)
	if err != nil {
		return nil, fmt.Errorf("cannot compile %q: %w", pattern, err)
	}
	subs := []*node{root}
	if root.kind == kAlt && !hasGroupRefs(root) {
		subs = root.subs
	}
	out := make([]*Regexp, len(subs))
	for i, sub := range subs {
		if out[i], err = build(sub, fl, pattern); err != nil {
			return nil, fmt.Errorf("cannot compile %q: %w", pattern, err)
		}
	}
	return out, nil
}

func hasGroupRefs(n *node) bool {
	if n == nil {
		return false
	}
	if n.kind == kBackref || n.kind == kCond {
		return true
	}
	for _, s := range n.subs {
		if hasGroupRefs(s) {
			return true
		}
	}
	return false
}

// build writes root out for both engines.
func build(root *node, fl Flags, pattern string) (*Regexp, error) {
	re := &Regexp{pattern: pattern}
	if rel, err := emitPattern(root, fl, targetGoRelaxed); err == nil {
		if sup, err := regexp.Compile(rel.b.String()); err == nil {
			re.relaxed, re.sup = rel.b.String(), sup
		}
	}
	if a, err := emitASCII(root, fl, fl&IgnoreCase != 0); err == nil {
		if compiled, err := regexp.Compile(a.b.String()); err == nil {
			re.ascii, re.lower = compiled, fl&IgnoreCase != 0
			if !a.foreign && !usesASCIIFlag(root, fl) {
				re.proj = newProjection(&a.alpha, a.cats, re.lower)
			}
		}
	}
	if g, err := emitPattern(root, fl, targetGo); err == nil {
		if compiled, err := regexp.Compile(g.b.String()); err == nil {
			re.uni = compiled
			re.word, re.eol = g.word, g.eol
		}
	}
	nonASCII := (re.uni != nil && !re.word) || re.proj != nil
	if !re.eol && nonASCII && (re.uni != nil || re.ascii != nil) {
		re.sup = nil // only the backtracking engine needs screening
		return re, nil
	}
	n, err := emitPattern(root, fl, targetNET)
	if err == nil {
		var compiled *regexp2.Regexp
		if compiled, err = regexp2.Compile(n.b.String(), regexp2.None); err == nil {
			compiled.MatchTimeout = netTimeout
			re.net = compiled
			return re, nil
		}
	}
	if re.uni == nil && re.ascii == nil {
		return nil, errUnsupported(err.Error())
	}
	// The Go forms stay exact on ASCII input without a final newline.
	return re, nil
}

// usesASCIIFlag reports whether re.ASCII applies anywhere in the pattern.
func usesASCIIFlag(n *node, fl Flags) bool {
	if fl&ASCII != 0 || n.add&ASCII != 0 {
		return true
	}
	for _, s := range n.subs {
		if s != nil && usesASCIIFlag(s, 0) {
			return true
		}
	}
	return false
}

// MustCompile is Compile for patterns fixed at build time.
func MustCompile(pattern string, flags Flags) *Regexp {
	re, err := Compile(pattern, flags)
	if err != nil {
		panic("BUG: " + err.Error())
	}
	return re
}

// String returns the Python pattern.
func (re *Regexp) String() string { return re.pattern }

// engine is the form that decides an input exactly.
type engine uint8

const (
	engNone engine = iota
	engASCII
	engUni
	engProj
	engNet
)

// choose picks the form for an input with the given properties.
func (re *Regexp) choose(ascii, endsNL bool) engine {
	switch {
	case re.eol && endsNL && re.net != nil:
		return engNet
	case ascii && re.ascii != nil:
		return engASCII
	case re.uni != nil && (ascii || !re.word):
		return engUni
	case re.proj != nil && !(re.eol && endsNL):
		return engProj
	case re.net != nil:
		return engNet
	case re.uni != nil:
		return engUni // approximate: only \b next to non-ASCII text may differ
	}
	return engNone
}

type projBuf struct {
	b    []byte
	offs []int32
}

var projPool = sync.Pool{New: func() any { return new(projBuf) }}

// find runs re.search on s. lowered is s with ASCII letters lower-cased,
// or "" to have it computed when needed; ascii reports s is ASCII.
func (re *Regexp) find(s, lowered string, ascii bool) (start, end int, ok bool) {
	switch re.choose(ascii, strings.HasSuffix(s, "\n")) {
	case engASCII:
		in := s
		if re.lower {
			if lowered == "" && s != "" {
				buf := lowerPool.Get().(*[]byte)
				defer lowerPool.Put(buf)
				*buf = appendLower((*buf)[:0], s)
				lowered = unsafe.String(unsafe.SliceData(*buf), len(*buf))
			}
			in = lowered
		}
		loc := re.ascii.FindStringIndex(in)
		if loc == nil {
			return 0, 0, false
		}
		return loc[0], loc[1], true
	case engUni:
		loc := re.uni.FindStringIndex(s)
		if loc == nil {
			return 0, 0, false
		}
		return loc[0], loc[1], true
	case engProj:
		pb := projPool.Get().(*projBuf)
		defer projPool.Put(pb)
		pb.b, pb.offs = re.proj.project(pb.b[:0], pb.offs[:0], s)
		loc := re.ascii.FindIndex(pb.b)
		if loc == nil {
			return 0, 0, false
		}
		return int(pb.offs[loc[0]]), int(pb.offs[loc[1]]), true
	case engNet:
		if re.sup != nil && !re.sup.MatchString(s) {
			return 0, 0, false
		}
		m, err := re.net.FindStringMatch(s)
		if err != nil || m == nil {
			return 0, 0, false
		}
		start = runeOffset(s, 0, m.Index)
		return start, runeOffset(s, start, m.Length), true
	}
	return 0, 0, false
}

// match is find without the match position; it does not allocate on the
// Go forms.
func (re *Regexp) match(s, lowered string, ascii bool) bool {
	switch re.choose(ascii, strings.HasSuffix(s, "\n")) {
	case engASCII:
		if !re.lower {
			return re.ascii.MatchString(s)
		}
		if lowered == "" && s != "" {
			buf := lowerPool.Get().(*[]byte)
			defer lowerPool.Put(buf)
			*buf = appendLower((*buf)[:0], s)
			lowered = unsafe.String(unsafe.SliceData(*buf), len(*buf))
		}
		return re.ascii.MatchString(lowered)
	case engUni:
		return re.uni.MatchString(s)
	case engProj:
		pb := projPool.Get().(*projBuf)
		defer projPool.Put(pb)
		pb.b, pb.offs = re.proj.project(pb.b[:0], pb.offs[:0], s)
		return re.ascii.Match(pb.b)
	case engNet:
		if re.sup != nil && !re.sup.MatchString(s) {
			return false
		}
		ok, err := re.net.MatchString(s)
		return err == nil && ok
	}
	return false
}

var lowerPool = sync.Pool{New: func() any { return new([]byte) }}

// appendLower appends s with ASCII letters lower-cased.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// MatchString reports whether the pattern matches anywhere in s
// (re.search(...) is not None). It does not allocate when a Go form
// decides s.
func (re *Regexp) MatchString(s string) bool {
	return re.match(s, "", isASCII(s))
}

// Match is MatchString for a byte slice.
func (re *Regexp) Match(b []byte) bool {
	// The string view does not outlive the call and b is not written to.
	return re.MatchString(unsafe.String(unsafe.SliceData(b), len(b)))
}

// FindStringIndex returns the byte offsets of re.search(s).group(0).
func (re *Regexp) FindStringIndex(s string) (start, end int, ok bool) {
	return re.find(s, "", isASCII(s))
}

// FindIndex is FindStringIndex for a byte slice.
func (re *Regexp) FindIndex(b []byte) (start, end int, ok bool) {
	return re.FindStringIndex(unsafe.String(unsafe.SliceData(b), len(b)))
}

// runeOffset advances n code points from byte offset from, decoding the
// way regexp2 does (an invalid byte is one U+FFFD).
func runeOffset(s string, from, n int) int {
	i := from
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// specialChars is CPython's re._special_chars_map (3.7+).
const specialChars = "()[]{}?*+-|^$\\.&~# \t\n\r\v\f"

// Escape is Python's re.escape.
func Escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		if r < utf8.RuneSelf && strings.ContainsRune(specialChars, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
