package feeds

import (
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/spoorsec/spoor/trails"
)

// The parsers of the modules whose fetch() is more than a line loop. Each follows its
// module line by line; comments name the Python they stand for where it is not obvious.

// abuseipdbList: line.split('#')[0].strip(), then blank and '.'-less lines skipped.
func abuseipdbList(s *Source, content string) []trails.Trail {
	var out []trails.Trail
	for line := range lines(content) {
		line = firstField("#", true)(line)
		if line == "" || !strings.Contains(line, ".") {
			continue
		}
		out = append(out, s.trail(line))
	}
	return out
}

// alienvaultList keeps "addr # Reason ..." lines except those whose reason is Scanning.
func alienvaultList(s *Source, content string) []trails.Trail {
	var out []trails.Trail
	for line := range lines(content) {
		if line == "" || line[0] == '#' || !strings.Contains(line, ".") {
			continue
		}
		parts := strings.Split(line, " # ")
		if len(parts) < 2 {
			continue
		}
		words := pySplit(parts[1])
		if len(words) == 0 {
			continue // Maltrail: IndexError, the whole feed lost
		}
		if strings.ToLower(words[0]) == "scanning" { // too many false positives
			continue
		}
		out = append(out, s.trail(parts[0]))
	}
	return out
}

var atmosRow = regexp.MustCompile(`>([^<]+\.[a-zA-Z]+)</td>\s*<td style="background-color: rgb\(11, 11, 11\);"><a href="ccamdetail\.php\?hash=`)

// regexpList yields the first group (or the whole match) of every match of re.
func regexpList(re *regexp.Regexp) func(*Source, string) []trails.Trail {
	return func(s *Source, content string) []trails.Trail {
		var out []trails.Trail
		for _, m := range re.FindAllStringSubmatch(content, -1) {
			out = append(out, s.trail(m[len(m)-1]))
		}
		return out
	}
}

// blackbookList: "domain,Family,..." rows, info "<Family> (malware)".
func blackbookList(s *Source, content string) []trails.Trail {
	var out []trails.Trail
	for line := range lines(content) {
		if line == "" || line[0] == '#' || !strings.Contains(line, ".") {
			continue
		}
		parts := strings.Split(line, ",")
		if len(parts) < 2 {
			continue // Maltrail: IndexError, the whole feed lost
		}
		out = append(out, trails.Trail{Key: pyStrip(parts[0]), Info: pyStrip(parts[1]) + " (malware)", Reference: s.Reference})
	}
	return out
}

// cybercrimeList is cybercrimetracker.py: each URL, and its host, as malware; a host
// that is an address as "potential malware site".
func cybercrimeList(s *Source, content string) []trails.Trail {
	var out []trails.Trail
	for line := range lines(strings.ReplaceAll(content, "<br />", "\n")) {
		if line == "" || line[0] == '#' || strings.Contains(line, "(SSL)") {
			continue
		}
		line = strings.TrimRight(afterScheme(line), "/")
		if strings.Contains(line, "/") {
			out = append(out, s.trail(line))
			line, _, _ = strings.Cut(line, "/")
		}
		line, _, _ = strings.Cut(line, ":")
		if isDottedQuad(line) {
			out = append(out, trails.Trail{Key: line, Info: "potential malware site", Reference: s.Reference})
		} else {
			out = append(out, s.trail(line))
		}
	}
	return out
}

// dataplaneList: "ASN | ASname | ipaddr | lastseen | category" rows.
func dataplaneList(s *Source, content string) []trails.Trail {
	var out []trails.Trail
	for line := range lines(content) {
		if line == "" || line[0] == '#' || !strings.Contains(line, ".") || !strings.Contains(line, "|") {
			continue
		}
		if parts := strings.Split(line, "|"); len(parts) > 2 {
			out = append(out, s.trail(pyStrip(parts[2])))
		}
	}
	return out
}

var (
	etDNSRule = regexp.MustCompile(`(?i)(CnC DNS Query|C2 Domain|CnC Domain)[^\n]+(dns.query|tls.sni); content:"([^"]+)`)
	etHexRun  = regexp.MustCompile(`\|([^|]+)\|`)
)

// etDNSList is emergingthreatsdns.py: the domain of every C2 DNS and SNI rule, with
// Suricata's |hex| byte runs decoded.
func etDNSList(s *Source, content string) []trails.Trail {
	var out []trails.Trail
	for _, m := range etDNSRule.FindAllStringSubmatch(content, -1) {
		c := strings.Trim(strings.ToLower(m[3]), ".")
		if i := strings.LastIndex(c, "//"); i >= 0 {
			c = c[i+2:]
		}
		c = etHexRun.ReplaceAllStringFunc(c, func(run string) string {
			b, err := hex.DecodeString(strings.ReplaceAll(run[1:len(run)-1], " ", ""))
			if err != nil || !utf8.Valid(b) {
				return ""
			}
			return string(b)
		})
		if strings.Contains(c, ".") {
			out = append(out, s.trail(c))
		}
	}
	return out
}

// urlList is fareit.py and, with trimSlash, openphish.py: every line, scheme stripped.
func urlList(trimSlash bool) func(*Source, string) []trails.Trail {
	return func(s *Source, content string) []trails.Trail {
		var out []trails.Trail
		for line := range lines(content) {
			if line == "" || line[0] == '#' {
				continue
			}
			line = afterScheme(line)
			if trimSlash {
				line = strings.TrimRight(line, "/")
			}
			out = append(out, s.trail(line))
		}
		return out
	}
}

// feodoList reads Feodo Tracker's CSV (first_seen_utc,dst_ip,dst_port,c2_status,
// last_online,malware) and keeps the C2s that are online.
func feodoList(s *Source, content string) []trails.Trail {
	var out []trails.Trail
	for line := range lines(content) {
		if line == "" || line[0] == '#' {
			continue
		}
		parts := strings.Split(line, ",")
		for i, p := range parts {
			parts[i] = strings.Trim(pyStrip(p), `"`)
		}
		if len(parts) < 6 || parts[1] == "dst_ip" {
			continue
		}
		ip, status, malware := parts[1], strings.ToLower(parts[3]), strings.ToLower(parts[5])
		if status != "online" || ip == "" {
			continue
		}
		if malware == "" {
			malware = "feodo"
		}
		out = append(out, trails.Trail{Key: ip, Info: malware + " (malware)", Reference: s.Reference})
	}
	return out
}

// policemanList lowercases lines and skips api.ipify.org.
func policemanList(s *Source, content string) []trails.Trail {
	var out []trails.Trail
	for line := range lines(content) {
		line = strings.ToLower(line)
		if line == "" || line[0] == '#' || !strings.Contains(line, ".") || line == "api.ipify.org" {
			continue
		}
		out = append(out, s.trail(line))
	}
	return out
}

// scriptzteamList keeps lines with exactly three dots.
func scriptzteamList(s *Source, content string) []trails.Trail {
	var out []trails.Trail
	for line := range lines(content) {
		if line == "" || line[0] == '#' || strings.Count(line, ".") != 3 {
			continue
		}
		out = append(out, s.trail(line))
	}
	return out
}

var (
	sha1Hex       = regexp.MustCompile(`\A[0-9a-f]{40}\z`)
	sslblListing  = regexp.MustCompile(`(?i)\s*(C&C|malware distribution)\s*\z`)
	viribackLast  = regexp.MustCompile(`/[^/]+$`)
	viribackPanel = regexp.MustCompile(`/(web)?panel.*`)
	viribackIP    = regexp.MustCompile(`\A\d[\d.]*\d\z`)
)

// sslblList reads SSLBL's "Listingdate,SHA1,Listingreason" rows: the certificate's
// SHA-1 fingerprint, info "<family> c2 cert (suspicious)".
func sslblList(s *Source, content string) []trails.Trail {
	var out []trails.Trail
	for line := range lines(content) {
		if line == "" || line[0] == '#' {
			continue
		}
		parts := strings.Split(line, ",")
		if len(parts) < 3 {
			continue
		}
		fp := strings.ToLower(pyStrip(parts[1]))
		if !sha1Hex.MatchString(fp) {
			continue
		}
		family := strings.ToLower(pyStrip(sslblListing.ReplaceAllString(pyStrip(parts[2]), "")))
		if family == "" {
			family = "unknown"
		}
		out = append(out, trails.Trail{Key: fp, Info: family + " c2 cert (suspicious)", Reference: s.Reference})
	}
	return out
}

// staticsList reads Maltrail's daily export of its static trails: trail,info,reference.
func staticsList(s *Source, content string) []trails.Trail {
	var out []trails.Trail
	for line := range lines(content) {
		if line == "" || line[0] == '#' || strings.Count(line, ",") != 2 {
			continue
		}
		f := strings.Split(line, ",")
		out = append(out, trails.Trail{Key: f[0], Info: f[1], Reference: f[2]})
	}
	return out
}

// torNodesList reads Onionoo's relay details: every relay's OR addresses, ports
// stripped, IPv6 unbracketed.
func torNodesList(s *Source, content string) []trails.Trail {
	var doc struct {
		Relays []json.RawMessage `json:"relays"`
	}
	if json.Unmarshal([]byte(content), &doc) != nil {
		return nil
	}
	var out []trails.Trail
	for _, raw := range doc.Relays {
		var relay struct {
			OrAddresses []json.RawMessage `json:"or_addresses"`
		}
		if json.Unmarshal(raw, &relay) != nil {
			continue // Maltrail: AttributeError, the whole feed lost
		}
		for _, ra := range relay.OrAddresses {
			var addr string
			if json.Unmarshal(ra, &addr) != nil {
				continue
			}
			addr = pyStrip(addr)
			var host string
			switch {
			case addr == "":
				continue
			case addr[0] == '[':
				if end := strings.IndexByte(addr, ']'); end >= 0 {
					host = addr[1:end]
				}
			default:
				host = addr
				if i := strings.LastIndexByte(addr, ':'); i >= 0 {
					host = addr[:i]
				}
			}
			if host != "" {
				out = append(out, s.trail(host))
			}
		}
	}
	return out
}

// urlhausList keeps the http(s) URLs, scheme stripped.
func urlhausList(s *Source, content string) []trails.Trail {
	var out []trails.Trail
	for line := range lines(content) {
		if line == "" || line[0] == '#' || !strings.HasPrefix(line, "http") || !strings.Contains(line, "://") {
			continue
		}
		out = append(out, s.trail(afterScheme(line)))
	}
	return out
}

// viribackList reads "Family,URL,IP,FirstSeen" rows: the panel's URL without its last
// path segment and any "/panel..." or "/webpanel..." tail, an address alone as "addr/",
// info the lowercased family.
func viribackList(s *Source, content string) []trails.Trail {
	var out []trails.Trail
	for line := range lines(content) {
		if line == "" || strings.HasPrefix(line, s.Check) || !strings.Contains(line, "://") {
			continue
		}
		parts := strings.Split(strings.ToLower(line), ",")
		if len(parts) < 2 {
			continue // Maltrail: IndexError, the whole feed lost
		}
		trail := parts[1]
		if i := strings.LastIndex(trail, "://"); i >= 0 {
			trail = trail[i+3:]
		}
		trail, _, _ = strings.Cut(trail, "?")
		trail, _, _ = strings.Cut(trail, "#")
		trail = viribackLast.ReplaceAllString(trail, "")
		trail = viribackPanel.ReplaceAllString(trail, "")
		if viribackIP.MatchString(trail) {
			trail += "/"
		}
		trail = strings.ReplaceAll(trail, ".xsph.ru.xsph.ru", ".xsph.ru")
		out = append(out, trails.Trail{Key: trail, Info: parts[0], Reference: s.Reference})
	}
	return out
}
