package event

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/dlclark/regexp2"
)

// remoteSeverityRegex is REMOTE_SEVERITY_REGEX as maltrail.conf ships it.
const remoteSeverityRegex = `(?<high>(remote )?custom\)|malwaredomainlist|iot-malware|malware(?! (distribution|site))|adversary|ransomware)|(?<medium>potential malware site|malware distribution|c2 cert)|(?<low>mass scanner|reputation|attacker|spammer|compromised|crawler|scanning)`

// regexSeverity is core/log.py severity_of with the shipped regex.
func regexSeverity(tb testing.TB, re *regexp2.Regexp, info string) Severity {
	tb.Helper()
	m, err := re.FindStringMatch(info)
	if err != nil {
		tb.Fatal(err)
	}
	if m == nil {
		return Medium
	}
	for _, g := range []struct {
		name string
		sev  Severity
	}{{"low", Low}, {"medium", Medium}, {"high", High}} {
		if len(m.GroupByName(g.name).Captures) > 0 {
			return g.sev
		}
	}
	return Medium
}

func severityRegex(tb testing.TB) *regexp2.Regexp {
	re, err := regexp2.Compile(remoteSeverityRegex, regexp2.None)
	if err != nil {
		tb.Fatal(err)
	}
	return re
}

func TestSeverityOf(t *testing.T) {
	for _, tc := range []struct {
		info, ref string
		want      Severity
	}{
		{"andromeda (malware)", "(static)", High},
		{"malware distribution", "(static)", Medium},
		{"potential malware site", "(static)", Medium},
		{"malware site", "(static)", Medium},
		{"malware sites", "(static)", Medium},
		{"malwaredomainlist", "x", High},
		{"known attacker", "(static)", Low},
		{"mass scanner", "(static)", Low},
		{"mass scanner (malware)", "(static)", Low}, // leftmost match wins
		{"malware mass scanner", "(static)", High},  // leftmost match wins
		{"c2 cert", "(static)", Medium},
		{"iot-malware", "(static)", High},
		{"bad reputation", "(static)", Low},
		{"phishing", "(static)", Medium},
		{"", "", Medium},
		{"Malware", "(static)", Medium}, // case-sensitive
		{"my list (custom)", "x", High},
		{"my list (remote custom)", "x", High},
		{"known attacker", "(custom)", High},
		{"known attacker", "(remote custom)", High},
		{"spammer", "custom", Low},
	} {
		t.Run(tc.info+"/"+tc.ref, func(t *testing.T) {
			if got := SeverityOf(tc.info, tc.ref); got != tc.want {
				t.Errorf("SeverityOf(%q, %q) = %v, want %v", tc.info, tc.ref, got, tc.want)
			}
		})
	}
}

// TestSeverityOfMatchesRegex runs every info of the demo log (and the table
// above) through both the scanner and the regex it replaces.
func TestSeverityOfMatchesRegex(t *testing.T) {
	re := severityRegex(t)
	f, err := os.Open(filepath.Join(testdataDir(t), "maltrail", "demo-2024-01-11.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ' '
	seen := map[string]bool{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(rec) != 11 {
			t.Fatalf("demo line has %d fields, want 11: %q", len(rec), rec)
		}
		seen[rec[9]] = true
	}
	if len(seen) < 20 {
		t.Fatalf("only %d distinct infos in the demo log", len(seen))
	}
	for info := range seen {
		if got, want := SeverityOf(info, ""), regexSeverity(t, re, info); got != want {
			t.Errorf("SeverityOf(%q) = %v, want %v (regex)", info, got, want)
		}
	}
}

func FuzzSeverityOf(f *testing.F) {
	for _, s := range []string{"malware", "malware site", "potential malware site", "remote custom)", "c2 cert", "scanning malware"} {
		f.Add(s)
	}
	re := severityRegex(f)
	f.Fuzz(func(t *testing.T, info string) {
		if got, want := SeverityOf(info, ""), regexSeverity(t, re, info); got != want {
			t.Errorf("SeverityOf(%q) = %v, want %v (regex)", info, got, want)
		}
	})
}

func TestSeverityString(t *testing.T) {
	for _, tc := range []struct {
		s    Severity
		want string
	}{{Low, "low"}, {Medium, "medium"}, {High, "high"}, {0, ""}} {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("Severity(%d).String() = %q, want %q", tc.s, got, tc.want)
		}
	}
}
