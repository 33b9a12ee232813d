package pyre

import (
	"math/bits"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Set is an ordered list of patterns searched together. A literal
// prefilter (one Aho-Corasick pass over the input) selects the patterns
// that can match; only those run. A Set is safe for concurrent use.
type Set struct {
	pats   []*Regexp
	always []uint64 // patterns without a required literal: always tried
	ac     *acMatcher
	words  int
	pool   sync.Pool // *scratch, for large sets and non-ASCII input
}

type scratch struct {
	bits []uint64
	fold []byte
}

// NewSet builds a Set over pats, which must not be modified afterwards.
func NewSet(pats []*Regexp) *Set {
	s := &Set{pats: pats, words: (len(pats) + 63) / 64}
	s.always = make([]uint64, s.words)
	var lits []string
	var owners []int
	for i, p := range pats {
		l, ok := requiredLiterals(p)
		if !ok {
			s.always[i>>6] |= 1 << (i & 63)
			continue
		}
		for _, x := range l {
			lits = append(lits, x)
			owners = append(owners, i)
		}
	}
	if len(lits) > 0 {
		s.ac = newACMatcher(lits, owners)
	}
	s.pool.New = func() any {
		return &scratch{bits: make([]uint64, s.words)}
	}
	return s
}

// Len returns the number of patterns.
func (s *Set) Len() int { return len(s.pats) }

// Unfiltered returns how many patterns have no literal prefilter.
func (s *Set) Unfiltered() int {
	n := 0
	for _, w := range s.always {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}

// candidates fills bits with the patterns that may match str; for
// non-ASCII str it folds str into buf (returned, possibly grown).
func (s *Set) candidates(str string, ascii bool, bits []uint64, buf []byte) []byte {
	copy(bits, s.always)
	if s.ac == nil {
		return buf
	}
	if ascii {
		s.ac.markString(str, bits)
		return buf
	}
	buf = buf[:0]
	for _, r := range str {
		buf = utf8.AppendRune(buf, Canon(r))
	}
	s.ac.mark(buf, bits)
	return buf
}

// lowered returns str with ASCII letters lower-cased, in sc's buffer.
func (sc *scratch) lowered(str string) string {
	sc.fold = appendLower(sc.fold[:0], str)
	return unsafe.String(unsafe.SliceData(sc.fold), len(sc.fold))
}

// First returns the index of the first pattern, in order, that matches
// anywhere in str, or -1. It does not allocate in steady state when Go's
// engine decides the input.
func (s *Set) First(str string) int {
	sc := s.pool.Get().(*scratch)
	defer s.pool.Put(sc)
	ascii := isASCII(str)
	cand := sc.bits[:s.words]
	sc.fold = s.candidates(str, ascii, cand, sc.fold)
	lowered := ""
	for w, word := range cand {
		for ; word != 0; word &= word - 1 {
			i := w<<6 + bits.TrailingZeros64(word)
			if ascii && lowered == "" && str != "" {
				lowered = sc.lowered(str)
			}
			if s.pats[i].match(str, lowered, ascii) {
				return i
			}
		}
	}
	return -1
}

// Leftmost runs re.search with the alternation of all patterns
// (p0|p1|...): the match starting earliest in str wins, ties going to the
// lower pattern index. It returns the winning pattern and the byte offsets
// of its match.
func (s *Set) Leftmost(str string) (idx, start, end int, ok bool) {
	sc := s.pool.Get().(*scratch)
	defer s.pool.Put(sc)
	ascii := isASCII(str)
	cand := sc.bits[:s.words]
	sc.fold = s.candidates(str, ascii, cand, sc.fold)
	lowered := ""
	idx = -1
	for w, word := range cand {
		for ; word != 0; word &= word - 1 {
			i := w<<6 + bits.TrailingZeros64(word)
			if ascii && lowered == "" && str != "" {
				lowered = sc.lowered(str)
			}
			st, en, found := s.pats[i].find(str, lowered, ascii)
			if !found || (idx >= 0 && st >= start) {
				continue
			}
			idx, start, end = i, st, en
			if start == 0 {
				return idx, start, end, true
			}
		}
	}
	return idx, start, end, idx >= 0
}

// LeftmostBytes is Leftmost for a byte slice, without copying it.
func (s *Set) LeftmostBytes(b []byte) (idx, start, end int, ok bool) {
	// The string view does not outlive the call and b is not written to.
	return s.Leftmost(unsafe.String(unsafe.SliceData(b), len(b)))
}
