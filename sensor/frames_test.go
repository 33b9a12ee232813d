package sensor

import (
	"encoding/binary"
	"net/netip"
)

// ethernet wraps an IP packet in an Ethernet II header.
func ethernet(ip []byte, v6 bool) []byte {
	typ := uint16(0x0800)
	if v6 {
		typ = 0x86dd
	}
	f := make([]byte, 14, 14+len(ip))
	binary.BigEndian.PutUint16(f[12:], typ)
	return append(f, ip...)
}

// ipPacket builds an IPv4 or IPv6 header around an L4 segment.
func ipPacket(src, dst netip.Addr, proto uint8, l4 []byte) []byte {
	if src.Is4() {
		h := make([]byte, 20, 20+len(l4))
		h[0] = 0x45
		binary.BigEndian.PutUint16(h[2:], uint16(20+len(l4)))
		h[8] = 64
		h[9] = proto
		s, d := src.As4(), dst.As4()
		copy(h[12:], s[:])
		copy(h[16:], d[:])
		return append(h, l4...)
	}
	h := make([]byte, 40, 40+len(l4))
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(l4)))
	h[6] = proto
	h[7] = 64
	s, d := src.As16(), dst.As16()
	copy(h[8:], s[:])
	copy(h[24:], d[:])
	return append(h, l4...)
}

func udpFrame(src, dst string, sport, dport uint16, payload []byte) []byte {
	s, d := netip.MustParseAddr(src), netip.MustParseAddr(dst)
	u := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(u[0:], sport)
	binary.BigEndian.PutUint16(u[2:], dport)
	binary.BigEndian.PutUint16(u[4:], uint16(8+len(payload)))
	return ethernet(ipPacket(s, d, protoUDP, append(u, payload...)), s.Is6())
}

func tcpFrame(src, dst string, sport, dport uint16, seq uint32, flags uint8, payload []byte) []byte {
	s, d := netip.MustParseAddr(src), netip.MustParseAddr(dst)
	t := make([]byte, 20, 20+len(payload))
	binary.BigEndian.PutUint16(t[0:], sport)
	binary.BigEndian.PutUint16(t[2:], dport)
	binary.BigEndian.PutUint32(t[4:], seq)
	t[12] = 5 << 4
	t[13] = flags
	return ethernet(ipPacket(s, d, protoTCP, append(t, payload...)), s.Is6())
}

// dnsQuery builds a standard recursive query for name and qtype.
func dnsQuery(name string, qtype uint16) []byte {
	m := []byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, label := range splitDots(name) {
		m = append(m, byte(len(label)))
		m = append(m, label...)
	}
	m = append(m, 0, byte(qtype>>8), byte(qtype), 0, 1)
	return m
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}
