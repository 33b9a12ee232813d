package sensor

import (
	"strings"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

// TestURLChecksVectors compares the URL candidate list with Maltrail's own
// output (vectors/checks.tsv).
func TestURLChecksVectors(t *testing.T) {
	rows := 0
	for _, cols := range shared.Vectors(t, "checks.tsv", 3) {
		path, post, want := cols[0], cols[1], cols[2]
		var a arena
		a.reset(256)
		got := strings.Join(urlChecks(nil, &a, path, post), "\x1f")
		if got != want {
			t.Errorf("urlChecks(%q, %q):\ngot  %q\nwant %q", path, post, got, want)
		}
		rows++
	}
	if rows < 10 {
		t.Fatalf("got %d vectors, want at least 10", rows)
	}
}

func TestStripParamValues(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/a.php?id=1&x=2", "/a.php?id=&x="},
		{"/a.php?id==1", "/a.php?id==1"},
		{"/a.php?=1", "/a.php?=1"},
		{"/p?q=a/b/c&r=", "/p?q=&r="},
		{"/ünï?ä=1", "/ünï?ä="},
	}
	for _, tt := range tests {
		var a arena
		a.reset(64)
		if got := stripParamValues(&a, tt.in); got != tt.want {
			t.Errorf("stripParamValues(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReverseAddr(t *testing.T) {
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"4.3.2.1.in-addr.arpa", "1.2.3.4", true},
		{"3.2.1.in-addr.arpa", "", false},
		{"256.3.2.1.in-addr.arpa", "", false},
		{"b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa", "4321:0:1:2:3:4:567:89ab", true},
		{"x.ip6.arpa", "", false},
		{"example.com", "", false},
	}
	for _, tt := range tests {
		a, ok := reverseAddr(tt.name)
		if ok != tt.ok || (ok && a.String() != tt.want) {
			t.Errorf("reverseAddr(%q): got %v %v, want %q %v", tt.name, a, ok, tt.want, tt.ok)
		}
	}
}
