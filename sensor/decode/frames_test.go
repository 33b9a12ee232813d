package decode

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

func testdataDir(tb testing.TB) string { return shared.Testdata(tb) }

// Frame builders for crafted test input. Each returns a fresh slice.

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

func ethHdr(etherType uint16) []byte {
	return cat([]byte{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66}, be16(etherType))
}

func vlanTag(vid, next uint16) []byte { return cat(be16(vid), be16(next)) }

// ipv4Hdr builds an IPv4 header with IHL 5 (plus opts, a multiple of 4
// bytes) for a payload of payloadLen bytes.
func ipv4Hdr(proto uint8, src, dst string, fragField uint16, opts []byte, payloadLen int) []byte {
	ihl := 20 + len(opts)
	h := make([]byte, 20)
	h[0] = 0x40 | byte(ihl/4)
	binary.BigEndian.PutUint16(h[2:], uint16(ihl+payloadLen))
	binary.BigEndian.PutUint16(h[4:], 0x1234)
	binary.BigEndian.PutUint16(h[6:], fragField)
	h[8] = 64
	h[9] = proto
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	copy(h[12:], s[:])
	copy(h[16:], d[:])
	return cat(h, opts)
}

func ipv6Hdr(next uint8, src, dst string, payloadLen int) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(payloadLen))
	h[6] = next
	h[7] = 55
	s, d := netip.MustParseAddr(src).As16(), netip.MustParseAddr(dst).As16()
	copy(h[8:], s[:])
	copy(h[24:], d[:])
	return h
}

// extHdr builds a generic IPv6 extension header (8-octet units).
func extHdr(next uint8, units int) []byte {
	h := make([]byte, 8*(units+1))
	h[0] = next
	h[1] = byte(units)
	return h
}

func fragHdr(next uint8, offset uint16, more bool) []byte {
	h := make([]byte, 8)
	h[0] = next
	f := offset << 3
	if more {
		f |= 1
	}
	binary.BigEndian.PutUint16(h[2:], f)
	return h
}

func tcpSeg(sport, dport uint16, flags uint8, opts []byte, payload string) []byte {
	h := make([]byte, 20)
	binary.BigEndian.PutUint16(h[0:], sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint32(h[4:], 0xdeadbeef)
	h[12] = byte((20+len(opts))/4) << 4
	h[13] = flags
	return cat(h, opts, []byte(payload))
}

func udpDgram(sport, dport uint16, payload string) []byte {
	h := make([]byte, 8)
	binary.BigEndian.PutUint16(h[0:], sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint16(h[4:], uint16(8+len(payload)))
	return cat(h, []byte(payload))
}

func icmpMsg(typ, code uint8, payload string) []byte {
	return cat([]byte{typ, code, 0, 0}, []byte(payload))
}

// v4 wraps an L4 segment into an IPv4 packet.
func v4(proto uint8, l4 []byte) []byte {
	return cat(ipv4Hdr(proto, "10.0.0.66", "66.66.66.66", 0, nil, len(l4)), l4)
}

// v6 wraps an L4 segment (after optional extension headers) into IPv6.
func v6(next uint8, rest []byte) []byte {
	return cat(ipv6Hdr(next, "dead::1", "dead::beef", len(rest)), rest)
}

func pppoeSession(pppProto uint16, ip []byte) []byte {
	return cat([]byte{0x11, 0x00, 0xf5, 0xd7}, be16(uint16(len(ip)+2)), be16(pppProto), ip)
}

func sllHdr(proto uint16) []byte {
	return cat([]byte{0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x00, 0x00}, be16(proto))
}

func sll2Hdr(proto uint16) []byte {
	return cat(be16(proto), []byte{0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0, 0})
}

func afLE(af uint32) []byte { return binary.LittleEndian.AppendUint32(nil, af) }
func afBE(af uint32) []byte { return binary.BigEndian.AppendUint32(nil, af) }
