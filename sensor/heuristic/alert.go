package heuristic

import "net/netip"

// Alert is one event raised by a tracker, in Maltrail's columns. The
// event's time is the packet time of the call that raised it; its
// reference is "(heuristic)".
type Alert struct {
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16 // 0 renders as "-"
	Proto            string // "TCP" or "UDP"
	Type             string // Maltrail event type: "IP", "PORT", "PATH", "DNS"
	Trail, Info      string
}

// Whitelist is the sensor's whitelist as the trackers consult it
// (satisfied by *trails.Whitelist). Domain reports whether a name or one
// of its parent domains is whitelisted.
type Whitelist interface {
	Domain(name string) bool
	IP(addr netip.Addr) bool
}

// Maltrail's event type and protocol columns used by the trackers.
const (
	typeIP   = "IP"
	typePort = "PORT"
	typePath = "PATH"
	typeDNS  = "DNS"

	protoTCP = "TCP"
	protoUDP = "UDP"
)

// Event info texts of the tracker heuristics.
const (
	infoPortScan      = "potential port scanning"
	infoUDPScan       = "potential udp scanning"
	infoInfection     = "potential infection"
	infoWebScan       = "potential web scanning"
	infoDNSExhaustion = "potential dns exhaustion (suspicious)"
	infoNXDomain      = "excessive no such domain (suspicious)"
)

// noWhitelist is the whitelist used when none is given.
type noWhitelist struct{}

func (noWhitelist) Domain(string) bool { return false }
func (noWhitelist) IP(netip.Addr) bool { return false }

// isLocal is Maltrail's is_local: an IPv4 address in 127/8, 10/8,
// 172.16/12 or 192.168/16. IPv6 addresses never are.
func isLocal(a netip.Addr) bool {
	if !a.Is4() {
		return false
	}
	b := a.As4()
	switch {
	case b[0] == 127, b[0] == 10:
		return true
	case b[0] == 172:
		return b[1] >= 16 && b[1] <= 31
	case b[0] == 192:
		return b[1] == 168
	}
	return false
}

var (
	localhost4 = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	localhost6 = netip.IPv6Loopback()
)

// isLocalhost is Maltrail's dst_ip == LOCALHOST_IP[version]: exactly
// 127.0.0.1 or ::1.
func isLocalhost(a netip.Addr) bool {
	return a == localhost4 || a == localhost6
}
