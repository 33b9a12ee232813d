package sensor

import (
	"strconv"
	"strings"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/sensor/decode"
	"github.com/spoorsec/spoor/sensor/heuristic"
)

// emitAlert turns a tracker alert into an event. Trackers name their own
// endpoints: a scan alert reports the first probe seen, not this packet.
func (w *Worker) emitAlert(p *decode.Packet, a heuristic.Alert) {
	ev := event.Event{
		Time:      w.now,
		Sensor:    w.e.cfg.Name,
		SrcIP:     event.IPString(a.Src),
		DstIP:     event.IPString(a.Dst),
		SrcPort:   portText(a.SrcPort),
		DstPort:   portText(a.DstPort),
		Proto:     a.Proto,
		Type:      event.Type(a.Type),
		Trail:     strings.Clone(a.Trail), // may be a view of the packet's query name
		Info:      a.Info,
		Reference: "(heuristic)",
	}
	w.fillContext(&ev.Context)
	w.e.emit(&ev, a.Src, a.Dst)
}

func portText(p uint16) string {
	if p == 0 {
		return ""
	}
	return strconv.Itoa(int(p))
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// protoName is the protocol column for non-TCP/UDP packets: the names
// Python's socket module gives IPPROTO_* constants, which Maltrail prints.
func protoName(p uint8) string {
	switch p {
	case 1:
		return "ICMP"
	case 2:
		return "IGMP"
	case 4:
		return "IPIP"
	case 8:
		return "EGP"
	case 12:
		return "PUP"
	case 22:
		return "IDP"
	case 29:
		return "TP"
	case 41:
		return "IPV6"
	case 46:
		return "RSVP"
	case 47:
		return "GRE"
	case 50:
		return "ESP"
	case 51:
		return "AH"
	case 58:
		return "ICMPV6"
	case 92:
		return "MTP"
	case 98:
		return "ENCAP"
	case 103:
		return "PIM"
	case 108:
		return "COMP"
	case 132:
		return "SCTP"
	case 136:
		return "UDPLITE"
	case 137:
		return "MPLS"
	case 255:
		return "RAW"
	}
	return ""
}
