package throttle

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
)

func writeRules(tb testing.TB, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "ignore.txt")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestIgnoreRules(t *testing.T) {
	const rules = `# Syntax:
# src_ip;src_port;dst_ip;dst_port
192.168.0.3;*;*;*
*;*;*;22
 10.0.0.7 ; 5353 ; * ; * 
*;-;8.8.8.8;-
1.2.3.4;*;*
a;b;c;d;e
`
	path := writeRules(t, rules)
	r, err := LoadIgnoreRules(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != 4 {
		t.Errorf("Len() = %d, want 4 rules", r.Len())
	}
	base := event.Event{
		Time: time.Unix(1700000000, 0), SrcIP: "10.0.0.5", SrcPort: "50000", DstIP: "1.1.1.1", DstPort: "53",
		Proto: "UDP", Type: event.TypeDNS, Trail: "evil.example", Info: "malware", Reference: "(static)",
	}
	for _, tc := range []struct {
		name string
		edit func(*event.Event)
		want bool
	}{
		{"no rule", func(*event.Event) {}, false},
		{"source ip", func(e *event.Event) { e.SrcIP = "192.168.0.3" }, true},
		{"ssh port", func(e *event.Event) { e.DstPort = "22" }, true},
		{"whitespace stripped", func(e *event.Event) { e.SrcIP, e.SrcPort = "10.0.0.7", "5353" }, true},
		{"whitespace rule, other port", func(e *event.Event) { e.SrcIP, e.SrcPort = "10.0.0.7", "5354" }, false},
		{"portless event", func(e *event.Event) { e.SrcPort, e.DstPort, e.DstIP = "", "", "8.8.8.8" }, true},
		{"portless rule needs portless event", func(e *event.Event) { e.DstIP = "8.8.8.8" }, false},
		{"three fields ignored", func(e *event.Event) { e.SrcIP = "1.2.3.4" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := base
			tc.edit(&e)
			if got := r.Match(&e); got != tc.want {
				t.Errorf("Match(%s) = %v, want %v", e.PyRepr(), got, tc.want)
			}
		})
	}
}

func TestIgnoreRegex(t *testing.T) {
	base := event.Event{
		Time: time.Unix(1700000000, 123456000), SrcIP: "10.0.0.5", SrcPort: "50000", DstIP: "117.21.225.3", DstPort: "80",
		Proto: "TCP", Type: event.TypeURL, Trail: "x.example/a", Info: "potential SQL injection (suspicious)", Reference: "(heuristic)",
	}
	for _, tc := range []struct {
		regex string
		want  bool
	}{
		{`sql injection|long domain|117.21.225.3|sinkhole`, true}, // maltrail.conf's example
		{`long domain|sinkhole`, false},
		{`^\(1700000000, 123456, '10\.0\.0\.5', 50000,`, true}, // ints unquoted, strs quoted
		{`'50000'`, false},
		{`(?P<q>')x\.example/a(?P=q)`, true}, // Python group syntax
	} {
		t.Run(tc.regex, func(t *testing.T) {
			r, err := LoadIgnoreRules("", tc.regex)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Match(&base); got != tc.want {
				t.Errorf("Match(%s) = %v, want %v", base.PyRepr(), got, tc.want)
			}
		})
	}
}

func TestIgnoreRulesErrors(t *testing.T) {
	if _, err := LoadIgnoreRules(filepath.Join(t.TempDir(), "missing.txt"), ""); err == nil {
		t.Error("a missing ignore list loaded, want an error")
	}
	if _, err := LoadIgnoreRules("", "(unclosed"); err == nil || !strings.Contains(err.Error(), "IGNORE_EVENTS_REGEX") {
		t.Errorf("got %v, want an IGNORE_EVENTS_REGEX error", err)
	}
	var none *IgnoreRules
	if none.Match(&event.Event{}) || none.Len() != 0 {
		t.Error("nil rules matched, want nothing ignored")
	}
}

// FuzzIgnoreRules parses arbitrary rule files: no panic, no whitespace in
// a parsed rule, and a line naming an event's exact fields always matches.
func FuzzIgnoreRules(f *testing.F) {
	f.Add([]byte("# src_ip;src_port;dst_ip;dst_port\n#\n# 192.168.0.3;*;*;*\n"), "10.0.0.5", "50000", "1.1.1.1", "53")
	f.Add([]byte("192.168.0.3;*;*;*\n*;*;*;22\n"), "192.168.0.3", "1", "2.2.2.2", "22")
	f.Add([]byte(" a ; b ;c;d\r\n#x;y;z;w\n;;;\n"), "", "", "", "")
	f.Fuzz(func(t *testing.T, data []byte, srcIP, srcPort, dstIP, dstPort string) {
		rules := parseIgnoreList(data)
		for _, r := range rules {
			for _, v := range []string{r.srcIP, r.srcPort, r.dstIP, r.dstPort} {
				if strings.ContainsAny(v, " \t\r\n;") {
					t.Fatalf("rule field %q keeps whitespace or ';'", v)
				}
			}
		}
		e := event.Event{SrcIP: srcIP, SrcPort: srcPort, DstIP: dstIP, DstPort: dstPort}
		_ = (&IgnoreRules{rules: rules}).Match(&e)

		fields := []string{srcIP, srcPort, dstIP, dstPort}
		for i, v := range fields {
			if v == "" && (i == 1 || i == 3) {
				fields[i] = "-"
			}
		}
		line := strings.Join(fields, ";")
		if strings.ContainsFunc(line, func(r rune) bool {
			return strings.ContainsRune(" \t\n\v\f\r\x1c\x1d\x1e\x1f\u0085\u00a0", r) || r > 0x7f
		}) ||
			strings.Count(line, ";") != 3 || strings.HasPrefix(line, "#") || srcIP == "" || dstIP == "" {
			return
		}
		withLine := append(append(append([]byte{}, data...), '\n'), line...)
		if !(&IgnoreRules{rules: parseIgnoreList(withLine)}).Match(&e) {
			t.Errorf("rule %q does not match its own event", line)
		}
	})
}
