package sensor

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/sensor/decode"
	"github.com/spoorsec/spoor/sensor/dns"
	"github.com/spoorsec/spoor/sensor/httpmsg"
	"github.com/spoorsec/spoor/sensor/quic"
	"github.com/spoorsec/spoor/sensor/tlshello"
	"github.com/spoorsec/spoor/trails"
)

// IP protocol numbers the engine handles itself.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
)

// TCP flag combinations Maltrail tells apart.
const (
	tcpSYN  = 0x02
	tcpNULL = 0x00
	tcpFIN  = 0x01
	tcpXMAS = 0x29 // FIN|PSH|URG
)

// burstKey identifies a packet for Maltrail's burst suppression: identical
// SYNs or datagrams within one second are examined once.
type burstKey struct {
	sec          int64
	src, dst     netip.Addr
	sport, dport uint16
	payload      uint64 // digest of a datagram's first bytes, so two different DNS queries on one socket both count
	valid        bool
}

// Worker processes packets for one capture goroutine. It is not safe for
// concurrent use; create one per goroutine with Engine.NewWorker.
type Worker struct {
	e   *Engine
	set *trails.Set
	gen uint64

	pkt  decode.Packet
	dns  dns.Message
	req  httpmsg.Request
	resp httpmsg.Response
	ch   tlshello.ClientHello
	tcp  *tlshello.Reassembler
	quic *quic.Parser

	now                                            time.Time
	nowF                                           float64
	lastSYN, lastLoggedSYN, lastUDP, lastLoggedUDP burstKey

	misses  domainCache // names known to match nothing, per trail generation
	scratch []byte      // lowercased names; reused
	arena   arena       // strings of the HTTP request being matched
	checks  []string
	ja4     []byte
	ctx     packetContext

	hasTrail func(string) bool // w.hasDomainTrail, bound once
}

// packetContext is what the current packet revealed, turned into an
// event.Context only when the packet raises an event.
type packetContext struct {
	dns, http bool
	sni, ja4  []byte
	cert      [40]byte
	hasCert   bool
}

// NewWorker returns a worker bound to the engine.
func (e *Engine) NewWorker() *Worker {
	w := &Worker{
		e:       e,
		tcp:     tlshello.NewReassembler(4096, 16<<10),
		quic:    quic.NewParser(4096),
		scratch: make([]byte, 0, 4096),
		ja4:     make([]byte, 0, 64),
	}
	w.hasTrail = w.hasDomainTrail
	return w
}

// Process inspects one link-layer frame captured at ts.
func (w *Worker) Process(link decode.LinkType, data []byte, ts time.Time) {
	e := w.e
	e.packets.Add(1)
	if g := e.gen.Load(); w.set == nil || g != w.gen {
		w.set, w.gen = e.trails.Load(), g
		w.misses.reset()
	}
	p := &w.pkt
	if err := decode.Decode(link, data, p); err != nil {
		if err == decode.ErrUnsupported {
			e.notIP.Add(1)
		} else {
			e.decodeErrors.Add(1)
		}
		return
	}
	if p.Fragment {
		return // Maltrail inspects first fragments only
	}
	w.now = ts
	w.nowF = float64(ts.UnixNano()) / 1e9
	w.ctx = packetContext{}

	switch p.Proto {
	case protoTCP:
		w.tcpPacket(p)
	case protoUDP:
		w.udpPacket(p)
	default:
		w.otherPacket(p)
	}
}

func (w *Worker) burst(slot *burstKey, p *decode.Packet, digest uint64) bool {
	k := burstKey{sec: w.now.Unix(), src: p.Src, dst: p.Dst, sport: p.SrcPort, dport: p.DstPort, payload: digest, valid: true}
	same := *slot == k
	*slot = k
	return same
}

func (w *Worker) tcpPacket(p *decode.Packet) {
	switch p.TCPFlags {
	case tcpSYN:
		if w.burst(&w.lastSYN, p, 0) {
			return
		}
		w.synTrails(p)
		if w.e.cfg.Heuristics && !p.Dst.IsLoopback() {
			for _, a := range w.e.trk.TCPProbe(w.nowF, p.Src, p.Dst, p.SrcPort, p.DstPort, p.TCPFlags) {
				w.emitAlert(p, a)
			}
		}
		return
	case tcpNULL, tcpFIN, tcpXMAS:
		if w.e.cfg.Heuristics && !p.Dst.IsLoopback() {
			for _, a := range w.e.trk.TCPProbe(w.nowF, p.Src, p.Dst, p.SrcPort, p.DstPort, p.TCPFlags) {
				w.emitAlert(p, a)
			}
		}
		return
	}
	payload := p.Payload
	if len(payload) == 0 {
		return
	}
	if (w.e.cfg.CheckSNI || w.e.cfg.CheckCerts) && w.tlsPayload(p) {
		return
	}
	if (p.SrcPort == 53 || p.DstPort == 53) && dns.ParseTCP(payload, &w.dns) == nil {
		w.dnsMessage(p, "TCP")
		return
	}
	if bytes.Contains(payload, httpMarker) {
		w.httpPayload(p)
	}
}

var httpMarker = []byte("HTTP/")

// synTrails checks a connection attempt's endpoints against IP and IP:port
// trails, with Maltrail's direction rules: an outbound SYN to a known
// attacker and an inbound SYN from a malware host are not alerts.
func (w *Worker) synTrails(p *decode.Packet) {
	set := w.set
	if ent, trail, typ, ok := w.ipPortTrail(set, p.Dst, p.DstPort); ok {
		if w.burst(&w.lastLoggedSYN, p, 0) {
			return
		}
		if contains(ent.Info, "attacker") || (contains(ent.Info, "parking site") && p.DstPort != 80 && p.DstPort != 443) {
			return
		}
		w.emitTrail(p, "TCP", typ, trail, ent)
		return
	}
	if p.Dst.IsLoopback() {
		return
	}
	if ent, trail, typ, ok := w.ipPortTrail(set, p.Src, p.SrcPort); ok {
		if w.burst(&w.lastLoggedSYN, p, 0) {
			return
		}
		if contains(ent.Info, "malware") {
			return
		}
		w.emitTrail(p, "TCP", typ, trail, ent)
	}
}

// ipPortTrail looks an endpoint up as ip:port first, then as a bare IP.
func (w *Worker) ipPortTrail(set *trails.Set, a netip.Addr, port uint16) (trails.Entry, func() string, event.Type, bool) {
	if ent, ok := set.LookupIPPort(a, port); ok {
		return ent, func() string { return event.AddrPort(a, port) }, event.TypeIPort, true
	}
	if ent, ok := set.LookupIP(a); ok {
		return ent, func() string { return event.IPString(a) }, event.TypeIP, true
	}
	return trails.Entry{}, nil, "", false
}

func (w *Worker) udpPacket(p *decode.Packet) {
	if w.burst(&w.lastUDP, p, digest(p.Payload)) {
		return
	}
	if p.SrcPort == 53 || p.DstPort == 53 {
		if w.dns.Parse(p.Payload) == nil {
			w.dnsMessage(p, "UDP")
		}
		return
	}
	set := w.set
	// Maltrail suppresses a datagram whose listed side is "malware"; that
	// also hid datagrams *to* malware hosts (its Rust port fixed the same):
	// only the inbound, backscatter-like case is suppressed here.
	if ent, ok := set.LookupIP(p.Dst); ok {
		if !w.burst(&w.lastLoggedUDP, p, digest(p.Payload)) {
			w.emitTrail(p, "UDP", event.TypeIP, func() string { return event.IPString(p.Dst) }, ent)
		}
	} else if ent, ok := set.LookupIP(p.Src); ok && !contains(ent.Info, "malware") {
		if !w.burst(&w.lastLoggedUDP, p, digest(p.Payload)) {
			w.emitTrail(p, "UDP", event.TypeIP, func() string { return event.IPString(p.Src) }, ent)
		}
	}
	if w.e.cfg.Heuristics && !p.Dst.IsLoopback() {
		for _, a := range w.e.trk.UDPProbe(w.nowF, p.Src, p.Dst, p.SrcPort, p.DstPort) {
			w.emitAlert(p, a)
		}
	}
	if w.e.cfg.CheckSNI && isQUICInitial(p.Payload) {
		w.quicInitial(p)
	}
}

// otherPacket handles ICMP (echo requests only, as Maltrail) and every other
// IP protocol: endpoint IP trails.
func (w *Worker) otherPacket(p *decode.Packet) {
	switch p.Proto {
	case protoICMP:
		if p.ICMPType != 8 {
			return
		}
	case protoICMPv6:
		if p.ICMPType != 128 {
			return
		}
	}
	name := protoName(p.Proto)
	if name == "" {
		return
	}
	set := w.set
	if ent, ok := set.LookupIP(p.Dst); ok {
		w.emitTrail(p, name, event.TypeIP, func() string { return event.IPString(p.Dst) }, ent)
	} else if ent, ok := set.LookupIP(p.Src); ok {
		w.emitTrail(p, name, event.TypeIP, func() string { return event.IPString(p.Src) }, ent)
	}
}

// digest is FNV-1a over a datagram's first 64 bytes.
func digest(b []byte) uint64 {
	if len(b) > 64 {
		b = b[:64]
	}
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// newEvent fills the columns that come from the packet.
func (w *Worker) newEvent(p *decode.Packet, proto string, typ event.Type, trail, info, ref string) event.Event {
	ev := event.Event{
		Time:      w.now,
		Sensor:    w.e.cfg.Name,
		SrcIP:     event.IPString(p.Src),
		DstIP:     event.IPString(p.Dst),
		Proto:     proto,
		Type:      typ,
		Trail:     strings.Clone(trail), // trails may be views of reused buffers
		Info:      info,
		Reference: ref,
	}
	if p.Proto == protoTCP || p.Proto == protoUDP {
		ev.SrcPort = strconv.Itoa(int(p.SrcPort))
		ev.DstPort = strconv.Itoa(int(p.DstPort))
	}
	w.fillContext(&ev.Context)
	return ev
}

func (w *Worker) fillContext(c *event.Context) {
	x := &w.ctx
	if x.dns {
		c.DNSQType = w.dns.QType
		c.DNSRcode = -1
		if w.dns.Response() {
			c.DNSRcode = int8(w.dns.Rcode())
		}
	}
	if x.http {
		c.HTTPMethod = string(w.req.Method)
		c.HTTPHost = string(w.req.Host)
		c.HTTPURI = string(w.req.Target)
		c.HTTPUserAgent = string(w.req.UserAgent)
	}
	c.TLSSNI = string(x.sni)
	c.JA4 = string(x.ja4)
	if x.hasCert {
		c.CertSHA1 = string(x.cert[:])
	}
}

func (w *Worker) emitTrail(p *decode.Packet, proto string, typ event.Type, trail func() string, ent trails.Entry) {
	ev := w.newEvent(p, proto, typ, trail(), ent.Info, ent.Reference)
	w.e.emit(&ev, p.Src, p.Dst)
}

func (w *Worker) emitHeuristic(p *decode.Packet, proto string, typ event.Type, trail, info string) {
	ev := w.newEvent(p, proto, typ, trail, info, "(heuristic)")
	w.e.emit(&ev, p.Src, p.Dst)
}
