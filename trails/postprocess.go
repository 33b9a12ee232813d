package trails

import (
	"slices"
	"strings"

	"golang.org/x/net/idna"
)

// postProcess is update_trails' "basic cleanup" loop, over the keys present when it
// starts, in order.
func (b *trailBuild) postProcess() {
	t := b.trails
	for i, n := 0, len(t.keys); i < n; i++ {
		key := t.keys[i]
		v := t.vals[i]
		moved := false // key is no longer entry i's key, or entry i was replaced
		if v < 0 {
			// Deleted, or deleted and assigned again further on: Python's loop over
			// list(trails.keys()) still visits a key of the latter kind.
			var ok bool
			if v, ok = t.get(key); !ok {
				continue
			}
			moved = true
		}
		if b.disabledInfo != nil && b.disabledInfo.MatchString(b.pairs.list[v].Info) {
			t.del(key)
			continue
		}
		f := scanKey(key)
		if f&(keyUpper|keyNonASCII) != 0 {
			if nk := normaliseKeyCase(key); nk != key {
				t.rename(key, nk)
				key, moved = nk, true
				f = scanKey(key)
			}
		}
		e := b.pairs.list[v]
		if key == "" || (isAlphaOnly(key) && !strings.Contains(e.Reference, "custom") && !strings.Contains(e.Reference, "static")) {
			t.del(key)
			continue
		}
		if isDottedQuad(key) {
			if strings.Contains(e.Info, "parking site") || strings.Contains(e.Info, "sinkhole") {
				delete(b.dups, key)
			}
			if e.Info == "malware" {
				t.set(key, b.pairs.get("potential malware site", e.Reference))
			}
			// IP_MINIMUM_FEEDS: an address must come from 3 feeds unless its reference
			// names custom or static, which every static and custom trail's does.
			if b.needsFeeds(e.Reference, b.dups[key]) {
				t.del(key)
				continue
			}
			if _, ok := parseLooseIPv4(key); !ok {
				t.del(key) // an octet above 255
				continue
			}
		} else if isDottedQuadNetwork(key) && b.needsFeeds(e.Reference, b.dups[key]) {
			// Spoor matches network trails, which Maltrail never does: a network that
			// feeds alone provide gets the same test as an address.
			t.del(key)
			continue
		}
		if e.Info == "ransomware" {
			t.set(key, b.pairs.get("ransomware (malware)", e.Reference))
		}
		if f&(keyWWW|keyQuery|keyDoubleSlash|keyUpper|keyNonASCII) != 0 {
			if f&keyWWW != 0 && f&keySlash == 0 {
				key = b.moveKey(key, key[len("www."):])
				moved = true
			}
			if i := strings.IndexByte(key, '?'); i >= 0 && !strings.HasPrefix(key, "/") {
				key = b.moveKey(key, key[:i])
				moved = true
			}
			if strings.Contains(key, "//") {
				key = b.moveKey(key, strings.ReplaceAll(key, "//", "/"))
				moved = true
			}
			if lk := strings.ToLower(key); lk != key {
				key = b.moveKey(key, lk)
				moved = true
			}
		}
		if moved || t.dup[i] {
			b.annotateDuplicates(key)
		}
	}
}

// annotateDuplicates appends the other feeds that provided key to its reference:
// "(static) (+(custom))".
func (b *trailBuild) annotateDuplicates(key string) {
	refs, ok := b.dups[key]
	if !ok {
		return
	}
	t := b.trails
	v, ok := t.get(key)
	if !ok {
		return
	}
	e := b.pairs.list[v]
	var others []string
	for _, r := range refs {
		if r != e.Reference {
			others = append(others, r)
		}
	}
	if len(others) > 0 && !strings.Contains(e.Reference, " (+") {
		slices.Sort(others)
		t.set(key, b.pairs.get(e.Info, e.Reference+" (+"+strings.Join(others, ",")+")"))
	}
}

// Properties of a trail key that decide which post-processing steps can apply to it.
const (
	keyUpper = 1 << iota
	keyNonASCII
	keyWWW
	keyQuery
	keyDoubleSlash
	keySlash
)

func scanKey(k string) int {
	f := 0
	if strings.HasPrefix(k, "www.") {
		f |= keyWWW
	}
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c >= 'A' && c <= 'Z':
			f |= keyUpper
		case c >= 0x80:
			f |= keyNonASCII
		case c == '?':
			f |= keyQuery
		case c == '/':
			f |= keySlash
			if i+1 < len(k) && k[i+1] == '/' {
				f |= keyDoubleSlash
			}
		}
	}
	return f
}

// moveKey is `_ = trails[key]; del trails[key]; key = nk; if key: trails[key] = _`.
func (b *trailBuild) moveKey(key, nk string) string {
	if key == nk {
		return key
	}
	v, ok := b.trails.get(key)
	b.trails.del(key)
	if ok && nk != "" {
		b.trails.set(nk, v)
	}
	return nk
}

// dropped is update_trails' last pass for one trail: whitelisted trails,
// BAD_TRAIL_PREFIXES, and trails whose leading IPv4 address is in a bogon or CDN range
// (unless parking or sinkhole).
func (b *trailBuild) dropped(key string, v int32, w *Whitelist, drop *Ranges) bool {
	if w.trailWhitelisted(key) || hasAnyPrefix(key, badTrailPrefixes) {
		return true
	}
	if drop.Len() == 0 {
		return false
	}
	if ip, ok := leadingIPv4(key); ok && drop.Contains(addrFrom4(ip)) {
		info := b.pairs.list[v].Info
		return !strings.Contains(info, "parking") && !strings.Contains(info, "sinkhole")
	}
	return false
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// isAlphaOnly is `(?i)\A\.?[a-z]+\Z`.
func isAlphaOnly(s string) bool {
	s = strings.TrimPrefix(s, ".")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// hasWord is `\bword\b` for an ASCII word.
func hasWord(s, word string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], word)
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(word)
		if (start == 0 || !isWordByte(s[start-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		off = start + 1
	}
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' || c >= 0x80 }

// idnaProfile approximates Python's "idna" codec (IDNA 2003 ToASCII, no STD3 rules).
var idnaProfile = idna.New(idna.MapForLookup(), idna.Transitional(true), idna.StrictDomainName(false))

// normaliseKeyCase lowercases a key; a non-ASCII host is IDNA-encoded. Maltrail encodes
// the whole key, which turns the path of a non-ASCII URL trail into an unmatchable
// "xn--/..." label; here only the host part is encoded and the path is lowercased.
func normaliseKeyCase(key string) string {
	if isASCII(key) {
		return toLowerASCII(key)
	}
	host, path, hasPath := strings.Cut(key, "/")
	if !isASCII(host) {
		if a, err := idnaProfile.ToASCII(host); err == nil {
			host = a
		}
	}
	host = strings.ToLower(host)
	if !hasPath {
		return host
	}
	return host + "/" + strings.ToLower(path)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func toLowerASCII(s string) string {
	if !hasUpper(s) {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}
