package decode

import "encoding/binary"

const (
	tcpMinHeaderLen = 20
	udpHeaderLen    = 8
	icmpHeaderLen   = 4 // type, code, checksum
)

// decodeTransport fills ports, flags and Payload for p.Proto from b, the
// bytes after the IP headers.
func decodeTransport(b []byte, p *Packet) error {
	switch p.Proto {
	case ProtoTCP:
		if len(b) < tcpMinHeaderLen {
			return ErrTruncated
		}
		p.SrcPort = binary.BigEndian.Uint16(b[0:])
		p.DstPort = binary.BigEndian.Uint16(b[2:])
		p.TCPSeq = binary.BigEndian.Uint32(b[4:])
		p.TCPFlags = b[13]
		off := int(b[12]>>4) << 2
		if off < tcpMinHeaderLen {
			return ErrMalformed
		}
		if len(b) < off {
			// Options cut by the snap length: ports and flags above are
			// still valid for the caller that wants them.
			return ErrTruncated
		}
		p.Payload = b[off:]
	case ProtoUDP:
		if len(b) < udpHeaderLen {
			return ErrTruncated
		}
		p.SrcPort = binary.BigEndian.Uint16(b[0:])
		p.DstPort = binary.BigEndian.Uint16(b[2:])
		// The UDP length trims what the IP length could not (IPv6
		// jumbograms and offloaded frames report 0 and are kept whole).
		if n := int(binary.BigEndian.Uint16(b[4:])); n >= udpHeaderLen && n < len(b) {
			b = b[:n]
		}
		p.Payload = b[udpHeaderLen:]
	case ProtoICMP, ProtoICMPv6:
		if len(b) < icmpHeaderLen {
			return ErrTruncated
		}
		p.ICMPType = b[0]
		p.ICMPCode = b[1]
		p.Payload = b[icmpHeaderLen:]
	default:
		p.Payload = b
	}
	return nil
}
