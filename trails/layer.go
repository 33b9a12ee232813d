package trails

import (
	"log/slog"
	"net/netip"
	"strings"
)

// Overlay is one tenant's own trails and whitelist, as the collector delivers them to the
// tenant's sensors. It is small (tens to thousands of entries) and changes often, while
// the global set it is layered over is large (1.6M trails) and changes rarely: Layer
// combines the two without copying the global set, in microseconds, so a sensor can apply
// every overlay change at once.
type Overlay struct {
	// Trails are the tenant's custom trails, keys as the sensor matches them (lowercase
	// domains, canonical addresses, host/path URLs).
	Trails []OverlayTrail
	// Whitelist entries are written as whitelist.txt lines.
	Whitelist []string
}

// OverlayTrail is one custom trail.
type OverlayTrail struct {
	Key, Info, Reference string
}

// CustomReference is the reference of a tenant's custom trails, as Maltrail's custom
// trail files get.
const CustomReference = "(custom)"

// layer is what Layer puts on top of a set.
type layer struct {
	custom *Set       // the tenant's custom trails
	wl     *Whitelist // the tenant's whitelist; nil = none
	n      int        // custom trails not already trails of the base
}

// Layer returns a set that answers like s with the overlay's custom trails merged and its
// whitelist applied, by Maltrail's priorities: a static trail of s wins over a custom
// trail, which wins over a feed's trail; a whitelisted trail (an exact entry, or an
// address in a whitelisted network) never matches, whichever layer holds it. Custom
// trails whitelisted by base (the whitelist s was loaded with) are dropped, as a load
// would drop them. An empty Info becomes "custom" and an empty Reference "(custom)".
//
// s's tables are shared, not copied: the result costs the size of the overlay. Layering
// a layered set replaces its overlay. WriteCompiled and WriteCSV write only s's own
// trails. The per-lookup cost when no overlay is present is one nil check; with one, a
// lookup also probes the overlay's small tables, and whitelist checks run only on hits.
func (s *Set) Layer(o *Overlay, base *Whitelist, log *slog.Logger) *Set {
	if log == nil {
		log = slog.Default()
	}
	bytes := 0
	for _, t := range o.Trails {
		bytes += len(t.Key) + uvarintLen(len(t.Key))
	}
	b := newSetBuilder(newHashSeed(), len(o.Trails), bytes)
	for _, t := range o.Trails {
		if t.Key == "" || base.trailWhitelisted(t.Key) {
			continue
		}
		info, ref := t.Info, t.Reference
		if info == "" {
			info = "custom"
		}
		if ref == "" {
			ref = CustomReference
		}
		if err := b.add(t.Key, b.pair(info, ref)); err != nil {
			log.Warn("custom trail ignored", "trail", t.Key, "err", err)
		}
	}
	custom := b.finish(log)
	l := *s
	l.over = &layer{custom: custom}
	if len(o.Whitelist) > 0 {
		l.over.wl = NewWhitelist(o.Whitelist...)
	}
	custom.eachTrail(func(key string, _ uint32) {
		if _, ok := s.lookup(key); !ok {
			l.over.n++
		}
	})
	return &l
}

// Layered reports the number of custom trails an overlay adds to the set (0 without
// one) and whether the set has an overlay.
func (s *Set) Layered() (custom int, ok bool) {
	if s.over == nil {
		return 0, false
	}
	return s.over.custom.Len(), true
}

// isStaticRef reports whether a reference is a static trail's, annotated or not
// ("(static)", "(static) (+(custom))").
func isStaticRef(ref string) bool { return strings.HasPrefix(ref, "(static)") }

// pick applies the layer priorities to a base and a custom hit.
func pick(be Entry, bok bool, ce Entry, cok bool) (Entry, bool) {
	if !cok || (bok && isStaticRef(be.Reference)) {
		return be, bok
	}
	return ce, true
}

func (l *layer) lookup(s *Set, key string) (Entry, bool) {
	be, bok := s.lookup(key)
	ce, cok := l.custom.lookup(key)
	e, ok := pick(be, bok, ce, cok)
	if ok && l.wl.trailWhitelisted(key) {
		return Entry{}, false
	}
	return e, ok
}

func (l *layer) lookupIP(s *Set, a netip.Addr) (Entry, bool) {
	if !a.IsValid() {
		return Entry{}, false
	}
	a = a.Unmap().WithZone("")
	be, bok := s.lookupAddr(a)
	ce, cok := l.custom.lookupAddr(a)
	e, ok := pick(be, bok, ce, cok)
	if !ok {
		if p, found := s.cidr.lookup(a); found {
			be, bok = s.pairs[p], true
		}
		if p, found := l.custom.cidr.lookup(a); found {
			ce, cok = l.custom.pairs[p], true
		}
		e, ok = pick(be, bok, ce, cok)
	}
	if ok && l.wl.IP(a) {
		return Entry{}, false
	}
	return e, ok
}

func (l *layer) lookupIPPort(s *Set, a netip.Addr, port uint16) (Entry, bool) {
	be, bok := s.lookupIPPort(a, port)
	ce, cok := l.custom.lookupIPPort(a, port)
	e, ok := pick(be, bok, ce, cok)
	if ok && l.wl.Len() > 0 {
		// The entry's text as a whitelist holds it ("1.2.3.4:80", "[::1]:443"), built on
		// the stack: indexing a map with string(bytes) does not allocate.
		var buf [64]byte
		text := netip.AddrPortFrom(a.Unmap().WithZone(""), port).AppendTo(buf[:0])
		if _, found := l.wl.exact[string(text)]; found {
			return Entry{}, false
		}
	}
	return e, ok
}
