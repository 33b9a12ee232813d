package trails

import (
	"cmp"
	"net/netip"
	"slices"
)

// prefixTable answers "the most specific stored network containing this address".
// IPv4 networks, which CIDR trails are nearly all made of, are flattened once loaded
// into sorted disjoint intervals, each carrying the value of the most specific network
// covering it: a lookup is one binary search. IPv6 networks use one exact-match map per
// prefix length, probed from the longest length present down.
type prefixTable struct {
	v4     map[netip.Prefix]uint32 // while loading; masked networks
	segLo  []uint32
	segHi  []uint32
	segVal []uint32
	v6     [129]map[netip.Addr]uint32
	v6lens []uint8 // lengths in use, longest first
	n      int
}

func mask4(bits uint8) uint32 {
	if bits == 0 {
		return 0
	}
	return ^uint32(0) << (32 - bits)
}

// canonicalPrefix turns an IPv4-mapped IPv6 network into its IPv4 form so it matches
// IPv4 packets, consistently with how IPv4-mapped address trails are treated.
func canonicalPrefix(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p
}

// put stores v for the network of p, replacing a previous value for the same network.
// finish must run before lookups.
func (t *prefixTable) put(p netip.Prefix, v uint32) {
	p = canonicalPrefix(p).Masked()
	if p.Addr().Is4() {
		if t.v4 == nil {
			t.v4 = make(map[netip.Prefix]uint32)
		}
		if _, ok := t.v4[p]; !ok {
			t.n++
		}
		t.v4[p] = v
		return
	}
	bits := uint8(p.Bits())
	m := t.v6[bits]
	if m == nil {
		m = make(map[netip.Addr]uint32)
		t.v6[bits] = m
		t.v6lens = append(t.v6lens, bits)
		slices.SortFunc(t.v6lens, func(a, b uint8) int { return int(b) - int(a) })
	}
	if _, ok := m[p.Addr()]; !ok {
		t.n++
	}
	m[p.Addr()] = v
}

// finish flattens the IPv4 networks into intervals. Networks are nested or disjoint, so
// a walk in address order with a stack of the open networks gives every stretch of
// addresses its innermost network.
func (t *prefixTable) finish() {
	type net struct {
		lo, hi uint32
		bits   int
		val    uint32
	}
	nets := make([]net, 0, len(t.v4))
	for p, v := range t.v4 {
		lo := addrTo4(p.Addr())
		nets = append(nets, net{lo, lo | ^mask4(uint8(p.Bits())), p.Bits(), v})
	}
	slices.SortFunc(nets, func(a, b net) int {
		if c := cmp.Compare(a.lo, b.lo); c != 0 {
			return c
		}
		return cmp.Compare(a.bits, b.bits) // the wider network first
	})
	t.segLo, t.segHi, t.segVal = t.segLo[:0], t.segHi[:0], t.segVal[:0]
	emit := func(lo uint64, hi uint32, v uint32) {
		if lo <= uint64(hi) {
			t.segLo, t.segHi, t.segVal = append(t.segLo, uint32(lo)), append(t.segHi, hi), append(t.segVal, v)
		}
	}
	var stack []net
	var next uint64 // first address not yet emitted
	for _, n := range nets {
		for len(stack) > 0 && stack[len(stack)-1].hi < n.lo {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			emit(next, top.hi, top.val)
			next = uint64(top.hi) + 1
		}
		if len(stack) > 0 && n.lo > 0 {
			emit(next, n.lo-1, stack[len(stack)-1].val)
		}
		next = uint64(n.lo)
		stack = append(stack, n)
	}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		emit(next, top.hi, top.val)
		next = uint64(top.hi) + 1
	}
	t.v4 = nil
}

// lookup returns the value of the most specific network containing a. The address must
// already be unmapped and zone-free.
func (t *prefixTable) lookup(a netip.Addr) (uint32, bool) {
	if a.Is4() {
		ip := addrTo4(a)
		i, _ := slices.BinarySearch(t.segHi, ip) // first interval ending at or after ip
		if i < len(t.segHi) && t.segLo[i] <= ip {
			return t.segVal[i], true
		}
		return 0, false
	}
	for _, bits := range t.v6lens {
		p, err := a.Prefix(int(bits))
		if err != nil {
			continue
		}
		if v, ok := t.v6[bits][p.Addr()]; ok {
			return v, true
		}
	}
	return 0, false
}

// rangeSet answers "is this address in any of the networks": IPv4 networks merged into
// sorted disjoint intervals (one binary search instead of a probe per prefix length; the
// CDN list has a dozen lengths), IPv6 networks in a prefixTable.
type rangeSet struct {
	lo, hi []uint32 // IPv4 intervals, sorted, disjoint
	v6     prefixTable
	n      int            // networks added
	v4     []netip.Prefix // while loading
}

func (r *rangeSet) add(p netip.Prefix) {
	r.n++
	p = canonicalPrefix(p).Masked()
	if p.Addr().Is4() {
		r.v4 = append(r.v4, p)
		return
	}
	r.v6.put(p, 0)
}

// finish builds the IPv4 intervals; add must not be called afterwards.
func (r *rangeSet) finish() {
	type iv struct{ lo, hi uint32 }
	ivs := make([]iv, 0, len(r.v4))
	for _, p := range r.v4 {
		lo := addrTo4(p.Addr())
		ivs = append(ivs, iv{lo, lo | ^mask4(uint8(p.Bits()))})
	}
	slices.SortFunc(ivs, func(a, b iv) int { return cmp.Compare(a.lo, b.lo) })
	r.lo, r.hi = r.lo[:0], r.hi[:0]
	for _, v := range ivs {
		if n := len(r.hi); n > 0 && (v.lo <= r.hi[n-1] || v.lo == r.hi[n-1]+1) {
			r.hi[n-1] = max(r.hi[n-1], v.hi)
			continue
		}
		r.lo, r.hi = append(r.lo, v.lo), append(r.hi, v.hi)
	}
	r.v4 = nil
}

// contains reports whether a (unmapped, zone-free) lies in one of the networks.
func (r *rangeSet) contains(a netip.Addr) bool {
	if a.Is4() {
		ip := addrTo4(a)
		i, _ := slices.BinarySearch(r.hi, ip) // first interval ending at or after ip
		return i < len(r.hi) && r.lo[i] <= ip
	}
	_, ok := r.v6.lookup(a)
	return ok
}

// Ranges is a set of IP networks, such as Maltrail's data/bogon_ranges.txt and
// data/cdn_ranges.txt. A nil *Ranges is empty.
type Ranges struct {
	r rangeSet
}

// Contains reports whether a lies in one of the networks.
func (r *Ranges) Contains(a netip.Addr) bool {
	if r == nil || !a.IsValid() {
		return false
	}
	return r.r.contains(a.Unmap().WithZone(""))
}

// Len returns the number of networks loaded.
func (r *Ranges) Len() int {
	if r == nil {
		return 0
	}
	return r.r.n
}
