package heuristic

import (
	"hash/maphash"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
)

// DNS exhaustion (heuristic #4, random-subdomain DDoS): per base domain,
// the distinct subdomains queried in a 60-second window; when the set is
// full (the threshold, 1000) the next query raises one alert, and every
// query to the base is left unexamined until its window ends. Windows open
// at a base's first query and restart on the first query more than 60 s
// later (dropping that query, as Maltrail does). All state, including
// which bases already alerted, is dropped when more than an hour of packet
// time has passed since the last reset.

const (
	exhaustionWindow       = 60   // seconds
	hourSeconds            = 3600 // HOURLY_SECS
	maxExhaustionThreshold = 100000
)

// localSubdomains is LOCAL_SUBDOMAIN_LOOKUPS: names a local resolver
// commonly sees in bulk, which must not look like an attack.
var localSubdomains = [...]string{"wpad", "autodiscover", "_ldap._tcp"}

type exhaustionEntry struct {
	start     int64               // window start, packet second
	subs      map[uint64]struct{} // hashed subdomain parts of this window
	local     bool                // subs holds one of localSubdomains
	exhausted bool                // alerted (or would have) since the hourly reset
}

type exhaustionTracker struct {
	threshold int
	seed      maphash.Seed
	keys      atomic.Int64
	anchor    atomic.Int64 // second of the last hourly reset (_subdomains_sec)
	resetMu   sync.Mutex   // serialises hourly resets
	shards    [numShards]exhaustionShard
}

type exhaustionShard struct {
	mu      sync.Mutex
	entries map[string]*exhaustionEntry
	_       [48]byte
}

func newExhaustionTracker(threshold int, seed maphash.Seed) *exhaustionTracker {
	t := &exhaustionTracker{threshold: threshold, seed: seed}
	for i := range t.shards {
		t.shards[i].entries = make(map[string]*exhaustionEntry)
	}
	return t
}

func (t *exhaustionTracker) shard(base string) *exhaustionShard {
	return &t.shards[maphash.String(t.seed, base)%numShards]
}

// hourlyReset drops all state once more than an hour has passed since the
// last reset (the first query always resets, as Maltrail's marker starts
// at 0).
func (t *exhaustionTracker) hourlyReset(sec int64) {
	if sec-t.anchor.Load() <= hourSeconds {
		return
	}
	t.resetMu.Lock()
	defer t.resetMu.Unlock()
	if sec-t.anchor.Load() <= hourSeconds {
		return
	}
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		t.keys.Add(-int64(len(sh.entries)))
		clear(sh.entries)
		sh.mu.Unlock()
	}
	t.anchor.Store(sec)
}

// exhausted reports whether base alerted since the last hourly reset.
func (t *exhaustionTracker) exhausted(base string) bool {
	sh := t.shard(base)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.entries[base]
	return e != nil && e.exhausted
}

// DNSQuery feeds a standard DNS query for name (lower-cased and valid, see
// ValidDNSName and IgnoredDNSName) into the DNS exhaustion heuristic (#4).
// suppress reports that the base domain's subdomain set is full: Maltrail
// then examines the query no further (no trail lookups). The alert is a
// "DNS" event on UDP with trail "(<labels[:-2]>).<sld>.<tld>" from the
// query that found the set full. The heuristic stays silent for DNSBL-like
// trails (a label ending in "bl") and for bases whose set holds "wpad",
// "autodiscover" or "_ldap._tcp"; muting it (dns_exhaustion) keeps the
// suppression, as in Maltrail.
func (t *Trackers) DNSQuery(now float64, src, dst netip.Addr, sport, dport uint16, name string) (alerts []Alert, suppress bool) {
	d := t.dns
	cut2 := lastDots(name, 2) // start of ".<sld>.<tld>"
	if cut2 < 0 {
		return nil, false // two labels or fewer
	}
	base := name[cut2+1:]
	sldLen := strings.LastIndexByte(name, '.') - cut2 - 1
	if cut3 := lastDots(name, 3); cut3 >= 0 && sldLen <= 3 {
		base = name[cut3+1:] // e.g. example.co.uk
	}
	if t.wl.Domain(base) {
		return nil, false
	}
	sec := secondOf(now)
	d.hourlyReset(sec)

	sh := d.shard(base)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.entries[base]
	if e == nil {
		if d.keys.Add(1) > maxKeys {
			d.keys.Add(-1)
			return nil, false
		}
		e = &exhaustionEntry{start: sec, subs: make(map[uint64]struct{})}
		sh.entries[strings.Clone(base)] = e
	}
	first, _, _ := strings.Cut(name, ".")
	if isDashedQuad(first) {
		return nil, false
	}
	sub := name[:cut2]
	switch {
	case sec-e.start > exhaustionWindow:
		e.start = sec
		clear(e.subs)
		e.local = false
		return nil, false
	case len(e.subs) < d.threshold:
		e.subs[maphash.String(d.seed, sub)] = struct{}{}
		if isLocalSubdomain(sub) {
			e.local = true
		}
		return nil, false
	case e.exhausted:
		return nil, true
	}
	trail := "(" + sub + ")" + name[cut2:]
	if !dnsblTrail(trail) && !e.local && t.cfg.Enabled(DNSExhaustion) {
		e.exhausted = true
		alerts = []Alert{{
			Src: src, SrcPort: sport, Dst: dst, DstPort: dport,
			Proto: protoUDP, Type: typeDNS, Trail: trail, Info: infoDNSExhaustion,
		}}
	}
	return alerts, true
}

func isLocalSubdomain(sub string) bool {
	for _, l := range localSubdomains {
		if sub == l {
			return true
		}
	}
	return false
}

// isDashedQuad matches \A\d+-\d+-\d+-\d+\Z (a label spelling an address,
// e.g. reverse-DNS style host names).
func isDashedQuad(label string) bool {
	groups := 0
	for i := 0; i <= len(label); {
		j := i
		for j < len(label) && label[j] >= '0' && label[j] <= '9' {
			j++
		}
		if j == i {
			return false
		}
		groups++
		if j == len(label) {
			return groups == 4
		}
		if label[j] != '-' {
			return false
		}
		i = j + 1
	}
	return false
}

// dnsblTrail is re.search(r"bl\b", trail): "bl" not followed by a word
// character, Maltrail's generic check for DNS blocklist zones.
func dnsblTrail(trail string) bool {
	for i := 0; ; {
		j := strings.Index(trail[i:], "bl")
		if j < 0 {
			return false
		}
		end := i + j + 2
		if end == len(trail) || !isWordByte(trail[end]) {
			return true
		}
		i = i + j + 1
	}
}

func isWordByte(c byte) bool {
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
