package trafficgen

import (
	"math/rand/v2"
	"net/netip"
	"time"
)

// A scenario appends one conversation to g.sess. It reports false when it
// has nothing to work with (no trail of its kind), so another is drawn.
type scenario func(g *Generator) bool

type weighted struct {
	weight int
	run    scenario
}

var benignScenarios = []weighted{
	{55, (*Generator).benignTLS},
	{15, (*Generator).benignHTTP},
	{15, (*Generator).benignLookup},
	{8, (*Generator).benignNTP},
}

var maliciousScenarios = []weighted{
	{22, (*Generator).trailDomain},
	{10, (*Generator).trailURL},
	{12, (*Generator).trailIP},
	{5, (*Generator).trailService},
	{8, (*Generator).inboundAttacker},
	{5, (*Generator).portScan},
	{4, (*Generator).dgaBurst},
	{2, (*Generator).nxdomainBurst},
	{8, (*Generator).badUserAgent},
	{8, (*Generator).webAttack},
	{6, (*Generator).download},
	{3, (*Generator).webScan},
	{3, (*Generator).sinkholed},
}

// newSession draws the next conversation.

func (g *Generator) newSession() {
	g.sess.reset()
	g.next = 0
	list := benignScenarios
	if g.cfg.Malicious > 0 && g.rng.Float64() < g.cfg.Malicious {
		list = maliciousScenarios
	}
	for {
		if pick(g.rng, list)(g) {
			return
		}
		list = benignScenarios
	}
}

func pick(rng *rand.Rand, list []weighted) scenario {
	total := 0
	for _, w := range list {
		total += w.weight
	}
	n := rng.IntN(total)
	for _, w := range list {
		if n < w.weight {
			return w.run
		}
		n -= w.weight
	}
	return list[0].run
}

func choose[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

func ms(rng *rand.Rand, lo, hi int) time.Duration {
	return time.Duration(lo*1000+rng.IntN((hi-lo)*1000+1)) * time.Microsecond
}

// client returns host h as a client endpoint with an ephemeral port, over
// IPv6 when v6 is asked for and the host has an address.

func (g *Generator) client(h *host, v6 bool) endpoint {
	e := h.v4
	if v6 && h.v6.addr.IsValid() {
		e = h.v6
	}
	e.port = uint16(49152 + g.rng.IntN(16384))
	return e
}

func (g *Generator) remote(a netip.Addr, port uint16) endpoint {
	return endpoint{mac: g.net.gateway, addr: a, port: port}
}

func (g *Generator) host() *host { return &g.net.hosts[g.rng.IntN(len(g.net.hosts))] }

// hostV6 returns a host with an IPv6 address (every third host has one).

func (g *Generator) hostV6() *host {
	for {
		if h := g.host(); h.v6.addr.IsValid() {
			return h
		}
	}
}

func (g *Generator) remoteTTL() uint8 { return uint8(44 + g.rng.IntN(14)) }

var benignPaths = []string{"/", "/", "/index.html", "/news/", "/about", "/docs/guide.html", "/static/app.js", "/images/logo.png", "/css/site.css", "/search?q=weather+forecast", "/feed.xml"}

func (g *Generator) benignTLS() bool {
	h, st := g.host(), choose(g.rng, g.net.sites)
	addr := g.resolve(h, st.name, st.v4, st.v6)
	g.tlsSession(h, addr, 443, st.name)
	return true
}

func (g *Generator) benignHTTP() bool {
	h, st := g.host(), choose(g.rng, g.net.sites)
	addr := g.resolve(h, st.name, st.v4, st.v6)
	g.httpSession(h, addr, 80, st.name, choose(g.rng, benignPaths), h.ua)
	return true
}

func (g *Generator) benignLookup() bool {
	h, st := g.host(), choose(g.rng, g.net.sites)
	g.resolve(h, st.name, st.v4, st.v6)
	return true
}

func (g *Generator) benignNTP() bool {
	h := g.host()
	c, srv := g.client(h, false), g.remote(choose(g.rng, g.net.ntp), 123)
	c.port = 123
	s := &g.sess
	s.pay = append(s.pay[:0], 0x23, 0, 6, 0xe9)
	s.pay = appendRandom(s.pay, g.rng, 44)
	g.udp(0, &c, &srv, h.ttl, s.pay)
	s.pay[0] = 0x24
	g.udp(ms(g.rng, 10, 60), &srv, &c, g.remoteTTL(), s.pay)
	return true
}
