package heuristic

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spoorsec/spoor/sensor/heuristic/internal/pyre"
)

// uaCacheSize bounds the User-Agent result cache (Maltrail's
// MAX_CACHE_ENTRIES is 1000).
const uaCacheSize = 1024

// UAMatcher is the suspicious User-Agent heuristic (#18) built from
// Maltrail's data/ua.txt. It is safe for concurrent use.
type UAMatcher struct {
	set   *pyre.Set
	cache *lruCache
}

// LoadUA reads a ua.txt rule file the way core/settings.py:read_ua does:
// lines are stripped, blank and '#' lines skipped, and a line containing
// " (compatible" or that CPython's re.compile rejects is matched literally
// (re.escape). The rules form SUSPICIOUS_UA_REGEX, "(?i)" + '|'.join(lines).
// A rule valid in Python that neither regexp engine can run is logged and
// matched literally too.
func LoadUA(path string) (*UAMatcher, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot load user-agent rules: %w", err)
	}
	defer f.Close()
	var pats []*pyre.Regexp
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := PyStrip(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		re, err := compileUARule(line)
		if err != nil {
			return nil, fmt.Errorf("cannot load user-agent rules from %s line %d: %w", path, n, err)
		}
		pats = append(pats, re)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot load user-agent rules from %s: %w", path, err)
	}
	if len(pats) == 0 {
		return nil, fmt.Errorf("cannot load user-agent rules from %s: no rules", path)
	}
	return &UAMatcher{set: pyre.NewSet(pats), cache: newLRUCache(uaCacheSize)}, nil
}

// compileUARule compiles one alternative of SUSPICIOUS_UA_REGEX.
func compileUARule(line string) (*pyre.Regexp, error) {
	if !strings.Contains(line, " (compatible") {
		re, err := pyre.Compile(line, pyre.IgnoreCase)
		if err == nil {
			return re, nil
		}
		if pyre.IsUnsupported(err) {
			slog.Warn("user-agent rule cannot run, matching it literally", "rule", line, "err", err)
		}
	}
	return pyre.Compile(pyre.Escape(line), pyre.IgnoreCase)
}

// Match applies the heuristic to a User-Agent value (URL-unquoted and
// stripped by the caller, as Maltrail does). A value matching
// WHITELIST_UA_REGEX is never reported. Otherwise the trail is the
// matched text with the rest of the value bracketed ("(curl/8) masscan",
// "masscan(/1.0)"), or "<match> (<value>)" when the match sits in the
// middle; parentheses are escaped as "\(" "\)". Results, including
// misses, are cached.
func (m *UAMatcher) Match(ua string) (trail string, ok bool) {
	if ua == "" {
		return "", false
	}
	if trail, ok, hit := m.cache.get(ua); hit {
		return trail, ok
	}
	trail, ok = m.evaluate(ua)
	m.cache.put(ua, trail, ok)
	return trail, ok
}

// search is re.search(SUSPICIOUS_UA_REGEX, ua).group(0).
func (m *UAMatcher) search(ua string) (string, bool) {
	_, start, end, ok := m.set.Leftmost(ua)
	if !ok || start == end {
		return "", false
	}
	return ua[start:end], true
}

func (m *UAMatcher) evaluate(ua string) (string, bool) {
	if whitelistUA.First(ua) >= 0 {
		return "", false
	}
	match, ok := m.search(ua)
	if !ok {
		return "", false
	}
	// Python splits on the first occurrence of the matched text, which can
	// precede the match itself.
	before, after, _ := strings.Cut(ua, match)
	if before != "" && after != "" {
		return escapeUATrail(match) + " (" + escapeUATrail(ua) + ")", true
	}
	var b strings.Builder
	if before != "" {
		b.WriteString("(" + escapeUATrail(before) + ")")
	}
	b.WriteString(escapeUATrail(match))
	if after != "" {
		b.WriteString("(" + escapeUATrail(after) + ")")
	}
	return b.String(), true
}

var parenEscaper = strings.NewReplacer("(", `\(`, ")", `\)`)

// escapeUATrail drops trailing backslashes and escapes parentheses.
func escapeUATrail(s string) string {
	return parenEscaper.Replace(strings.TrimRight(s, `\`))
}
