package api

import (
	"errors"
	"net/netip"
	"strings"
)

// maxIndicatorLen bounds a trail or whitelist entry (Maltrail's /check
// bounds its query the same way).
const maxIndicatorLen = 256

// Indicator kinds, stored as the custom trail's type.
const (
	kindIP     = "IP"
	kindDomain = "DNS"
	kindURL    = "URL"
)

// normalizeIndicator turns a custom trail or whitelist entry as a user
// writes it into the key the sensor matches, following Maltrail's custom
// trail files (trails/custom/__init__.py): an inline "# comment" and a
// scheme are cut off, trailing slashes are stripped, and dots around a
// domain are trimmed; then the key is lowercased as Maltrail's update
// does. Unlike Maltrail, it refuses what could never match: the result
// must be an IP address, address:port, network, domain name, or
// host/path. Addresses are written canonically.
func normalizeIndicator(raw string) (key, kind string, err error) {
	s := strings.TrimSpace(raw)
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	s = strings.ToLower(strings.TrimRight(s, "/"))
	if s == "" {
		return "", "", errors.New("empty")
	}
	if len(s) > maxIndicatorLen {
		return "", "", errors.New("longer than 256 characters")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == ',' || c == '"' || c == '\\' {
			return "", "", errors.New("must be printable ASCII without spaces, commas, quotes or backslashes (write IDNs as punycode)")
		}
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap().String(), kindIP, nil
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		if ap.Port() == 0 {
			return "", "", errors.New("port 0")
		}
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String(), kindIP, nil
	}
	host, _, isURL := strings.Cut(s, "/")
	if isURL {
		if p, err := netip.ParsePrefix(s); err == nil {
			if p != p.Masked() {
				return "", "", errors.New("network has host bits set; write " + p.Masked().String())
			}
			return p.String(), kindIP, nil
		}
		if host == "" {
			return "", "", errors.New("URL without a host")
		}
		if !validHost(host) {
			return "", "", errors.New("URL host is not a domain name or address")
		}
		return s, kindURL, nil
	}
	s = strings.Trim(s, ".")
	if !validDomain(s) {
		return "", "", errors.New("not an IP address, address:port, network, domain name or URL")
	}
	return s, kindDomain, nil
}

// validHost accepts a URL trail's host: a domain of at least two labels,
// an address, or either with a port.
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if _, err := netip.ParseAddrPort(h); err == nil {
		return true
	}
	if name, port, ok := strings.Cut(h, ":"); ok {
		if port == "" || len(port) > 5 || strings.Trim(port, "0123456789") != "" {
			return false
		}
		h = name
	}
	return strings.Contains(h, ".") && validDomain(h)
}

// validDomain accepts dot-separated labels of [a-z0-9_-] (1 to 63
// characters, 253 in all; the last label without '_', as Maltrail's
// VALID_DNS_NAME_REGEX). A single label is a top-level domain trail.
func validDomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	for i, l := range labels {
		if l == "" || len(l) > 63 {
			return false
		}
		for j := 0; j < len(l); j++ {
			c := l[j]
			ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || (c == '_' && i < len(labels)-1)
			if !ok {
				return false
			}
		}
	}
	return true
}

// validNote accepts a trail's info or a whitelist comment: at most
// maxNameLen printable characters without commas (which would break the
// one-per-line import format) or newlines.
func validNote(s string) bool {
	if len(s) > maxNameLen {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == ',' || r == 0xfffd {
			return false
		}
	}
	return true
}
