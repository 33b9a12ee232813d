package sensor

import (
	"bytes"
	"strings"
	"unsafe"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/sensor/decode"
	"github.com/spoorsec/spoor/sensor/heuristic"
)

// view returns b as a string without copying. The string must not outlive
// the next change to b; callers only use it for lookups and copy it with
// string(...) before keeping it in an event.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// lowerInto appends the ASCII-lowercased s to dst.
func lowerInto[T string | []byte](dst []byte, s T) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// checkDomain is Maltrail's _check_domain: a name seen in a DNS query, HTTP
// Host, proxy request or TLS/QUIC server name is matched against domain
// trails (suffix walk, ip-adress.com, wildcard and onion cases) and the
// long-domain heuristic. It reports whether an event was raised.
func (w *Worker) checkDomain(raw string, p *decode.Packet, proto string) bool {
	start := len(w.scratch)
	w.scratch = lowerInto(w.scratch, raw)
	name := w.scratch[start:]
	defer func() { w.scratch = w.scratch[:start] }()
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[:i]
	}
	if isDigitsAndDots(name) {
		return false // an IP address
	}
	h := w.misses.hash(name)
	if w.misses.has(h) {
		return false
	}
	q := view(name)
	if w.domainTrails(q, p, proto) {
		return true
	}
	w.misses.add(h)
	return false
}

func (w *Worker) domainTrails(q string, p *decode.Packet, proto string) bool {
	if !heuristic.ValidDNSName(q) || w.e.wl.Domain(q) {
		return false
	}
	set := w.set
	if rest, ok := strings.CutSuffix(q, ".ip-adress.com"); ok {
		if ent, ok := set.Lookup(rest); ok {
			w.emitTrail(p, proto, event.TypeDNS, func() string { return rest + "(.ip-adress.com)" }, ent)
			return true
		}
	}
	firstLabel, _, _ := strings.Cut(q, ".")
	for d := q; ; {
		if ent, ok := set.Lookup(d); ok && !suffixException(q, d, firstLabel, ent.Info) {
			w.emitTrail(p, proto, event.TypeDNS, func() string {
				if d == q {
					return d
				}
				return "(" + q[:len(q)-len(d)-1] + ")." + d
			}, ent)
			return true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			break
		}
		d = d[i+1:]
	}
	if w.e.on(heuristic.LongDomains) {
		if trail, ok := heuristic.LongDomain(q); ok && !strings.Contains(trail, "blogspot") {
			w.emitHeuristic(p, proto, event.TypeDNS, trail, "long domain (suspicious)")
			return true
		}
	}
	if trail, ent, ok := set.MatchWildcard(q); ok {
		w.emitTrail(p, proto, event.TypeDNS, func() string { return trail }, ent)
		return true
	}
	if i := strings.Index(q, ".onion."); i >= 0 {
		key := q[:i+len(".onion")]
		if ent, ok := set.Lookup(key); ok {
			w.emitTrail(p, proto, event.TypeDNS, func() string { return key + "(" + q[len(key):] + ")" }, ent)
			return true
		}
	}
	return false
}

// suffixException holds Maltrail's two reasons to keep walking past a hit:
// name servers and mail exchangers under a suspicious or sinkholed zone,
// and a dynamic-DNS or free-hosting provider's own site (only its
// customers' subdomains are reported).
func suffixException(q, d, firstLabel, info string) bool {
	if nsLike(q) && (strings.Contains(info, "suspicious") || strings.Contains(info, "sinkhole")) {
		return true
	}
	if (q == d || firstLabel == "www") && (strings.Contains(info, "dynamic") || strings.Contains(info, "free web")) {
		return true
	}
	return false
}

// nsLike matches (?i)\A([rd]?ns|nf|mx|nic)\d*\. on a lowercase name.
func nsLike(q string) bool {
	rest := q
	switch {
	case strings.HasPrefix(rest, "rns"), strings.HasPrefix(rest, "dns"), strings.HasPrefix(rest, "nic"):
		rest = rest[3:]
	case strings.HasPrefix(rest, "ns"), strings.HasPrefix(rest, "nf"), strings.HasPrefix(rest, "mx"):
		rest = rest[2:]
	default:
		return false
	}
	for len(rest) > 0 && rest[0] >= '0' && rest[0] <= '9' {
		rest = rest[1:]
	}
	return strings.HasPrefix(rest, ".")
}

// isDigitsAndDots is Maltrail's query.replace('.', "").isdigit().
func isDigitsAndDots(b []byte) bool {
	digits := false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.':
		default:
			return false
		}
	}
	return digits
}

// hasDomainTrail reports whether the name or one of its parents is a trail
// (Maltrail's _check_domain_member over the trail set).
func (w *Worker) hasDomainTrail(q string) bool {
	for d := q; ; {
		if _, ok := w.set.Lookup(d); ok {
			return true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return false
		}
		d = d[i+1:]
	}
}
