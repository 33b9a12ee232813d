package trails

import (
	"fmt"
	"log/slog"
	"net/netip"
	"runtime"
	"strings"
	"sync"
)

// setBuilder fills a Set with trails in Maltrail's dict order: a repeated key keeps its
// first position and takes the last value.
type setBuilder struct {
	s       *Set
	pairIdx map[Entry]uint32
}

// newSetBuilder sizes the string table for strKeys keys of strKeyBytes bytes in all; seed
// is the table's strHash seed.
func newSetBuilder(seed uint64, strKeys, strKeyBytes int) *setBuilder {
	return &setBuilder{
		s: &Set{
			strs:    newStrTable(seed, strKeys, strKeyBytes),
			ip6:     make(map[netip.Addr]uint32),
			ip6port: make(map[netip.AddrPort]uint32),
			cidrKey: make(map[netip.Prefix]uint32),
		},
		pairIdx: make(map[Entry]uint32),
	}
}

// pair interns an (info, reference) pair. The strings are cloned on first sight so the
// Set does not pin the buffer they were sliced from.
func (b *setBuilder) pair(info, reference string) uint32 {
	if p, ok := b.pairIdx[Entry{info, reference}]; ok {
		return p
	}
	e := Entry{strings.Clone(info), strings.Clone(reference)}
	p := uint32(len(b.s.pairs))
	b.s.pairs = append(b.s.pairs, e)
	b.pairIdx[e] = p
	return p
}

// add stores one trail. Address, address:port and CIDR keys go to native tables; every
// other key, including address text Maltrail would never produce (leading zeros, ports
// like "080"), stays an opaque string.
func (b *setBuilder) add(key string, pair uint32) error {
	if b.addNative(key, pair) {
		return nil
	}
	return b.addString(key, strHash(b.s.strs.seed, key), pair)
}

// addString stores a textual trail whose strHash under the table's seed is h.
func (b *setBuilder) addString(key string, h uint64, pair uint32) error {
	if err := b.s.strs.putHashed(key, h, pair); err != nil {
		return fmt.Errorf("cannot store trail %.64q: %w", key, err)
	}
	return nil
}

// addNative stores an address, address:port or CIDR trail in its native table and
// reports whether key was one.
func (b *setBuilder) addNative(key string, pair uint32) bool {
	kind, num := classifyKey(key)
	switch kind {
	case kindIPv4:
		b.s.ip4.put(num, pair)
	case kindIPv4Port:
		b.s.ip4port.put(num, pair)
	case kindOther:
		b.addOther(key, pair)
	default:
		return false
	}
	return true
}

// addOther stores a trail classifyKey found to be an IPv6 address, an [IPv6]:port or a
// network.
func (b *setBuilder) addOther(key string, pair uint32) {
	s := b.s
	if a, ok := parseIP(key); ok {
		s.ip6[a] = pair
		return
	}
	if a, port, ok := parseAddrPort(key); ok {
		s.ip6port[netip.AddrPortFrom(a, port)] = pair
		return
	}
	p, ok := parsePrefix(key)
	if !ok {
		panic("BUG: classifyKey and addOther disagree on " + key)
	}
	p = canonicalPrefix(p)
	if _, seen := s.cidrKey[p]; seen {
		for i := range s.cidrs {
			if s.cidrs[i].prefix == p {
				s.cidrs[i].pair = pair
			}
		}
	} else {
		s.cidrs = append(s.cidrs, cidrTrail{p, pair})
	}
	s.cidrKey[p] = pair
	s.cidr.put(p, pair)
}

// finish selects the wildcard trails, in load order, and compacts the tables.
func (b *setBuilder) finish(log *slog.Logger) *Set {
	s := b.s
	skipped := 0
	s.strs.eachKey(func(k []byte) {
		if !isWildcardTrail(k) {
			return
		}
		key := string(k)
		pair, _ := s.strs.get(key)
		if !strings.Contains(s.pairs[pair].Reference, "static") || !differsFromEscape(key) {
			return
		}
		if len(s.wild.list) == maxWildcards {
			skipped++
			return
		}
		w, err := compileWildcard(key)
		if err != nil {
			log.Warn("wildcard trail does not compile, ignored", "trail", key, "err", err)
			return
		}
		w.pair = pair
		s.wild.add(w)
	})
	if skipped > 0 {
		log.Warn("wildcard trail limit reached, later ones ignored", "limit", maxWildcards, "ignored", skipped)
	}
	s.strs.compact()
	s.ip4.compact()
	s.ip4port.compact()
	s.cidr.finish()
	b.pairIdx = nil
	return s
}

// keyKind is where a trail key is stored.
type keyKind uint8

const (
	kindString   keyKind = iota
	kindIPv4             // num: the address
	kindIPv4Port         // num: address<<16 | port
	kindOther            // IPv6, [IPv6]:port or CIDR: rare, parsed again by addNative
	kindDropped
)

// classifyKey decides where key goes. It does not touch the Set, so loads run it in
// parallel. Address text Maltrail would never produce (leading zeros, ports like "080")
// stays a string key.
func classifyKey(key string) (keyKind, uint64) {
	if key == "" {
		return kindString, 0
	}
	if c := key[0]; !(c >= '0' && c <= '9' || c == '[' || hasColon(key)) {
		return kindString, 0
	}
	if v4, ok := parseIPv4(key); ok {
		return kindIPv4, uint64(v4)
	}
	if a, ok := parseIP(key); ok {
		if a.Is4() {
			return kindIPv4, uint64(addrTo4(a))
		}
		return kindOther, 0
	}
	if a, port, ok := parseAddrPort(key); ok {
		if a.Is4() {
			return kindIPv4Port, uint64(addrTo4(a))<<16 | uint64(port)
		}
		return kindOther, 0
	}
	if _, ok := parsePrefix(key); ok {
		return kindOther, 0
	}
	return kindString, 0
}

// parallelRange splits [0, n) into one contiguous chunk per CPU and runs fn on each.
func parallelRange(n int, fn func(lo, hi int)) {
	workers := max(1, min(runtime.GOMAXPROCS(0), n/4096))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { fn(n*w/workers, n*(w+1)/workers) })
	}
	wg.Wait()
}

// set applies the last filter pass and builds the Set from the surviving trails, in
// order. Filtering and classifying keys is independent per key and runs in parallel;
// the table inserts are serial. Textual keys are collected first so the string table and
// its arena are allocated at their final size.
func (t *trailBuild) set(w *Whitelist, drop *Ranges, log *slog.Logger) (*Set, error) {
	d := t.trails
	seed := newHashSeed()
	kinds := make([]keyKind, len(d.keys))
	nums := make([]uint64, len(d.keys)) // the native key, or a textual key's strHash
	parallelRange(len(d.keys), func(lo, hi int) {
		for e := lo; e < hi; e++ {
			v := d.vals[e]
			if v < 0 || t.dropped(d.keys[e], v, w, drop) {
				kinds[e] = kindDropped
				continue
			}
			kinds[e], nums[e] = classifyKey(d.keys[e])
			if kinds[e] == kindString {
				nums[e] = strHash(seed, d.keys[e])
			}
		}
	})

	type strTrail struct {
		key  string
		hash uint64
		pair uint32
	}
	strs := make([]strTrail, 0, d.live)
	keyBytes := 0
	b := newSetBuilder(seed, 0, 0)
	remap := make([]int32, len(t.pairs.list))
	for i := range remap {
		remap[i] = -1
	}
	for e, k := range d.keys {
		kind := kinds[e]
		if kind == kindDropped {
			continue
		}
		v := d.vals[e]
		if remap[v] < 0 {
			p := t.pairs.list[v]
			remap[v] = int32(b.pair(p.Info, p.Reference))
		}
		pair := uint32(remap[v])
		switch kind {
		case kindString:
			strs = append(strs, strTrail{k, nums[e], pair})
			keyBytes += len(k) + uvarintLen(len(k))
		case kindIPv4:
			b.s.ip4.put(nums[e], pair)
		case kindIPv4Port:
			b.s.ip4port.put(nums[e], pair)
		default:
			b.addOther(k, pair)
		}
	}
	b.s.strs = newStrTable(seed, len(strs), keyBytes)
	for _, st := range strs {
		if err := b.addString(st.key, st.hash, st.pair); err != nil {
			return nil, err
		}
	}
	return b.finish(log), nil
}

func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}
