package trails

import "net/netip"

// Entry is what a trail says about a match: the classification ("zeus (malware)",
// "known attacker", ...) and its provenance ("(static)", "(custom)", a feed's name).
type Entry struct{ Info, Reference string }

// Set is a loaded trail set. It is immutable after load and safe for concurrent readers.
// Lookup, LookupIP and LookupIPPort never allocate; MatchWildcard allocates only the
// trail text of a hit.
type Set struct {
	pairs   []Entry // interned (info, reference) pairs, indexed by the tables below
	strs    strTable
	ip4     intTable // IPv4 address -> pair
	ip4port intTable // IPv4<<16 | port -> pair
	ip6     map[netip.Addr]uint32
	ip6port map[netip.AddrPort]uint32
	cidr    prefixTable             // masked networks -> pair, for LookupIP
	cidrs   []cidrTrail             // CIDR trails as written, in load order
	cidrKey map[netip.Prefix]uint32 // CIDR trails as written -> pair, for Lookup
	wild    wildcardSet
	over    *layer // a tenant's overlay (see Layer); nil for a loaded set
}

type cidrTrail struct {
	prefix netip.Prefix
	pair   uint32
}

// Stats describes a loaded Set.
type Stats struct {
	Strings    int // domain, URL and other textual trails
	IPv4       int // IPv4 address trails
	IPv4Port   int // IPv4:port trails
	IPv6       int // IPv6 address trails
	IPv6Port   int // [IPv6]:port trails
	CIDR       int // network trails
	Wildcards  int // wildcard (regex) trails in use, also counted in Strings
	Pairs      int // distinct (info, reference) pairs
	TableBytes int // key arena plus the string and IPv4 tables
}

// Len returns the number of distinct trails, an overlay's included.
func (s *Set) Len() int {
	n := s.strs.n + s.ip4.n + s.ip4port.n + len(s.ip6) + len(s.ip6port) + len(s.cidrs)
	if s.over != nil {
		n += s.over.n
	}
	return n
}

// Stats returns counts by kind of trail.
func (s *Set) Stats() Stats {
	return Stats{
		Strings:    s.strs.n,
		IPv4:       s.ip4.n,
		IPv4Port:   s.ip4port.n,
		IPv6:       len(s.ip6),
		IPv6Port:   len(s.ip6port),
		CIDR:       len(s.cidrs),
		Wildcards:  len(s.wild.list),
		Pairs:      len(s.pairs),
		TableBytes: s.strs.bytes() + s.ip4.bytes() + s.ip4port.bytes(),
	}
}

// Lookup is an exact trail lookup, as Maltrail's `key in trails`. Keys are stored the way
// Maltrail stores them: lowercase, domains without leading or trailing dots (".cc" is
// "cc"), "host/path" and "/path" URL keys. Callers lowercase what they look up.
// Address keys are answered natively, in any textual form: "1.2.3.4", "dead::beef",
// "1.2.3.4:80", "[dead::beef]:443", and CIDR trails by their exact network text.
func (s *Set) Lookup(key string) (Entry, bool) {
	if s.over != nil {
		return s.over.lookup(s, key)
	}
	return s.lookup(key)
}

// lookup is Lookup in s's own tables.
func (s *Set) lookup(key string) (Entry, bool) {
	if p, ok := s.strs.get(key); ok {
		return s.pairs[p], true
	}
	if key == "" {
		return Entry{}, false
	}
	if c := key[0]; !(c >= '0' && c <= '9' || c == '[' || hasColon(key)) {
		return Entry{}, false
	}
	if a, ok := parseIP(key); ok {
		return s.lookupAddr(a)
	}
	if a, port, ok := parseAddrPort(key); ok {
		return s.lookupIPPort(a, port)
	}
	if p, ok := parsePrefix(key); ok {
		if pair, ok := s.cidrKey[canonicalPrefix(p)]; ok {
			return s.pairs[pair], true
		}
	}
	return Entry{}, false
}

// LookupIP returns the exact IP trail for a, else the most specific CIDR trail
// containing it. IPv4-mapped IPv6 addresses are looked up as IPv4.
func (s *Set) LookupIP(a netip.Addr) (Entry, bool) {
	if s.over != nil {
		return s.over.lookupIP(s, a)
	}
	if !a.IsValid() {
		return Entry{}, false
	}
	a = a.Unmap().WithZone("")
	if e, ok := s.lookupAddr(a); ok {
		return e, true
	}
	if p, ok := s.cidr.lookup(a); ok {
		return s.pairs[p], true
	}
	return Entry{}, false
}

// lookupAddr is the exact address lookup; a is unmapped and zone-free.
func (s *Set) lookupAddr(a netip.Addr) (Entry, bool) {
	var p uint32
	var ok bool
	if a.Is4() {
		p, ok = s.ip4.get(uint64(addrTo4(a)))
	} else {
		p, ok = s.ip6[a]
	}
	if !ok {
		return Entry{}, false
	}
	return s.pairs[p], true
}

// LookupIPPort answers address:port trails ("1.2.3.4:80", "[dead::beef]:443").
func (s *Set) LookupIPPort(a netip.Addr, port uint16) (Entry, bool) {
	if s.over != nil {
		return s.over.lookupIPPort(s, a, port)
	}
	return s.lookupIPPort(a, port)
}

// lookupIPPort is LookupIPPort in s's own tables.
func (s *Set) lookupIPPort(a netip.Addr, port uint16) (Entry, bool) {
	if !a.IsValid() {
		return Entry{}, false
	}
	a = a.Unmap().WithZone("")
	var p uint32
	var ok bool
	if a.Is4() {
		p, ok = s.ip4port.get(uint64(addrTo4(a))<<16 | uint64(port))
	} else {
		p, ok = s.ip6port[netip.AddrPortFrom(a, port)]
	}
	if !ok {
		return Entry{}, false
	}
	return s.pairs[p], true
}

// MatchWildcard searches a (lowercased) domain name with the wildcard trails as
// old/sensor.py:_check_domain does. On a hit it returns the trail text Maltrail logs,
// "(prefix)match(suffix)" with ".)" turned into ").", and the wildcard trail's entry.
// A miss does not allocate; a hit builds the trail text.
func (s *Set) MatchWildcard(name string) (trail string, e Entry, ok bool) {
	if len(s.wild.list) == 0 {
		return "", Entry{}, false
	}
	idx, start, end, ok := s.wild.match(name)
	if !ok {
		return "", Entry{}, false
	}
	return wildcardTrail(name, start, end), s.pairs[s.wild.list[idx].pair], true
}
