package pyre

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// target is the dialect a parsed pattern is written out in.
type target uint8

const (
	// targetGo is Go's regexp syntax, exact on every input except where
	// the emitter records a sensitivity (Unicode \b, non-multiline $).
	targetGo target = iota
	// targetGoRelaxed is Go syntax for a pattern matching a superset of
	// the Python pattern on every input: constructs RE2 lacks (look-around,
	// back references, atomic groups, possessive and huge repeats) and
	// the assertions Go spells differently (\b, \B, non-multiline $) are
	// widened. It extracts required literals and screens input before
	// the backtracking engine runs.
	targetGoRelaxed
	// targetNET is .NET syntax for github.com/dlclark/regexp2, exact on
	// every input (Python's Unicode classes and \b spelled out).
	targetNET
)

// errUnsupported marks a valid Python construct a dialect cannot express.
type errUnsupported string

func (e errUnsupported) Error() string { return "unsupported construct: " + string(e) }

// goMaxRepeat is RE2's largest repetition count.
const goMaxRepeat = 1000

// Python's Unicode character categories (CPython 3.11 _sre: \d is
// Py_UNICODE_ISDECIMAL, \w is Py_UNICODE_ISALNUM or '_', \s is
// Py_UNICODE_ISSPACE).
var (
	spaceRanges = [][2]rune{{'\t', '\r'}, {0x1c, 0x20}, {0x85, 0x85}, {0xa0, 0xa0}, {0x1680, 0x1680}, {0x2000, 0x200a}, {0x2028, 0x2029}, {0x202f, 0x202f}, {0x205f, 0x205f}, {0x3000, 0x3000}}
	asciiSpace  = [][2]rune{{'\t', '\r'}, {' ', ' '}}
)

// emitter writes a parsed pattern in one dialect.
type emitter struct {
	t    target
	b    strings.Builder
	word bool // emitted an ASCII-only \b or \B where Python's is Unicode
	eol  bool // emitted a non-multiline $ (Go's never matches before a final "\n")

	// ascii specialises targetGo for ASCII input: classes hold only ASCII
	// members, and with lower the input is lower-cased first, so
	// case-insensitive parts are written in lower case, case-sensitively
	// (Go then finds literal prefixes). folded and plain record whether
	// case-insensitive and case-sensitive parts were seen: lower needs the
	// whole pattern case-insensitive.
	ascii, lower  bool
	folded, plain bool
	// alpha marks the ASCII characters the pattern names (literals and
	// class members); foreign records a non-ASCII one an ASCII input
	// projection cannot stand for. See projection.
	alpha   [utf8RuneSelf]bool
	foreign bool
	// cats records the categories the pattern tests (\b counts as word).
	cats [catNotWord + 1]bool
}

// emitPattern renders root (parsed with global flags fl) in dialect t.
func emitPattern(root *node, fl Flags, t target) (*emitter, error) {
	return emitWith(&emitter{t: t}, root, fl)
}

// emitASCII renders root for ASCII input, lower-cased first when lower.
// It fails when the pattern mixes case-sensitive and case-insensitive
// parts in a way the chosen form cannot express.
func emitASCII(root *node, fl Flags, lower bool) (*emitter, error) {
	e, err := emitWith(&emitter{t: targetGo, ascii: true, lower: lower}, root, fl)
	if err != nil {
		return nil, err
	}
	if (lower && e.plain) || (!lower && e.folded) {
		return nil, errUnsupported("mixed case sensitivity")
	}
	return e, nil
}

func emitWith(e *emitter, root *node, fl Flags) (*emitter, error) {
	if f := inlineFlags(e.spelled(fl), 0); f != "" {
		e.b.WriteString("(?" + f + ")")
	}
	if err := e.emit(root, fl); err != nil {
		return nil, err
	}
	return e, nil
}

// inlineFlags spells the i/m/s part of add (and -del) as inline flags.
func inlineFlags(add, del Flags) string {
	var s strings.Builder
	for _, f := range [...]struct {
		f Flags
		c byte
	}{{IgnoreCase, 'i'}, {Multiline, 'm'}, {DotAll, 's'}} {
		if add&f.f != 0 {
			s.WriteByte(f.c)
		}
	}
	var d strings.Builder
	for _, f := range [...]struct {
		f Flags
		c byte
	}{{IgnoreCase, 'i'}, {Multiline, 'm'}, {DotAll, 's'}} {
		if del&f.f != 0 {
			d.WriteByte(f.c)
		}
	}
	if d.Len() > 0 {
		return s.String() + "-" + d.String()
	}
	return s.String()
}

// spelled returns the flags written as inline flags: the exact dialects
// spell case-insensitivity out code point by code point instead.
func (e *emitter) spelled(fl Flags) Flags {
	return fl &^ IgnoreCase
}

// folding reports whether literals must be expanded to their Python
// case-insensitive equivalents.
func (e *emitter) folding(fl Flags) bool {
	if fl&IgnoreCase != 0 {
		e.folded = true
	} else {
		e.plain = true
	}
	return fl&IgnoreCase != 0
}

// asciiMembers keeps the ASCII code points of rs, lower-cased in lower
// mode, sorted and unique, and records them in alpha. folded says rs is
// closed under case-insensitive equivalence: a non-ASCII member then only
// needs an ASCII equivalent to be representable.
func (e *emitter) asciiMembers(rs []rune, folded bool) []rune {
	var out []rune
	for _, r := range rs {
		if r >= utf8RuneSelf {
			if !folded || Canon(r) >= utf8RuneSelf {
				e.foreign = true
			}
			continue
		}
		if e.lower && r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		e.alpha[r] = true
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

// never matches nothing (an empty class).
const never = `[^\x00-\x{10FFFF}]`

func (e *emitter) unsupported(what string) error {
	return errUnsupported(what)
}

func (e *emitter) emit(n *node, fl Flags) error {
	switch n.kind {
	case kLiteral:
		if e.folding(fl) {
			eq := equivalents(n.r)
			if fl&ASCII != 0 {
				eq = asciiEquivalents(n.r)
			}
			if e.ascii {
				eq = e.asciiMembers(eq, true)
				if len(eq) == 0 {
					e.b.WriteString(never)
					return nil
				}
			}
			if len(eq) == 1 {
				e.literal(eq[0])
				return nil
			}
			if len(eq) > 1 {
				e.b.WriteByte('[')
				for _, r := range eq {
					e.classRune(r)
				}
				e.b.WriteByte(']')
				return nil
			}
		}
		if e.ascii {
			e.asciiMembers([]rune{n.r}, false)
		}
		e.literal(n.r)
	case kAny:
		e.b.WriteByte('.')
	case kClass:
		return e.class(n, fl)
	case kBegin:
		e.b.WriteByte('^')
	case kEnd:
		switch {
		case fl&Multiline != 0 || e.t == targetNET:
			e.b.WriteByte('$')
		case e.t == targetGoRelaxed:
			e.b.WriteString("(?:)") // also before a final "\n"
		default:
			e.b.WriteByte('$')
			e.eol = true
		}
	case kBeginText:
		e.b.WriteString(`\A`)
	case kEndText:
		e.b.WriteString(`\z`)
	case kWordB, kNonWordB:
		e.boundary(n.kind == kWordB, fl)
	case kConcat:
		for _, s := range n.subs {
			if err := e.emitAtom(s, fl, s.kind == kAlt); err != nil {
				return err
			}
		}
	case kAlt:
		for i, s := range n.subs {
			if i > 0 {
				e.b.WriteByte('|')
			}
			if err := e.emit(s, fl); err != nil {
				return err
			}
		}
	case kGroup:
		return e.group(n, fl)
	case kLook:
		return e.look(n, fl)
	case kAtomic:
		switch e.t {
		case targetGo:
			return e.unsupported("atomic group")
		case targetGoRelaxed:
			return e.wrapped("(?:", n.subs[0], fl)
		}
		return e.wrapped("(?>", n.subs[0], fl)
	case kRepeat:
		return e.repeat(n, fl)
	case kBackref:
		switch e.t {
		case targetGo:
			return e.unsupported("back reference")
		case targetGoRelaxed:
			e.b.WriteString(`(?s:.*)`)
		default:
			if fl&IgnoreCase != 0 {
				return e.unsupported("case-insensitive back reference")
			}
			fmt.Fprintf(&e.b, `(?:\%d)`, n.group)
		}
	case kCond:
		return e.cond(n, fl)
	default:
		panic(fmt.Sprintf("BUG: unknown pattern node %d", n.kind))
	}
	return nil
}

// emitAtom emits n, wrapping it in a non-capturing group when wrap is set.
func (e *emitter) emitAtom(n *node, fl Flags, wrap bool) error {
	if !wrap {
		return e.emit(n, fl)
	}
	return e.wrapped("(?:", n, fl)
}

func (e *emitter) wrapped(open string, n *node, fl Flags) error {
	e.b.WriteString(open)
	if err := e.emit(n, fl); err != nil {
		return err
	}
	e.b.WriteByte(')')
	return nil
}

func (e *emitter) group(n *node, fl Flags) error {
	inner := (fl | n.add) &^ n.del
	switch {
	case n.capture:
		// Unnamed in every dialect: .NET numbers named groups after the
		// unnamed ones, and nothing here reads groups by name.
		e.b.WriteByte('(')
	case inlineFlags(e.spelled(n.add), e.spelled(n.del)) != "":
		e.b.WriteString("(?" + inlineFlags(e.spelled(n.add), e.spelled(n.del)) + ":")
	default:
		e.b.WriteString("(?:")
	}
	if err := e.emit(n.subs[0], inner); err != nil {
		return err
	}
	e.b.WriteByte(')')
	return nil
}

func (e *emitter) look(n *node, fl Flags) error {
	switch e.t {
	case targetGo:
		return e.unsupported("look-around assertion")
	case targetGoRelaxed:
		e.b.WriteString("(?:)")
		return nil
	}
	open := "(?="
	switch {
	case n.behind && n.neg:
		open = "(?<!"
	case n.behind:
		open = "(?<="
	case n.neg:
		open = "(?!"
	}
	return e.wrapped(open, n.subs[0], fl)
}

func (e *emitter) cond(n *node, fl Flags) error {
	switch e.t {
	case targetGo:
		return e.unsupported("conditional group")
	case targetGoRelaxed:
		e.b.WriteString("(?:")
		if err := e.emit(n.subs[0], fl); err != nil {
			return err
		}
		e.b.WriteByte('|')
		if n.subs[1] != nil {
			if err := e.emit(n.subs[1], fl); err != nil {
				return err
			}
		}
		e.b.WriteByte(')')
		return nil
	}
	fmt.Fprintf(&e.b, "(?(%d)", n.group)
	if err := e.emit(n.subs[0], fl); err != nil {
		return err
	}
	if n.subs[1] != nil {
		e.b.WriteByte('|')
		if err := e.emit(n.subs[1], fl); err != nil {
			return err
		}
	}
	e.b.WriteByte(')')
	return nil
}

func (e *emitter) repeat(n *node, fl Flags) error {
	lo, hi := n.min, n.max
	if e.t == targetGo && (lo > goMaxRepeat || hi > goMaxRepeat) {
		return e.unsupported("repetition count above 1000")
	}
	if e.t == targetGoRelaxed {
		if hi > goMaxRepeat {
			hi = unbounded
		}
		lo = min(lo, goMaxRepeat)
	}
	possessive := n.possessive
	if possessive {
		switch e.t {
		case targetGo:
			return e.unsupported("possessive quantifier")
		case targetGoRelaxed:
			possessive = false
		}
	}
	if possessive {
		e.b.WriteString("(?>")
	}
	sub := n.subs[0]
	if err := e.emitAtom(sub, fl, !isAtom(sub)); err != nil {
		return err
	}
	switch {
	case lo == 0 && hi == 1:
		e.b.WriteByte('?')
	case lo == 0 && hi == unbounded:
		e.b.WriteByte('*')
	case lo == 1 && hi == unbounded:
		e.b.WriteByte('+')
	case hi == unbounded:
		fmt.Fprintf(&e.b, "{%d,}", lo)
	case lo == hi:
		fmt.Fprintf(&e.b, "{%d}", lo)
	default:
		fmt.Fprintf(&e.b, "{%d,%d}", lo, hi)
	}
	if n.lazy {
		e.b.WriteByte('?')
	}
	if possessive {
		e.b.WriteByte(')')
	}
	return nil
}

// isAtom reports whether n is emitted as a single quantifiable unit: every
// node is (classes and assertions are bracketed) except sequences and
// alternations.
func isAtom(n *node) bool {
	return n.kind != kConcat && n.kind != kAlt
}

func (e *emitter) boundary(word bool, fl Flags) {
	e.cats[catWord] = true
	if e.t == targetGoRelaxed {
		e.b.WriteString("(?:)") // Go's \b is ASCII-only
		return
	}
	if e.t != targetNET {
		if word {
			e.b.WriteString(`\b`)
		} else {
			e.b.WriteString(`\B`)
		}
		if fl&ASCII == 0 && !e.ascii {
			e.word = true
		}
		return
	}
	w := `[\p{L}\p{N}_]`
	if fl&ASCII != 0 {
		w = `[a-zA-Z0-9_]`
	}
	if word {
		e.b.WriteString(`(?:(?<=` + w + `)(?!` + w + `)|(?<!` + w + `)(?=` + w + `))`)
	} else {
		e.b.WriteString(`(?:(?<=` + w + `)(?=` + w + `)|(?<!` + w + `)(?!` + w + `))`)
	}
}

// literal writes r outside a class.
func (e *emitter) literal(r rune) {
	if r < utf8RuneSelf && strings.ContainsRune(`\.+*?()|[]{}^$#`, r) {
		e.b.WriteByte('\\')
		e.b.WriteRune(r)
		return
	}
	e.rune(r)
}

// rune writes r, spelling non-printable code points as escapes.
func (e *emitter) rune(r rune) {
	if unicode.IsPrint(r) {
		e.b.WriteRune(r)
		return
	}
	if e.t == targetNET {
		if r <= 0xffff {
			fmt.Fprintf(&e.b, `\u%04X`, r)
		} else {
			e.b.WriteRune(r)
		}
		return
	}
	e.b.WriteString(`\x{` + strconv.FormatInt(int64(r), 16) + `}`)
}

const utf8RuneSelf = 0x80

// classRune writes r inside a class. .NET gets class syntax characters as
// hex escapes: regexp2 misreads an escaped '-' as a range endpoint.
func (e *emitter) classRune(r rune) {
	if r < utf8RuneSelf && strings.ContainsRune(`\]-[^`, r) {
		if e.t == targetNET {
			fmt.Fprintf(&e.b, `\u%04X`, r)
			return
		}
		e.b.WriteByte('\\')
		e.b.WriteRune(r)
		return
	}
	e.rune(r)
}

func (e *emitter) classRange(lo, hi rune) {
	e.classRune(lo)
	if hi != lo {
		e.b.WriteByte('-')
		e.classRune(hi)
	}
}

// categoryBody writes the members of a positive category, for use inside
// a bracketed class.
func (e *emitter) categoryBody(c category, fl Flags) {
	e.cats[c] = true
	// Under re.ASCII the categories are ASCII; for ASCII input (e.ascii)
	// the Unicode ones restricted to ASCII are the same except \s, which
	// then still holds \x1c-\x1f.
	ascii := fl&ASCII != 0 || e.ascii
	switch c {
	case catDigit:
		if ascii {
			e.b.WriteString("0-9")
		} else {
			e.b.WriteString(`\p{Nd}`)
		}
	case catWord:
		if ascii {
			e.b.WriteString("a-zA-Z0-9_")
		} else {
			e.b.WriteString(`\p{L}\p{N}_`)
		}
	case catSpace:
		ranges := spaceRanges
		switch {
		case fl&ASCII != 0:
			ranges = asciiSpace
		case e.ascii:
			ranges = spaceRanges[:2]
		}
		for _, r := range ranges {
			e.classRange(r[0], r[1])
		}
	}
}

func (e *emitter) class(n *node, fl Flags) error {
	var pos, negs []classItem
	var ranges [][2]rune
	for _, it := range n.cls {
		switch {
		case it.cat.negated():
			negs = append(negs, it)
		case it.cat != catNone:
			pos = append(pos, it)
		default:
			ranges = append(ranges, [2]rune{it.lo, it.hi})
		}
	}
	folded := e.folding(fl)
	if folded {
		ranges = foldRanges(ranges, fl&ASCII != 0)
	}
	if e.ascii {
		ranges = e.asciiRanges(ranges, folded)
		if len(ranges) == 0 && len(pos) == 0 && len(negs) == 0 {
			if n.neg {
				e.b.WriteString(`(?s:.)`)
			} else {
				e.b.WriteString(never)
			}
			return nil
		}
	}
	for _, rg := range ranges {
		pos = append(pos, classItem{lo: rg[0], hi: rg[1]})
	}
	switch {
	case len(negs) == 0:
		e.bracket(n.neg, pos, fl)
	case !n.neg:
		// [P \W \S] = P ∪ ¬w ∪ ¬s
		var parts int
		if len(negs) > 1 || len(pos) > 0 {
			e.b.WriteString("(?:")
		}
		if len(pos) > 0 {
			e.bracket(false, pos, fl)
			parts++
		}
		for _, it := range negs {
			if parts > 0 {
				e.b.WriteByte('|')
			}
			e.bracket(true, []classItem{{cat: it.cat.positive()}}, fl)
			parts++
		}
		if len(negs) > 1 || len(pos) > 0 {
			e.b.WriteByte(')')
		}
	case len(negs) == 1 && len(pos) == 0:
		// [^\W] = w
		e.bracket(false, []classItem{{cat: negs[0].cat.positive()}}, fl)
	case len(negs) == 1 && e.t == targetNET:
		// [^P \W] = w - P, .NET class subtraction
		e.b.WriteByte('[')
		e.categoryBody(negs[0].cat.positive(), fl)
		e.b.WriteString("-")
		e.bracket(false, pos, fl)
		e.b.WriteByte(']')
	case e.t == targetGoRelaxed:
		e.b.WriteString(`(?s:.)`)
	default:
		return e.unsupported("negated class with a negated category")
	}
	return nil
}

// asciiRanges restricts ranges to ASCII, lower-cased in lower mode.
func (e *emitter) asciiRanges(ranges [][2]rune, folded bool) [][2]rune {
	var rs []rune
	for _, rg := range ranges {
		for r := rg[0]; r <= rg[1] && r < utf8RuneSelf; r++ {
			rs = append(rs, r)
		}
		if lo := max(rg[0], utf8RuneSelf); rg[1] >= lo {
			if rg[1]-lo > 8 {
				e.foreign = true // more than case equivalents of ASCII letters
				continue
			}
			for r := lo; r <= rg[1]; r++ {
				rs = append(rs, r)
			}
		}
	}
	var out [][2]rune
	for _, r := range e.asciiMembers(rs, folded) {
		if n := len(out); n > 0 && out[n-1][1]+1 == r {
			out[n-1][1] = r
			continue
		}
		out = append(out, [2]rune{r, r})
	}
	return out
}

// bracket writes [items] or [^items] with categories expanded.
func (e *emitter) bracket(neg bool, items []classItem, fl Flags) {
	e.b.WriteByte('[')
	if neg {
		e.b.WriteByte('^')
	}
	for _, it := range items {
		if it.cat != catNone {
			e.categoryBody(it.cat, fl)
			continue
		}
		e.classRange(it.lo, it.hi)
	}
	e.b.WriteByte(']')
}
