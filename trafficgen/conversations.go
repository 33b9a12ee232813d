package trafficgen

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"time"
)

// lookup appends a query from h (IPv4 unless v6) for name and its answer.
func (g *Generator) lookup(h *host, v6 bool, gap time.Duration, name string, qtype uint16, rcode uint8, answers ...netip.Addr) {
	c := g.client(h, v6)
	r := h.resolver
	if c.addr.Is6() {
		r = g.net.resolver6
	}
	id := uint16(g.rng.Uint32())
	s := &g.sess
	s.pay = appendDNSQuery(s.pay[:0], id, name, qtype)
	g.udp(gap, &c, &r, h.ttl, s.pay)
	s.pay = appendDNSResponse(s.pay[:0], id, name, qtype, rcode, uint32(60+g.rng.IntN(3600)), answers...)
	g.udp(ms(g.rng, 2, 40), &r, &c, 64, s.pay)
}

// resolve looks name up for h the way a browser does (A, and AAAA on
// IPv6 hosts) and returns the address to connect to.
func (g *Generator) resolve(h *host, name string, v4, v6 netip.Addr) netip.Addr {
	g.lookup(h, false, 0, name, dnsA, rcodeOK, v4)
	if h.v6.addr.IsValid() && v6.IsValid() {
		g.lookup(h, true, ms(g.rng, 0, 2), name, dnsAAAA, rcodeOK, v6)
		if g.rng.IntN(2) == 0 {
			return v6
		}
	}
	return v4
}

// tlsSession appends a TLS connection from h to addr:port with sni.
func (g *Generator) tlsSession(h *host, addr netip.Addr, port uint16, sni string) {
	k := conn{c: g.client(h, addr.Is6()), s: g.remote(addr, port), cttl: h.ttl, sttl: g.remoteTTL(), cseq: g.rng.Uint32(), sseq: g.rng.Uint32()}
	rtt := ms(g.rng, 8, 90)
	g.open(&k, ms(g.rng, 1, 5), rtt)
	s := &g.sess
	s.pay = appendClientHello(s.pay[:0], g.rng, sni, []string{"h2", "http/1.1"})
	g.send(&k, true, ms(g.rng, 0, 2), s.pay)
	s.pay = appData(s.pay[:0], g.rng, 1200+g.rng.IntN(200))
	g.send(&k, false, rtt, s.pay)
	s.pay = appData(s.pay[:0], g.rng, 80+g.rng.IntN(400))
	g.send(&k, true, ms(g.rng, 1, 30), s.pay)
	s.pay = appData(s.pay[:0], g.rng, 300+g.rng.IntN(1100))
	g.send(&k, false, rtt, s.pay)
	g.close(&k, ms(g.rng, 50, 2000), rtt)
}

// appData appends a TLS application-data record of n random bytes.
func appData(b []byte, rng *rand.Rand, n int) []byte {
	b = append(b, 0x17, 0x03, 0x03, byte(n>>8), byte(n))
	return appendRandom(b, rng, n)
}

// httpSession appends an HTTP/1.1 GET from h and its response.
func (g *Generator) httpSession(h *host, addr netip.Addr, port uint16, hostHeader, path, ua string) {
	k := conn{c: g.client(h, addr.Is6()), s: g.remote(addr, port), cttl: h.ttl, sttl: g.remoteTTL(), cseq: g.rng.Uint32(), sseq: g.rng.Uint32()}
	rtt := ms(g.rng, 5, 80)
	g.open(&k, ms(g.rng, 1, 5), rtt)
	s := &g.sess
	s.pay = append(s.pay[:0], "GET "...)
	s.pay = append(s.pay, path...)
	s.pay = append(s.pay, " HTTP/1.1\r\nHost: "...)
	s.pay = append(s.pay, hostHeader...)
	s.pay = append(s.pay, "\r\nUser-Agent: "...)
	s.pay = append(s.pay, ua...)
	s.pay = append(s.pay, "\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n"...)
	g.send(&k, true, ms(g.rng, 0, 2), s.pay)
	body := 200 + g.rng.IntN(1000)
	s.pay = append(s.pay[:0], "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "...)
	s.pay = strconv.AppendInt(s.pay, int64(body), 10)
	s.pay = append(s.pay, "\r\n\r\n<!doctype html><html><head><title>page</title></head><body>"...)
	for i := 0; i < body; i++ {
		s.pay = append(s.pay, "abcdefghij klmnopqrstuvwxyz"[g.rng.IntN(27)])
	}
	g.send(&k, false, rtt, s.pay)
	g.close(&k, ms(g.rng, 20, 500), rtt)
}

// publicAddr returns a random address in a provider range.
func (g *Generator) publicAddr() netip.Addr {
	return benignAddr(nil, strconv.FormatUint(g.rng.Uint64(), 36), false)
}

// beacon appends a short connection with a small request and answer.
func (g *Generator) beacon(h *host, addr netip.Addr, port uint16) {
	k := conn{c: g.client(h, addr.Is6()), s: g.remote(addr, port), cttl: h.ttl, sttl: g.remoteTTL(), cseq: g.rng.Uint32(), sseq: g.rng.Uint32()}
	rtt := ms(g.rng, 20, 200)
	g.open(&k, 0, rtt)
	s := &g.sess
	s.pay = appendRandom(s.pay[:0], g.rng, 64+g.rng.IntN(200))
	g.send(&k, true, ms(g.rng, 1, 5), s.pay)
	s.pay = appendRandom(s.pay[:0], g.rng, 32+g.rng.IntN(600))
	g.send(&k, false, rtt, s.pay)
	g.close(&k, ms(g.rng, 100, 1000), rtt)
}

// probe appends SYNs from src to n distinct ports of target, each
// answered by a reset (closed) or a SYN/ACK (open).
func (g *Generator) probe(src endpoint, srcTTL uint8, target endpoint, n int, targetTTL uint8) {
	ports := g.rng.Perm(len(probedPorts))
	if n > len(ports) {
		n = len(ports)
	}
	seq := g.rng.Uint32()
	for i := range n {
		dst := target
		dst.port = probedPorts[ports[i]]
		g.syn(ms(g.rng, 1, 15), &src, &dst, srcTTL, seq)
		g.rst(ms(g.rng, 0, 2), &dst, &src, targetTTL, seq+1)
	}
}

// httpSessionFrom is httpSession from an outside source to an internal
// server.
func (g *Generator) httpSessionFrom(h *host, src, srv endpoint, hostHeader, path, ua string) {
	k := conn{c: src, s: srv, cttl: h.ttl, sttl: 64, cseq: g.rng.Uint32(), sseq: g.rng.Uint32()}
	k.s.mac, k.c.mac = g.net.webServer.mac, g.net.gateway
	rtt := ms(g.rng, 20, 150)
	g.open(&k, 0, rtt)
	s := &g.sess
	s.pay = fmt.Appendf(s.pay[:0], "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n\r\n", path, hostHeader, ua)
	g.send(&k, true, ms(g.rng, 0, 2), s.pay)
	s.pay = append(s.pay[:0], "HTTP/1.1 404 Not Found\r\nServer: Apache\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n"...)
	g.send(&k, false, ms(g.rng, 1, 10), s.pay)
	g.close(&k, ms(g.rng, 1, 50), rtt)
}

// randomLabel returns a DNS label of lo to hi letters and digits; dga
// labels favour consonants, as generated domain names do.
func randomLabel(rng *rand.Rand, lo, hi int, dga bool) string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	const consonants = "bcdfghjklmnpqrstvwxzbcdfghkmnpqrstvxz0123456789"
	n := lo + rng.IntN(hi-lo+1)
	b := make([]byte, n)
	for i := range b {
		if dga {
			b[i] = consonants[rng.IntN(len(consonants))]
		} else {
			b[i] = letters[rng.IntN(26)] // letters only
		}
	}
	return string(b)
}
