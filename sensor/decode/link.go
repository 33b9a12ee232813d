package decode

import (
	"encoding/binary"
	"strconv"
)

// LinkType is a pcap LINKTYPE_* value (as found in pcap and pcapng files)
// or a platform DLT_* value (as reported by a live capture handle).
type LinkType uint32

// Link types Decode understands.
const (
	LinkNull      LinkType = 0   // BSD loopback: 4-byte address family in the capturing host's byte order
	LinkEthernet  LinkType = 1   // Ethernet II, with 802.1Q/802.1ad tags and PPPoE sessions
	LinkPPP       LinkType = 9   // PPP, with or without the HDLC address/control bytes
	LinkDLTRaw    LinkType = 12  // DLT_RAW as most platforms report it (and some tools write it to files)
	LinkDLTRawBSD LinkType = 14  // DLT_RAW on OpenBSD
	LinkRaw       LinkType = 101 // LINKTYPE_RAW: the frame starts with the IP header
	LinkLoop      LinkType = 108 // OpenBSD loopback: 4-byte address family in network byte order
	LinkLinuxSLL  LinkType = 113 // Linux "cooked" capture v1 (the "any" device)
	LinkIPv4      LinkType = 228 // raw IPv4
	LinkIPv6      LinkType = 229 // raw IPv6
	LinkLinuxSLL2 LinkType = 276 // Linux "cooked" capture v2
)

// String returns the LINKTYPE name, or LINKTYPE_<n> for one Decode does not know.
func (l LinkType) String() string {
	switch l {
	case LinkNull:
		return "NULL"
	case LinkEthernet:
		return "ETHERNET"
	case LinkPPP:
		return "PPP"
	case LinkDLTRaw, LinkDLTRawBSD, LinkRaw:
		return "RAW"
	case LinkLoop:
		return "LOOP"
	case LinkLinuxSLL:
		return "LINUX_SLL"
	case LinkIPv4:
		return "IPV4"
	case LinkIPv6:
		return "IPV6"
	case LinkLinuxSLL2:
		return "LINUX_SLL2"
	}
	return "LINKTYPE_" + strconv.FormatUint(uint64(l), 10)
}

// Supported reports whether Decode understands frames of this link type.
func (l LinkType) Supported() bool {
	switch l {
	case LinkNull, LinkEthernet, LinkPPP, LinkDLTRaw, LinkDLTRawBSD, LinkRaw,
		LinkLoop, LinkLinuxSLL, LinkIPv4, LinkIPv6, LinkLinuxSLL2:
		return true
	}
	return false
}

// EtherTypes Decode follows.
const (
	etherIPv4     = 0x0800
	etherIPv6     = 0x86dd
	etherVLAN     = 0x8100 // 802.1Q
	etherQinQ     = 0x88a8 // 802.1ad service tag
	etherQinQOld  = 0x9100 // pre-standard QinQ, still emitted by some switches
	etherPPPoESes = 0x8864 // PPPoE session stage (RFC 2516)
)

// PPP protocol numbers for IP.
const (
	pppIPv4 = 0x0021
	pppIPv6 = 0x0057
)

// maxVLANTags bounds the tag walk; real networks stack two, rarely three.
const maxVLANTags = 4

const (
	ethernetHeaderLen = 14
	sllHeaderLen      = 16
	sll2HeaderLen     = 20
	loopHeaderLen     = 4
	pppoeHeaderLen    = 6
)

func decodeLink(link LinkType, b []byte, p *Packet) error {
	switch link {
	case LinkEthernet:
		if len(b) < ethernetHeaderLen {
			return ErrTruncated
		}
		return decodeEtherType(binary.BigEndian.Uint16(b[12:]), b[ethernetHeaderLen:], p)
	case LinkRaw, LinkDLTRaw, LinkDLTRawBSD:
		return decodeIP(b, p)
	case LinkIPv4:
		return decodeIPv4(b, p)
	case LinkIPv6:
		return decodeIPv6(b, p)
	case LinkLinuxSLL:
		if len(b) < sllHeaderLen {
			return ErrTruncated
		}
		return decodeEtherType(binary.BigEndian.Uint16(b[14:]), b[sllHeaderLen:], p)
	case LinkLinuxSLL2:
		if len(b) < sll2HeaderLen {
			return ErrTruncated
		}
		return decodeEtherType(binary.BigEndian.Uint16(b[0:]), b[sll2HeaderLen:], p)
	case LinkNull, LinkLoop:
		return decodeLoopback(b, p)
	case LinkPPP:
		return decodePPP(b, p)
	}
	return ErrUnsupported
}

// decodeEtherType follows VLAN tags and PPPoE sessions down to IP.
func decodeEtherType(et uint16, b []byte, p *Packet) error {
	for tags := 0; ; tags++ {
		switch et {
		case etherIPv4:
			return decodeIPv4(b, p)
		case etherIPv6:
			return decodeIPv6(b, p)
		case etherVLAN, etherQinQ, etherQinQOld:
			// Maltrail skips one 802.1Q tag and drops QinQ; a SPAN port
			// on a provider edge carries both, so follow the stack.
			if tags == maxVLANTags {
				return ErrMalformed
			}
			if len(b) < 4 {
				return ErrTruncated
			}
			et = binary.BigEndian.Uint16(b[2:])
			b = b[4:]
		case etherPPPoESes:
			return decodePPPoE(b, p)
		default:
			return ErrUnsupported
		}
	}
}

// decodePPPoE handles a PPPoE session frame: version/type, code, session
// id and length, then the PPP protocol field.
func decodePPPoE(b []byte, p *Packet) error {
	if len(b) < pppoeHeaderLen+2 {
		return ErrTruncated
	}
	// Version 1, type 1 and code 0 (session data) are the only valid
	// values in the session stage (RFC 2516 §4, §6).
	if b[0] != 0x11 || b[1] != 0 {
		return ErrUnsupported
	}
	return decodePPPProto(binary.BigEndian.Uint16(b[pppoeHeaderLen:]), b[pppoeHeaderLen+2:], p)
}

// decodePPP handles LINKTYPE_PPP: optional HDLC address/control bytes
// (0xff 0x03), then a 1-byte (compressed, RFC 1661 §6.5) or 2-byte
// protocol field.
func decodePPP(b []byte, p *Packet) error {
	if len(b) > 0 && b[0] == 0xff { // all-stations address, then control 0x03
		if len(b) < 2 {
			return ErrTruncated
		}
		if b[1] != 0x03 {
			return ErrUnsupported
		}
		b = b[2:]
	}
	if len(b) == 0 {
		return ErrTruncated
	}
	if b[0]&1 == 1 { // protocol numbers are odd in their low byte; an odd first byte means PFC
		return decodePPPProto(uint16(b[0]), b[1:], p)
	}
	if len(b) < 2 {
		return ErrTruncated
	}
	return decodePPPProto(binary.BigEndian.Uint16(b), b[2:], p)
}

func decodePPPProto(proto uint16, b []byte, p *Packet) error {
	switch proto {
	case pppIPv4:
		return decodeIPv4(b, p)
	case pppIPv6:
		return decodeIPv6(b, p)
	}
	return ErrUnsupported
}

// Address-family values that announce IPv6 in a NULL/LOOP header: Linux,
// Windows, NetBSD/OpenBSD/BSD-OS, FreeBSD and Darwin use different ones,
// and a capture file may come from any of them.
const (
	afInet         = 2
	afInet6Linux   = 10
	afInet6Windows = 23
	afInet6BSD     = 24
	afInet6FreeBSD = 28
	afInet6Darwin  = 30
)

// decodeLoopback handles NULL (host byte order) and LOOP (network byte
// order) headers. The byte order of a NULL header depends on the machine
// that captured it, so both are accepted: address families are small
// numbers, and only one reading yields one.
func decodeLoopback(b []byte, p *Packet) error {
	if len(b) < loopHeaderLen {
		return ErrTruncated
	}
	af := binary.LittleEndian.Uint32(b)
	if af > 0xffff {
		af = binary.BigEndian.Uint32(b)
	}
	switch af {
	case afInet:
		return decodeIPv4(b[loopHeaderLen:], p)
	case afInet6Linux, afInet6Windows, afInet6BSD, afInet6FreeBSD, afInet6Darwin:
		return decodeIPv6(b[loopHeaderLen:], p)
	}
	return ErrUnsupported
}
