package trails

import (
	"net/netip"
	"strings"
	"testing"
)

func loadMaltrailWhitelist(t testing.TB) *Whitelist {
	t.Helper()
	w, err := LoadWhitelist(maltrailData(t, "data", "whitelist.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if w.Len() < 3000 {
		t.Fatalf("whitelist.txt has %d entries, want over 3000", w.Len())
	}
	return w
}

func TestWhitelistDomain(t *testing.T) {
	w := loadMaltrailWhitelist(t)
	tests := []struct {
		name string
		want bool
	}{
		{"1e100.net", true},
		{"a.b.1e100.net", true},
		{"A.B.1E100.NET", true},  // the query is lowercased
		{"amazon.com:443", true}, // cut at the first character outside [A-Za-z0-9._-]
		{"amazon.com/x", true},
		{"not1e100.net", false},
		{"1e100.net.evil.com", false},
		{"e-x.not.fyi", false}, // the entry is "E-X.not.fyi": entries are compared as written
		{"localhost", true},
		{"net", false},
		{"", false},
		{strings.Repeat("a.", 200) + "1e100.net", true}, // longer than the lowercase buffer
		{strings.Repeat("A.", 200) + "1E100.NET", true},
	}
	for _, tt := range tests {
		t.Run(tt.name[:min(len(tt.name), 40)], func(t *testing.T) {
			if got := w.Domain(tt.name); got != tt.want {
				t.Errorf("Domain(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestWhitelistIP(t *testing.T) {
	w := loadMaltrailWhitelist(t)
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true},
		{"35.184.0.0", true}, // 35.184.0.0/13
		{"35.191.255.255", true},
		{"35.192.0.0", false},
		{"8.8.8.8", true},
		{"::1", true},
		{"2606:4700:4700:0:0:0:0:1111", true}, // "2606:4700:4700::1111", any form
		{"::ffff:127.0.0.1", true},
		{"1.2.3.4", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := w.IP(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("IP(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
}

func TestWhitelistContains(t *testing.T) {
	w := loadMaltrailWhitelist(t)
	tests := []struct {
		key  string
		want bool
	}{
		{"185.125.188.59:443", true},
		{"www.nirsoft.net/utils", true},
		{"1e100.net", true},
		{"sub.1e100.net", false},
		{"35.184.0.0/13", false}, // an IPv4 network is a range, not text, as in Maltrail
		{"E-X.not.fyi", true},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := w.Contains(tt.key); got != tt.want {
				t.Errorf("Contains(%q) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
}

func TestWhitelistEntries(t *testing.T) {
	w := NewWhitelist("# comment", "10.0.5.0/16", "10.9.0.0/33", "2001:db8::/32", " spaced.com ", "")
	checks := []struct {
		name string
		got  bool
		want bool
	}{
		{"unaligned network is masked", w.IP(netip.MustParseAddr("10.0.200.1")), true},
		{"bad mask is text", w.Contains("10.9.0.0/33"), true},
		{"bad mask is not a range", w.IP(netip.MustParseAddr("10.9.0.1")), false},
		{"IPv6 network is a range", w.IP(netip.MustParseAddr("2001:db8:1::5")), true},
		{"IPv6 network is also text", w.Contains("2001:db8::/32"), true},
		{"lines are stripped", w.Contains("spaced.com"), true},
		{"comments are skipped", w.Contains("# comment"), false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestWhitelistNil(t *testing.T) {
	var w *Whitelist
	if w.Domain("a.com") || w.IP(netip.MustParseAddr("1.2.3.4")) || w.Contains("a.com") || w.Len() != 0 {
		t.Errorf("nil whitelist: got a match, want none")
	}
}

func TestLoadWhitelistMissingFile(t *testing.T) {
	if _, err := LoadWhitelist(t.TempDir() + "/missing.txt"); err == nil {
		t.Errorf("LoadWhitelist of a missing file: got no error, want one")
	}
}

func TestWhitelistAllocs(t *testing.T) {
	w := loadMaltrailWhitelist(t)
	addr := netip.MustParseAddr("35.190.1.1")
	for name, fn := range map[string]func(){
		"Domain":      func() { w.Domain("a.b.c.example-domain.com") },
		"DomainUpper": func() { w.Domain("WWW.Amazon.COM") },
		"DomainCut":   func() { w.Domain("amazon.com:443") },
		"IP":          func() { w.IP(addr) },
		"Contains":    func() { w.Contains("185.125.188.59:443") },
	} {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocations per call, want 0", name, n)
		}
	}
}
