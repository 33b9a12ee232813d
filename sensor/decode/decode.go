// Package decode parses the link, network and transport headers of one
// captured frame into a Packet without allocating.
//
// It covers what Maltrail's sensor understands (old/sensor.py packet_handler
// and _process_packet) and goes further where Maltrail silently drops
// traffic: stacked VLAN tags (QinQ) are followed, IPv6 extension headers are
// walked to the real upper-layer protocol, NULL/loopback captures accept the
// IPv6 address-family values of every BSD, and the IP total length trims
// Ethernet padding off the payload.
//
// Decode is meant for the capture hot path: it allocates nothing, never
// panics on hostile input, and reports malformed frames through sentinel
// errors so callers can count them by reason.
package decode

import (
	"errors"
	"net/netip"
)

// Sentinel errors returned by Decode. Callers branch on them with errors.Is
// to count dropped frames by reason.
var (
	// ErrTruncated means the frame ends inside a header Decode needs.
	ErrTruncated = errors.New("decode: truncated header")
	// ErrUnsupported means the frame is well formed but carries something
	// other than IPv4/IPv6 (ARP, LLC, PPP control, an unknown link type, …).
	ErrUnsupported = errors.New("decode: unsupported protocol")
	// ErrMalformed means a header field is impossible (IPv4 IHL below 5,
	// total length shorter than the header, TCP data offset below 5, an
	// over-long IPv6 extension-header chain, too many VLAN tags).
	ErrMalformed = errors.New("decode: malformed header")
)

// IP protocol numbers Decode interprets.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58
)

// Packet is the decoded view of one frame. Decode overwrites every field.
type Packet struct {
	Version  uint8 // 4 or 6
	Src, Dst netip.Addr
	// Proto is the IP protocol number; for IPv6 it is the upper-layer
	// protocol found after walking the extension headers (for a non-first
	// fragment, the Next Header of the Fragment header).
	Proto uint8
	// Fragment marks a non-first IP fragment: it carries no transport
	// header, so ports, flags and Payload are left zero.
	Fragment bool
	TTL      uint8 // IPv4 TTL or IPv6 hop limit

	SrcPort, DstPort uint16 // TCP and UDP only
	TCPFlags         uint8
	TCPSeq           uint32

	ICMPType, ICMPCode uint8 // ICMP and ICMPv6 only

	// Payload is the transport payload: after the TCP header (options
	// included), the UDP header, or the ICMP type/code/checksum; for other
	// protocols everything after the IP headers. It aliases the frame given
	// to Decode, is trimmed to the IP (and UDP) length, and may be shorter
	// than the sender's when the capture snap length cut the frame.
	Payload []byte
}

// Decode parses data, a frame of the given link type, into p. It resets p
// first; on error the fields decoded before the failing header stay set
// (for example Src and Dst when only the TCP header is cut short), the
// rest are zero. Decode allocates nothing and keeps no reference to p or
// data after it returns (p.Payload aliases data).
func Decode(link LinkType, data []byte, p *Packet) error {
	*p = Packet{}
	return decodeLink(link, data, p)
}
