package tlshello

// ValidHostname reports whether name is a plausible SNI host name by
// Maltrail's rule (core/tls_intel.py, core/quic_sni.py): at most 253 bytes,
// at least two dot-separated labels of 1–63 ASCII letters, digits, '_' or
// '-', none starting with '-'. Maltrail drops any other server name before
// the domain check, so a junk name from a crafted hello is never looked up.
// Letter case is not significant; callers lower-case before matching trails.
func ValidHostname(name []byte) bool {
	if len(name) == 0 || len(name) > 253 {
		return false
	}
	labels, n := 0, 0 // n = length of the current label
	for _, b := range name {
		switch {
		case b == '.':
			if n == 0 {
				return false
			}
			labels++
			n = 0
			continue
		case b == '-':
			if n == 0 {
				return false
			}
		case b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z':
		default:
			return false
		}
		if n++; n > 63 {
			return false
		}
	}
	return n > 0 && labels >= 1
}
