package trails

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseTrailLine(t *testing.T) {
	tests := []struct {
		name, line string
		kind       lineKind
		want       string // "-" = no trail
	}{
		{"blank", "   ", staticLine, "-"},
		{"comment", "# Reference: https://example.org/x", staticLine, "-"},
		{"indented comment", "  # Aliases: a, b", staticLine, "-"},
		{"domain", "evil.com", staticLine, "evil.com"},
		{"surrounding space", "  evil.com \r", staticLine, "evil.com"},
		{"unicode space", "\u00a0evil.com\u3000", staticLine, "evil.com"},
		{"case kept until post-processing", "Evil.COM", staticLine, "Evil.COM"},
		{"inline comment", "evil.com # was: other.com", staticLine, "evil.com"},
		{"inline comment tab", "evil.com\t#x", staticLine, "evil.com"},
		{"hash without space", "evil.com#frag", staticLine, "evil.com"},
		{"tld", ".cc", staticLine, "cc"},
		{"dots around", ".evil.com.", staticLine, "evil.com"},
		{"scheme host static", "http://evil.com", staticLine, "evil.com/"},
		{"scheme host custom", "http://evil.com", customLine, "evil.com"},
		{"scheme path", "https://evil.com/gate.php", staticLine, "evil.com/gate.php"},
		{"any scheme", "hxxp://evil.com/a", staticLine, "evil.com/a"},
		{"trailing slash kept with one slash", "evil.com/a/", staticLine, "evil.com/a"},
		{"one slash", "evil.com/", staticLine, "evil.com/"},
		{"trailing slashes", "evil.com/a/b//", staticLine, "evil.com/a/b"},
		{"custom strips trailing slash", "evil.com/", customLine, "evil.com"},
		{"path", "/gate.php", staticLine, "/gate.php"},
		{"url dots kept", "evil.com./x/", staticLine, "evil.com./x"},
		{"ipv4", "1.2.3.4", staticLine, "1.2.3.4"},
		{"ipv4 comment", "1.2.3.4 # c2", staticLine, "1.2.3.4"},
		{"ip port", "6.6.6.6:8443", staticLine, "6.6.6.6:8443"},
		{"v6 port", "[dead::beef]:443", staticLine, "[dead::beef]:443"},
		{"v6", "dead::beef", staticLine, "dead::beef"},
		{"cidr", "5.63.151.0/24 # scanners.labs.rapid7.com", staticLine, "5.63.151.0/24"},
		{"wildcard", `dga[0-9]+\.wildcard-test\.com`, staticLine, `dga[0-9]+\.wildcard-test\.com`},
		{"only dots", "...", staticLine, ""},
		{"query", "evil.com/x.php?id=1", staticLine, "evil.com/x.php?id=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseTrailLine(tt.line, tt.kind)
			if !ok {
				got = "-"
			}
			if got != tt.want {
				t.Errorf("parseTrailLine(%q) = %q, want %q", tt.line, got, tt.want)
			}
		})
	}
}

func TestParseCSVTrailLine(t *testing.T) {
	tests := []struct {
		line, key, info string
		ok              bool
	}{
		{"evil.com,bad thing", "evil.com", "bad thing", true},
		{`http://evil.com/x/,"quoted info"`, "evil.com/x", "quoted info", true},
		{".evil.com.,a,b", "evil.com", "a,b", true},
		{"no comma", "", "", false},
		{"# comment,x", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			key, info, ok := parseCSVTrailLine(tt.line)
			if key != tt.key || info != tt.info || ok != tt.ok {
				t.Errorf("parseCSVTrailLine(%q) = %q, %q, %v; want %q, %q, %v", tt.line, key, info, ok, tt.key, tt.info, tt.ok)
			}
		})
	}
}

func FuzzParseTrailLine(f *testing.F) {
	for _, s := range []string{"evil.com", "http://a.b/c/", "1.2.3.4 # x", "[dead::beef]:443", ".cc", "a/b//", " \t#",
		`^[a-z]{2}\-[a-z]{2,3}\.(top|club)$`, "5.63.151.0/24 # rapid7", "x\u00a0#y", "://", "www.evil.com/"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, line string, custom bool) {
		kind := staticLine
		if custom {
			kind = customLine
		}
		key, ok := parseTrailLine(line, kind)
		if !ok {
			if s := pyStrip(line); s != "" && s[0] != '#' {
				t.Fatalf("parseTrailLine(%q) dropped a non-comment line", line)
			}
			return
		}
		if strings.Contains(key, "#") {
			t.Fatalf("parseTrailLine(%q) = %q, want the comment removed", line, key)
		}
		if !strings.Contains(line, "/") && strings.Trim(key, ".") != key {
			t.Fatalf("parseTrailLine(%q) = %q, want dots trimmed", line, key)
		}
		if kind == customLine && strings.HasSuffix(key, "/") {
			t.Fatalf("parseTrailLine(%q) = %q, want trailing slashes stripped", line, key)
		}
		if utf8.ValidString(line) && !utf8.ValidString(key) {
			t.Fatalf("parseTrailLine(%q) = %q is not UTF-8", line, key)
		}
	})
}
