package trails

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"
)

// isPySpace reports whether Python's str.strip() and the re module's \s treat r as
// whitespace: Unicode White_Space plus the ASCII separators U+001C..U+001F.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

func pyStrip(s string) string {
	// Fast path for the usual line that starts and ends with a visible ASCII character.
	if n := len(s); n > 0 && s[0] > ' ' && s[0] < 0x7f && s[n-1] > ' ' && s[n-1] < 0x7f {
		return s
	}
	return strings.TrimFunc(s, isPySpace)
}

func pyRStrip(s string) string { return strings.TrimRightFunc(s, isPySpace) }

// eachDataLine calls fn with every stripped, non-blank line of a Maltrail data file that
// does not start with '#' (core/settings.py:_iter_file_lines), and its 1-based number.
// Python reads these files as UTF-8 text with universal newlines.
func eachDataLine(path string, fn func(line string, n int) error) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !utf8.Valid(data) {
		return fmt.Errorf("%s: not valid UTF-8", path)
	}
	text := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n")
	for n, raw := range strings.Split(text, "\n") {
		line := pyStrip(raw)
		if line == "" || line[0] == '#' {
			continue
		}
		if err := fn(line, n+1); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n+1, err)
		}
	}
	return nil
}

// LoadRanges reads network lists in the format of Maltrail's data/bogon_ranges.txt and
// data/cdn_ranges.txt: one "a.b.c.d/n" per line, '#' comments. IPv6 networks and bare
// addresses are accepted too.
func LoadRanges(paths ...string) (*Ranges, error) {
	r := &Ranges{}
	for _, path := range paths {
		err := eachDataLine(path, func(line string, _ int) error {
			p, ok := parseNetwork(line)
			if !ok {
				return fmt.Errorf("not a network: %q", line)
			}
			r.r.add(p)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("cannot load ranges: %w", err)
		}
	}
	r.r.finish()
	return r, nil
}

// parseNetwork parses a CIDR or a bare address (a host network). Leading zeros in IPv4
// octets are accepted, as Maltrail's int() conversion accepts them.
func parseNetwork(s string) (netip.Prefix, bool) {
	if p, ok := parsePrefix(s); ok {
		return p, true
	}
	if i := strings.IndexByte(s, '/'); i > 0 {
		if v4, ok := parseLooseIPv4(s[:i]); ok {
			if bits, ok := parseLooseBits(s[i+1:]); ok && bits <= 32 {
				return netip.PrefixFrom(addrFrom4(v4), bits), true
			}
		}
		return netip.Prefix{}, false
	}
	if a, ok := parseIP(s); ok {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	if v4, ok := parseLooseIPv4(s); ok {
		return netip.PrefixFrom(addrFrom4(v4), 32), true
	}
	return netip.Prefix{}, false
}

// parseLooseBits parses a decimal prefix length, leading zeros allowed.
func parseLooseBits(s string) (int, bool) {
	if s == "" || len(s) > 3 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}
