package pyre

import (
	"fmt"
	"strconv"
	"unicode"
)

// Flags are Python's re flags. Only IgnoreCase, Multiline, DotAll, Verbose
// and ASCII change how a pattern matches; the others exist so inline flags
// are validated as CPython does.
type Flags uint16

// Python's re flags.
const (
	IgnoreCase Flags = 1 << iota // re.I
	Multiline                    // re.M
	DotAll                       // re.S
	Verbose                      // re.X
	ASCII                        // re.A
	Unicode                      // re.U
	Locale                       // re.L
	Template                     // re.T (3.11 still accepts the letter)
)

const (
	typeFlags   = ASCII | Unicode | Locale
	globalFlags = Template
)

var flagLetters = map[rune]Flags{
	'i': IgnoreCase, 'L': Locale, 'm': Multiline, 's': DotAll,
	'x': Verbose, 'a': ASCII, 't': Template, 'u': Unicode,
}

// SyntaxError is a pattern CPython's re.compile rejects.
type SyntaxError struct {
	Msg string
	Pos int // code point offset, as CPython reports it
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s at position %d", e.Msg, e.Pos)
}

// maxRepeat is CPython's MAXREPEAT on 64-bit builds.
const maxRepeat = 1<<32 - 1

// maxGroups is CPython's MAXGROUPS on 64-bit builds (large enough to never
// matter here, kept for the "too many groups" error).
const maxGroups = 1<<31 - 1

// token is one tokenizer unit: a code point, or a backslash and the code
// point after it.
type token struct {
	r   rune
	esc bool
}

// parser mirrors CPython 3.11's re/_parser.py closely enough to accept and
// reject the same patterns and to build an equivalent tree.
type parser struct {
	src  []rune
	pos  int   // start of the next token
	next token // the next token
	more bool  // next is valid

	flags       Flags // state.flags: compile flags plus global inline flags
	groupWidths [][2]int64
	groupOpen   []bool // index = group id; true while the group is open
	groupNames  map[string]int
	lookbehind  int // state.lookbehindgroups, -1 when not inside one
	condRefs    map[int]int
}

// parse parses pattern as CPython would with the given compile flags.
func parse(pattern string, flags Flags) (*node, Flags, int, error) {
	p := &parser{
		src:         []rune(pattern),
		flags:       flags,
		groupWidths: [][2]int64{{0, 0}},
		groupOpen:   []bool{false},
		groupNames:  map[string]int{},
		lookbehind:  -1,
		condRefs:    map[int]int{},
	}
	if err := p.advance(); err != nil {
		return nil, 0, 0, err
	}
	n, err := p.parseSub(p.flags&Verbose != 0, 0)
	if err != nil {
		return nil, 0, 0, err
	}
	if p.flags&Locale != 0 {
		return nil, 0, 0, &SyntaxError{Msg: "cannot use LOCALE flag with a str pattern"}
	}
	if p.flags&ASCII != 0 && p.flags&Unicode != 0 {
		return nil, 0, 0, &SyntaxError{Msg: "ASCII and UNICODE flags are incompatible"}
	}
	if p.more {
		return nil, 0, 0, p.errorf(0, "unbalanced parenthesis")
	}
	for g, pos := range p.condRefs {
		if g >= len(p.groupWidths) {
			return nil, 0, 0, &SyntaxError{Msg: fmt.Sprintf("invalid group reference %d", g), Pos: pos}
		}
	}
	if err := checkLookbehinds(n, p.groupWidths); err != nil {
		return nil, 0, 0, err
	}
	return n, p.flags, len(p.groupWidths) - 1, nil
}

// advance reads the next token (Tokenizer.__next).
func (p *parser) advance() error {
	if p.pos >= len(p.src) {
		p.more = false
		return nil
	}
	c := p.src[p.pos]
	if c != '\\' {
		p.next, p.more = token{r: c}, true
		p.pos++
		return nil
	}
	if p.pos+1 >= len(p.src) {
		return &SyntaxError{Msg: "bad escape (end of pattern)", Pos: len(p.src) - 1}
	}
	p.next, p.more = token{r: p.src[p.pos+1], esc: true}, true
	p.pos += 2
	return nil
}

// tell is the position of the next token.
func (p *parser) tell() int {
	if !p.more {
		return p.pos
	}
	if p.next.esc {
		return p.pos - 2
	}
	return p.pos - 1
}

func (p *parser) seek(pos int) error {
	p.pos = pos
	return p.advance()
}

func (p *parser) get() (token, bool, error) {
	t, ok := p.next, p.more
	return t, ok, p.advance()
}

// match consumes the next token if it is the unescaped rune r.
func (p *parser) match(r rune) (bool, error) {
	if p.more && !p.next.esc && p.next.r == r {
		return true, p.advance()
	}
	return false, nil
}

func (p *parser) peekIs(r rune) bool { return p.more && !p.next.esc && p.next.r == r }

func (p *parser) errorf(offset int, format string, args ...any) error {
	return &SyntaxError{Msg: fmt.Sprintf(format, args...), Pos: p.tell() - offset}
}

// getWhile consumes up to n unescaped tokens from set.
func (p *parser) getWhile(n int, set func(rune) bool) (string, error) {
	var out []rune
	for i := 0; i < n && p.more && !p.next.esc && set(p.next.r); i++ {
		out = append(out, p.next.r)
		if err := p.advance(); err != nil {
			return "", err
		}
	}
	return string(out), nil
}

// getUntil consumes tokens up to the unescaped terminator.
func (p *parser) getUntil(term rune, what string) (string, error) {
	var out []rune
	for {
		t, ok, err := p.get()
		if err != nil {
			return "", err
		}
		if !ok {
			if len(out) == 0 {
				return "", p.errorf(0, "missing %s", what)
			}
			return "", p.errorf(len(out), "missing %c, unterminated name", term)
		}
		if !t.esc && t.r == term {
			if len(out) == 0 {
				return "", p.errorf(1, "missing %s", what)
			}
			return string(out), nil
		}
		if t.esc {
			out = append(out, '\\')
		}
		out = append(out, t.r)
	}
}

func isDigit(r rune) bool    { return r >= '0' && r <= '9' }
func isOctDigit(r rune) bool { return r >= '0' && r <= '7' }
func isHexDigit(r rune) bool {
	return isDigit(r) || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F')
}
func isASCIILetter(r rune) bool { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') }

// isIdentifier is str.isidentifier for group names.
func isIdentifier(s string) bool {
	for i, r := range s {
		if r == '_' || unicode.IsLetter(r) || (i > 0 && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || unicode.Is(unicode.Pc, r))) {
			continue
		}
		return false
	}
	return s != ""
}

func (p *parser) parseSub(verbose bool, nested int) (*node, error) {
	var items []*node
	for {
		it, err := p.parseSeq(verbose, nested+1, nested == 0 && len(items) == 0)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		ok, err := p.match('|')
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if nested == 0 {
			verbose = p.flags&Verbose != 0
		}
	}
	if len(items) == 1 {
		return items[0], nil
	}
	return &node{kind: kAlt, subs: items}, nil
}

// parseSeq is CPython's _parse: a sequence up to '|' or ')'.
func (p *parser) parseSeq(verbose bool, nested int, first bool) (*node, error) {
	seq := &node{kind: kConcat}
	for p.more {
		this := p.next
		if !this.esc && (this.r == '|' || this.r == ')') {
			break
		}
		start := p.tell()
		if err := p.advance(); err != nil {
			return nil, err
		}
		if verbose && !this.esc {
			if this.r == ' ' || this.r == '\t' || this.r == '\n' || this.r == '\r' || this.r == '\v' || this.r == '\f' {
				continue
			}
			if this.r == '#' {
				for p.more && !(!p.next.esc && p.next.r == '\n') {
					if err := p.advance(); err != nil {
						return nil, err
					}
				}
				if p.more {
					if err := p.advance(); err != nil {
						return nil, err
					}
				}
				continue
			}
		}
		if this.esc {
			n, err := p.escape(this.r)
			if err != nil {
				return nil, err
			}
			seq.subs = append(seq.subs, n)
			continue
		}
		switch this.r {
		case '[':
			n, err := p.parseClass(start)
			if err != nil {
				return nil, err
			}
			seq.subs = append(seq.subs, n)
		case '*', '+', '?', '{':
			if err := p.parseRepeat(seq, this.r); err != nil {
				return nil, err
			}
		case '.':
			seq.subs = append(seq.subs, &node{kind: kAny})
		case '(':
			n, err := p.parseGroup(seq, verbose, nested, first, start)
			if err != nil {
				return nil, err
			}
			if n != nil {
				seq.subs = append(seq.subs, n)
			} else if p.flags&Verbose != 0 {
				verbose = true // (?x) at the start turns verbose mode on
			}
		case '^':
			seq.subs = append(seq.subs, &node{kind: kBegin})
		case '$':
			seq.subs = append(seq.subs, &node{kind: kEnd})
		default:
			seq.subs = append(seq.subs, &node{kind: kLiteral, r: this.r})
		}
	}
	return seq, nil
}

func (p *parser) parseRepeat(seq *node, this rune) error {
	here := p.tell()
	lo, hi := 0, unbounded
	switch this {
	case '?':
		hi = 1
	case '+':
		lo = 1
	case '{':
		if p.peekIs('}') {
			seq.subs = append(seq.subs, &node{kind: kLiteral, r: '{'})
			return nil
		}
		los, err := p.getWhile(len(p.src), isDigit)
		if err != nil {
			return err
		}
		his := los
		comma, err := p.match(',')
		if err != nil {
			return err
		}
		if comma {
			if his, err = p.getWhile(len(p.src), isDigit); err != nil {
				return err
			}
		}
		closed, err := p.match('}')
		if err != nil {
			return err
		}
		if !closed {
			seq.subs = append(seq.subs, &node{kind: kLiteral, r: '{'})
			return p.seek(here)
		}
		if los != "" {
			v, err := strconv.ParseUint(los, 10, 64)
			if err != nil || v >= maxRepeat {
				return &SyntaxError{Msg: "the repetition number is too large", Pos: here}
			}
			lo = int(v)
		}
		if his != "" {
			v, err := strconv.ParseUint(his, 10, 64)
			if err != nil || v >= maxRepeat {
				return &SyntaxError{Msg: "the repetition number is too large", Pos: here}
			}
			hi = int(v)
			if hi < lo {
				return p.errorf(p.tell()-here, "min repeat greater than max repeat")
			}
		}
	}
	if len(seq.subs) == 0 || seq.subs[len(seq.subs)-1].isAnchor() {
		return p.errorf(p.tell()-here+1, "nothing to repeat")
	}
	last := seq.subs[len(seq.subs)-1]
	if last.kind == kRepeat {
		return p.errorf(p.tell()-here+1, "multiple repeat")
	}
	rep := &node{kind: kRepeat, min: lo, max: hi, subs: []*node{last}}
	lazy, err := p.match('?')
	if err != nil {
		return err
	}
	if lazy {
		rep.lazy = true
	} else if rep.possessive, err = p.match('+'); err != nil {
		return err
	}
	seq.subs[len(seq.subs)-1] = rep
	return nil
}

func (p *parser) parseGroup(seq *node, verbose bool, nested int, first bool, start int) (*node, error) {
	capture := true
	atomic := false
	name := ""
	var add, del Flags
	isExt, err := p.match('?')
	if err != nil {
		return nil, err
	}
	if isExt {
		c, ok, err := p.get()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.errorf(0, "unexpected end of pattern")
		}
		switch {
		case !c.esc && c.r == 'P':
			if ok, err := p.match('<'); err != nil {
				return nil, err
			} else if ok {
				if name, err = p.getUntil('>', "group name"); err != nil {
					return nil, err
				}
				if !isIdentifier(name) {
					return nil, p.errorf(len([]rune(name))+1, "bad character in group name %q", name)
				}
				break
			}
			if ok, err := p.match('='); err != nil {
				return nil, err
			} else if ok {
				ref, err := p.getUntil(')', "group name")
				if err != nil {
					return nil, err
				}
				if !isIdentifier(ref) {
					return nil, p.errorf(len([]rune(ref))+1, "bad character in group name %q", ref)
				}
				gid, known := p.groupNames[ref]
				if !known {
					return nil, p.errorf(len([]rune(ref))+1, "unknown group name %q", ref)
				}
				if p.groupOpen[gid] {
					return nil, p.errorf(len([]rune(ref))+1, "cannot refer to an open group")
				}
				if err := p.checkLookbehindGroup(gid); err != nil {
					return nil, err
				}
				return &node{kind: kBackref, group: gid}, nil
			}
			c2, ok, err := p.get()
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, p.errorf(0, "unexpected end of pattern")
			}
			return nil, p.errorf(2, "unknown extension ?P%c", c2.r)
		case !c.esc && c.r == ':':
			capture = false
		case !c.esc && c.r == '#':
			for {
				if !p.more {
					return nil, p.errorf(p.tell()-start, "missing ), unterminated comment")
				}
				t, _, err := p.get()
				if err != nil {
					return nil, err
				}
				if !t.esc && t.r == ')' {
					return nil, nil
				}
			}
		case !c.esc && (c.r == '=' || c.r == '!' || c.r == '<'):
			return p.parseLook(c.r, verbose, nested, start)
		case !c.esc && c.r == '(':
			return p.parseCond(verbose, nested, start)
		case !c.esc && c.r == '>':
			capture, atomic = false, true
		case !c.esc && (c.r == '-' || flagLetters[c.r] != 0):
			a, d, global, err := p.parseFlags(c.r)
			if err != nil {
				return nil, err
			}
			if global {
				if !first || len(seq.subs) > 0 {
					return nil, p.errorf(p.tell()-start, "global flags not at the start of the expression")
				}
				return nil, nil
			}
			add, del, capture = a, d, false
		default:
			return nil, p.errorf(2, "unknown extension ?%c", c.r)
		}
	}
	gid := 0
	if capture {
		gid = len(p.groupWidths)
		if gid >= maxGroups {
			return nil, p.errorf(0, "too many groups")
		}
		if name != "" {
			if old, dup := p.groupNames[name]; dup {
				return nil, p.errorf(len([]rune(name))+1, "redefinition of group name %q as group %d; was group %d", name, gid, old)
			}
			p.groupNames[name] = gid
		}
		p.groupWidths = append(p.groupWidths, [2]int64{0, 0})
		p.groupOpen = append(p.groupOpen, true)
	}
	subVerbose := (verbose || add&Verbose != 0) && del&Verbose == 0
	sub, err := p.parseSub(subVerbose, nested+1)
	if err != nil {
		return nil, err
	}
	if ok, err := p.match(')'); err != nil {
		return nil, err
	} else if !ok {
		return nil, p.errorf(p.tell()-start, "missing ), unterminated subpattern")
	}
	if capture {
		lo, hi := sub.width(p.groupWidths)
		p.groupWidths[gid] = [2]int64{lo, hi}
		p.groupOpen[gid] = false
	}
	if atomic {
		return &node{kind: kAtomic, subs: []*node{sub}}, nil
	}
	return &node{kind: kGroup, capture: capture, name: name, group: gid, add: add, del: del, subs: []*node{sub}}, nil
}

func (p *parser) parseLook(c rune, verbose bool, nested, start int) (*node, error) {
	behind := false
	saved := p.lookbehind
	if c == '<' {
		t, ok, err := p.get()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.errorf(0, "unexpected end of pattern")
		}
		if t.esc || (t.r != '=' && t.r != '!') {
			return nil, p.errorf(2, "unknown extension ?<%c", t.r)
		}
		c, behind = t.r, true
		if p.lookbehind < 0 {
			p.lookbehind = len(p.groupWidths)
		}
	}
	sub, err := p.parseSub(verbose, nested+1)
	if err != nil {
		return nil, err
	}
	if behind && saved < 0 {
		p.lookbehind = -1
	}
	if ok, err := p.match(')'); err != nil {
		return nil, err
	} else if !ok {
		return nil, p.errorf(p.tell()-start, "missing ), unterminated subpattern")
	}
	return &node{kind: kLook, neg: c == '!', behind: behind, subs: []*node{sub}}, nil
}

func (p *parser) parseCond(verbose bool, nested, start int) (*node, error) {
	name, err := p.getUntil(')', "group name")
	if err != nil {
		return nil, err
	}
	var gid int
	if isIdentifier(name) {
		g, ok := p.groupNames[name]
		if !ok {
			return nil, p.errorf(len([]rune(name))+1, "unknown group name %q", name)
		}
		gid = g
	} else {
		v, err := strconv.Atoi(name)
		if err != nil || v < 0 {
			return nil, p.errorf(len([]rune(name))+1, "bad character in group name %q", name)
		}
		if v == 0 {
			return nil, p.errorf(len([]rune(name))+1, "bad group number")
		}
		if v >= maxGroups {
			return nil, p.errorf(len([]rune(name))+1, "invalid group reference %d", v)
		}
		if _, seen := p.condRefs[v]; !seen {
			p.condRefs[v] = p.tell() - len([]rune(name)) - 1
		}
		gid = v
	}
	if err := p.checkLookbehindGroup(gid); err != nil {
		return nil, err
	}
	yes, err := p.parseSeq(verbose, nested+1, false)
	if err != nil {
		return nil, err
	}
	var no *node
	if ok, err := p.match('|'); err != nil {
		return nil, err
	} else if ok {
		if no, err = p.parseSeq(verbose, nested+1, false); err != nil {
			return nil, err
		}
		if p.peekIs('|') {
			return nil, p.errorf(0, "conditional backref with more than two branches")
		}
	}
	if ok, err := p.match(')'); err != nil {
		return nil, err
	} else if !ok {
		return nil, p.errorf(p.tell()-start, "missing ), unterminated subpattern")
	}
	return &node{kind: kCond, group: gid, subs: []*node{yes, no}}, nil
}

func (p *parser) checkLookbehindGroup(gid int) error {
	if p.lookbehind < 0 {
		return nil
	}
	if gid >= len(p.groupWidths) || p.groupOpen[gid] {
		return p.errorf(0, "cannot refer to an open group")
	}
	if gid >= p.lookbehind {
		return p.errorf(0, "cannot refer to group defined in the same lookbehind subpattern")
	}
	return nil
}

// parseFlags is CPython's _parse_flags; c is the first flag letter or '-'.
func (p *parser) parseFlags(c rune) (add, del Flags, global bool, err error) {
	next := func() (rune, bool, error) {
		t, ok, err := p.get()
		if t.esc {
			return '\\', ok, err
		}
		return t.r, ok, err
	}
	if c != '-' {
		for {
			f := flagLetters[c]
			if c == 'L' {
				return 0, 0, false, p.errorf(0, "bad inline flags: cannot use 'L' flag with a str pattern")
			}
			add |= f
			if f&typeFlags != 0 && add&typeFlags != f {
				return 0, 0, false, p.errorf(0, "bad inline flags: flags 'a', 'u' and 'L' are incompatible")
			}
			var ok bool
			if c, ok, err = next(); err != nil {
				return 0, 0, false, err
			}
			if !ok {
				return 0, 0, false, p.errorf(0, "missing -, : or )")
			}
			if c == ')' || c == '-' || c == ':' {
				break
			}
			if flagLetters[c] == 0 {
				if unicode.IsLetter(c) {
					return 0, 0, false, p.errorf(1, "unknown flag")
				}
				return 0, 0, false, p.errorf(1, "missing -, : or )")
			}
		}
	}
	if c == ')' {
		p.flags |= add
		return add, 0, true, nil
	}
	if add&globalFlags != 0 {
		return 0, 0, false, p.errorf(1, "bad inline flags: cannot turn on global flag")
	}
	if c == '-' {
		var ok bool
		if c, ok, err = next(); err != nil {
			return 0, 0, false, err
		}
		if !ok {
			return 0, 0, false, p.errorf(0, "missing flag")
		}
		if flagLetters[c] == 0 {
			if unicode.IsLetter(c) {
				return 0, 0, false, p.errorf(1, "unknown flag")
			}
			return 0, 0, false, p.errorf(1, "missing flag")
		}
		for {
			f := flagLetters[c]
			if f&typeFlags != 0 {
				return 0, 0, false, p.errorf(0, "bad inline flags: cannot turn off flags 'a', 'u' and 'L'")
			}
			del |= f
			if c, ok, err = next(); err != nil {
				return 0, 0, false, err
			}
			if !ok {
				return 0, 0, false, p.errorf(0, "missing :")
			}
			if c == ':' {
				break
			}
			if flagLetters[c] == 0 {
				if unicode.IsLetter(c) {
					return 0, 0, false, p.errorf(1, "unknown flag")
				}
				return 0, 0, false, p.errorf(1, "missing :")
			}
		}
	}
	if del&globalFlags != 0 {
		return 0, 0, false, p.errorf(1, "bad inline flags: cannot turn off global flag")
	}
	if add&del != 0 {
		return 0, 0, false, p.errorf(1, "bad inline flags: flag turned on and off")
	}
	return add, del, false, nil
}

// escape handles a backslash escape outside a class (CPython _escape).
func (p *parser) escape(c rune) (*node, error) {
	switch c {
	case 'A':
		return &node{kind: kBeginText}, nil
	case 'Z':
		return &node{kind: kEndText}, nil
	case 'b':
		return &node{kind: kWordB}, nil
	case 'B':
		return &node{kind: kNonWordB}, nil
	case 'd', 'D', 's', 'S', 'w', 'W':
		return &node{kind: kClass, cls: []classItem{{cat: categoryOf(c)}}}, nil
	}
	if r, ok := simpleEscape(c); ok {
		return &node{kind: kLiteral, r: r}, nil
	}
	switch {
	case c == 'x' || c == 'u' || c == 'U':
		r, err := p.hexEscape(c)
		if err != nil {
			return nil, err
		}
		return &node{kind: kLiteral, r: r}, nil
	case c == 'N':
		return nil, errUnsupported("named character escape \\N{...}")
	case c == '0':
		digits, err := p.getWhile(2, isOctDigit)
		if err != nil {
			return nil, err
		}
		v, _ := strconv.ParseUint("0"+digits, 8, 32)
		return &node{kind: kLiteral, r: rune(v)}, nil
	case isDigit(c):
		esc := string(c)
		if p.more && !p.next.esc && isDigit(p.next.r) {
			d := p.next.r
			if err := p.advance(); err != nil {
				return nil, err
			}
			esc += string(d)
			if isOctDigit(c) && isOctDigit(d) && p.more && !p.next.esc && isOctDigit(p.next.r) {
				esc += string(p.next.r)
				if err := p.advance(); err != nil {
					return nil, err
				}
				v, _ := strconv.ParseUint(esc, 8, 32)
				if v > 0o377 {
					return nil, p.errorf(len(esc)+1, "octal escape value \\%s outside of range 0-0o377", esc)
				}
				return &node{kind: kLiteral, r: rune(v)}, nil
			}
		}
		g, _ := strconv.Atoi(esc)
		if g < len(p.groupWidths) {
			if p.groupOpen[g] {
				return nil, p.errorf(len(esc)+1, "cannot refer to an open group")
			}
			if err := p.checkLookbehindGroup(g); err != nil {
				return nil, err
			}
			return &node{kind: kBackref, group: g}, nil
		}
		return nil, p.errorf(len(esc), "invalid group reference %d", g)
	case isASCIILetter(c):
		return nil, p.errorf(2, "bad escape \\%c", c)
	}
	return &node{kind: kLiteral, r: c}, nil
}

// classEscape handles a backslash escape inside a class (CPython
// _class_escape). It returns either a literal or a category item.
func (p *parser) classEscape(c rune) (classItem, bool, error) {
	if r, ok := simpleEscape(c); ok {
		return classItem{lo: r, hi: r}, true, nil
	}
	if c == 'b' {
		return classItem{lo: '\b', hi: '\b'}, true, nil
	}
	switch c {
	case 'd', 'D', 's', 'S', 'w', 'W':
		return classItem{cat: categoryOf(c)}, false, nil
	case 'x', 'u', 'U':
		r, err := p.hexEscape(c)
		if err != nil {
			return classItem{}, false, err
		}
		return classItem{lo: r, hi: r}, true, nil
	case 'N':
		return classItem{}, false, errUnsupported("named character escape \\N{...}")
	}
	if isOctDigit(c) {
		digits, err := p.getWhile(2, isOctDigit)
		if err != nil {
			return classItem{}, false, err
		}
		v, _ := strconv.ParseUint(string(c)+digits, 8, 32)
		if v > 0o377 {
			return classItem{}, false, p.errorf(len(digits)+2, "octal escape value \\%c%s outside of range 0-0o377", c, digits)
		}
		return classItem{lo: rune(v), hi: rune(v)}, true, nil
	}
	if isDigit(c) || isASCIILetter(c) {
		return classItem{}, false, p.errorf(2, "bad escape \\%c", c)
	}
	return classItem{lo: c, hi: c}, true, nil
}

// simpleEscape maps \a \f \n \r \t \v \\ to their code points (\b is
// handled by the callers: a boundary outside a class, backspace inside).
func simpleEscape(c rune) (rune, bool) {
	switch c {
	case 'a':
		return '\a', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'v':
		return '\v', true
	case '\\':
		return '\\', true
	}
	return 0, false
}

func (p *parser) hexEscape(c rune) (rune, error) {
	n := map[rune]int{'x': 2, 'u': 4, 'U': 8}[c]
	digits, err := p.getWhile(n, isHexDigit)
	if err != nil {
		return 0, err
	}
	if len(digits) != n {
		return 0, p.errorf(len(digits)+2, "incomplete escape \\%c%s", c, digits)
	}
	v, _ := strconv.ParseUint(digits, 16, 32)
	if v > unicode.MaxRune {
		return 0, p.errorf(len(digits)+2, "bad escape \\%c%s", c, digits)
	}
	return rune(v), nil
}

func categoryOf(c rune) category {
	switch c {
	case 'd':
		return catDigit
	case 'D':
		return catNotDigit
	case 's':
		return catSpace
	case 'S':
		return catNotSpace
	case 'w':
		return catWord
	case 'W':
		return catNotWord
	}
	return catNone
}

// parseClass parses [...]; start is the position of '['.
func (p *parser) parseClass(start int) (*node, error) {
	n := &node{kind: kClass}
	var err error
	if n.neg, err = p.match('^'); err != nil {
		return nil, err
	}
	for {
		t, ok, err := p.get()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.errorf(p.tell()-start, "unterminated character set")
		}
		if !t.esc && t.r == ']' && len(n.cls) > 0 {
			break
		}
		var item classItem
		isLit := true
		if t.esc {
			if item, isLit, err = p.classEscape(t.r); err != nil {
				return nil, err
			}
		} else {
			item = classItem{lo: t.r, hi: t.r}
		}
		dash, err := p.match('-')
		if err != nil {
			return nil, err
		}
		if !dash {
			n.cls = append(n.cls, item)
			continue
		}
		that, ok, err := p.get()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.errorf(p.tell()-start, "unterminated character set")
		}
		if !that.esc && that.r == ']' {
			n.cls = append(n.cls, item, classItem{lo: '-', hi: '-'})
			break
		}
		hiItem := classItem{lo: that.r, hi: that.r}
		hiLit := true
		if that.esc {
			if hiItem, hiLit, err = p.classEscape(that.r); err != nil {
				return nil, err
			}
		}
		if !isLit || !hiLit || hiItem.lo < item.lo {
			return nil, p.errorf(0, "bad character range")
		}
		n.cls = append(n.cls, classItem{lo: item.lo, hi: hiItem.lo})
	}
	return n, nil
}

// checkLookbehinds applies sre_compile's fixed-width rule to every
// look-behind assertion.
func checkLookbehinds(n *node, groupWidths [][2]int64) error {
	if n == nil {
		return nil
	}
	if n.kind == kLook && n.behind {
		lo, hi := n.subs[0].width(groupWidths)
		if lo != hi {
			return &SyntaxError{Msg: "look-behind requires fixed-width pattern"}
		}
	}
	for _, s := range n.subs {
		if err := checkLookbehinds(s, groupWidths); err != nil {
			return err
		}
	}
	return nil
}
