package heuristic

import (
	"hash/maphash"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Excessive NXDOMAIN (heuristic #2): hourly counters of NXDOMAIN answers
// per queried name and per "*.<sld>.<tld>"; a counter passing the
// threshold (20) raises one alert and is reset. Counters of past hours
// are dropped at each new hour.

const maxNXThreshold = 1 << 20

// nxKey is a counter: a full name, or (wildcard) the "<sld>.<tld>" of a
// name with more labels.
type nxKey struct {
	name     string
	wildcard bool
}

type nxEntry struct {
	hour  int64
	count int
	names []string // wildcard: the names counted after the first answer
}

type nxTracker struct {
	threshold int
	seed      maphash.Seed
	keys      atomic.Int64
	hour      atomic.Int64 // the hour counters were last pruned for
	pruneMu   sync.Mutex
	shards    [numShards]nxShard
}

type nxShard struct {
	mu      sync.Mutex
	entries map[nxKey]*nxEntry
	_       [48]byte
}

func newNXTracker(threshold int, seed maphash.Seed) *nxTracker {
	t := &nxTracker{threshold: threshold, seed: seed}
	t.hour.Store(-1)
	for i := range t.shards {
		t.shards[i].entries = make(map[nxKey]*nxEntry)
	}
	return t
}

func (t *nxTracker) shard(k nxKey) *nxShard {
	return &t.shards[maphash.String(t.seed, k.name)%numShards]
}

// prune drops the counters of other hours when the hour changes.
func (t *nxTracker) prune(hour int64) {
	if t.hour.Load() == hour {
		return
	}
	t.pruneMu.Lock()
	defer t.pruneMu.Unlock()
	if t.hour.Load() == hour {
		return
	}
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for k, e := range sh.entries {
			if e.hour != hour {
				delete(sh.entries, k)
				t.keys.Add(-1)
			}
		}
		sh.mu.Unlock()
	}
	t.hour.Store(hour)
}

// count records one NXDOMAIN for key. When the counter passes the
// threshold it is removed and its names (sorted) returned with ok.
func (t *nxTracker) count(k nxKey, name string, hour int64) (names []string, ok bool) {
	sh := t.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.entries[k]
	if e == nil || e.hour != hour {
		if e == nil {
			if t.keys.Add(1) > maxKeys {
				t.keys.Add(-1)
				return nil, false
			}
			k.name = strings.Clone(k.name)
			e = &nxEntry{}
			sh.entries[k] = e
		}
		// A fresh counter starts at one with no names, as in Maltrail.
		*e = nxEntry{hour: hour, count: 1, names: e.names[:0]}
		return nil, false
	}
	e.count++
	if k.wildcard && !slices.Contains(e.names, name) {
		e.names = append(e.names, strings.Clone(name))
	}
	if e.count <= t.threshold {
		return nil, false
	}
	names = e.names
	delete(sh.entries, k)
	t.keys.Add(-1)
	slices.Sort(names)
	return names, true
}

// drop removes the counter of a full name.
func (t *nxTracker) drop(name string) {
	k := nxKey{name: name}
	sh := t.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.entries[k]; ok {
		delete(sh.entries, k)
		t.keys.Add(-1)
	}
}

// NXDomain feeds an NXDOMAIN answer (from a recursive resolver, RA set)
// for name (lower-cased and valid) into the excessive-NXDOMAIN (#2) and
// DGA (#3) heuristics. Names are skipped when their base domain is
// DNS-exhausted, when the name or a parent is whitelisted or a trail
// (hasTrail, may be nil), when the last label is numeric, and for
// DNSBL-style names (more than four labels, the first four numbers below
// 256). The counters only run when dst (the client) is not local; the
// DGA check runs for any two-label name whose first label has no '-'.
// Events are "DNS" on UDP with the answer's addresses and ports: trail
// "(<sub1>,<sub2>,...).<sld>.<tld>" or the name for #2,
// "(<label>).<tld>" for #3.
func (t *Trackers) NXDomain(now float64, src, dst netip.Addr, sport, dport uint16, name string, hasTrail func(string) bool) []Alert {
	last := name[strings.LastIndexByte(name, '.')+1:]
	cut2 := lastDots(name, 2)
	if cut2 >= 0 && t.dns.exhausted(name[cut2+1:]) || cut2 < 0 && t.dns.exhausted(name) {
		return nil
	}
	if t.wl.Domain(name) || (hasTrail != nil && anyParent(name, hasTrail)) {
		return nil
	}
	if isDigits(last) || dnsblName(name) {
		return nil
	}
	var alerts []Alert
	newAlert := func(trail, info string) Alert {
		return Alert{Src: src, SrcPort: sport, Dst: dst, DstPort: dport, Proto: protoUDP, Type: typeDNS, Trail: trail, Info: info}
	}
	if !isLocal(dst) {
		hour := secondOf(now) / hourSeconds
		t.nx.prune(hour)
		if _, ok := t.nx.count(nxKey{name: name}, name, hour); ok {
			alerts = append(alerts, newAlert(name, infoNXDomain))
		} else if cut2 >= 0 {
			suffix := name[cut2:] // ".<sld>.<tld>"
			if names, ok := t.nx.count(nxKey{name: suffix[1:], wildcard: true}, name, hour); ok {
				subs := make([]string, len(names))
				for i, n := range names {
					subs[i] = strings.ReplaceAll(n, suffix, "")
				}
				trail := "(" + strings.Join(subs, ",") + ")" + suffix
				if !containsLocalSubdomain(trail) {
					alerts = append(alerts, newAlert(trail, infoNXDomain))
				}
				for _, n := range names {
					t.nx.drop(n)
				}
			}
		}
	}
	if label, tld, ok := strings.Cut(name, "."); ok && label != "" && !strings.Contains(tld, ".") && !strings.Contains(label, "-") {
		if info, ok := DGALabel(label); ok {
			alerts = append(alerts, newAlert("("+label+")."+tld, info))
		}
	}
	return alerts
}

// anyParent reports whether has holds name or one of its parent domains
// (every suffix starting at a label, down to the last label).
func anyParent(name string, has func(string) bool) bool {
	for {
		if has(name) {
			return true
		}
		i := strings.IndexByte(name, '.')
		if i < 0 {
			return false
		}
		name = name[i+1:]
	}
}

// isDigits is Python's str.isdigit for an ASCII label.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dnsblName reports a DNSBL-style lookup: more than four labels, the first
// four numbers below 256 (a reversed IPv4 address).
func dnsblName(name string) bool {
	if strings.Count(name, ".") < 4 {
		return false
	}
	rest := name
	for range 4 {
		label, tail, _ := strings.Cut(rest, ".")
		if !isDigits(label) || len(strings.TrimLeft(label, "0")) > 3 || atoiSmall(label) >= 256 {
			return false
		}
		rest = tail
	}
	return true
}

func atoiSmall(s string) int {
	n := 0
	for i := 0; i < len(s) && n < 1000; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func containsLocalSubdomain(trail string) bool {
	for _, l := range localSubdomains {
		if strings.Contains(trail, l) {
			return true
		}
	}
	return false
}
