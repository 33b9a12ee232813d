package heuristic

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spoorsec/spoor/internal/shared"
	"github.com/spoorsec/spoor/sensor/heuristic/internal/pyre"
)

// FuzzSuspiciousRequest checks the prefiltered, alternative-split rule set
// against the rules compiled whole and tried one after the other.
func FuzzSuspiciousRequest(f *testing.F) {
	for _, row := range shared.Vectors(f, "suspicious_request.tsv", 2) {
		f.Add(row[0])
	}
	f.Add("/é?id=1 UNION SELECT x")
	f.Add("/x?q=ſelect a from b where c")
	whole := make([]*pyre.Regexp, len(requestRules))
	for i, r := range requestRules {
		whole[i] = pyre.MustCompile(r.pattern, pyre.IgnoreCase|pyre.DotAll)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := ""
		for i, re := range whole {
			if re.MatchString(s) {
				want = requestRules[i].desc
				break
			}
		}
		got, ok := SuspiciousRequest(s)
		if got != want || ok != (want != "") {
			t.Fatalf("SuspiciousRequest(%q) = %q, %v; want %q", s, got, ok, want)
		}
		SuspiciousRequestPrefilter(s)
	})
}

// FuzzUAMatch checks the prefiltered User-Agent search against trying
// every rule and keeping the leftmost match, and the cache against a fresh
// evaluation.
func FuzzUAMatch(f *testing.F) {
	path := filepath.Join(sharedTestdata(f), "maltrail", "data", "ua.txt")
	m, err := LoadUA(path)
	if err != nil {
		f.Fatal(err)
	}
	file, err := os.Open(path)
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	var rules []*pyre.Regexp
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		line := PyStrip(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		re, err := compileUARule(line)
		if err != nil {
			f.Fatal(err)
		}
		rules = append(rules, re)
		if len(rules)%7 == 0 {
			f.Add("Mozilla/5.0 " + line)
		}
	}
	for _, row := range shared.Vectors(f, "suspicious_ua.tsv", 3) {
		f.Add(row[0])
	}
	f.Fuzz(func(t *testing.T, ua string) {
		wantStart, wantEnd, found := -1, -1, false
		for _, re := range rules {
			if s, e, ok := re.FindStringIndex(ua); ok && (!found || s < wantStart) {
				wantStart, wantEnd, found = s, e, true
			}
		}
		want := ""
		if found && wantEnd > wantStart {
			want = ua[wantStart:wantEnd]
		}
		if got, _ := m.search(ua); got != want {
			t.Fatalf("search(%q) = %q, want %q", ua, got, want)
		}
		trail, ok := m.Match(ua)
		if trail2, ok2 := m.evaluate(ua); ua != "" && (trail2 != trail || ok2 != ok) {
			t.Fatalf("Match(%q) = %q, %v; evaluate = %q, %v", ua, trail, ok, trail2, ok2)
		}
	})
}

func FuzzUnquote(f *testing.F) {
	for _, row := range shared.Vectors(f, "unquote.tsv", 2) {
		f.Add(row[0])
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Unquote(s)
		if !strings.Contains(s, "%") && got != s {
			t.Fatalf("Unquote(%q) = %q, want it unchanged", s, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Unquote(%q) = %q, not valid UTF-8", s, got)
		}
		if len(got) > 3*len(s) {
			t.Fatalf("Unquote(%q) grew to %d bytes", s, len(got))
		}
	})
}

func FuzzSinkholeResponse(f *testing.F) {
	for _, row := range shared.Vectors(f, "sinkhole.tsv", 2) {
		f.Add([]byte(row[0]))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		if m, ok := SinkholeResponse(head); ok && m == "" {
			t.Fatalf("SinkholeResponse(%q) matched nothing", head)
		}
		SuspiciousContentType(head)
		SeizedTitle(head)
	})
}
