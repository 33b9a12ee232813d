package trails

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// Wildcard (regex) trails, core/common.py:build_trails_regex: a trail whose reference
// mentions "static" and that looks like a pattern, compiles as a Python regex and differs
// from re.escape() of itself; at most maxWildcards of them, in load order. Maltrail
// searches one alternation of all of them; leftmost match first, earlier trail on a tie.

const (
	maxWildcards = 100 // Python's former limit of 100 named groups per pattern
	// backtrackTimeout bounds a look-around trail on a hostile name; a timeout is a miss.
	backtrackTimeout = 50 * time.Millisecond
)

// isWildcardTrail is re.search(r"[\].][*+]|\[[a-z0-9_.\-]+\]", trail, re.I).
func isWildcardTrail[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ']', '.':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '+') {
				return true
			}
		case '[':
			j := i + 1
			for j < len(s) && (isAlnum(s[j]) || s[j] == '_' || s[j] == '.' || s[j] == '-') {
				j++
			}
			if j > i+1 && j < len(s) && s[j] == ']' {
				return true
			}
		}
	}
	return false
}

// differsFromEscape reports re.escape(s) != s (Python 3.7+ escapes only these).
func differsFromEscape(s string) bool {
	return strings.ContainsAny(s, "()[]{}?*+-|^$\\.&~# \t\n\r\v\f")
}

// pythonEscapes are the letters CPython's re accepts after a backslash; any other ASCII
// letter is a "bad escape" error, even where Go or .NET would accept it (\p, \Q, \z, ...).
const pythonEscapes = "AbBdDsSwWZafnrtvxuUN"

// pythonSyntaxOK rejects patterns that CPython refuses but the Go engines would accept:
// bad escapes, "(?<name>" groups and redefined group names.
func pythonSyntaxOK(p string) bool {
	var names []string
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			if i+1 < len(p) {
				c := p[i+1]
				if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') && !strings.ContainsRune(pythonEscapes, rune(c)) {
					return false
				}
			}
			i++
		case '(':
			if !strings.HasPrefix(p[i:], "(?") {
				continue
			}
			rest := p[i+2:]
			var name string
			switch {
			case strings.HasPrefix(rest, "P<"):
				end := strings.IndexByte(rest, '>')
				if end < 0 {
					return false
				}
				name = rest[2:end]
			case strings.HasPrefix(rest, "<") && !strings.HasPrefix(rest, "<=") && !strings.HasPrefix(rest, "<!"):
				return false
			default:
				continue
			}
			for _, n := range names {
				if n == name {
					return false
				}
			}
			names = append(names, name)
		}
	}
	return true
}

// toGoSyntax rewrites the one Python construct Go spells differently: \Z (end of text)
// is Go's \z.
func toGoSyntax(p string) string {
	if !strings.Contains(p, `\Z`) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			if p[i+1] == 'Z' {
				b.WriteString(`\z`)
			} else {
				b.WriteByte(p[i])
				b.WriteByte(p[i+1])
			}
			i++
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// wildcard is one compiled wildcard trail.
type wildcard struct {
	trail string
	pair  uint32
	re    *regexp.Regexp  // set when Go's RE2 engine accepts the pattern
	bt    *regexp2.Regexp // otherwise: look-around or backreferences
	// need holds sets of strings such that every match contains a string of each set;
	// nil when none is known. It spares running the regexp on nearly every name.
	need [][]literal
}

// compileWildcard compiles a trail with Python regex semantics, or fails as CPython's
// re.compile would.
func compileWildcard(trail string) (wildcard, error) {
	if !pythonSyntaxOK(trail) {
		return wildcard{}, errors.New("not a valid Python regular expression")
	}
	goSrc := toGoSyntax(trail)
	if re, err := regexp.Compile(goSrc); err == nil {
		w := wildcard{trail: trail, re: re}
		if tree, err := syntax.Parse(goSrc, syntax.Perl); err == nil {
			for _, set := range requiredLiterals(tree.Simplify()) {
				lits := make([]literal, len(set))
				for i, l := range set {
					lits[i] = literal{l, byteClasses(l)}
				}
				w.need = append(w.need, lits)
			}
		}
		return w, nil
	}
	bt, err := regexp2.Compile(goSrc, regexp2.None)
	if err != nil {
		return wildcard{}, err
	}
	bt.MatchTimeout = backtrackTimeout
	return wildcard{trail: trail, bt: bt}, nil
}

// maxNeed bounds the alternatives of one prefilter set; past it, checking them would
// cost more than the regexp.
const maxNeed = 64

// requiredLiterals returns sets of strings such that every match of re contains one
// string of each set.
func requiredLiterals(re *syntax.Regexp) [][]string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase == 0 {
			return [][]string{{string(re.Rune)}}
		}
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0])
		}
	case syntax.OpConcat:
		var all [][]string
		for _, sub := range re.Sub {
			all = append(all, requiredLiterals(sub)...)
		}
		return all
	case syntax.OpAlternate:
		// One set for the whole alternation: the best set of each alternative.
		var union []string
		for _, sub := range re.Sub {
			best := bestSet(requiredLiterals(sub))
			if best == nil || len(union)+len(best) > maxNeed {
				return nil
			}
			union = append(union, best...)
		}
		return [][]string{union}
	}
	return nil
}

// bestSet picks the set whose shortest string is longest.
func bestSet(sets [][]string) []string {
	var best []string
	for _, set := range sets {
		if shortest(set) > shortest(best) {
			best = set
		}
	}
	return best
}

func shortest(set []string) int {
	if len(set) == 0 {
		return 0
	}
	n := len(set[0])
	for _, s := range set[1:] {
		n = min(n, len(s))
	}
	return n
}

// literal is a prefilter string with the byteClasses of its bytes.
type literal struct {
	s       string
	classes uint64
}

// byteClasses maps the bytes of s onto 64 classes: a bit per letter (either case), digit,
// '.', '-' and '_', one bit for all other bytes. A string whose classes are not all in a
// name cannot be in it, which rejects most prefilter strings without a substring search.
func byteClasses(s string) uint64 {
	var m uint64
	for i := 0; i < len(s); i++ {
		switch c := s[i] | 0x20; {
		case c >= 'a' && c <= 'z':
			m |= 1 << (c - 'a')
		case s[i] >= '0' && s[i] <= '9':
			m |= 1 << (26 + s[i] - '0')
		case s[i] == '.':
			m |= 1 << 36
		case s[i] == '-':
			m |= 1 << 37
		case s[i] == '_':
			m |= 1 << 38
		default:
			m |= 1 << 39
		}
	}
	return m
}

// mayMatch reports whether name, whose byteClasses are classes, contains a string of
// every prefilter set.
func (w *wildcard) mayMatch(name string, classes uint64) bool {
	for _, set := range w.need {
		found := false
		for _, l := range set {
			if l.classes&^classes == 0 && strings.Contains(name, l.s) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// wildcardSet matches a name against all wildcard trails as Maltrail's single alternation
// does: the leftmost match wins, and the earlier trail among matches starting at the
// same place. Each trail runs on its own, after its literal prefilter.
type wildcardSet struct {
	list []wildcard
}

func (ws *wildcardSet) add(w wildcard) { ws.list = append(ws.list, w) }

// match returns the index of the winning trail and the byte span it matched.
func (ws *wildcardSet) match(name string) (idx, start, end int, ok bool) {
	idx = -1
	classes := byteClasses(name)
	for i := range ws.list {
		w := &ws.list[i]
		if !w.mayMatch(name, classes) {
			continue
		}
		s, e := -1, -1
		if w.re != nil {
			if loc := w.re.FindStringIndex(name); loc != nil {
				s, e = loc[0], loc[1]
			}
		} else if m, err := w.bt.FindStringMatch(name); err == nil && m != nil {
			s = byteOffset(name, m.Index)
			e = s + byteOffset(name[s:], m.Length)
		}
		if s >= 0 && (idx < 0 || s < start) {
			idx, start, end = i, s, e
			if s == 0 {
				break // no later trail can match further left
			}
		}
	}
	return idx, start, end, idx >= 0
}

// byteOffset converts regexp2's rune offset into a byte offset of s.
func byteOffset(s string, runes int) int {
	off := 0
	for ; runes > 0 && off < len(s); runes-- {
		_, size := utf8.DecodeRuneInString(s[off:])
		off += size
	}
	return off
}

// wildcardTrail is the trail text old/sensor.py:_check_domain logs for a wildcard hit:
// the matched text with any unmatched prefix and suffix in parentheses, then ".)" -> ").".
func wildcardTrail(name string, start, end int) string {
	trail := name[start:end]
	if start > 0 {
		trail = "(" + name[:start] + ")" + trail
	}
	if end < len(name) {
		trail += "(" + name[end:] + ")"
	}
	return strings.ReplaceAll(trail, ".)", ").")
}
