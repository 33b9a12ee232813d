package trafficgen

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/netip"
	"strings"

	"github.com/spoorsec/spoor/trails"
)

// host is an internal machine of the simulated network.
type host struct {
	v4, v6   endpoint // v6.addr is invalid for IPv4-only hosts
	resolver endpoint // its DNS resolver (same address family as v4)
	ttl      uint8
	ua       string // the browser it runs
}

// network is the simulated site: internal hosts behind one gateway, the
// resolvers, and the benign outside services they use.
type network struct {
	hosts      []host
	gateway    [6]byte
	resolver6  endpoint
	webServer  endpoint // an internal server that outsiders probe
	sites      []site
	ntp        []netip.Addr
	scanSource []netip.Addr // outside scanners when the trail set has no attackers
}

// site is a benign outside service: a name and its addresses.
type site struct {
	name string
	v4   netip.Addr
	v6   netip.Addr
}

// Benign names the hosts visit; none is expected in a trail set, and any
// that is (or has a listed parent) is left out.
var benignNames = []string{
	"www.wikipedia.org", "en.wikipedia.org", "www.debian.org", "deb.debian.org", "security.debian.org",
	"www.kernel.org", "go.dev", "pkg.go.dev", "proxy.golang.org", "www.python.org", "pypi.org",
	"files.pythonhosted.org", "www.rust-lang.org", "crates.io", "registry.npmjs.org", "www.mozilla.org",
	"addons.mozilla.org", "support.mozilla.org", "www.apache.org", "www.gnu.org", "www.postgresql.org",
	"www.openssl.org", "letsencrypt.org", "www.iana.org", "www.ietf.org", "datatracker.ietf.org",
	"www.w3.org", "developer.mozilla.org", "www.bbc.co.uk", "www.theguardian.com", "www.reuters.com",
	"www.nytimes.com", "www.lemonde.fr", "www.spiegel.de", "www.nasa.gov", "www.weather.gov",
	"www.openstreetmap.org", "tile.openstreetmap.org", "www.gutenberg.org", "archive.org",
	"www.arxiv.org", "www.nature.com", "www.sciencedirect.com", "www.stackoverflow.com",
	"stackoverflow.com", "www.ubuntu.com", "archive.ubuntu.com", "www.fedoraproject.org",
	"mirrors.fedoraproject.org", "www.libreoffice.org", "www.videolan.org", "www.gimp.org",
	"www.blender.org", "www.inkscape.org", "www.eff.org", "www.torproject.org", "www.fsf.org",
	"www.mit.edu", "www.stanford.edu", "www.ox.ac.uk", "www.cam.ac.uk", "www.europa.eu",
}

// Address blocks benign sites are given addresses in (large provider and
// hosting ranges), so the dashboard shows plausible destinations.
var benignPrefixes = []netip.Prefix{
	netip.MustParsePrefix("151.101.0.0/16"), netip.MustParsePrefix("104.16.0.0/13"),
	netip.MustParsePrefix("185.199.108.0/22"), netip.MustParsePrefix("199.232.0.0/16"),
	netip.MustParsePrefix("146.75.0.0/16"), netip.MustParsePrefix("208.80.152.0/22"),
	netip.MustParsePrefix("130.89.148.0/24"), netip.MustParsePrefix("91.189.88.0/21"),
}

// Browser User-Agents of the internal hosts.
var browserAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
}

// newNetwork lays out n internal hosts, half in 10.20.0.0/24 and half in
// 192.168.50.0/24, every third with an IPv6 address, and the benign sites
// with addresses that are not trails of set (nil: any).
func newNetwork(rng *rand.Rand, n int, set *trails.Set) (*network, error) {
	if n < 2 || n > 200 {
		return nil, fmt.Errorf("trafficgen: %d hosts, want 2-200", n)
	}
	nw := &network{gateway: [6]byte{0x02, 0x5e, 0x00, 0x00, 0x00, 0x01}}
	res4a := endpoint{mac: nw.gateway, addr: netip.MustParseAddr("10.20.0.53"), port: 53}
	res4b := endpoint{mac: nw.gateway, addr: netip.MustParseAddr("192.168.50.1"), port: 53}
	nw.resolver6 = endpoint{mac: nw.gateway, addr: netip.MustParseAddr("fd5e:c0de:20::53"), port: 53}
	for i := range n {
		h := host{ttl: 64, ua: browserAgents[rng.IntN(len(browserAgents))]}
		h.v4.mac = [6]byte{0x02, 0x5e, 0x10, 0x00, byte(i >> 8), byte(i)}
		if i%2 == 0 {
			h.v4.addr = netip.AddrFrom4([4]byte{10, 20, 0, byte(10 + i/2)})
			h.resolver = res4a
		} else {
			h.v4.addr = netip.AddrFrom4([4]byte{192, 168, 50, byte(10 + i/2)})
			h.resolver = res4b
		}
		if rng.IntN(3) == 0 {
			h.ttl = 128 // Windows
		}
		if i%3 == 0 {
			h.v6 = endpoint{mac: h.v4.mac, addr: netip.AddrFrom16([16]byte{0xfd, 0x5e, 0xc0, 0xde, 0, 0x20, 14: byte(i >> 8), 15: byte(10 + i)})}
		}
		nw.hosts = append(nw.hosts, h)
	}
	nw.webServer = endpoint{mac: [6]byte{0x02, 0x5e, 0x10, 0xff, 0, 80}, addr: netip.MustParseAddr("10.20.0.80"), port: 80}
	for _, name := range benignNames {
		if set != nil && listed(set, name) {
			continue
		}
		nw.sites = append(nw.sites, site{name: name, v4: benignAddr(set, name, false), v6: benignAddr(set, name, true)})
	}
	if len(nw.sites) == 0 {
		return nil, fmt.Errorf("trafficgen: every benign name is a trail")
	}
	for i := range 4 {
		nw.ntp = append(nw.ntp, benignAddr(set, fmt.Sprintf("%d.pool.ntp.org", i), false))
	}
	for i := range 8 {
		nw.scanSource = append(nw.scanSource, benignAddr(set, fmt.Sprintf("scanner%d", i), false))
	}
	return nw, nil
}

// listed reports whether name or one of its parents is a domain trail.
func listed(set *trails.Set, name string) bool {
	for d := name; ; {
		if _, ok := set.Lookup(d); ok {
			return true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return false
		}
		d = d[i+1:]
	}
}

// benignAddr derives a stable address for name inside benignPrefixes (IPv4)
// or 2a00:1450::/32-like space (IPv6), skipping addresses that are trails.
func benignAddr(set *trails.Set, name string, v6 bool) netip.Addr {
	h := fnv.New64a()
	h.Write([]byte(name))
	x := h.Sum64()
	for try := uint64(0); ; try++ {
		y := x + try*0x9e3779b97f4a7c15
		var a netip.Addr
		if v6 {
			a = netip.AddrFrom16([16]byte{0x2a, 0x00, 0x14, 0x50, 0x40, 0x01, 0x08, byte(y >> 56), 12: byte(y >> 24), 13: byte(y >> 16), 14: byte(y >> 8), 15: byte(y)})
		} else {
			p := benignPrefixes[y%uint64(len(benignPrefixes))]
			base := p.Addr().As4()
			host := uint32(y>>8) & (1<<(32-p.Bits()) - 1)
			v := (uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])) + host
			if v&0xff == 0 || v&0xff == 255 {
				continue
			}
			a = netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		}
		if set == nil {
			return a
		}
		if _, ok := set.LookupIP(a); !ok {
			return a
		}
	}
}
