package trails

import (
	"net/netip"
	"strings"
)

// Whitelist holds Maltrail's WHITELIST and WHITELIST_RANGES (core/settings.py:
// read_whitelist): exact textual entries (domains, IPs, URLs, ip:port) and IPv4 networks.
// IP entries are also kept natively, so any textual form of an address matches, and IPv6
// networks are honoured as ranges (Maltrail only knows them as text). A nil *Whitelist is
// empty. It is immutable once loaded and safe for concurrent readers.
type Whitelist struct {
	exact  map[string]struct{}
	ips    map[netip.Addr]struct{}
	ranges rangeSet
	maxLen int // longest exact entry: longer domain suffixes cannot match
}

// LoadWhitelist reads whitelist files in the format of Maltrail's data/whitelist.txt and
// USER_WHITELIST: one entry per line, lines starting with '#' ignored, no inline comments.
func LoadWhitelist(paths ...string) (*Whitelist, error) {
	return LoadWhitelistWith(nil, paths...)
}

// NewWhitelist builds a whitelist from entries written as whitelist.txt lines.
func NewWhitelist(entries ...string) *Whitelist {
	w := newWhitelist()
	for _, e := range entries {
		if e = pyStrip(e); e != "" && e[0] != '#' {
			w.add(e)
		}
	}
	w.ranges.finish()
	return w
}

func newWhitelist() *Whitelist {
	return &Whitelist{exact: make(map[string]struct{}), ips: make(map[netip.Addr]struct{})}
}

func (w *Whitelist) add(line string) {
	if i := strings.IndexByte(line, '/'); i > 0 {
		// `\A\d+\.\d+\.\d+\.\d+/\d+\Z` lines are IPv4 ranges only; a bad mask leaves the
		// line as an ordinary textual entry, as Maltrail's ValueError path does.
		if v4, ok := parseLooseIPv4(line[:i]); ok {
			if bits, ok := parseLooseBits(line[i+1:]); ok && bits <= 32 {
				w.ranges.add(netip.PrefixFrom(addrFrom4(v4), bits))
				return
			}
		}
		if p, ok := parsePrefix(line); ok && p.Addr().Is6() {
			w.ranges.add(p)
		}
	}
	w.exact[line] = struct{}{}
	w.maxLen = max(w.maxLen, len(line))
	if a, ok := parseIP(line); ok {
		w.ips[a] = struct{}{}
	}
}

// Len returns the number of textual entries plus the number of networks.
func (w *Whitelist) Len() int {
	if w == nil {
		return 0
	}
	return len(w.exact) + w.ranges.n
}

// Contains reports whether key is a textual whitelist entry, compared exactly.
func (w *Whitelist) Contains(key string) bool {
	if w == nil {
		return false
	}
	_, ok := w.exact[key]
	return ok
}

// IP reports whether a is whitelisted as an address or lies in a whitelisted network.
func (w *Whitelist) IP(a netip.Addr) bool {
	if w == nil {
		return false
	}
	a = a.Unmap().WithZone("")
	if _, ok := w.ips[a]; ok {
		return true
	}
	return w.ranges.contains(a)
}

// Domain reports whether name or one of its parent domains is a whitelist entry
// (old/sensor.py:_check_domain_whitelisted): the name is cut at its first character
// outside [A-Za-z0-9._-] and lowercased; entries are compared as written. It does not
// allocate for names up to 256 bytes.
func (w *Whitelist) Domain(name string) bool {
	if w == nil || len(w.exact) == 0 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(isAlnum(c) || c == '.' || c == '_' || c == '-') {
			name = name[:i]
			break
		}
	}
	if hasUpper(name) {
		var buf [256]byte
		var b []byte
		if len(name) <= len(buf) {
			b = buf[:len(name)]
		} else {
			b = make([]byte, len(name))
		}
		for i := 0; i < len(name); i++ {
			b[i] = lowerASCII(name[i])
		}
		return w.domainSuffix(b)
	}
	return w.domainSuffixString(name)
}

func (w *Whitelist) domainSuffixString(name string) bool {
	for start := 0; ; {
		if len(name)-start <= w.maxLen {
			if _, ok := w.exact[name[start:]]; ok {
				return true
			}
		}
		i := strings.IndexByte(name[start:], '.')
		if i < 0 {
			return false
		}
		start += i + 1
	}
}

func (w *Whitelist) domainSuffix(name []byte) bool {
	for start := 0; ; {
		if len(name)-start <= w.maxLen {
			// Indexing a map with string(bytes) does not allocate.
			if _, ok := w.exact[string(name[start:])]; ok {
				return true
			}
		}
		i := indexByte(name[start:], '.')
		if i < 0 {
			return false
		}
		start += i + 1
	}
}

// trailWhitelisted is core/common.py:check_whitelisted applied to a trail key at load:
// an exact entry, or an address inside a whitelisted network. Maltrail range-checks bare
// dotted quads only; here any address text is also compared natively.
func (w *Whitelist) trailWhitelisted(key string) bool {
	if w == nil {
		return false
	}
	return w.Contains(key) || w.addressWhitelisted(key)
}

// addressWhitelisted is the address part of trailWhitelisted.
func (w *Whitelist) addressWhitelisted(key string) bool {
	if v4, ok := parseLooseIPv4(key); ok {
		return w.IP(addrFrom4(v4))
	}
	if hasColon(key) {
		if a, ok := parseIP(key); ok {
			return w.IP(a)
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
