package trails

import (
	"net/netip"
	"sync"
	"testing"
)

var static struct {
	once sync.Once
	set  *Set
	err  error
}

// staticSet loads Maltrail's static trails once per test binary, filtered as Maltrail's
// update filters them (whitelist, bogon and CDN ranges).
func staticSet(tb testing.TB) *Set {
	tb.Helper()
	opts := maltrailFilters(tb)
	static.once.Do(func() {
		static.set, static.err = Load(maltrailData(tb, "trails", "static"), opts)
	})
	if static.err != nil {
		tb.Fatal(static.err)
	}
	return static.set
}

func TestLoadStatic(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 1.8M trails")
	}
	s := staticSet(t)
	// Maltrail's update builds 1,630,833 trails from these files; two of them,
	// [0:0:0:0:0:ffff:2d3e:c649]:53 and [...c64a]:53, are IPv4-mapped spellings of IPv4
	// trails that are also listed, and coincide with them here.
	if got, want := s.Len(), 1_630_831; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	st := s.Stats()
	if st.Wildcards != 27 || st.CIDR < 1000 || st.IPv4Port < 250_000 || st.IPv6 < 1000 {
		t.Errorf("Stats() = %+v, want 27 wildcards, >1000 CIDR, >250k IPv4:port, >1000 IPv6", st)
	}

	lookups := []struct{ key, info string }{
		{"h5d5c57.com", "zeus (malware)"},
		{"mariorossi2013.homepc.it", "zeus (malware)"},
		{"/cxbk6k0w4cc", "404 tds (malicious)"},
		{"cc", "domain (suspicious)"}, // ".cc" in suspicious/domain.txt
		{"irc-files.org", "pua (suspicious)"},
		{"129.82.138.12", "mass scanner"},
		{"51.210.1.239:8443", "365stealer phishtool (malicious)"},
		{"[2a01:7e01::f03c:91ff:feac:f30f]:8080", "hak5cloud c2 (malicious)"},
		{"[2001:41d0:404:200::7f9]:443", "interactsh (malicious)"},
		{"5.63.151.0/24", "mass scanner cidr"},
		{"weebly.com", ""},                         // whitelisted
		{"fortiddns.com", ""},                      // whitelisted
		{"127.0.0.1while-bishop.gl.at.ply.gg", ""}, // BAD_TRAIL_PREFIXES
	}
	for _, l := range lookups {
		e, ok := s.Lookup(l.key)
		if ok != (l.info != "") || e.Info != l.info || (ok && e.Reference != "(static)") {
			t.Errorf("Lookup(%q) = %+v, %v; want info %q, reference (static)", l.key, e, ok, l.info)
		}
	}
	if e, ok := s.LookupIP(netip.MustParseAddr("5.63.151.77")); !ok || e.Info != "mass scanner cidr" {
		t.Errorf("LookupIP(5.63.151.77) = %+v, %v; want mass scanner cidr", e, ok)
	}
	if e, ok := s.LookupIPPort(netip.MustParseAddr("45.62.198.73"), 53); !ok || e.Info != "ghostdns (malware)" {
		t.Errorf("LookupIPPort(45.62.198.73, 53) = %+v, %v; want ghostdns (malware)", e, ok)
	}
	if trail, e, ok := s.MatchWildcard("xy-abc.club"); !ok || trail != "xy-abc.club" || e.Info != "android roamingmantis (malware)" {
		t.Errorf("MatchWildcard(xy-abc.club) = %q, %+v, %v; want xy-abc.club, android roamingmantis (malware)", trail, e, ok)
	}
}
