package heuristic

import (
	"encoding/binary"
	"hash/maphash"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/spoorsec/spoor/event"
)

// TCP flag combinations the trackers distinguish.
const (
	flagsSYN  = 0x02
	flagsNULL = 0x00
	flagsFIN  = 0x01
	flagsXMAS = 0x29 // FIN|PSH|URG
)

// infectionPorts is POTENTIAL_INFECTION_PORTS.
var infectionPorts = [...]uint16{135, 139, 445, 1433, 3389, 6379, 6892, 6893, 6901}

// Trackers holds the state of the stateful heuristics (#2, #3, #4, #7-#10)
// shared by all sensor workers. Its methods are safe for concurrent use;
// state is sharded by key with a mutex per shard. Time is packet time in
// Unix seconds. Every method returns a new slice the caller owns, nil when
// nothing fired; the common, nothing-fired path does not allocate.
type Trackers struct {
	cfg  Config
	wl   Whitelist
	seed maphash.Seed
	mix  uint64 // seed of the address hash

	connectKeys atomic.Int64 // port-scan and infection keys (one dict in Maltrail)
	udpKeys     atomic.Int64
	webKeys     atomic.Int64

	port      *windowTracker[pairKey]
	infection *windowTracker[portKey]
	udp       *windowTracker[pairKey]
	web       *windowTracker[pairKey]
	sources   *sourceRegistry
	dns       *exhaustionTracker
	nx        *nxTracker

	// Gates bound once so calls do not allocate closures.
	pairGate      func(pairKey, probe) gateResult
	webGate       func(pairKey, probe) gateResult
	infectionGate func(portKey, probe) gateResult
}

type pairKey struct{ src, dst netip.Addr }

type portKey struct {
	src  netip.Addr
	port uint16
}

// NewTrackers returns trackers for cfg. Zero settings take Maltrail's
// defaults and out-of-range ones are clamped (use Config.Validate to
// reject them instead). wl may be nil.
func NewTrackers(cfg Config, wl Whitelist) *Trackers {
	cfg = normalize(cfg)
	if wl == nil {
		wl = noWhitelist{}
	}
	t := &Trackers{cfg: cfg, wl: wl, seed: maphash.MakeSeed()}
	t.mix = maphash.String(t.seed, "address")
	t.port = newWindowTracker[pairKey](cfg.Window, cfg.PortScanThreshold, &t.connectKeys)
	t.infection = newWindowTracker[portKey](cfg.Window, cfg.InfectionThreshold, &t.connectKeys)
	t.udp = newWindowTracker[pairKey](cfg.Window, cfg.UDPScanThreshold, &t.udpKeys)
	t.web = newWindowTracker[pairKey](cfg.Window, cfg.WebScanThreshold, &t.webKeys)
	t.sources = newSourceRegistry(cfg.Window)
	t.dns = newExhaustionTracker(cfg.DNSExhaustionThreshold, t.seed)
	t.nx = newNXTracker(cfg.NXDomainThreshold, t.seed)
	t.pairGate = t.gateSource
	t.webGate = t.gateSource
	t.infectionGate = t.gateInfection
	return t
}

func normalize(cfg Config) Config {
	def := DefaultConfig()
	if cfg.Window == 0 {
		cfg.Window = def.Window
	}
	cfg.Window = max(1, min(maxWindow, cfg.Window))
	for _, p := range [...]struct {
		v   *int
		def int
		max int
	}{
		{&cfg.PortScanThreshold, def.PortScanThreshold, maxItemsPerKey - 1},
		{&cfg.UDPScanThreshold, def.UDPScanThreshold, maxItemsPerKey - 1},
		{&cfg.InfectionThreshold, def.InfectionThreshold, maxItemsPerKey - 1},
		{&cfg.WebScanThreshold, def.WebScanThreshold, maxItemsPerKey - 1},
		{&cfg.NXDomainThreshold, def.NXDomainThreshold, maxNXThreshold},
		{&cfg.DNSExhaustionThreshold, def.DNSExhaustionThreshold, maxExhaustionThreshold},
	} {
		if *p.v == 0 {
			*p.v = p.def
		}
		*p.v = max(1, min(p.max, *p.v))
	}
	return cfg
}

// TCPProbe feeds a TCP packet with the given flags from src to dst into
// the port-scanning (#7) and infection (#9) heuristics. A SYN (flags
// 0x02) counts for both; a NULL (0x00), bare FIN (0x01) or XMAS (0x29)
// probe, which no real stack sends, counts for port scanning only; any
// other flags are ignored, as are probes to 127.0.0.1 and ::1.
//
// Port scanning reports an "IP" event whose trail is src, with the ports
// of the earliest probe of the window; infection reports a "PORT" event
// whose trail is the port, with the source port and host of the earliest
// probe.
func (t *Trackers) TCPProbe(now float64, src, dst netip.Addr, sport, dport uint16, flags uint8) []Alert {
	var syn bool
	switch flags {
	case flagsSYN:
		syn = true
	case flagsNULL, flagsFIN, flagsXMAS:
	default:
		return nil
	}
	if isLocalhost(dst) {
		return nil
	}
	var alerts []Alert
	hs, hd := t.hashAddr(src), t.hashAddr(dst)
	infection, portScan := t.cfg.Enabled(Infection), t.cfg.Enabled(PortScanning)
	if infection && (syn || portScan) {
		// Maltrail's local prefix counts every source in its SYN dict,
		// which also holds stealth probes while port scanning is on.
		t.sources.note(now, src, hs)
	}
	if portScan {
		f, n := t.port.observe(now, pairKey{src, dst}, pairHash(hs, hd), uint64(dport), probe{t: now, sport: sport, dport: dport}, t.pairGate)
		for _, x := range f[:n] {
			alerts = append(alerts, Alert{
				Src: src, SrcPort: x.probe.sport, Dst: dst, DstPort: x.probe.dport,
				Proto: protoTCP, Type: typeIP, Trail: event.IPString(src), Info: infoPortScan,
			})
		}
	}
	if syn && infection && isInfectionPort(dport) {
		p := probe{t: now, sport: sport, dport: dport, dst: dst}
		f, n := t.infection.observe(now, portKey{src, dport}, fmix(hs^uint64(dport)), hd, p, t.infectionGate)
		for _, x := range f[:n] {
			alerts = append(alerts, Alert{
				Src: src, SrcPort: x.probe.sport, Dst: x.probe.dst, DstPort: dport,
				Proto: protoTCP, Type: typePort, Trail: strconv.Itoa(int(dport)), Info: infoInfection,
			})
		}
	}
	return alerts
}

func isInfectionPort(p uint16) bool {
	for _, q := range infectionPorts {
		if p == q {
			return true
		}
	}
	return false
}

// UDPProbe feeds a non-DNS UDP datagram (neither port 53) into the UDP
// scanning heuristic (#8): an "IP" event whose trail is src, with the
// ports of the earliest datagram of the window. Datagrams to 127.0.0.1
// and ::1 are ignored.
func (t *Trackers) UDPProbe(now float64, src, dst netip.Addr, sport, dport uint16) []Alert {
	if sport == 53 || dport == 53 || isLocalhost(dst) || !t.cfg.Enabled(UDPScanning) {
		return nil
	}
	h := pairHash(t.hashAddr(src), t.hashAddr(dst))
	f, n := t.udp.observe(now, pairKey{src, dst}, h, uint64(dport), probe{t: now, sport: sport, dport: dport}, t.pairGate)
	var alerts []Alert
	for _, x := range f[:n] {
		alerts = append(alerts, Alert{
			Src: src, SrcPort: x.probe.sport, Dst: dst, DstPort: x.probe.dport,
			Proto: protoUDP, Type: typeIP, Trail: event.IPString(src), Info: infoUDPScan,
		})
	}
	return alerts
}

// WebRequest feeds an HTTP request for path (starting with '/', as
// Maltrail holds it: lower-cased) into the web scanning heuristic (#10),
// which counts distinct first path segments (path.split('/')[1], query
// included when the path has no second '/') per (src, dst). It reports a
// "PATH" event with trail "*" and the ports of the earliest request of the
// window. Requests between two local (RFC 1918/loopback) addresses are
// never counted.
func (t *Trackers) WebRequest(now float64, src, dst netip.Addr, sport, dport uint16, path string) []Alert {
	if !strings.HasPrefix(path, "/") || !t.cfg.Enabled(WebScanning) || (isLocal(src) && isLocal(dst)) {
		return nil
	}
	seg := path[1:]
	if i := strings.IndexByte(seg, '/'); i >= 0 {
		seg = seg[:i]
	}
	if needsLower(seg) {
		seg = strings.ToLower(seg)
	}
	h := pairHash(t.hashAddr(src), t.hashAddr(dst))
	f, n := t.web.observe(now, pairKey{src, dst}, h, maphash.String(t.seed, seg), probe{t: now, sport: sport, dport: dport}, t.webGate)
	var alerts []Alert
	for _, x := range f[:n] {
		alerts = append(alerts, Alert{
			Src: src, SrcPort: x.probe.sport, Dst: dst, DstPort: x.probe.dport,
			Proto: protoTCP, Type: typePath, Trail: "*", Info: infoWebScan,
		})
	}
	return alerts
}

func needsLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') {
			return true
		}
	}
	return false
}

// gateSource withholds scan alerts for whitelisted sources.
func (t *Trackers) gateSource(k pairKey, _ probe) gateResult {
	if t.wl.IP(k.src) {
		return gateDeny
	}
	return gateAlert
}

// gateInfection reports only sources in the local prefix; others are
// asked again on their next probe, as the prefix may change.
func (t *Trackers) gateInfection(k portKey, _ probe) gateResult {
	if t.sources.inLocalPrefix(k.src) {
		return gateAlert
	}
	return gateWait
}

// hashAddr is a seeded 64-bit hash of an address (zone ignored).
func (t *Trackers) hashAddr(a netip.Addr) uint64 {
	b := a.As16()
	h := fmix(t.mix ^ binary.LittleEndian.Uint64(b[:8]))
	return fmix(h ^ binary.LittleEndian.Uint64(b[8:]))
}

// pairHash combines the hashes of a source and a destination.
func pairHash(src, dst uint64) uint64 {
	return fmix(src ^ dst<<1)
}

// fmix is MurmurHash3's 64-bit finalizer.
func fmix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}
