package trails

import (
	"hash/maphash"
	"regexp"
	"slices"
	"strings"
)

// The trail build of core/update.py:update_trails for the static and custom feeds: merge
// the feeds by priority, normalise keys, then drop whitelisted and unroutable trails.
// Maltrail runs it once when writing trails.csv; it is reproduced step by step, in dict
// order, because which of two colliding keys survives depends on that order.

var (
	// LOW_PRIORITY_INFO_KEYWORDS: such a trail does not replace an existing one.
	lowPriorityInfo = []string{"reputation", "attacker", "spammer", "abuser", "malicious", "dnspod", "nicru", "crawler", "compromised", "bad history"}
	// HIGH_PRIORITY_INFO_KEYWORDS: such a trail always replaces an existing one.
	highPriorityInfo = []string{"mass scanner", "ipinfo"}
	// BAD_TRAIL_PREFIXES
	badTrailPrefixes = []string{"127.", "192.168.", "localhost"}
)

// isHighPriorityRef is `reference in HIGH_PRIORITY_REFERENCES`.
func isHighPriorityRef(ref string) bool { return ref == "(static)" || ref == "(custom)" }

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// pairTable interns (info, reference) pairs during the build.
type pairTable struct {
	list []Entry
	idx  map[Entry]int32
}

func (t *pairTable) get(info, ref string) int32 {
	e := Entry{info, ref}
	if p, ok := t.idx[e]; ok {
		return p
	}
	p := int32(len(t.list))
	t.list = append(t.list, e)
	t.idx[e] = p
	return p
}

// trailBuild holds the state of one update_trails run.
type trailBuild struct {
	seed   maphash.Seed
	pairs  pairTable
	trails *trailDict
	dups   map[string][]string // key -> references of every feed that provided it

	minFeeds     int             // IP_MINIMUM_FEEDS
	curated      map[string]bool // references exempt from minFeeds besides custom and static
	disabledInfo *regexp.Regexp  // DISABLED_TRAILS_INFO_REGEX; nil = none
}

func newTrailBuild(seed maphash.Seed, hint int) *trailBuild {
	return &trailBuild{
		seed:     seed,
		pairs:    pairTable{idx: make(map[Entry]int32)},
		trails:   newTrailDict(seed, hint),
		dups:     make(map[string][]string),
		minFeeds: DefaultIPMinimumFeeds,
		curated:  make(map[string]bool),
	}
}

// needsFeeds reports whether a trail with this reference, provided by feeds with refs,
// is dropped by the IP_MINIMUM_FEEDS rule: references naming custom or static, and
// those of curated feeds, are exempt.
func (b *trailBuild) needsFeeds(ref string, refs []string) bool {
	return b.minFeeds > 1 && len(refs) < b.minFeeds &&
		!hasWord(ref, "custom") && !hasWord(ref, "static") && !b.curated[ref]
}

// feedDict is what a feed's fetch() returns: a dict built in file and line order, so a
// key repeated in a later file keeps its first position and takes the later value.
func (b *trailBuild) feedDict(files []trailFile, parsed []fileTrails) *feedDict {
	n := 0
	for _, p := range parsed {
		n += len(p.keys)
	}
	d := newFeedDict(b.seed, n)
	for i, f := range files {
		p := parsed[i]
		pair := int32(-1)
		if p.infos == nil {
			pair = b.pairs.get(f.info, f.ref)
		}
		for j, k := range p.keys {
			if p.infos != nil {
				pair = b.pairs.get(p.infos[j], f.ref)
			}
			d.set(k, p.hashes[j], pair)
		}
	}
	return d
}

// merge adds one feed's trails with update_trails' priority rule: a trail replaces an
// existing one unless it is low priority or the existing one is static/custom; a
// static/custom trail without "history" in its info, and a high-priority one, always
// replace. Every reference seen for a key is remembered.
func (b *trailBuild) merge(feed *feedDict) {
	t := b.trails
	t.follow(feed)
	shadowed := b.shadowed(feed)
	for fe, key := range feed.keys {
		pair, h := feed.vals[fe], feed.hashes[fe]
		te := -1
		switch {
		case strings.HasPrefix(key, "www.") && !strings.Contains(key, "/"):
			key = key[len("www."):]
			h = t.hash(key)
			te = t.find(key, h)
		case shadowed[fe]:
			// The key's own feed entry is unmerged, so another holds it.
			te = t.find(key, h)
		}
		e := b.pairs.list[pair]
		exists := te >= 0
		var cur int32
		if exists {
			cur = t.vals[te]
			refs, seen := b.dups[key]
			// A key seen again with the reference it has is left out of duplicates:
			// the set would be that one reference, which annotates nothing, and counts
			// one feed where IP_MINIMUM_FEEDS (when it applies) asks for two or more.
			// It spares a million map entries when the statics feed meets the static
			// trails.
			if seen || e.Reference != b.pairs.list[cur].Reference {
				if !seen {
					refs = []string{b.pairs.list[cur].Reference}
				}
				b.dups[key] = addRef(refs, e.Reference)
				t.dup[te] = true
			}
		}
		if !(exists && (containsAny(e.Info, lowPriorityInfo) || isHighPriorityRef(b.pairs.list[cur].Reference))) ||
			(isHighPriorityRef(e.Reference) && !strings.Contains(e.Info, "history")) ||
			containsAny(e.Info, highPriorityInfo) {
			switch {
			case exists:
				t.vals[te] = pair
			case key != feed.keys[fe]:
				t.overlay[key] = t.appendEntry(key, h, pair)
			default:
				t.fromFed[fe] = t.appendEntry(key, h, pair)
			}
		}
	}
}

// shadowed marks the feed entries whose key can already be a trail when the entry is
// merged: keys of earlier feeds (the overlay's and past feeds'), and keys that a "www."
// entry of this feed strips to.
// Every other entry is new, which spares a lookup per key.
func (b *trailBuild) shadowed(feed *feedDict) []bool {
	marks := make([]bool, len(feed.keys))
	mark := func(k string) {
		if fe, _ := feed.find(k, feed.hash(k)); fe >= 0 {
			marks[fe] = true
		}
	}
	// Earlier feeds' keys: whichever of the overlay and the feed is smaller is walked
	// and looked up in the other, or every small feed merged after a big one (the
	// statics export) would walk its 1.6M keys again.
	t := b.trails
	overlay := t.overlay
	if len(overlay) <= len(feed.keys) {
		for k := range overlay {
			mark(k)
		}
	}
	for fe, k := range feed.keys {
		if len(overlay) > len(feed.keys) {
			if _, ok := overlay[k]; ok {
				marks[fe] = true
			}
		}
		if len(t.past) > 0 && t.inPast(k, feed.hashes[fe]) {
			marks[fe] = true
		}
		if strings.HasPrefix(k, "www.") && !strings.Contains(k, "/") {
			mark(k[len("www."):])
		}
	}
	return marks
}

func addRef(refs []string, ref string) []string {
	if slices.Contains(refs, ref) {
		return refs
	}
	return append(refs, ref)
}
