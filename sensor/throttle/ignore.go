package throttle

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/dlclark/regexp2"

	"github.com/spoorsec/spoor/event"
)

// ignoreRegexTimeout bounds one IGNORE_EVENTS_REGEX match, so a
// backtracking pattern cannot stall the event path.
const ignoreRegexTimeout = 50 * time.Millisecond

// IgnoreRules are Maltrail's event ignore rules: USER_IGNORELIST lines
// "src_ip;src_port;dst_ip;dst_port" ("*" matches anything) and
// IGNORE_EVENTS_REGEX, searched case-insensitively in the Python repr of
// the event tuple (see event.Event.PyRepr). The zero value and nil ignore
// nothing.
type IgnoreRules struct {
	rules []ignoreRule
	re    *regexp2.Regexp
}

type ignoreRule struct{ srcIP, srcPort, dstIP, dstPort string }

// LoadIgnoreRules reads the rules file at path (none if path is "") and
// compiles eventsRegex (none if ""). Unlike Maltrail, which warns and
// carries on without it, an invalid regex is an error: a rule the operator
// believes is active should not silently do nothing.
func LoadIgnoreRules(path string, eventsRegex string) (*IgnoreRules, error) {
	r := &IgnoreRules{}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("cannot read ignore list: %w", err)
		}
		r.rules = parseIgnoreList(data)
	}
	if eventsRegex != "" {
		re, err := regexp2.Compile(pythonRegex(eventsRegex), regexp2.IgnoreCase)
		if err != nil {
			return nil, fmt.Errorf("invalid IGNORE_EVENTS_REGEX %q: %w", eventsRegex, err)
		}
		re.MatchTimeout = ignoreRegexTimeout
		r.re = re
	}
	return r, nil
}

// parseIgnoreList reads rules as core/settings.py add_ignorelist does:
// all whitespace is removed from a line, empty and '#' lines are skipped,
// and a line counts only if it has exactly three ';'. Duplicates are
// dropped.
func parseIgnoreList(data []byte) []ignoreRule {
	var rules []ignoreRule
	seen := make(map[ignoreRule]bool)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		line := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f { // Python's \s
				return -1
			}
			return r
		}, sc.Text())
		if line == "" || line[0] == '#' || strings.Count(line, ";") != 3 {
			continue
		}
		f := strings.Split(line, ";")
		rule := ignoreRule{f[0], f[1], f[2], f[3]}
		if !seen[rule] {
			seen[rule] = true
			rules = append(rules, rule)
		}
	}
	return rules
}

// pythonRegex rewrites Python-only group syntax for regexp2: (?P<name>…)
// and (?P=name).
func pythonRegex(expr string) string {
	var b strings.Builder
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		if c == '\\' && i+1 < len(expr) {
			b.WriteString(expr[i : i+2])
			i++
			continue
		}
		switch {
		case strings.HasPrefix(expr[i:], "(?P<"):
			b.WriteString("(?<")
			i += len("(?P<") - 1
		case strings.HasPrefix(expr[i:], "(?P="):
			end := strings.IndexByte(expr[i:], ')')
			if end < 0 {
				b.WriteString(expr[i:])
				return b.String()
			}
			b.WriteString(`\k<` + expr[i+len("(?P="):i+end] + ">")
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Len is the number of list rules (the regex not counted).
func (r *IgnoreRules) Len() int {
	if r == nil {
		return 0
	}
	return len(r.rules)
}

// Match reports whether e is to be ignored. A regex match that times out
// counts as no match.
func (r *IgnoreRules) Match(e *event.Event) bool {
	if r == nil {
		return false
	}
	if r.re != nil {
		if ok, err := r.re.MatchString(e.PyRepr()); err == nil && ok {
			return true
		}
	}
	if len(r.rules) == 0 {
		return false
	}
	// Maltrail compares against str(port): "-" for an event without ports.
	srcPort, dstPort := e.SrcPort, e.DstPort
	if srcPort == "" {
		srcPort = "-"
	}
	if dstPort == "" {
		dstPort = "-"
	}
	for _, rule := range r.rules {
		if matchField(rule.srcIP, e.SrcIP) && matchField(rule.srcPort, srcPort) &&
			matchField(rule.dstIP, e.DstIP) && matchField(rule.dstPort, dstPort) {
			return true
		}
	}
	return false
}

func matchField(rule, v string) bool {
	return rule == "*" || rule == v
}
