package trails

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

func TestIsWildcardTrail(t *testing.T) {
	tests := []struct {
		trail string
		want  bool
	}{
		{"evil.*", true},
		{"bad].+", true},
		{"[a-z0-9]host.com", true}, // '-' is in the class, so ranges qualify
		{"x[abc_.-]y", true},
		{"x[ABC]y", true}, // re.I
		{`dga[0-9]+\.wildcard-test\.com`, true},
		{`dga[0-9]+.+\.com`, true},
		{`seek[0-9]+\.(mootseek|zootseek)\.com`, true},
		{`(a|b)\d+\.com`, false},
		{`x[^.]y`, false},
		{"evil.com", false},
		{"1.2.3.4", false},
		{"[]", false},
		{"[unclosed", false},
	}
	for _, tt := range tests {
		t.Run(tt.trail, func(t *testing.T) {
			if got := isWildcardTrail(tt.trail); got != tt.want {
				t.Errorf("isWildcardTrail(%q) = %v, want %v", tt.trail, got, tt.want)
			}
		})
	}
}

// TestWildcardCompileVectors: a wildcard trail is used exactly when CPython's re.compile
// accepts it (vectors generated from CPython by Maltrail).
func TestWildcardCompileVectors(t *testing.T) {
	n := 0
	for _, row := range shared.Vectors(t, "wildcard_trails.tsv", 2) {
		trail, flag := row[0], row[1]
		_, err := compileWildcard(trail)
		if got, want := err == nil, flag == "1"; got != want {
			t.Errorf("compileWildcard(%q) compiles = %v (%v), want %v", trail, got, err, want)
		}
		n++
	}
	if n < 30 {
		t.Fatalf("got %d vectors, want at least 30", n)
	}
}

func wildcardTrails(t *testing.T, trails ...string) *Set {
	t.Helper()
	var csv strings.Builder
	for i, tr := range trails {
		fmt.Fprintf(&csv, "\"%s\",wild %d (malware),(static)\n", strings.ReplaceAll(tr, `"`, `""`), i)
	}
	s, err := LoadCSV(strings.NewReader(csv.String()), LoadOptions{Logger: discardLogger})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMatchWildcard(t *testing.T) {
	s := wildcardTrails(t,
		`dga[0-9]+\.wildcard-test\.com`,
		`^[a-z]{2}\-[a-z]{2,3}\.(top|club)$`,
		`seek[0-9]+\.(mootseek|zootseek)\.com`,
		`evil(?=[0-9])[0-9a-z]*\.net`, // look-ahead: backtracking engine
		`ab[0-9]+\.x\.org`,
		`b[0-9]+\.x\.org`,
	)
	tests := []struct {
		name, trail, info string // trail "" = no match
	}{
		{"dga1234.wildcard-test.com", "dga1234.wildcard-test.com", "wild 0 (malware)"},
		{"www.dga99.wildcard-test.com", "(www).dga99.wildcard-test.com", "wild 0 (malware)"},
		{"dga7.wildcard-test.com.evil", "dga7.wildcard-test.com(.evil)", "wild 0 (malware)"},
		{"dga.wildcard-test.com", "", ""},
		{"ab-cd.top", "ab-cd.top", "wild 1 (malware)"},
		{"x.ab-cd.top", "", ""}, // anchored
		{"a.seek12.zootseek.com", "(a).seek12.zootseek.com", "wild 2 (malware)"},
		{"evil7x.net", "evil7x.net", "wild 3 (malware)"},
		{"evilx.net", "", ""},
		// Both "ab.." and "b.." match; the leftmost match wins, then the earlier trail.
		{"ab12.x.org", "ab12.x.org", "wild 4 (malware)"},
		{"zb12.x.org", "(z)b12.x.org", "wild 5 (malware)"},
		{"clean.example", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trail, e, ok := s.MatchWildcard(tt.name)
			if !ok {
				trail = ""
			}
			if trail != tt.trail || e.Info != tt.info {
				t.Errorf("MatchWildcard(%q) = %q, %q; want %q, %q", tt.name, trail, e.Info, tt.trail, tt.info)
			}
		})
	}
}

func TestWildcardSelection(t *testing.T) {
	in := strings.Join([]string{
		`a[0-9]+\.com,m,(static)`,          // pattern, static
		`b[0-9]+\.com,m,abuse.ch`,          // not static: a plain key
		`c[0-9]+\.com,m,list (static)`,     // "static" anywhere in the reference
		`d(unclosed[0-9]+\.com,m,(static)`, // does not compile
		`plain.com,m,(static)`,
	}, "\n")
	s, err := LoadCSV(strings.NewReader(in), LoadOptions{Logger: discardLogger})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Stats().Wildcards; got != 2 {
		t.Errorf("Wildcards = %d, want 2", got)
	}
	for name, want := range map[string]bool{"a1.com": true, "b1.com": false, "c1.com": true, "dunclosed1.com": false} {
		if _, _, ok := s.MatchWildcard(name); ok != want {
			t.Errorf("MatchWildcard(%q) = %v, want %v", name, ok, want)
		}
	}
	if _, ok := s.Lookup(`b[0-9]+\.com`); !ok {
		t.Errorf("Lookup of the non-static pattern key: got miss, want hit")
	}
}

func TestWildcardLimit(t *testing.T) {
	var trails []string
	for i := range maxWildcards + 20 {
		trails = append(trails, fmt.Sprintf(`t%d-[0-9]+\.com`, i))
	}
	s := wildcardTrails(t, trails...)
	if got := s.Stats().Wildcards; got != maxWildcards {
		t.Errorf("Wildcards = %d, want %d", got, maxWildcards)
	}
	if _, _, ok := s.MatchWildcard(fmt.Sprintf("t%d-1.com", maxWildcards-1)); !ok {
		t.Errorf("the last wildcard within the limit does not match")
	}
	if _, _, ok := s.MatchWildcard(fmt.Sprintf("t%d-1.com", maxWildcards)); ok {
		t.Errorf("a wildcard past the limit matches")
	}
}

func TestWildcardRepeatedGroupNames(t *testing.T) {
	// Valid one by one, invalid as one alternation: matched one by one.
	s := wildcardTrails(t, `(?P<n>a)[0-9]+\.com`, `(?P<n>b)[0-9]+\.com`)
	if trail, e, ok := s.MatchWildcard("x.b12.com"); !ok || trail != "(x).b12.com" || e.Info != "wild 1 (malware)" {
		t.Errorf("MatchWildcard = %q, %q, %v; want (x).b12.com, wild 1 (malware), true", trail, e.Info, ok)
	}
}

func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		pattern string
		want    string // the prefilter sets
	}{
		{`dga[0-9]+\.wildcard-test\.com`, `[[dga] [.wildcard-test.com]]`},
		{`^[a-z]{2}\-[a-z]{2,3}\.(top|club)$`, `[[-] [.] [top club]]`},
		{`seek[0-9]+\.(mootseek|zootseek)\.com`, `[[seek] [.] [mootseek zootseek] [.com]]`},
		{`(ab|cd)x`, `[[ab cd] [x]]`},
		{`(ab|)x+`, `[[x]]`},
		{`(ab|c*)`, `[]`},
		{`(?i)evil[0-9]+`, `[]`},
		{`[a-z]+\.[a-z]+`, `[[.]]`},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			w, err := compileWildcard(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			var sets [][]string
			for _, set := range w.need {
				var strs []string
				for _, l := range set {
					strs = append(strs, l.s)
				}
				sets = append(sets, strs)
			}
			if got := fmt.Sprint(sets); got != tt.want {
				t.Errorf("prefilter of %q = %s, want %s", tt.pattern, got, tt.want)
			}
		})
	}
}

// FuzzWildcardPrefilter: the prefilter never rejects a name its regexp matches.
func FuzzWildcardPrefilter(f *testing.F) {
	patterns := []string{`^[a-z]{2}\-[a-z]{2,3}\.(top|club)$`, `seek[0-9]+\.(mootseek|zootseek)\.com`,
		`nklmtf[0-9][^.]*[0-9].t35.com`, `(gomon|perevod|sdelka|shcet|v[i,y]plata)[0-9]{2,3}\.ru`,
		`\b(atztds|mtxtds)[0-9a-z]+\.(world|xyz)`, `(ab|cd)(ef|g+)h{2}`, `x(?:yz)?w`}
	for _, p := range patterns {
		f.Add(p, "ab-cde.top")
		f.Add(p, "www.seek12.zootseek.com")
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		w, err := compileWildcard(pattern)
		if err != nil || w.re == nil {
			return
		}
		if w.re.MatchString(name) && !w.mayMatch(name, byteClasses(name)) {
			t.Fatalf("prefilter %v of %q rejects matching name %q", w.need, pattern, name)
		}
	})
}
