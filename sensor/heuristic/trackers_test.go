package heuristic

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// mapWhitelist is a Whitelist over fixed sets; Domain matches parents too.
type mapWhitelist struct {
	domains map[string]bool
	ips     map[netip.Addr]bool
}

func (w mapWhitelist) Domain(name string) bool {
	return anyParent(name, func(s string) bool { return w.domains[s] })
}
func (w mapWhitelist) IP(a netip.Addr) bool { return w.ips[a] }

var (
	scanner = netip.MustParseAddr("203.0.113.7")
	victim  = netip.MustParseAddr("198.51.100.20")
	client  = netip.MustParseAddr("192.168.1.10")
	server  = netip.MustParseAddr("10.0.0.1")
)

// t0 is the start of a 30 s window (1_700_000_010 is divisible by 30).
const t0 = 1_700_000_010.0

func TestPortScan(t *testing.T) {
	tests := []struct {
		name  string
		ports int
		step  float64 // seconds between probes
		flags uint8
		fires bool
	}{
		{"20 ports over 20 s", 20, 1, flagsSYN, true},
		{"11 ports", 11, 1, flagsSYN, true},
		{"10 ports", 10, 1, flagsSYN, false},
		{"11 ports over 40 s", 11, 4, flagsSYN, false},
		{"NULL scan", 15, 0.1, flagsNULL, true},
		{"FIN scan", 15, 0.1, flagsFIN, true},
		{"XMAS scan", 15, 0.1, flagsXMAS, true},
		{"ACK sweep", 15, 0.1, 0x10, false},
		{"SYN-ACK", 15, 0.1, 0x12, false},
		{"1000 ports in 10 s", 1000, 0.01, flagsSYN, true},
	}
	for _, tt := range tests {
		// Start at several seconds of a window: a scan must not escape by
		// straddling a window boundary. It is reported once per window it
		// is seen in: once if it fits in one, at most twice otherwise.
		for shift := 0.0; shift < 30; shift += 7 {
			t.Run(fmt.Sprintf("%s/start+%v", tt.name, shift), func(t *testing.T) {
				tr := NewTrackers(DefaultConfig(), nil)
				var got []Alert
				for i := 0; i < tt.ports; i++ {
					got = append(got, tr.TCPProbe(t0+shift+float64(i)*tt.step, scanner, victim, 40000+uint16(i), 1000+uint16(i), tt.flags)...)
				}
				inOneWindow := shift+float64(tt.ports-1)*tt.step < 30
				switch n := len(got); {
				case !tt.fires && n != 0:
					t.Fatalf("got %d alerts %v, want none", n, got)
				case tt.fires && inOneWindow && n != 1:
					t.Fatalf("got %d alerts %v, want 1", n, got)
				case tt.fires && (n < 1 || n > 2):
					t.Fatalf("got %d alerts %v, want 1 or 2", n, got)
				case n == 0:
					return
				}
				want := Alert{Src: scanner, Dst: victim, SrcPort: 40000, DstPort: 1000, Proto: "TCP", Type: "IP", Trail: "203.0.113.7", Info: "potential port scanning"}
				if got[0] != want {
					t.Errorf("got %+v, want %+v", got[0], want)
				}
			})
		}
	}
}

func TestPortScanOncePerWindow(t *testing.T) {
	tr := NewTrackers(DefaultConfig(), nil)
	n := 0
	// A scan running for 100 s: one alert per 30 s epoch it is seen in.
	for i := 0; i < 1000; i++ {
		n += len(tr.TCPProbe(t0+float64(i)*0.1, scanner, victim, 40000, uint16(i), flagsSYN))
	}
	if n != 4 {
		t.Errorf("got %d alerts over a 100 s scan, want 4 (one per window)", n)
	}
}

func TestPortScanSuppressed(t *testing.T) {
	wl := mapWhitelist{ips: map[netip.Addr]bool{scanner: true}}
	tests := []struct {
		name string
		cfg  func(*Config)
		wl   Whitelist
		dst  netip.Addr
	}{
		{"whitelisted source", nil, wl, victim},
		{"localhost", nil, nil, netip.MustParseAddr("127.0.0.1")},
		{"ipv6 localhost", nil, nil, netip.IPv6Loopback()},
		{"disabled", func(c *Config) { c.Disabled = map[string]bool{PortScanning: true} }, nil, victim},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			tr := NewTrackers(cfg, tt.wl)
			for i := 0; i < 50; i++ {
				if a := tr.TCPProbe(t0+float64(i)*0.1, scanner, tt.dst, 40000, uint16(i), flagsSYN); a != nil {
					t.Fatalf("got %v, want no alert", a)
				}
			}
		})
	}
}

func TestUDPScan(t *testing.T) {
	tr := NewTrackers(DefaultConfig(), nil)
	var got []Alert
	for i := 0; i < 20; i++ {
		got = append(got, tr.UDPProbe(t0+float64(i), scanner, victim, 50000, 100+uint16(i))...)
	}
	want := []Alert{{Src: scanner, Dst: victim, SrcPort: 50000, DstPort: 100, Proto: "UDP", Type: "IP", Trail: "203.0.113.7", Info: "potential udp scanning"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}

	tr = NewTrackers(DefaultConfig(), nil)
	for i := 0; i < 20; i++ {
		if a := tr.UDPProbe(t0+float64(i), scanner, victim, 53, 100+uint16(i)); a != nil {
			t.Fatalf("DNS datagram raised %v", a)
		}
	}
	for i := 0; i < 10; i++ {
		if a := tr.UDPProbe(t0+float64(i), scanner, victim, 50000, 100+uint16(i)); a != nil {
			t.Fatalf("10 ports raised %v", a)
		}
	}
}

// localNet seeds the local-prefix registry with n SYN sources in
// 192.168.0.0/16.
func localNet(tr *Trackers, at float64, n int) {
	for i := 0; i < n; i++ {
		tr.TCPProbe(at, netip.AddrFrom4([4]byte{192, 168, 2, byte(i + 1)}), server, 50000, 443, flagsSYN)
	}
}

func TestInfection(t *testing.T) {
	worm := netip.MustParseAddr("192.168.1.66")
	target := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{172, 20, byte(i / 200), byte(i%200 + 1)}) }
	run := func(tr *Trackers, src netip.Addr, hosts int, port uint16) []Alert {
		var got []Alert
		for i := 0; i < hosts; i++ {
			got = append(got, tr.TCPProbe(t0+1+float64(i)*0.1, src, target(i), 40000+uint16(i), port, flagsSYN)...)
		}
		return got
	}
	t.Run("40 hosts on 445", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		localNet(tr, t0, 5)
		got := run(tr, worm, 40, 445)
		want := []Alert{{Src: worm, Dst: target(0), SrcPort: 40000, DstPort: 445, Proto: "TCP", Type: "PORT", Trail: "445", Info: "potential infection"}}
		if !slices.Equal(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("32 hosts", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		localNet(tr, t0, 5)
		if got := run(tr, worm, 32, 445); len(got) != 0 {
			t.Errorf("got %v, want no alert", got)
		}
	})
	t.Run("not an infection port", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		localNet(tr, t0, 5)
		if got := run(tr, worm, 40, 8080); len(got) != 0 {
			t.Errorf("got %v, want no alert", got)
		}
	})
	t.Run("source outside the local prefix", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		localNet(tr, t0, 5)
		if got := run(tr, scanner, 40, 445); len(got) != 0 {
			t.Errorf("got %v, want no alert", got)
		}
	})
	t.Run("prefix becomes local later", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		localNet(tr, t0, 5) // 192.168/16 dominates, the worm is elsewhere
		other := netip.MustParseAddr("10.9.0.1")
		if got := run(tr, other, 40, 445); len(got) != 0 {
			t.Fatalf("got %v before its prefix dominates, want none", got)
		}
		for i := 0; i < 10; i++ {
			tr.TCPProbe(t0+5, netip.AddrFrom4([4]byte{10, 9, 1, byte(i + 1)}), server, 50000, 443, flagsSYN)
		}
		got := tr.TCPProbe(t0+6, other, target(0), 41000, 445, flagsSYN)
		if len(got) != 1 || got[0].Info != "potential infection" {
			t.Errorf("got %v, want the pending infection alert", got)
		}
	})
	t.Run("stealth probes do not count", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		localNet(tr, t0, 5)
		for i := 0; i < 40; i++ {
			for _, a := range tr.TCPProbe(t0+1, worm, target(i), 40000, 445, flagsFIN) {
				if a.Type == "PORT" {
					t.Fatalf("got %v from FIN probes", a)
				}
			}
		}
	})
}

func TestWebScan(t *testing.T) {
	run := func(tr *Trackers, src, dst netip.Addr, paths []string) []Alert {
		var got []Alert
		for i, p := range paths {
			got = append(got, tr.WebRequest(t0+float64(i), src, dst, 40000+uint16(i), 80, p)...)
		}
		return got
	}
	segments := func(n int) []string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, fmt.Sprintf("/dir%d/index.php", i))
		}
		return out
	}
	t.Run("11 first segments", func(t *testing.T) {
		got := run(NewTrackers(DefaultConfig(), nil), scanner, victim, segments(11))
		want := []Alert{{Src: scanner, Dst: victim, SrcPort: 40000, DstPort: 80, Proto: "TCP", Type: "PATH", Trail: "*", Info: "potential web scanning"}}
		if !slices.Equal(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("10 first segments", func(t *testing.T) {
		if got := run(NewTrackers(DefaultConfig(), nil), scanner, victim, segments(10)); len(got) != 0 {
			t.Errorf("got %v, want none", got)
		}
	})
	t.Run("one segment, many files", func(t *testing.T) {
		var paths []string
		for i := 0; i < 30; i++ {
			paths = append(paths, fmt.Sprintf("/static/f%d.js", i))
		}
		if got := run(NewTrackers(DefaultConfig(), nil), scanner, victim, paths); len(got) != 0 {
			t.Errorf("got %v, want none", got)
		}
	})
	t.Run("query strings count as segments", func(t *testing.T) {
		var paths []string
		for i := 0; i < 11; i++ {
			paths = append(paths, fmt.Sprintf("/index.php?id=%d", i))
		}
		if got := run(NewTrackers(DefaultConfig(), nil), scanner, victim, paths); len(got) != 1 {
			t.Errorf("got %v, want one alert", got)
		}
	})
	t.Run("case folded", func(t *testing.T) {
		paths := []string{"/Admin", "/ADMIN", "/admin"}
		paths = append(paths, segments(9)...)
		if got := run(NewTrackers(DefaultConfig(), nil), scanner, victim, paths); len(got) != 0 {
			t.Errorf("got %v, want none (10 distinct segments)", got)
		}
	})
	t.Run("both local", func(t *testing.T) {
		if got := run(NewTrackers(DefaultConfig(), nil), client, server, segments(30)); len(got) != 0 {
			t.Errorf("got %v, want none", got)
		}
	})
	t.Run("whitelisted source", func(t *testing.T) {
		wl := mapWhitelist{ips: map[netip.Addr]bool{scanner: true}}
		if got := run(NewTrackers(DefaultConfig(), wl), scanner, victim, segments(30)); len(got) != 0 {
			t.Errorf("got %v, want none", got)
		}
	})
	t.Run("absolute form ignored", func(t *testing.T) {
		var paths []string
		for i := 0; i < 30; i++ {
			paths = append(paths, fmt.Sprintf("http://h%d/x", i))
		}
		if got := run(NewTrackers(DefaultConfig(), nil), scanner, victim, paths); len(got) != 0 {
			t.Errorf("got %v, want none", got)
		}
	})
}

var (
	resolver = netip.MustParseAddr("8.8.8.8")
	remote   = netip.MustParseAddr("100.64.1.2") // not local in Maltrail's sense
)

func nx(tr *Trackers, at float64, name string) []Alert {
	return tr.NXDomain(at, resolver, remote, 53, 33333, name, nil)
}

func TestNXDomainFlood(t *testing.T) {
	t.Run("same name 21 times in an hour", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		var got []Alert
		for i := 0; i < 21; i++ {
			got = append(got, nx(tr, t0+float64(i), "missing.example.org")...)
		}
		want := []Alert{{Src: resolver, Dst: remote, SrcPort: 53, DstPort: 33333, Proto: "UDP", Type: "DNS", Trail: "missing.example.org", Info: "excessive no such domain (suspicious)"}}
		if !slices.Equal(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
		// As in Maltrail the exact counter's alert skips the base counter for
		// that answer only: the next answer takes the base past the
		// threshold too.
		got = nx(tr, t0+21, "missing.example.org")
		want[0].Trail = "(missing).example.org"
		if !slices.Equal(got, want) {
			t.Errorf("22nd answer: got %+v, want %+v", got, want)
		}
	})
	t.Run("20 times", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		for i := 0; i < 20; i++ {
			if got := nx(tr, t0+float64(i), "missing.example.org"); got != nil {
				t.Fatalf("answer %d raised %v", i+1, got)
			}
		}
	})
	t.Run("spread over two hours", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		base := 1_700_002_800.0 // an hour boundary
		for i := 0; i < 30; i++ {
			if got := nx(tr, base-15+float64(i), "missing.example.org"); got != nil {
				t.Fatalf("answer %d raised %v", i+1, got)
			}
		}
	})
	t.Run("distinct subdomains", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		var got []Alert
		for i := 0; i < 25; i++ {
			got = append(got, nx(tr, t0+float64(i), fmt.Sprintf("h%02d.evil.com", i))...)
		}
		var subs []string
		for i := 1; i <= 20; i++ { // the first answer only opens the counter
			subs = append(subs, fmt.Sprintf("h%02d", i))
		}
		want := []Alert{{Src: resolver, Dst: remote, SrcPort: 53, DstPort: 33333, Proto: "UDP", Type: "DNS", Trail: "(" + strings.Join(subs, ",") + ").evil.com", Info: "excessive no such domain (suspicious)"}}
		if !slices.Equal(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("local client", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		for i := 0; i < 30; i++ {
			if got := tr.NXDomain(t0, resolver, client, 53, 33333, "missing.example.org", nil); got != nil {
				t.Fatalf("got %v for a local client", got)
			}
		}
	})
	t.Run("local lookups", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		for i := 0; i < 30; i++ {
			if got := nx(tr, t0, fmt.Sprintf("wpad.h%d.corp.com", i)); got != nil {
				t.Fatalf("got %v for wpad lookups", got)
			}
		}
	})
	skips := []struct {
		name, query string
		wl          Whitelist
		trail       func(string) bool
	}{
		{"whitelisted", "x.good.com", mapWhitelist{domains: map[string]bool{"good.com": true}}, nil},
		{"trail parent", "x.bad.com", nil, func(s string) bool { return s == "bad.com" }},
		{"numeric tld", "a.b.123", nil, nil},
		{"dnsbl", "4.3.2.1.zen.example.net", nil, nil},
	}
	for _, tt := range skips {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTrackers(DefaultConfig(), tt.wl)
			for i := 0; i < 30; i++ {
				if got := tr.NXDomain(t0, resolver, remote, 53, 33333, tt.query, tt.trail); got != nil {
					t.Fatalf("got %v, want none", got)
				}
			}
		})
	}
}

func TestDGA(t *testing.T) {
	tests := []struct {
		name, info string
	}{
		{"xkqwzlvbnmfghjd.com", "entropy threshold no such domain (suspicious)"},
		{"bcbcbcbcbcbcbcbcbcbc.net", "consonant threshold no such domain (suspicious)"},
		{"google.com", ""},
		{"xkqwz-lvbnmfghjd.com", ""},
		{"a.xkqwzlvbnmfghjd.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tNX(tt.name)
			if tt.info == "" {
				if got != nil {
					t.Errorf("got %v, want none", got)
				}
				return
			}
			label, tld, _ := strings.Cut(tt.name, ".")
			want := []Alert{{Src: resolver, Dst: client, SrcPort: 53, DstPort: 33333, Proto: "UDP", Type: "DNS", Trail: "(" + label + ")." + tld, Info: tt.info}}
			if !slices.Equal(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

// tNX sends one NXDOMAIN to a local client: no counters, DGA only.
func tNX(name string) []Alert {
	return NewTrackers(DefaultConfig(), nil).NXDomain(t0, resolver, client, 53, 33333, name, nil)
}

func query(tr *Trackers, at float64, name string) ([]Alert, bool) {
	return tr.DNSQuery(at, client, resolver, 33333, 53, name)
}

func TestDNSExhaustion(t *testing.T) {
	t.Run("silent below 1000, fires at 1000", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		for i := 0; i < 1000; i++ {
			if a, s := query(tr, t0+float64(i)*0.05, fmt.Sprintf("r%d.victim.com", i)); a != nil || s {
				t.Fatalf("query %d: got %v, suppress %v; want nothing", i, a, s)
			}
		}
		// The set is full: the next query alerts and is suppressed.
		a, s := query(tr, t0+50, "again.victim.com")
		want := []Alert{{Src: client, Dst: resolver, SrcPort: 33333, DstPort: 53, Proto: "UDP", Type: "DNS", Trail: "(again).victim.com", Info: "potential dns exhaustion (suspicious)"}}
		if !slices.Equal(a, want) || !s {
			t.Fatalf("got %v, suppress %v; want %v, true", a, s, want)
		}
		if a, s := query(tr, t0+51, "more.victim.com"); a != nil || !s {
			t.Fatalf("after the alert: got %v, suppress %v; want nothing, suppressed", a, s)
		}
		// After the 60 s window the base restarts (the restarting query is dropped).
		if a, s := query(tr, t0+61, "new.victim.com"); a != nil || s {
			t.Fatalf("new window: got %v, suppress %v; want nothing", a, s)
		}
	})
	t.Run("repeated names", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		for i := 0; i < 5000; i++ {
			if a, s := query(tr, t0+float64(i)*0.01, fmt.Sprintf("r%d.victim.com", i%999)); a != nil || s {
				t.Fatalf("query %d: got %v, suppress %v", i, a, s)
			}
		}
	})
	skipped := []struct {
		name   string
		format string
		wl     Whitelist
	}{
		{"dnsbl", "%d.zen.dnsbl.org", nil},
		{"dashed address", "1-2-3-%d.isp.net", nil},
		{"whitelisted", "r%d.cdn.good.com", mapWhitelist{domains: map[string]bool{"good.com": true}}},
	}
	for _, tt := range skipped {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTrackers(DefaultConfig(), tt.wl)
			for i := 0; i < 1100; i++ {
				if a, _ := query(tr, t0+float64(i)*0.01, fmt.Sprintf(tt.format, i)); a != nil {
					t.Fatalf("query %d: got %v, want no alert", i, a)
				}
			}
		})
	}
	t.Run("local lookups in the set", func(t *testing.T) {
		tr := NewTrackers(DefaultConfig(), nil)
		query(tr, t0, "wpad.corp.com")
		for i := 0; i < 1100; i++ {
			if a, _ := query(tr, t0+float64(i)*0.01, fmt.Sprintf("r%d.corp.com", i)); a != nil {
				t.Fatalf("query %d: got %v, want no alert", i, a)
			}
		}
	})
	t.Run("three-label base", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.DNSExhaustionThreshold = 3
		tr := NewTrackers(cfg, nil)
		for _, n := range []string{"a.x.co.uk", "b.x.co.uk", "c.x.co.uk"} {
			query(tr, t0, n)
		}
		a, s := query(tr, t0, "d.x.co.uk")
		if len(a) != 1 || a[0].Trail != "(d.x).co.uk" || !s {
			t.Errorf("got %v, suppress %v; want trail (d.x).co.uk, suppressed", a, s)
		}
		// The base x.co.uk is exhausted, but NXDOMAIN looks up co.uk (as Maltrail).
		if !tr.dns.exhausted("x.co.uk") || tr.dns.exhausted("co.uk") {
			t.Error("got the wrong base marked exhausted")
		}
	})
	t.Run("disabled keeps suppression", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.DNSExhaustionThreshold = 3
		cfg.Disabled = map[string]bool{DNSExhaustion: true}
		tr := NewTrackers(cfg, nil)
		for _, n := range []string{"a.x.com", "b.x.com", "c.x.com"} {
			query(tr, t0, n)
		}
		if a, s := query(tr, t0, "d.x.com"); a != nil || !s {
			t.Errorf("got %v, suppress %v; want nothing, suppressed", a, s)
		}
	})
	t.Run("exhausted base skips nxdomain", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.DNSExhaustionThreshold = 3
		tr := NewTrackers(cfg, nil)
		for _, n := range []string{"a.x.com", "b.x.com", "c.x.com", "d.x.com"} {
			query(tr, t0, n)
		}
		for i := 0; i < 30; i++ {
			if got := nx(tr, t0, "gone.x.com"); got != nil {
				t.Fatalf("got %v for an exhausted base", got)
			}
		}
	})
	t.Run("two labels", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.DNSExhaustionThreshold = 1
		tr := NewTrackers(cfg, nil)
		for i := 0; i < 5; i++ {
			if a, s := query(tr, t0, "x.com"); a != nil || s {
				t.Fatalf("got %v, suppress %v for a two-label name", a, s)
			}
		}
	})
}

func TestLongDomain(t *testing.T) {
	tests := []struct {
		name, trail string
	}{
		{"abcdefghijklmnopqrstuvwxyz.evil.com", "(abcdefghijklmnopqrstuvwxyz).evil.com"},
		{"abcdefghijklmnopqrstuvwxyz.a.evil.com", "(abcdefghijklmnopqrstuvwxyz.a).evil.com"},
		{"abcdefghijklmnopqrstuvwxyz.com", "(abcdefghijklmnopqrstuvwxyz).com"},
		{"abcdefghijklmnopqrstuvwxy.com", "(abcdefghijklmnopqrstuvwxy).com"}, // 25 characters
		{"abcdefghijklmnopqrstuvwx.com", ""},                                 // 24
		{"abcdefghijkl-mnopqrstuvwxyz.com", ""},
		{"abcdefghijklmnopqrstuvwxyz.blogspot.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trail, ok := LongDomain(tt.name)
			if trail != tt.trail || ok != (tt.trail != "") {
				t.Errorf("LongDomain(%q) = %q, %v; want %q", tt.name, trail, ok, tt.trail)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
	bad := []func(*Config){
		func(c *Config) { c.Window = 0 },
		func(c *Config) { c.Window = 3601 },
		func(c *Config) { c.PortScanThreshold = 0 },
		func(c *Config) { c.InfectionThreshold = maxItemsPerKey },
		func(c *Config) { c.Disabled = map[string]bool{"port_scan": true} },
	}
	for i, f := range bad {
		c := DefaultConfig()
		f(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("case %d: got nil error for %+v", i, c)
		}
	}
	if got := normalize(Config{Window: 99999}); got.Window != maxWindow || got.PortScanThreshold != 10 || got.DNSExhaustionThreshold != 1000 {
		t.Errorf("normalize filled %+v", got)
	}
}
