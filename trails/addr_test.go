package trails

import (
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

func TestParseIP(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" = not an address
	}{
		{"1.2.3.4", "1.2.3.4"},
		{"0.0.0.0", "0.0.0.0"},
		{"255.255.255.255", "255.255.255.255"},
		{"256.1.1.1", ""},
		{"01.2.3.4", ""}, // leading zero: a different Maltrail key
		{"1.2.3", ""},
		{"1.2.3.4.", ""},
		{"1..2.3", ""},
		{"dead::beef", "dead::beef"},
		{"DEAD:0:0::BEEF", "dead::beef"},
		{"::", "::"},
		{"::1", "::1"},
		{"1::", "1::"},
		{"0:0:0:0:0:0:0:1", "::1"},
		{"::ffff:1.2.3.4", "1.2.3.4"}, // IPv4-mapped: the IPv4 address
		{"0:0:0:0:0:ffff:2d3e:c649", "45.62.198.73"},
		{"64:ff9b::1.2.3.4", "64:ff9b::102:304"},
		{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
		{"1:2:3:4:5:6:7:8:9", ""},
		{"1:2:3:4:5:6:7::8", ""}, // "::" standing for no group
		{"1::2::3", ""},
		{"12345::", ""},
		{"fe80::1%eth0", ""}, // zones are not trail syntax
		{":1", ""},
		{"1:", ""},
		{"evil.com", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, ok := parseIP(tt.in)
			got := ""
			if ok {
				got = a.String()
			}
			if got != tt.want {
				t.Errorf("parseIP(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseAddrPort(t *testing.T) {
	tests := []struct {
		in   string
		want string // netip.AddrPort text, "" = not address:port
	}{
		{"1.2.3.4:80", "1.2.3.4:80"},
		{"6.6.6.6:8443", "6.6.6.6:8443"},
		{"1.2.3.4:0", "1.2.3.4:0"},
		{"1.2.3.4:65535", "1.2.3.4:65535"},
		{"1.2.3.4:65536", ""},
		{"1.2.3.4:08443", ""}, // not how Maltrail renders a port: stays a string key
		{"1.2.3.4:", ""},
		{"1.2.3.4", ""},
		{"[dead::beef]:443", "[dead::beef]:443"},
		{"[DEAD:0::BEEF]:443", "[dead::beef]:443"},
		{"[0:0:0:0:0:ffff:2d3e:c649]:53", "45.62.198.73:53"},
		{"[1.2.3.4]:80", ""},
		{"dead::beef:443", ""},
		{"[dead::beef]443", ""},
		{"[dead::beef]", ""},
		{"evil.com:80", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, port, ok := parseAddrPort(tt.in)
			got := ""
			if ok {
				got = netip.AddrPortFrom(a, port).String()
			}
			if got != tt.want {
				t.Errorf("parseAddrPort(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParsePrefix(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.2.3.0/24", "1.2.3.0/24"},
		{"1.2.3.4/24", "1.2.3.4/24"}, // kept as written
		{"0.0.0.0/0", "0.0.0.0/0"},
		{"1.2.3.0/33", ""},
		{"1.2.3.0/024", ""},
		{"2001:db8::/32", "2001:db8::/32"},
		{"2001:db8::/129", ""},
		{"evil.com/24", ""},
		{"1.2.3.4/gate.php", ""},
		{"/24", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, ok := parsePrefix(tt.in)
			got := ""
			if ok {
				got = p.String()
			}
			if got != tt.want {
				t.Errorf("parsePrefix(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLeadingIPv4(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"1.2.3.4", "1.2.3.4"},
		{"1.2.3.4:8080", "1.2.3.4"},
		{"1.2.3.4/gate.php", "1.2.3.4"},
		{"1.2.3.4 (evil.com)", "1.2.3.4"},
		{"10.53.154.104.bc.googleusercontent.com", ""},
		{"010.1.1.1", "10.1.1.1"},
		{"1.2.3.4x", ""},
		{"1.2.3", ""},
		{"300.1.1.1", ""},
		{"evil.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, ok := leadingIPv4(tt.in)
			got := ""
			if ok {
				got = addrFrom4(v).String()
			}
			if got != tt.want {
				t.Errorf("leadingIPv4(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestCompressIPv6Vectors checks the rendering against core/addr.py:compress_ipv6 output.
func TestCompressIPv6Vectors(t *testing.T) {
	n := 0
	for _, row := range shared.Vectors(t, "compress_ipv6.tsv", 2) {
		in, want := row[0], row[1]
		hexText := in
		if expanded, ok := strings.CutPrefix(in, "expanded:"); ok {
			hexText = strings.ReplaceAll(expanded, ":", "")
		}
		raw, err := hex.DecodeString(hexText)
		if err != nil || len(raw) != 16 {
			t.Fatalf("bad vector %q", in)
		}
		if got := compressIPv6([16]byte(raw)); got != want {
			t.Errorf("compressIPv6(%s) = %q, want %q", in, got, want)
		}
		n++
	}
	if n < 10 {
		t.Fatalf("got %d vectors, want at least 10", n)
	}
}

// FuzzParseAddr holds the allocation-free parsers to netip's.
func FuzzParseAddr(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "01.2.3.4", "dead::beef", "::ffff:1.2.3.4", "1::2:3.4.5.6",
		"1:2:3:4:5:6:7:8", "::", "1.2.3.4:80", "[dead::beef]:443", "1.2.3.0/24", "2001:db8::/32"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := netip.ParseAddr(s)
		got, ok := parseIP(s)
		if err == nil && want.Zone() != "" {
			if ok {
				t.Fatalf("parseIP(%q) accepted a zone", s)
			}
			return
		}
		if ok != (err == nil) {
			t.Fatalf("parseIP(%q) ok = %v, netip error = %v", s, ok, err)
		}
		if ok && got != want.Unmap() {
			t.Fatalf("parseIP(%q) = %v, want %v", s, got, want.Unmap())
		}
		if a, port, ok := parseAddrPort(s); ok {
			if ap, err := netip.ParseAddrPort(s); err != nil || ap.Addr().Unmap() != a || ap.Port() != port {
				t.Fatalf("parseAddrPort(%q) = %v %d, netip = %v %v", s, a, port, ap, err)
			}
		}
		if p, ok := parsePrefix(s); ok {
			if np, err := netip.ParsePrefix(s); err != nil || np != p {
				t.Fatalf("parsePrefix(%q) = %v, netip = %v %v", s, p, np, err)
			}
		}
	})
}
