package decode

import (
	"encoding/binary"
	"net/netip"
)

const (
	ipv4MinHeaderLen = 20
	ipv6HeaderLen    = 40
)

// IPv6 extension headers walked to reach the upper-layer protocol.
const (
	ipv6HopByHop    = 0
	ipv6Routing     = 43
	ipv6Fragment    = 44
	ipv6AH          = 51
	ipv6DestOpts    = 60
	ipv6Mobility    = 135
	ipv6HIP         = 139
	ipv6Shim6       = 140
	ipv6FragmentLen = 8
)

// maxIPv6ExtHeaders bounds the extension-header walk. RFC 8200 §4.1 allows
// each header type once (destination options twice); anything longer is
// an evasion attempt, not traffic.
const maxIPv6ExtHeaders = 8

// decodeIP dispatches on the version nibble (raw IP link types).
func decodeIP(b []byte, p *Packet) error {
	if len(b) == 0 {
		return ErrTruncated
	}
	switch b[0] >> 4 {
	case 4:
		return decodeIPv4(b, p)
	case 6:
		return decodeIPv6(b, p)
	}
	return ErrUnsupported
}

func decodeIPv4(b []byte, p *Packet) error {
	if len(b) < ipv4MinHeaderLen {
		if len(b) > 0 && b[0]>>4 != 4 {
			return ErrUnsupported
		}
		return ErrTruncated
	}
	if b[0]>>4 != 4 {
		return ErrUnsupported
	}
	ihl := int(b[0]&0x0f) << 2
	if ihl < ipv4MinHeaderLen {
		return ErrMalformed
	}
	p.Version = 4
	p.TTL = b[8]
	p.Proto = b[9]
	p.Src = netip.AddrFrom4([4]byte(b[12:16]))
	p.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	if len(b) < ihl {
		return ErrTruncated
	}
	switch total := int(binary.BigEndian.Uint16(b[2:])); {
	case total == 0:
		// TCP segmentation offload hands the capture a super-frame whose
		// length field the NIC fills in later; use what was captured.
	case total < ihl:
		return ErrMalformed
	case total < len(b):
		b = b[:total] // drop Ethernet padding and trailers
	}
	if binary.BigEndian.Uint16(b[6:])&0x1fff != 0 {
		p.Fragment = true
		return nil
	}
	return decodeTransport(b[ihl:], p)
}

func decodeIPv6(b []byte, p *Packet) error {
	if len(b) < ipv6HeaderLen {
		if len(b) > 0 && b[0]>>4 != 6 {
			return ErrUnsupported
		}
		return ErrTruncated
	}
	if b[0]>>4 != 6 {
		return ErrUnsupported
	}
	p.Version = 6
	p.TTL = b[7]
	p.Src = netip.AddrFrom16([16]byte(b[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(b[24:40]))
	// A zero payload length means a jumbogram or an offloaded super-frame:
	// use what was captured.
	if n := ipv6HeaderLen + int(binary.BigEndian.Uint16(b[4:])); n > ipv6HeaderLen && n < len(b) {
		b = b[:n]
	}
	next, rest := b[6], b[ipv6HeaderLen:]
	for range maxIPv6ExtHeaders {
		p.Proto = next
		var n int
		switch next {
		case ipv6HopByHop, ipv6Routing, ipv6DestOpts, ipv6Mobility, ipv6HIP, ipv6Shim6:
			if len(rest) < 2 {
				return ErrTruncated
			}
			n = (int(rest[1]) + 1) << 3
		case ipv6AH:
			if len(rest) < 2 {
				return ErrTruncated
			}
			n = (int(rest[1]) + 2) << 2
		case ipv6Fragment:
			if len(rest) < ipv6FragmentLen {
				return ErrTruncated
			}
			if binary.BigEndian.Uint16(rest[2:])>>3 != 0 {
				p.Proto = rest[0]
				p.Fragment = true
				return nil
			}
			n = ipv6FragmentLen
		default:
			return decodeTransport(rest, p)
		}
		if len(rest) < n {
			return ErrTruncated
		}
		next, rest = rest[0], rest[n:]
	}
	return ErrMalformed
}
