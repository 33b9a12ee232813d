package trafficgen

import (
	"encoding/binary"
	"net/netip"
)

// IP protocol numbers and TCP flags the generator writes.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58

	flagFIN = 0x01
	flagSYN = 0x02
	flagRST = 0x04
	flagPSH = 0x08
	flagACK = 0x10
)

// endpoint is one side of a conversation as it appears on the wire.
type endpoint struct {
	mac  [6]byte
	addr netip.Addr
	port uint16
}

// ipHeader holds the per-packet IP fields that are not addresses.
type ipHeader struct {
	ttl uint8
	id  uint16
}

// appendFrame appends an Ethernet II frame from src to dst carrying an IP
// packet (version chosen by the addresses) with the transport header l4
// (its checksum field zero, at csumOff) and payload. It fills in lengths
// and the IP and transport checksums.
func appendFrame(b []byte, src, dst *endpoint, h ipHeader, proto uint8, l4 []byte, csumOff int, payload []byte) []byte {
	b = append(b, dst.mac[:]...)
	b = append(b, src.mac[:]...)
	l4len := len(l4) + len(payload)
	var pseudo uint32
	if src.addr.Is4() {
		b = binary.BigEndian.AppendUint16(b, 0x0800)
		ip := len(b)
		b = append(b, 0x45, 0)
		b = binary.BigEndian.AppendUint16(b, uint16(20+l4len))
		b = binary.BigEndian.AppendUint16(b, h.id)
		b = append(b, 0x40, 0, h.ttl, proto, 0, 0) // don't fragment
		s, d := src.addr.As4(), dst.addr.As4()
		b = append(b, s[:]...)
		b = append(b, d[:]...)
		binary.BigEndian.PutUint16(b[ip+10:], ^fold(sum(0, b[ip:ip+20])))
		pseudo = sum(sum(0, s[:]), d[:]) + uint32(proto) + uint32(l4len)
	} else {
		b = binary.BigEndian.AppendUint16(b, 0x86dd)
		b = append(b, 0x60, 0, 0, 0)
		b = binary.BigEndian.AppendUint16(b, uint16(l4len))
		b = append(b, proto, h.ttl)
		s, d := src.addr.As16(), dst.addr.As16()
		b = append(b, s[:]...)
		b = append(b, d[:]...)
		pseudo = sum(sum(0, s[:]), d[:]) + uint32(proto) + uint32(l4len)
	}
	start := len(b)
	b = append(b, l4...)
	b = append(b, payload...)
	if proto == protoICMP {
		pseudo = 0 // ICMPv4 sums the message alone; the others add the pseudo-header
	}
	c := ^fold(sum(pseudo, b[start:]))
	if c == 0 && proto == protoUDP {
		c = 0xffff // zero means "no checksum" in UDP
	}
	binary.BigEndian.PutUint16(b[start+csumOff:], c)
	return b
}

// tcpHeader returns a 20-byte TCP header (no options) in buf.
func tcpHeader(buf *[20]byte, sport, dport uint16, seq, ack uint32, flags uint8, window uint16) []byte {
	b := buf[:]
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], seq)
	binary.BigEndian.PutUint32(b[8:], ack)
	b[12] = 5 << 4
	b[13] = flags
	binary.BigEndian.PutUint16(b[14:], window)
	b[16], b[17], b[18], b[19] = 0, 0, 0, 0
	return b
}

// udpHeader returns an 8-byte UDP header for a payload of n bytes in buf.
func udpHeader(buf *[20]byte, sport, dport uint16, n int) []byte {
	b := buf[:8]
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], uint16(8+n))
	b[6], b[7] = 0, 0
	return b
}

// icmpEcho returns an ICMP (or ICMPv6) echo request header in buf.
func icmpEcho(buf *[20]byte, v6 bool, id, seq uint16) []byte {
	b := buf[:8]
	b[0] = 8
	if v6 {
		b[0] = 128
	}
	b[1], b[2], b[3] = 0, 0, 0
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	return b
}

// sum adds b to the one's-complement accumulator s as 16-bit words.
func sum(s uint32, b []byte) uint32 {
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

func fold(s uint32) uint16 {
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}
