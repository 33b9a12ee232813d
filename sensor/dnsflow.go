package sensor

import (
	"net/netip"
	"strings"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/sensor/decode"
	"github.com/spoorsec/spoor/sensor/heuristic"
)

// dnsMessage handles a parsed DNS message (w.dns): queries are matched
// against resolver IP trails and domain trails and feed the DNS-exhaustion
// heuristic; responses are checked for sinkholed or parked answers and feed
// the NXDOMAIN and DGA heuristics.
func (w *Worker) dnsMessage(p *decode.Packet, proto string) {
	m := &w.dns
	if m.QDCount == 0 || len(m.Name) == 0 {
		return
	}
	w.ctx.dns = true
	name := view(m.Name)
	if m.QType == 12 && !m.Response() && w.ptrQuery(p, proto, name) {
		return
	}
	if !heuristic.ValidDNSName(name) || heuristic.IgnoredDNSName(name) {
		return
	}
	if byte(m.Flags>>8)&0xfa == 0 { // standard query: QR=0, opcode 0, AA=0, TC=0
		alerts, suppress := w.e.trk.DNSQuery(w.nowF, p.Src, p.Dst, p.SrcPort, p.DstPort, name)
		for _, a := range alerts {
			w.emitAlert(p, a)
		}
		if suppress {
			return
		}
		// Maltrail skips AAAA and PTR queries here; every type is matched.
		if m.QClass != 1 {
			return
		}
		set := w.set
		if ent, ok := set.LookupIPPort(p.Dst, p.DstPort); ok {
			w.emitTrail(p, proto, event.TypeIPort, func() string { return event.IPString(p.Dst) + " (" + name + ")" }, ent)
		} else if ent, ok := set.LookupIP(p.Dst); ok {
			w.emitTrail(p, proto, event.TypeIP, func() string { return event.IPString(p.Dst) + " (" + name + ")" }, ent)
		} else if ent, ok := set.LookupIP(p.Src); ok {
			w.emitTrail(p, proto, event.TypeIP, func() string { return event.IPString(p.Src) }, ent)
		}
		w.checkDomain(name, p, proto)
		return
	}
	if !w.e.cfg.Heuristics || !m.Response() {
		return
	}
	switch m.Rcode() {
	case 0:
		w.dnsAnswers(p, proto, name)
	case 3:
		if m.Flags&0x0080 == 0 {
			return // NXDOMAIN from an authoritative server, not a recursive resolver
		}
		for _, a := range w.e.trk.NXDomain(w.nowF, p.Src, p.Dst, p.SrcPort, p.DstPort, name, w.hasTrail) {
			if w.e.on(nxdomainHeuristic(a.Info)) {
				w.emitAlert(p, a)
			}
		}
	}
}

// dnsAnswers reports a name that resolves to a sinkhole or a parking
// service. Maltrail looks at the first A record only; every A and AAAA
// answer is checked here.
func (w *Worker) dnsAnswers(p *decode.Packet, proto, name string) {
	for _, a := range w.dns.Answers {
		if !a.Addr.IsValid() {
			continue
		}
		ent, ok := w.set.LookupIP(a.Addr)
		if !ok {
			continue
		}
		var info string
		switch {
		case strings.Contains(ent.Info, "sinkhole") && w.e.on(heuristic.SinkholedDomain):
			fields := strings.Fields(ent.Info)
			by := ""
			if len(fields) > 1 {
				by = fields[1]
			}
			info = "sinkholed by " + by + " (malware)"
		case strings.Contains(ent.Info, "parking") && w.e.on(heuristic.ParkedDomain):
			info = "parked site (suspicious)"
		default:
			continue
		}
		if w.e.wl.Domain(name) {
			return
		}
		trail := name
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			trail = "(" + name[:i] + ")" + name[i:]
		}
		w.emitHeuristic(p, proto, event.TypeDNS, trail, info)
		return
	}
}

// ptrQuery matches the address behind a reverse lookup against IP trails
// (Maltrail ignores .arpa names altogether). It reports whether the name
// was a reverse-lookup name.
func (w *Worker) ptrQuery(p *decode.Packet, proto, name string) bool {
	a, ok := reverseAddr(name)
	if !ok {
		return false
	}
	if ent, ok := w.set.LookupIP(a); ok {
		w.emitTrail(p, proto, event.TypeDNS, func() string { return event.IPString(a) + " (" + name + ")" }, ent)
	}
	return true
}

// reverseAddr parses d.c.b.a.in-addr.arpa and nibble-format ip6.arpa names.
func reverseAddr(name string) (netip.Addr, bool) {
	if rest, ok := strings.CutSuffix(name, ".in-addr.arpa"); ok {
		var b [4]byte
		for i := 3; i >= 0; i-- {
			label := rest
			if j := strings.LastIndexByte(rest, '.'); j >= 0 {
				label, rest = rest[j+1:], rest[:j]
			} else {
				rest = ""
			}
			n, ok := smallUint(label)
			if !ok || n > 255 || (i > 0 && rest == "") {
				return netip.Addr{}, false
			}
			b[3-i] = byte(n)
		}
		if rest != "" {
			return netip.Addr{}, false
		}
		return netip.AddrFrom4(b), true
	}
	if rest, ok := strings.CutSuffix(name, ".ip6.arpa"); ok {
		if len(rest) != 63 {
			return netip.Addr{}, false
		}
		var b [16]byte
		for i := 0; i < 32; i++ {
			c := rest[62-2*i]
			if i < 31 && rest[62-2*i-1] != '.' {
				return netip.Addr{}, false
			}
			v, ok := hexNibble(c)
			if !ok {
				return netip.Addr{}, false
			}
			if i%2 == 0 {
				b[i/2] = v << 4
			} else {
				b[i/2] |= v
			}
		}
		return netip.AddrFrom16(b), true
	}
	return netip.Addr{}, false
}

func smallUint(s string) (int, bool) {
	if s == "" || len(s) > 3 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func hexNibble(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// nxdomainHeuristic names the heuristic behind an NXDOMAIN alert: the
// excessive-NXDOMAIN counter or the DGA label test.
func nxdomainHeuristic(info string) string {
	if strings.HasPrefix(info, "excessive") {
		return heuristic.ExcessiveNXDomain
	}
	return heuristic.DGANXDomain
}
