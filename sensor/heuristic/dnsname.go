package heuristic

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Thresholds of the domain-name heuristics (core/settings.py).
const (
	longDomainThreshold     = 24  // SUSPICIOUS_DOMAIN_LENGTH_THRESHOLD
	consonantThreshold      = 9   // SUSPICIOUS_DOMAIN_CONSONANT_THRESHOLD
	entropyThreshold        = 3.5 // SUSPICIOUS_DOMAIN_ENTROPY_THRESHOLD
	consonants              = "bcdfghjklmnpqrstvwxyz"
	longDomainWhitelistWord = "blogspot" // WHITELIST_LONG_DOMAIN_NAME_KEYWORDS
)

// ValidDNSName reports whether name matches VALID_DNS_NAME_REGEX
// (\A[a-zA-Z0-9._-]*\.[a-zA-Z0-9-]+\Z): only letters, digits, '.', '_' and
// '-', with a non-empty last label after the last dot that has no '_'. It
// does not allocate.
func ValidDNSName(name string) bool {
	dot := -1
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '.':
			dot = i
		case c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
		default:
			return false
		}
	}
	if dot < 0 || dot == len(name)-1 {
		return false
	}
	return strings.IndexByte(name[dot+1:], '_') < 0
}

// ignoredSuffixes is IGNORE_DNS_QUERY_SUFFIXES: last labels of names that
// are local, not public, lookups.
var ignoredSuffixes = [...]string{"arpa", "local", "guest", "intranet", "corp", "home", "lan", "intra", "intran", "workgroup", "localdomain", "url", "alienvault", "example", "internal", "localnet", "test"}

// IgnoredDNSName reports whether Maltrail drops a DNS name before any
// check: it contains ".intranet." or its last label is one of
// IGNORE_DNS_QUERY_SUFFIXES. Case is ignored (Maltrail lower-cases names
// first). It does not allocate.
func IgnoredDNSName(name string) bool {
	// Names reach this lower-cased and ASCII from the DNS parser; compare
	// them directly (a quarter of a DNS packet's cost otherwise) and keep
	// Python's case folding for anything else.
	contains, equal := strings.Contains, func(a, b string) bool { return a == b }
	if !isLowerASCII(name) {
		contains, equal = containsLowerASCII, equalLowerASCII
	}
	if contains(name, ".intranet.") {
		return true
	}
	last := name[strings.LastIndexByte(name, '.')+1:]
	for _, s := range ignoredSuffixes {
		if equal(last, s) {
			return true
		}
	}
	return false
}

// isLowerASCII reports whether s has neither upper-case letters nor
// non-ASCII bytes.
func isLowerASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// LongDomain applies the long-domain heuristic (#1) to a (lower-cased,
// valid) DNS name: a first label longer than 24 characters without a '-'.
// The trail brackets everything but the last two labels,
// "(<labels[:-2]>).<sld>.<tld>" ("(<label>).<tld>" for two labels), and a
// trail containing "blogspot" is not reported.
func LongDomain(name string) (trail string, ok bool) {
	first, _, _ := strings.Cut(name, ".")
	if utf8.RuneCountInString(first) <= longDomainThreshold || strings.Contains(first, "-") {
		return "", false
	}
	trail = name
	if dot := lastDots(name, 2); dot >= 0 {
		trail = "(" + name[:dot] + ")" + name[dot:]
	} else if dot := strings.LastIndexByte(name, '.'); dot >= 0 {
		trail = "(" + name[:dot] + ")" + name[dot:]
	}
	if strings.Contains(trail, longDomainWhitelistWord) {
		return "", false
	}
	return trail, true
}

// lastDots returns the index of the n-th dot from the end of name, or -1.
func lastDots(name string, n int) int {
	i := len(name)
	for ; n > 0; n-- {
		i = strings.LastIndexByte(name[:i], '.')
		if i < 0 {
			return -1
		}
	}
	return i
}

// Entropy is the Shannon entropy (bits per character) of label, as the DGA
// heuristic (#3) computes it. Python sums over the label's distinct
// characters in set order, which is not fixed; the sum here runs in code
// point order so results are reproducible.
func Entropy(label string) float64 {
	n := utf8.RuneCountInString(label)
	if n == 0 {
		return 0
	}
	var buf [64]rune
	rs := buf[:0]
	for _, r := range label {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	sum := 0.0
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		p := float64(j-i) / float64(n)
		sum += p * math.Log(p) / math.Log(2.0)
		i = j
	}
	return -sum
}

// Consonants counts the characters of label in "bcdfghjklmnpqrstvwxyz"
// (lower case only, as Maltrail counts them).
func Consonants(label string) int {
	n := 0
	for i := 0; i < len(label); i++ {
		if strings.IndexByte(consonants, label[i]) >= 0 {
			n++
		}
	}
	return n
}

// DGALabel applies the DGA heuristic (#3) to the label of a two-label
// NXDOMAIN name and returns Maltrail's event info: entropy above 3.5, else
// more than 9 consonants.
func DGALabel(label string) (info string, ok bool) {
	if Entropy(label) > entropyThreshold {
		return "entropy threshold no such domain (suspicious)", true
	}
	if Consonants(label) > consonantThreshold {
		return "consonant threshold no such domain (suspicious)", true
	}
	return "", false
}
