package event

import (
	"net/netip"
	"strconv"
	"strings"
)

const hexDigits = "0123456789abcdef"

// IPString renders a as Maltrail does (core/addr.py inet_ntoa6): IPv4 in
// dotted quad; IPv6, including IPv4-mapped addresses, in Maltrail's own
// compression, which differs from RFC 5952 in three ways: the last group
// never joins a zero run ("1::" is "1::0", "::" is "::0"), a single zero
// group is compressed too, and an address with no zero group keeps its
// leading zeros ("0001:0002:…"). Of equally long runs the first is
// compressed. Zones are dropped; the zero Addr renders as "".
func IPString(a netip.Addr) string {
	var buf [48]byte
	return string(AppendIP(buf[:0], a))
}

// AppendIP appends IPString(a) to dst without allocating.
func AppendIP(dst []byte, a netip.Addr) []byte {
	switch {
	case !a.IsValid():
		return dst
	case a.Is4():
		return a.AppendTo(dst)
	}
	b := a.As16()
	var g [8]uint16
	for i := range g {
		g[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	// Maltrail looks for runs of "0000:" in the expanded text, so only the
	// first seven groups (each followed by a colon) can belong to a run.
	runStart, runLen := 0, 0
	for i := 0; i < 7; {
		if g[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 7 && g[j] == 0 {
			j++
		}
		if j-i > runLen {
			runStart, runLen = i, j-i
		}
		i = j
	}
	if runLen == 0 {
		for i, v := range g {
			if i > 0 {
				dst = append(dst, ':')
			}
			dst = append(dst, hexDigits[v>>12], hexDigits[v>>8&0xf], hexDigits[v>>4&0xf], hexDigits[v&0xf])
		}
		return dst
	}
	for i := 0; i < runStart; i++ {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = strconv.AppendUint(dst, uint64(g[i]), 16)
	}
	dst = append(dst, ':', ':')
	for i := runStart + runLen; i < 8; i++ {
		if i > runStart+runLen {
			dst = append(dst, ':')
		}
		dst = strconv.AppendUint(dst, uint64(g[i]), 16)
	}
	return dst
}

// AddrPort renders an address and port as Maltrail's IPORT trails do:
// "1.2.3.4:80", "[dead::beef]:53".
func AddrPort(a netip.Addr, port uint16) string {
	return HostPort(IPString(a), port)
}

// HostPort is core/addr.py addr_port for an already rendered host: text with
// a colon and no dot is an IPv6 literal and gets (re-)bracketed, anything
// else is joined with a colon as is.
func HostPort(host string, port uint16) string {
	p := strconv.FormatUint(uint64(port), 10)
	if strings.IndexByte(host, ':') >= 0 && strings.IndexByte(host, '.') < 0 {
		return "[" + strings.Trim(host, "[]") + "]:" + p
	}
	return host + ":" + p
}
