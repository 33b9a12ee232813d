package feeds

import (
	"errors"
	"fmt"
	"strings"
)

// A parser for the STIX 2.1 patterning language (STIX 2.1 part 9), enough to find the
// indicator values a pattern stands for on its own. A trail matches one observed value,
// so only what one observation can satisfy alone becomes a trail: equality (or IN, or
// ISSUBSET for networks) on a supported object path, under OR. Conjunctions, negations,
// FOLLOWEDBY and REPEATS need more than one value or one observation and yield nothing.

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokLBrack
	tokRBrack
	tokLParen
	tokRParen
	tokComma
	tokOp      // = != <> < > <= >=
	tokWord    // keyword or boolean, upper-cased
	tokPath    // object path: type:property...
	tokString  // '...' with its escapes resolved
	tokLiteral // number, t'...', h'...', b'...'
)

type token struct {
	kind tokKind
	text string
}

// maxPatternDepth bounds nesting, so a hostile pattern cannot exhaust the stack.
const maxPatternDepth = 64

var errPattern = errors.New("invalid STIX pattern")

func lexPattern(p string) ([]token, error) {
	var toks []token
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '[':
			toks, i = append(toks, token{tokLBrack, "["}), i+1
		case c == ']':
			toks, i = append(toks, token{tokRBrack, "]"}), i+1
		case c == '(':
			toks, i = append(toks, token{tokLParen, "("}), i+1
		case c == ')':
			toks, i = append(toks, token{tokRParen, ")"}), i+1
		case c == ',':
			toks, i = append(toks, token{tokComma, ","}), i+1
		case c == '=' || c == '!' || c == '<' || c == '>':
			n := 1
			if i+1 < len(p) && (p[i+1] == '=' || (c == '<' && p[i+1] == '>')) {
				n = 2
			}
			op := p[i : i+n]
			if op == "!" {
				return nil, fmt.Errorf("%w: '!' at %d", errPattern, i)
			}
			toks, i = append(toks, token{tokOp, op}), i+n
		case c == '\'':
			s, n, err := lexString(p[i:])
			if err != nil {
				return nil, err
			}
			toks, i = append(toks, token{tokString, s}), i+n
		case isWordByte(c):
			j := i
			for j < len(p) && isWordByte(p[j]) {
				j++
			}
			word := p[i:j]
			switch {
			case j < len(p) && p[j] == ':':
				n, err := lexPath(p[j+1:])
				if err != nil {
					return nil, err
				}
				toks = append(toks, token{tokPath, p[i : j+1+n]})
				j += 1 + n
			case j < len(p) && p[j] == '\'' && (word == "t" || word == "h" || word == "b"):
				_, n, err := lexString(p[j:])
				if err != nil {
					return nil, err
				}
				toks = append(toks, token{tokLiteral, p[i : j+n]})
				j += n
			case word[0] >= '0' && word[0] <= '9' || word[0] == '-':
				for j < len(p) && (p[j] == '.' || isWordByte(p[j])) {
					j++
				}
				toks = append(toks, token{tokLiteral, p[i:j]})
			default:
				toks = append(toks, token{tokWord, strings.ToUpper(word)})
			}
			i = j
		default:
			return nil, fmt.Errorf("%w: unexpected %q at %d", errPattern, c, i)
		}
	}
	return append(toks, token{kind: tokEOF}), nil
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// lexString reads a quoted string at the start of s ('...', with \' and \\) and returns
// its value and length.
func lexString(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) || (s[i+1] != '\'' && s[i+1] != '\\') {
				return "", 0, fmt.Errorf("%w: bad escape in string", errPattern)
			}
			b.WriteByte(s[i+1])
			i++
		case '\'':
			return b.String(), i + 1, nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, fmt.Errorf("%w: unterminated string", errPattern)
}

// lexPath reads the property part of an object path: components separated by '.',
// each a name or a quoted string, optionally followed by [n] or [*]. It returns its
// length.
func lexPath(s string) (int, error) {
	i := 0
	for {
		switch {
		case i < len(s) && s[i] == '\'':
			_, n, err := lexString(s[i:])
			if err != nil {
				return 0, err
			}
			i += n
		case i < len(s) && isWordByte(s[i]):
			for i < len(s) && isWordByte(s[i]) {
				i++
			}
		default:
			return 0, fmt.Errorf("%w: bad object path", errPattern)
		}
		for i < len(s) && s[i] == '[' {
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return 0, fmt.Errorf("%w: unterminated list index", errPattern)
			}
			i += end + 1
		}
		if i < len(s) && s[i] == '.' {
			i++
			continue
		}
		return i, nil
	}
}

// patternParser is a recursive-descent parser that evaluates as it goes: each rule
// returns the indicator values that on their own satisfy what it parsed.
type patternParser struct {
	toks  []token
	pos   int
	depth int
}

// stixValue is one indicator value: an object path's type and property, and the value.
type stixValue struct {
	path  string // "ipv4-addr:value", "x509-certificate:hashes.'SHA-1'"
	op    string // "=", "IN" or "ISSUBSET"
	value string
}

// patternValues returns the values that each satisfy the pattern alone.
func patternValues(pattern string) ([]stixValue, error) {
	toks, err := lexPattern(pattern)
	if err != nil {
		return nil, err
	}
	p := &patternParser{toks: toks}
	vals, err := p.observations()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokEOF {
		return nil, fmt.Errorf("%w: trailing %q", errPattern, p.peek().text)
	}
	return vals, nil
}

func (p *patternParser) peek() token { return p.toks[p.pos] }

func (p *patternParser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *patternParser) word(w string) bool {
	if t := p.peek(); t.kind == tokWord && t.text == w {
		p.pos++
		return true
	}
	return false
}

func (p *patternParser) expect(k tokKind, what string) error {
	if p.next().kind != k {
		return fmt.Errorf("%w: expected %s", errPattern, what)
	}
	return nil
}

func (p *patternParser) enter() error {
	if p.depth++; p.depth > maxPatternDepth {
		return fmt.Errorf("%w: nested too deeply", errPattern)
	}
	return nil
}

// observations: orObs ("FOLLOWEDBY" orObs)*
func (p *patternParser) observations() ([]stixValue, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	vals, err := p.orObs()
	for err == nil && p.word("FOLLOWEDBY") {
		_, err = p.orObs()
		vals = nil // a sequence needs both observations
	}
	return vals, err
}

// orObs: andObs ("OR" andObs)*
func (p *patternParser) orObs() ([]stixValue, error) {
	vals, err := p.andObs()
	for err == nil && p.word("OR") {
		var more []stixValue
		more, err = p.andObs()
		vals = append(vals, more...)
	}
	return vals, err
}

// andObs: qualified ("AND" qualified)*
func (p *patternParser) andObs() ([]stixValue, error) {
	vals, err := p.qualified()
	for err == nil && p.word("AND") {
		_, err = p.qualified()
		vals = nil
	}
	return vals, err
}

// qualified: ("[" comparison "]" | "(" observations ")") qualifier*
func (p *patternParser) qualified() ([]stixValue, error) {
	var vals []stixValue
	var err error
	switch p.next().kind {
	case tokLBrack:
		if vals, err = p.comparison(); err == nil {
			err = p.expect(tokRBrack, "]")
		}
	case tokLParen:
		if vals, err = p.observations(); err == nil {
			err = p.expect(tokRParen, ")")
		}
	default:
		return nil, fmt.Errorf("%w: expected [ or (", errPattern)
	}
	for err == nil {
		switch {
		case p.word("START"):
			// A validity window: the values stand, as the indicator's own validity does.
			if err = p.expect(tokLiteral, "timestamp"); err == nil && !p.word("STOP") {
				err = fmt.Errorf("%w: START without STOP", errPattern)
			}
			if err == nil {
				err = p.expect(tokLiteral, "timestamp")
			}
		case p.word("WITHIN"):
			// Bounds the time between observations; one observation is always within.
			if err = p.expect(tokLiteral, "number"); err == nil && !p.word("SECONDS") {
				err = fmt.Errorf("%w: WITHIN without SECONDS", errPattern)
			}
		case p.word("REPEATS"):
			if err = p.expect(tokLiteral, "number"); err == nil && !p.word("TIMES") {
				err = fmt.Errorf("%w: REPEATS without TIMES", errPattern)
			}
			vals = nil // one sighting is not enough
		default:
			return vals, err
		}
	}
	return vals, err
}

// comparison: andComp ("OR" andComp)*
func (p *patternParser) comparison() ([]stixValue, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	vals, err := p.andComp()
	for err == nil && p.word("OR") {
		var more []stixValue
		more, err = p.andComp()
		vals = append(vals, more...)
	}
	return vals, err
}

// andComp: test ("AND" test)*
func (p *patternParser) andComp() ([]stixValue, error) {
	vals, err := p.test()
	for err == nil && p.word("AND") {
		_, err = p.test()
		vals = nil
	}
	return vals, err
}

// test: "(" comparison ")" | "EXISTS" path | path "NOT"? op value
func (p *patternParser) test() ([]stixValue, error) {
	if p.peek().kind == tokLParen {
		p.next()
		vals, err := p.comparison()
		if err == nil {
			err = p.expect(tokRParen, ")")
		}
		return vals, err
	}
	if p.word("EXISTS") {
		return nil, p.expect(tokPath, "object path")
	}
	path := p.next()
	if path.kind != tokPath {
		return nil, fmt.Errorf("%w: expected an object path", errPattern)
	}
	negated := p.word("NOT")
	op := p.next()
	switch {
	case op.kind == tokOp:
	case op.kind == tokWord && (op.text == "IN" || op.text == "LIKE" || op.text == "MATCHES" ||
		op.text == "ISSUBSET" || op.text == "ISSUPERSET"):
	default:
		return nil, fmt.Errorf("%w: expected an operator after %s", errPattern, path.text)
	}
	var values []string
	if op.text == "IN" {
		set, err := p.set()
		if err != nil {
			return nil, err
		}
		values = set
	} else {
		v := p.next()
		switch v.kind {
		case tokString:
			values = []string{v.text}
		case tokLiteral, tokWord:
			// Numbers, booleans, timestamps, binary: never a trail.
		default:
			return nil, fmt.Errorf("%w: expected a value after %s", errPattern, op.text)
		}
	}
	if negated || !(op.text == "=" || op.text == "IN" || op.text == "ISSUBSET") {
		return nil, nil
	}
	vals := make([]stixValue, len(values))
	for i, v := range values {
		vals[i] = stixValue{path: path.text, op: op.text, value: v}
	}
	return vals, nil
}

// set: "(" value ("," value)* ")", string members returned.
func (p *patternParser) set() ([]string, error) {
	if err := p.expect(tokLParen, "("); err != nil {
		return nil, err
	}
	var out []string
	for {
		v := p.next()
		switch v.kind {
		case tokString:
			out = append(out, v.text)
		case tokLiteral, tokWord:
		default:
			return nil, fmt.Errorf("%w: bad set member", errPattern)
		}
		switch p.next().kind {
		case tokComma:
		case tokRParen:
			return out, nil
		default:
			return nil, fmt.Errorf("%w: expected , or )", errPattern)
		}
	}
}
