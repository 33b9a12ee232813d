package trafficgen

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"

	"github.com/spoorsec/spoor/trails"
)

// Indicators are trails sampled from a trail set, sorted by how the
// generator puts them on the wire.
type Indicators struct {
	// Domains are names to look up and connect to; a trail that Maltrail
	// reports only below its own name (dynamic DNS and free hosting
	// providers) is marked so the generator asks for a subdomain.
	Domains []Domain
	// URLs are host/path trails, requested over HTTP.
	URLs []string
	// Outbound are addresses internal hosts connect to (command and
	// control, malware hosts); Inbound are addresses that connect to
	// internal hosts (known attackers and scanners).
	Outbound, Inbound []netip.Addr
	// Services are address:port trails, connected to on their port.
	Services []netip.AddrPort
	// Sinkholes are sinkhole and parking addresses, given as DNS answers.
	Sinkholes []netip.Addr
}

// Domain is a domain trail.
type Domain struct {
	Name      string
	Subdomain bool // only subdomains of Name are reported
}

// Empty reports whether no indicator was sampled.
func (in *Indicators) Empty() bool {
	return len(in.Domains)+len(in.URLs)+len(in.Outbound)+len(in.Inbound)+len(in.Services) == 0
}

// SampleTrails draws up to perKind trails of each kind from set, uniformly
// and deterministically for a given seed and set. Trails the sensor would
// not report on the traffic the generator makes (wildcards, CIDR ranges,
// names that are not plain DNS names, an attacker's address as a
// destination) are left out.
func SampleTrails(set *trails.Set, perKind int, seed uint64) (*Indicators, error) {
	if set == nil {
		return nil, errors.New("trafficgen: no trail set")
	}
	if perKind < 1 {
		return nil, fmt.Errorf("trafficgen: %d trails per kind", perKind)
	}
	s := &sampler{rng: rand.New(rand.NewPCG(seed, 0x5eed)), k: perKind}
	if err := set.WriteCSV(s); err != nil {
		return nil, fmt.Errorf("cannot enumerate trails: %w", err)
	}
	s.flush()
	return &s.out, nil
}

// sampler receives the set as CSV rows and keeps a reservoir per kind.
type sampler struct {
	rng     *rand.Rand
	k       int
	partial []byte
	out     Indicators
	seen    [numKinds]int // trails offered per kind
	size    [numKinds]int // trails held per kind
	slot    int           // where the last draw goes
}

func (s *sampler) Write(p []byte) (int, error) {
	n := len(p)
	if len(s.partial) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.partial = append(s.partial, p...)
			return n, nil
		}
		s.partial = append(s.partial, p[:i+1]...)
		s.row(s.partial)
		s.partial = s.partial[:0]
		p = p[i+1:]
	}
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			break
		}
		s.row(p[:i+1])
		p = p[i+1:]
	}
	s.partial = append(s.partial, p...)
	return n, nil
}

func (s *sampler) flush() {
	if len(s.partial) > 0 {
		s.row(s.partial)
		s.partial = nil
	}
}

// row classifies one "trail,info,reference" line. It runs for every
// trail of the set, so it sorts rows by a cheap look at the key and
// validates a trail only when the reservoir draws it.
func (s *sampler) row(line []byte) {
	i := bytes.IndexByte(line, ',')
	if i <= 0 {
		return
	}
	key, rest := line[:i], line[i+1:]
	switch c := key[0]; {
	case c >= '0' && c <= '9' || c == '[' || bytes.IndexByte(key, ':') >= 0 && bytes.IndexByte(key, '/') < 0:
		s.address(key, info(rest))
	case bytes.IndexByte(key, '/') >= 0:
		if s.draw(kindURL) {
			s.url(string(key))
		}
	default:
		if s.draw(kindDomain) {
			s.domain(string(key), string(info(rest)))
		}
	}
}

// info returns the info field of "info,reference\r\n"; trails never hold
// a comma or quote, so only info needs CSV unquoting (it never holds an
// escaped quote either).
func info(rest []byte) []byte {
	if len(rest) > 0 && rest[0] == '"' {
		if end := bytes.IndexByte(rest[1:], '"'); end >= 0 {
			return rest[1 : end+1]
		}
		return nil
	}
	if j := bytes.IndexByte(rest, ','); j >= 0 {
		return rest[:j]
	}
	return nil
}

// Reservoir indexes.
const (
	kindDomain = iota
	kindURL
	kindOutbound
	kindInbound
	kindService
	kindSinkhole
	numKinds
)

// draw counts one more trail of kind and reports whether the reservoir
// takes it (Algorithm R); slot says where.
func (s *sampler) draw(kind int) bool {
	s.seen[kind]++
	if s.size[kind] < s.k {
		s.slot = s.size[kind]
		return true
	}
	s.slot = s.rng.IntN(s.seen[kind])
	return s.slot < s.k
}

// put stores v at the drawn slot.
func put[T any](s *sampler, kind int, list *[]T, v T) {
	if s.slot == len(*list) {
		*list = append(*list, v)
		s.size[kind] = len(*list)
		return
	}
	(*list)[s.slot] = v
}

var (
	wordSinkhole = []byte("sinkhole")
	wordParking  = []byte("parking")
	wordAttacker = []byte("attacker")
	wordScanner  = []byte("scanner")
	wordMalware  = []byte("malware")
)

func (s *sampler) address(key, info []byte) {
	kind := kindOutbound
	switch {
	case bytes.Contains(info, wordSinkhole) || bytes.Contains(info, wordParking):
		kind = kindSinkhole
	case bytes.Contains(info, wordAttacker) || bytes.Contains(info, wordScanner):
		if bytes.Contains(info, wordMalware) {
			return // Maltrail stays silent on a SYN from such an address
		}
		kind = kindInbound
	}
	if a, err := netip.ParseAddr(string(key)); err == nil {
		if a = a.Unmap(); !a.IsGlobalUnicast() || a.IsPrivate() || !s.draw(kind) {
			return
		}
		switch kind {
		case kindSinkhole:
			put(s, kind, &s.out.Sinkholes, a)
		case kindInbound:
			put(s, kind, &s.out.Inbound, a)
		default:
			put(s, kind, &s.out.Outbound, a)
		}
		return
	}
	ap, err := netip.ParseAddrPort(string(key))
	if err != nil || kind == kindInbound || ap.Port() == 0 || !ap.Addr().Unmap().IsGlobalUnicast() {
		return
	}
	if s.draw(kindService) {
		put(s, kindService, &s.out.Services, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
	}
}

func (s *sampler) url(key string) {
	if _, err := netip.ParsePrefix(key); err == nil {
		return // CIDR range
	}
	host, path, _ := strings.Cut(key, "/")
	h, _, _ := strings.Cut(host, ":")
	if wildcard(key) || !validName(h) || !printableASCII(path) || strings.ContainsAny(path, "#%") {
		return
	}
	put(s, kindURL, &s.out.URLs, key)
}

func (s *sampler) domain(key, info string) {
	if wildcard(key) || !validName(key) || !strings.Contains(key, ".") || strings.HasSuffix(key, ".onion") ||
		strings.HasSuffix(key, ".ip-adress.com") || nsLike(key) || isDigitsAndDots(key) {
		return
	}
	sub := strings.Contains(info, "dynamic") || strings.Contains(info, "free web")
	put(s, kindDomain, &s.out.Domains, Domain{Name: key, Subdomain: sub})
}

// wildcard reports a wildcard (regular expression) trail.
func wildcard(key string) bool { return strings.ContainsAny(key, "*[]()\\^$+|") }

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// nsLike matches names Maltrail passes over under suspicious zones
// (ns1., mx., dns., nic., ...).
func nsLike(q string) bool {
	for _, p := range [...]string{"rns", "dns", "nic", "ns", "nf", "mx"} {
		if rest, ok := strings.CutPrefix(q, p); ok {
			rest = strings.TrimLeft(rest, "0123456789")
			return strings.HasPrefix(rest, ".")
		}
	}
	return false
}

func isDigitsAndDots(s string) bool {
	return strings.Trim(s, "0123456789.") == ""
}
