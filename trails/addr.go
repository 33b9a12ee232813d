package trails

import (
	"net/netip"
	"strconv"
	"strings"
)

// The parsers below exist because netip's parsers allocate an error value on failure, and
// Lookup tries them on every key that might be an address. They accept exactly what
// netip.ParseAddr accepts (without zones); FuzzParseAddr holds them to that.

// parseIPv4 parses canonical dotted-quad text (no leading zeros), as netip.ParseAddr does.
func parseIPv4(s string) (uint32, bool) {
	var ip, octet uint32
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == 1 && octet == 0 {
				return 0, false // leading zero
			}
			octet = octet*10 + uint32(c-'0')
			if octet > 255 {
				return 0, false
			}
			digits++
		case c == '.':
			if digits == 0 || dots == 3 {
				return 0, false
			}
			ip = ip<<8 | octet
			octet, digits = 0, 0
			dots++
		default:
			return 0, false
		}
	}
	if dots != 3 || digits == 0 {
		return 0, false
	}
	return ip<<8 | octet, true
}

func hexVal(c byte) (uint32, bool) {
	switch {
	case c >= '0' && c <= '9':
		return uint32(c - '0'), true
	case c >= 'a' && c <= 'f':
		return uint32(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return uint32(c-'A') + 10, true
	}
	return 0, false
}

// parseIPv6 parses any textual IPv6 form without a zone: hex groups, one "::", and an
// optional trailing dotted quad.
func parseIPv6(s string) ([16]byte, bool) {
	var ip [16]byte
	ellipsis := -1
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		if s == "" {
			return ip, true
		}
	}
	i := 0
	for i < 16 {
		var acc uint32
		off := 0
		for ; off < len(s); off++ {
			v, ok := hexVal(s[off])
			if !ok {
				break
			}
			if off == 4 {
				return ip, false
			}
			acc = acc<<4 | v
		}
		if off == 0 {
			return ip, false
		}
		if off < len(s) && s[off] == '.' {
			if (ellipsis < 0 && i != 12) || i+4 > 16 {
				return ip, false
			}
			v4, ok := parseIPv4(s)
			if !ok {
				return ip, false
			}
			ip[i], ip[i+1], ip[i+2], ip[i+3] = byte(v4>>24), byte(v4>>16), byte(v4>>8), byte(v4)
			i += 4
			s = ""
			break
		}
		ip[i], ip[i+1] = byte(acc>>8), byte(acc)
		i += 2
		s = s[off:]
		if s == "" {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return ip, false
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return ip, false
			}
			ellipsis = i
			s = s[1:]
			if s == "" {
				break
			}
		}
	}
	if s != "" {
		return ip, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return ip, false
		}
		n := 16 - i
		for j := i - 1; j >= ellipsis; j-- {
			ip[j+n] = ip[j]
		}
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return ip, false // "::" must stand for at least one group
	}
	return ip, true
}

// parseIP parses IPv4 or IPv6 text. IPv4-mapped IPv6 addresses come back as IPv4, which
// is what a trail written that way means.
func parseIP(s string) (netip.Addr, bool) {
	if v4, ok := parseIPv4(s); ok {
		return addrFrom4(v4), true
	}
	if !hasColon(s) {
		return netip.Addr{}, false
	}
	b, ok := parseIPv6(s)
	if !ok {
		return netip.Addr{}, false
	}
	return netip.AddrFrom16(b).Unmap(), true
}

func hasColon(s string) bool { return strings.IndexByte(s, ':') >= 0 }

func addrFrom4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func addrTo4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// parseDecimal parses canonical decimal text (no sign, no leading zeros) up to max.
func parseDecimal(s string, max uint32) (uint32, bool) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if v > uint64(max) {
		return 0, false
	}
	return uint32(v), true
}

// parseAddrPort parses Maltrail's address:port trail forms, "1.2.3.4:80" and
// "[dead::beef]:443" (core/addr.py:addr_port). The port must be canonical decimal, as
// Maltrail renders it; anything else stays an opaque string key.
func parseAddrPort(s string) (netip.Addr, uint16, bool) {
	if len(s) < 4 {
		return netip.Addr{}, 0, false
	}
	var addr netip.Addr
	var port string
	if s[0] == '[' {
		j := -1
		for i := 1; i+1 < len(s); i++ {
			if s[i] == ']' {
				if s[i+1] == ':' {
					j = i
				}
				break
			}
		}
		if j < 0 {
			return netip.Addr{}, 0, false
		}
		b, ok := parseIPv6(s[1:j])
		if !ok {
			return netip.Addr{}, 0, false
		}
		addr, port = netip.AddrFrom16(b).Unmap(), s[j+2:]
	} else {
		j := len(s) - 1
		for j >= 0 && s[j] != ':' {
			j--
		}
		if j < 0 {
			return netip.Addr{}, 0, false
		}
		v4, ok := parseIPv4(s[:j])
		if !ok {
			return netip.Addr{}, 0, false
		}
		addr, port = addrFrom4(v4), s[j+1:]
	}
	p, ok := parseDecimal(port, 65535)
	if !ok {
		return netip.Addr{}, 0, false
	}
	return addr, uint16(p), true
}

// parsePrefix parses "1.2.3.0/24" or "2001:db8::/32". The address is kept as written
// (not masked) so the trail can be exported verbatim.
func parsePrefix(s string) (netip.Prefix, bool) {
	j := len(s) - 1
	for j >= 0 && s[j] != '/' {
		j--
	}
	if j <= 0 {
		return netip.Prefix{}, false
	}
	if v4, ok := parseIPv4(s[:j]); ok {
		bits, ok := parseDecimal(s[j+1:], 32)
		if !ok {
			return netip.Prefix{}, false
		}
		return netip.PrefixFrom(addrFrom4(v4), int(bits)), true
	}
	if !hasColon(s[:j]) {
		return netip.Prefix{}, false
	}
	b, ok := parseIPv6(s[:j])
	if !ok {
		return netip.Prefix{}, false
	}
	bits, ok := parseDecimal(s[j+1:], 128)
	if !ok {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(netip.AddrFrom16(b), int(bits)), true
}

// parseLooseIPv4 accepts what Maltrail's `\d{1,3}(\.\d{1,3}){3}` accepts (leading zeros
// included), rejecting octets above 255 that Maltrail would turn into a nonsense integer.
func parseLooseIPv4(s string) (uint32, bool) {
	var ip, octet uint32
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == 3 {
				return 0, false
			}
			octet = octet*10 + uint32(c-'0')
			digits++
		case c == '.':
			if digits == 0 || dots == 3 || octet > 255 {
				return 0, false
			}
			ip = ip<<8 | octet
			octet, digits = 0, 0
			dots++
		default:
			return 0, false
		}
	}
	if dots != 3 || digits == 0 || octet > 255 {
		return 0, false
	}
	return ip<<8 | octet, true
}

// leadingIPv4 is core/addr.py:leading_ipv4: the IPv4 address a trail starts with when it
// is followed by ':', '/', ' ' or the end ("1.2.3.4", "1.2.3.4:80", "1.2.3.4/x.php"),
// never the leading labels of a digit-first domain.
func leadingIPv4(s string) (uint32, bool) {
	end, dots := 0, 0
	for end < len(s) {
		c := s[end]
		if c == '.' {
			if dots == 3 {
				break
			}
			dots++
		} else if c < '0' || c > '9' {
			break
		}
		end++
	}
	if end < len(s) {
		switch s[end] {
		case ':', '/', ' ':
		default:
			return 0, false
		}
	}
	return parseLooseIPv4(s[:end])
}

// compressIPv6 renders an address the way Maltrail's core/addr.py:compress_ipv6 renders
// its expanded form, which is the text Maltrail's sensor compares IPv6 trails against:
// the first longest run of zero groups (never counting the last group) becomes "::",
// leading zeros are then stripped, and without any zero run the expanded form is kept.
func compressIPv6(b [16]byte) string {
	var groups [8]uint16
	for i := range groups {
		groups[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	bestStart, bestLen := -1, 0
	for i := 0; i < 7; {
		if groups[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 7 && groups[j] == 0 {
			j++
		}
		if j-i > bestLen {
			bestStart, bestLen = i, j-i
		}
		i = j
	}
	buf := make([]byte, 0, 41)
	if bestStart < 0 {
		for i, g := range groups {
			if i > 0 {
				buf = append(buf, ':')
			}
			buf = append(buf, "0000"[len(strconv.FormatUint(uint64(g), 16)):]...)
			buf = strconv.AppendUint(buf, uint64(g), 16)
		}
		return string(buf)
	}
	for i := 0; i < bestStart; i++ {
		buf = strconv.AppendUint(buf, uint64(groups[i]), 16)
		buf = append(buf, ':')
	}
	if bestStart == 0 {
		buf = append(buf, ':')
	}
	buf = append(buf, ':')
	for i := bestStart + bestLen; i < 8; i++ {
		buf = strconv.AppendUint(buf, uint64(groups[i]), 16)
		if i < 7 {
			buf = append(buf, ':')
		}
	}
	return string(buf)
}

// addrText renders an address as a Maltrail trail key.
func addrText(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	return compressIPv6(a.As16())
}

// addrPortText renders core/addr.py:addr_port(addr, port).
func addrPortText(a netip.Addr, port uint16) string {
	if a.Is4() {
		return a.String() + ":" + strconv.Itoa(int(port))
	}
	return "[" + compressIPv6(a.As16()) + "]:" + strconv.Itoa(int(port))
}

// prefixText renders a CIDR trail as it was written (address unmasked).
func prefixText(p netip.Prefix) string {
	return addrText(p.Addr()) + "/" + strconv.Itoa(p.Bits())
}
