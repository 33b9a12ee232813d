package pyre

import (
	"regexp/syntax"
	"slices"
	"strings"
)

// Limits that keep a required-literal set useful and small.
const (
	maxLiterals     = 64 // more alternatives than this: no requirement
	maxClassRunes   = 8  // a class wider than this is not expanded
	maxLiteralBytes = 64 // cross products stop growing literals here
)

// requiredLiterals returns strings, folded with Canon, such that every
// match of the pattern contains at least one of them; ok is false when no
// such set was found (the pattern must then be tried on every input).
func requiredLiterals(re *Regexp) ([]string, bool) {
	if re.relaxed == "" {
		return nil, false
	}
	tree, err := syntax.Parse(re.relaxed, syntax.Perl)
	if err != nil {
		return nil, false
	}
	lits, ok := required(tree.Simplify())
	if !ok || len(lits) == 0 {
		return nil, false
	}
	for _, l := range lits {
		if l == "" {
			return nil, false
		}
	}
	return lits, true
}

// exact returns the finite set of strings re matches, if small.
func exact(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{foldString(re.Rune)}, true
	case syntax.OpCharClass:
		return classStrings(re.Rune)
	case syntax.OpCapture:
		return exact(re.Sub[0])
	case syntax.OpConcat:
		out := []string{""}
		for _, s := range re.Sub {
			next, ok := exact(s)
			if !ok {
				return nil, false
			}
			if out = cross(out, next); out == nil {
				return nil, false
			}
		}
		return out, true
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			next, ok := exact(s)
			if !ok {
				return nil, false
			}
			out = append(out, next...)
		}
		return dedupe(out)
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		// Zero-width: contributes nothing to the matched text.
		return []string{""}, true
	}
	return nil, false
}

// required is the literal requirement of a syntax tree.
func required(re *syntax.Regexp) ([]string, bool) {
	if lits, ok := exact(re); ok {
		return nonEmpty(lits)
	}
	switch re.Op {
	case syntax.OpCapture:
		return required(re.Sub[0])
	case syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			lits, ok := required(s)
			if !ok {
				return nil, false
			}
			out = append(out, lits...)
		}
		return dedupe(out)
	case syntax.OpConcat:
		return requiredConcat(re.Sub)
	}
	return nil, false
}

// requiredConcat picks the best requirement among the children of a
// sequence, joining runs of children with small exact languages.
func requiredConcat(subs []*syntax.Regexp) ([]string, bool) {
	var best []string
	consider := func(lits []string, ok bool) {
		if ok && better(lits, best) {
			best = lits
		}
	}
	run := []string{""}
	for _, s := range subs {
		if lits, ok := exact(s); ok {
			if joined := cross(run, lits); joined != nil {
				run = joined
				continue
			}
			consider(nonEmpty(run))
			run = lits
			continue
		}
		consider(nonEmpty(run))
		run = []string{""}
		consider(required(s))
	}
	consider(nonEmpty(run))
	return best, best != nil
}

// better prefers the set whose shortest literal is longer, then the
// smaller set.
func better(a, b []string) bool {
	if b == nil {
		return true
	}
	la, lb := shortest(a), shortest(b)
	if la != lb {
		return la > lb
	}
	return len(a) < len(b)
}

func shortest(lits []string) int {
	n := -1
	for _, l := range lits {
		if n < 0 || len(l) < n {
			n = len(l)
		}
	}
	return n
}

// nonEmpty rejects a set containing "" (a match need not contain anything).
func nonEmpty(lits []string) ([]string, bool) {
	if len(lits) == 0 || slices.Contains(lits, "") {
		return nil, false
	}
	return lits, true
}

func cross(a, b []string) []string {
	if len(a)*len(b) > maxLiterals {
		return nil
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			if len(x)+len(y) > maxLiteralBytes {
				return nil
			}
			out = append(out, x+y)
		}
	}
	out, _ = dedupe(out)
	return out
}

func dedupe(lits []string) ([]string, bool) {
	slices.Sort(lits)
	lits = slices.Compact(lits)
	if len(lits) > maxLiterals {
		return nil, false
	}
	return lits, true
}

// classStrings expands a small class into one-code-point strings.
func classStrings(ranges []rune) ([]string, bool) {
	n := 0
	for i := 0; i < len(ranges); i += 2 {
		n += int(ranges[i+1]-ranges[i]) + 1
		if n > maxClassRunes*4 {
			return nil, false
		}
	}
	var out []string
	for i := 0; i < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			out = append(out, string(Canon(r)))
		}
	}
	out, _ = dedupe(out)
	if len(out) > maxClassRunes {
		return nil, false
	}
	return out, true
}

// foldString maps every code point through Canon.
func foldString(rs []rune) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteRune(Canon(r))
	}
	return b.String()
}
