package heuristic

import (
	"net/netip"
	"testing"
)

// TestHotPathsDoNotAllocate proves the per-packet paths allocate nothing
// in steady state (known keys, nothing firing).
func TestHotPathsDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	tr := NewTrackers(DefaultConfig(), mapWhitelist{})
	src, dst := netip.MustParseAddr("192.168.1.10"), netip.MustParseAddr("198.51.100.20")
	src6, dst6 := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	ua := loadTestUA(t)
	ua.Match("Mozilla/5.0 (X11; Linux x86_64)")
	head := []byte("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\n\r\n<html>hello</html>")
	now := t0
	// Warm every key up first.
	tr.TCPProbe(now, src, dst, 40000, 443, flagsSYN)
	tr.TCPProbe(now, src, dst, 40000, 445, flagsSYN)
	tr.TCPProbe(now, src6, dst6, 40000, 443, flagsSYN)
	tr.UDPProbe(now, src, dst, 40000, 123)
	tr.WebRequest(now, src, dst, 40000, 80, "/index.html")
	tr.DNSQuery(now, src, dst, 40000, 53, "www.example.com")
	tr.NXDomain(now, dst, src, 53, 40000, "missing.example.com", nil)

	tests := []struct {
		name string
		f    func()
	}{
		{"TCPProbe", func() { tr.TCPProbe(now, src, dst, 40000, 443, flagsSYN) }},
		{"TCPProbe infection port", func() { tr.TCPProbe(now, src, dst, 40000, 445, flagsSYN) }},
		{"TCPProbe IPv6", func() { tr.TCPProbe(now, src6, dst6, 40000, 443, flagsSYN) }},
		{"TCPProbe ignored flags", func() { tr.TCPProbe(now, src, dst, 40000, 443, 0x18) }},
		{"UDPProbe", func() { tr.UDPProbe(now, src, dst, 40000, 123) }},
		{"WebRequest", func() { tr.WebRequest(now, src, dst, 40000, 80, "/index.html") }},
		{"DNSQuery", func() { tr.DNSQuery(now, src, dst, 40000, 53, "www.example.com") }},
		{"NXDomain local client", func() { tr.NXDomain(now, dst, src, 53, 40000, "missing.example.com", nil) }},
		{"SuspiciousRequest miss", func() { SuspiciousRequest("/search?q=hello+world&page=2") }},
		{"SuspiciousRequestPrefilter", func() { SuspiciousRequestPrefilter("/search?q=hello+world&page=2") }},
		{"SinkholeResponse miss", func() { SinkholeResponse(head) }},
		{"SuspiciousContentType", func() { SuspiciousContentType([]byte(" text/html ")) }},
		{"DirectIPURL", func() { DirectIPURL("198.51.100.1/index.html") }},
		{"ValidDNSName", func() { ValidDNSName("www.example.com") }},
		{"IgnoredDNSName", func() { IgnoredDNSName("www.example.com") }},
		{"Unquote plain", func() { Unquote("/index.html?a=b") }},
		{"UAMatcher cached", func() { ua.Match("Mozilla/5.0 (X11; Linux x86_64)") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(200, tt.f); n != 0 {
				t.Errorf("got %v allocations per call, want 0", n)
			}
		})
	}
}
