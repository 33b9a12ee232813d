package pyre

import (
	"slices"
	"sync"
	"unicode"
)

// Python's case-insensitive matching (re.IGNORECASE on str patterns): an
// input code point c matches a pattern code point p when
// lower(c) == lower(p), or lower(c) is one of the extra equivalents CPython
// lists for lower(p) in re/_casefix.py. lower is the simple lowercase
// mapping. This is not Unicode simple case folding, which Go's (?i) uses:
// Python matches 'i' with 'İ' and 'ı', Go does not. Patterns are therefore
// written out with each case-insensitive code point expanded to its Python
// equivalence class, and compiled case-sensitively.

// extraCases is CPython 3.11's re._casefix._EXTRA_CASES: lowercase code
// points that also match other lowercase code points.
var extraCases = map[rune][]rune{
	0x69: {0x131}, 0x73: {0x17f}, 0xb5: {0x3bc}, 0x131: {0x69}, 0x17f: {0x73},
	0x345: {0x3b9, 0x1fbe}, 0x390: {0x1fd3}, 0x3b0: {0x1fe3}, 0x3b2: {0x3d0},
	0x3b5: {0x3f5}, 0x3b8: {0x3d1}, 0x3b9: {0x345, 0x1fbe}, 0x3ba: {0x3f0},
	0x3bc: {0xb5}, 0x3c0: {0x3d6}, 0x3c1: {0x3f1}, 0x3c2: {0x3c3}, 0x3c3: {0x3c2},
	0x3c6: {0x3d5}, 0x3d0: {0x3b2}, 0x3d1: {0x3b8}, 0x3d5: {0x3c6}, 0x3d6: {0x3c0},
	0x3f0: {0x3ba}, 0x3f1: {0x3c1}, 0x3f5: {0x3b5}, 0x432: {0x1c80}, 0x434: {0x1c81},
	0x43e: {0x1c82}, 0x441: {0x1c83}, 0x442: {0x1c84, 0x1c85}, 0x44a: {0x1c86},
	0x463: {0x1c87}, 0x1c80: {0x432}, 0x1c81: {0x434}, 0x1c82: {0x43e},
	0x1c83: {0x441}, 0x1c84: {0x442, 0x1c85}, 0x1c85: {0x442, 0x1c84},
	0x1c86: {0x44a}, 0x1c87: {0x463}, 0x1c88: {0xa64b}, 0x1e61: {0x1e9b},
	0x1e9b: {0x1e61}, 0x1fbe: {0x345, 0x3b9}, 0x1fd3: {0x390}, 0x1fe3: {0x3b0},
	0xa64b: {0x1c88}, 0xfb05: {0xfb06}, 0xfb06: {0xfb05},
}

var (
	foldOnce sync.Once
	// lowerOf maps each lowercase value to every code point other than
	// itself whose simple lowercase mapping it is.
	lowerOf map[rune][]rune
	// canon maps a cased code point to the smallest member of its Python
	// equivalence class (absent: the code point is its own class).
	canon map[rune]rune
)

func initFold() {
	lowerOf = map[rune][]rune{}
	for _, cr := range unicode.CaseRanges {
		for r := rune(cr.Lo); r <= rune(cr.Hi); r++ {
			if l := unicode.ToLower(r); l != r {
				lowerOf[l] = append(lowerOf[l], r)
			}
		}
	}
	canon = map[rune]rune{}
	add := func(r rune) {
		class := equivalentsLocked(r)
		if len(class) > 1 {
			canon[r] = class[0]
		}
	}
	for l, rs := range lowerOf {
		add(l)
		for _, r := range rs {
			add(r)
		}
	}
	for l := range extraCases {
		add(l)
	}
}

// equivalents returns the code points Python's IGNORECASE matches r with,
// sorted, r included.
func equivalents(r rune) []rune {
	foldOnce.Do(initFold)
	return equivalentsLocked(r)
}

// equivalentsLocked is equivalents once the tables are built.
func equivalentsLocked(r rune) []rune {
	low := unicode.ToLower(r)
	keys := append([]rune{low}, extraCases[low]...)
	out := []rune{r}
	for _, k := range keys {
		if unicode.ToLower(k) == k {
			out = append(out, k)
		}
		out = append(out, lowerOf[k]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// asciiEquivalents is equivalents under re.ASCII: only A-Z/a-z fold.
func asciiEquivalents(r rune) []rune {
	switch {
	case r >= 'a' && r <= 'z':
		return []rune{r - 'a' + 'A', r}
	case r >= 'A' && r <= 'Z':
		return []rune{r, r - 'A' + 'a'}
	}
	return []rune{r}
}

// Canon maps r to a representative of its Python case-insensitive
// equivalence class: two code points match each other under re.IGNORECASE
// exactly when their Canon values are equal. ASCII letters map to upper
// case.
func Canon(r rune) rune {
	if r < 0x80 {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	foldOnce.Do(initFold)
	if c, ok := canon[r]; ok {
		return c
	}
	return r
}

// foldRanges returns the code points matched case-insensitively by any
// member of ranges, as sorted disjoint ranges.
func foldRanges(ranges [][2]rune, ascii bool) [][2]rune {
	out := slices.Clone(ranges)
	in := func(r rune) bool {
		for _, rg := range ranges {
			if r >= rg[0] && r <= rg[1] {
				return true
			}
		}
		return false
	}
	addAll := func(rs []rune) {
		for _, e := range rs {
			out = append(out, [2]rune{e, e})
		}
	}
	if ascii {
		for r := 'A'; r <= 'z'; r++ {
			if isASCIILetter(r) && in(r) {
				addAll(asciiEquivalents(r))
			}
		}
	} else {
		foldOnce.Do(initFold)
		for r := range canon {
			if in(r) {
				addAll(equivalents(r))
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]rune) int { return int(a[0] - b[0]) })
	merged := out[:0]
	for _, rg := range out {
		if n := len(merged); n > 0 && rg[0] <= merged[n-1][1]+1 {
			merged[n-1][1] = max(merged[n-1][1], rg[1])
			continue
		}
		merged = append(merged, rg)
	}
	return merged
}
