package trails

import (
	"net/netip"
	"strings"
	"testing"
)

// lookupSet is the Maltrail fixture trails.csv plus CIDR trails.
func lookupSet(t testing.TB) *Set {
	t.Helper()
	s, err := Load(fixturePath(t), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var extra strings.Builder
	if err := s.WriteCSV(&extra); err != nil {
		t.Fatal(err)
	}
	extra.WriteString("10.0.0.0/8,wide (test),(static)\n10.1.0.0/16,narrow (test),(static)\n" +
		"2001:db8::/32,v6 net (test),(static)\n66.66.66.0/24,net of an ip (test),(static)\n" +
		"::ffff:7.7.0.0/112,mapped net (test),(static)\n")
	s, err = LoadCSV(strings.NewReader(extra.String()), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eachLookupSet runs fn on lookupSet as loaded from CSV and as loaded back from its
// compiled file, which must answer every lookup alike.
func eachLookupSet(t *testing.T, fn func(t *testing.T, s *Set)) {
	s := lookupSet(t)
	t.Run("csv", func(t *testing.T) { fn(t, s) })
	t.Run("compiled", func(t *testing.T) { fn(t, compiledCopy(t, s, LoadOptions{})) })
}

func TestLookup(t *testing.T) {
	eachLookupSet(t, func(t *testing.T, s *Set) {
		tests := []struct {
			key, info string // info "" = miss
		}{
			{"evil-test-domain.com", "malware (test)"},
			{"sub.evil-parent.com", "malware (test)"},
			{"other.evil-parent.com", ""}, // exact only: parents are the caller's walk
			{"EVIL-TEST-DOMAIN.COM", ""},  // keys are lowercase; callers lowercase
			{"evilname", "malware (test)"},
			{"/malicious-login.php", "malware (test)"},
			{"evil-url.example/bad/path", "malware (test)"},
			{"66.66.66.66", "malware (test)"},
			{"6.6.6.6:8443", "malware (test)"},
			{"6.6.6.6:8444", ""},
			{"dead::beef", "malware (test)"},
			{"dead:0::BEEF", "malware (test)"}, // any textual form of an address
			{"[dead::beef]:443", "malware (test)"},
			{"[dead:0:0::beef]:443", "malware (test)"},
			{"10.1.0.0/16", "narrow (test)"},
			{"10.1.2.3", ""}, // a CIDR range answers LookupIP, not exact lookups
			{`dga[0-9]+\.wildcard-test\.com`, "malware (test)"},
			{"", ""},
			{"nothing.example", ""},
			{"1.2.3.4.5", ""},
		}
		for _, tt := range tests {
			t.Run(tt.key, func(t *testing.T) {
				e, ok := s.Lookup(tt.key)
				if ok != (tt.info != "") || e.Info != tt.info {
					t.Errorf("Lookup(%q) = %+v, %v; want info %q", tt.key, e, ok, tt.info)
				}
				if ok && e.Reference != "(static)" {
					t.Errorf("Lookup(%q) reference = %q, want (static)", tt.key, e.Reference)
				}
			})
		}
	})
}

func TestLookupIP(t *testing.T) {
	eachLookupSet(t, func(t *testing.T, s *Set) {
		tests := []struct {
			addr, info string
		}{
			{"66.66.66.66", "malware (test)"},     // exact beats the /24
			{"66.66.66.1", "net of an ip (test)"}, // CIDR
			{"10.1.2.3", "narrow (test)"},         // most specific
			{"10.2.0.1", "wide (test)"},
			{"11.0.0.1", ""},
			{"7.7.7.7", "phishing (test)"},
			{"::ffff:7.7.7.7", "phishing (test)"}, // IPv4-mapped looks up IPv4
			{"7.7.1.1", "mapped net (test)"},      // an IPv4-mapped network is an IPv4 network
			{"dead::beef", "malware (test)"},
			{"fe80::1%eth0", ""},
			{"2001:db8:ffff::1", "v6 net (test)"},
			{"2001:db9::1", ""},
		}
		for _, tt := range tests {
			t.Run(tt.addr, func(t *testing.T) {
				e, ok := s.LookupIP(netip.MustParseAddr(tt.addr))
				if ok != (tt.info != "") || e.Info != tt.info {
					t.Errorf("LookupIP(%s) = %+v, %v; want info %q", tt.addr, e, ok, tt.info)
				}
			})
		}
		if _, ok := s.LookupIP(netip.Addr{}); ok {
			t.Errorf("LookupIP(zero Addr) = hit, want miss")
		}
	})
}

func TestLookupIPPort(t *testing.T) {
	eachLookupSet(t, func(t *testing.T, s *Set) {
		tests := []struct {
			addr string
			port uint16
			want bool
		}{
			{"6.6.6.6", 8443, true},
			{"6.6.6.6", 443, false},
			{"::ffff:6.6.6.6", 8443, true},
			{"dead::beef", 443, true},
			{"dead::beef", 80, false},
			{"66.66.66.66", 80, false}, // an IP trail is not an IP:port trail
		}
		for _, tt := range tests {
			if _, ok := s.LookupIPPort(netip.MustParseAddr(tt.addr), tt.port); ok != tt.want {
				t.Errorf("LookupIPPort(%s, %d) = %v, want %v", tt.addr, tt.port, ok, tt.want)
			}
		}
	})
}

func TestFixtureWildcard(t *testing.T) {
	eachLookupSet(t, func(t *testing.T, s *Set) {
		trail, e, ok := s.MatchWildcard("dga1234.wildcard-test.com")
		if !ok || trail != "dga1234.wildcard-test.com" || e != (Entry{"malware (test)", "(static)"}) {
			t.Errorf("MatchWildcard = %q, %+v, %v; want dga1234.wildcard-test.com, malware (test), (static)", trail, e, ok)
		}
	})
}

func TestLookupAllocs(t *testing.T) {
	eachLookupSet(t, func(t *testing.T, s *Set) {
		v4, v6 := netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("2001:db8::1")
		cases := map[string]func(){
			"Lookup hit":          func() { s.Lookup("evil-test-domain.com") },
			"Lookup miss":         func() { s.Lookup("clean.example.org") },
			"Lookup address text": func() { s.Lookup("[dead:0::beef]:443") },
			"Lookup bad address":  func() { s.Lookup("1.2.3.4.5:x") },
			"LookupIP v4 range":   func() { s.LookupIP(v4) },
			"LookupIP v6 range":   func() { s.LookupIP(v6) },
			"LookupIPPort":        func() { s.LookupIPPort(v6, 443) },
			"MatchWildcard miss":  func() { s.MatchWildcard("clean.example.org") },
		}
		for name, fn := range cases {
			if n := testing.AllocsPerRun(200, fn); n != 0 {
				t.Errorf("%s: %v allocations per call, want 0", name, n)
			}
		}
	})
}

func TestConcurrentLookups(t *testing.T) {
	eachLookupSet(t, func(t *testing.T, s *Set) {
		done := make(chan bool)
		for range 4 {
			go func() {
				ok := true
				for range 1000 {
					_, a := s.Lookup("evil-test-domain.com")
					_, b := s.LookupIP(netip.MustParseAddr("10.1.2.3"))
					_, _, c := s.MatchWildcard("dga1.wildcard-test.com")
					ok = ok && a && b && c
				}
				done <- ok
			}()
		}
		for range 4 {
			if !<-done {
				t.Errorf("a concurrent lookup missed")
			}
		}
	})
}
