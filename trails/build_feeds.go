package trails

import (
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Trail is one trail as a source yields it: the key as the source writes it (Build
// normalises it), its info and its reference.
type Trail struct {
	Key, Info, Reference string
}

// Feed is what one source yields, like the dict a Maltrail feed module's fetch()
// returns: trails in order, a repeated key keeping its first position and its last
// info and reference.
type Feed struct {
	// Name identifies the source in logs and reports ("abuseipdb", a MISP feed's URL).
	Name   string
	Trails []Trail
	// Curated marks a source whose address trails stand on their own: they are exempt
	// from IPMinimumFeeds, as static and custom trails are. Maltrail's public feeds are
	// not curated; MISP and STIX imports of one's own intelligence are. The exemption
	// goes with the references the feed's trails carry, which it should not share with
	// an uncurated feed.
	Curated bool
}

// DefaultIPMinimumFeeds is Maltrail's IP_MINIMUM_FEEDS: an IPv4 trail that only feeds
// provide must come from this many of them (distinct references).
const DefaultIPMinimumFeeds = 3

// BuildOptions controls Build.
type BuildOptions struct {
	// Tree is a Maltrail trail directory (static/, optionally custom/) or a static
	// directory itself; "" builds from the feeds alone.
	Tree string
	// CustomDirs are extra directories of custom trail files (*.txt), merged with the
	// tree's custom/.
	CustomDirs []string
	// Feeds are merged first, in order, then the custom trails, then the static trails:
	// the order and priorities of Maltrail's update_trails. Maltrail orders its feeds by
	// module name.
	Feeds []Feed
	// RemoteCustom are Maltrail's CUSTOM_TRAILS_URL lists, merged after the static
	// trails: a trail replaces any other except a static or custom one. Their network
	// trails stay networks; Maltrail expands those of up to 1,024 addresses and leaves
	// the rest as trails that never match.
	RemoteCustom []Feed
	// IPMinimumFeeds is IP_MINIMUM_FEEDS; 0 means DefaultIPMinimumFeeds, 1 turns the
	// rule off. Spoor also applies it to IPv4 network trails that only uncurated feeds
	// provide: Maltrail keeps those as trails that never match, and one reputation list
	// is not enough to flag a whole network.
	IPMinimumFeeds int
	// DisabledInfo is DISABLED_TRAILS_INFO_REGEX: trails whose info it matches are
	// dropped. nil drops none.
	DisabledInfo *regexp.Regexp
	// Whitelist, DropRanges and Logger are as in LoadOptions.
	Whitelist  *Whitelist
	DropRanges *Ranges
	Logger     *slog.Logger
}

// Build builds a trail set the way Maltrail's core/update.py builds trails.csv: feeds,
// then custom trails, then static trails merged by priority (static > custom > feeds;
// low-priority infos never replace a trail; every source of a duplicate is remembered
// in the reference), remote custom lists, then the clean-up: lowercase and IDNA keys,
// "www." and query stripping, IPMinimumFeeds for feed-only addresses, and the whitelist,
// BAD_TRAIL_PREFIXES, bogon and CDN filters.
func Build(opts BuildOptions) (*Set, error) {
	s, err := build(opts)
	if err != nil {
		return nil, fmt.Errorf("cannot build trails: %w", err)
	}
	return s, nil
}

func build(opts BuildOptions) (*Set, error) {
	log := LoadOptions{Logger: opts.Logger}.logger()
	var staticDir string
	var customDirs []string
	if opts.Tree != "" {
		if !isDir(opts.Tree) {
			return nil, fmt.Errorf("trail directory %s: not a directory", opts.Tree)
		}
		staticDir, customDirs = resolveTree(opts.Tree)
	}
	customDirs = append(customDirs, opts.CustomDirs...)
	cFiles, err := customFiles(customDirs)
	if err != nil {
		return nil, err
	}
	var sFiles []trailFile
	if staticDir != "" {
		if sFiles, err = staticFiles(staticDir); err != nil {
			return nil, err
		}
	}
	seed := maphash.MakeSeed()
	parsed, err := readTrailFiles(append(cFiles, sFiles...), seed)
	if err != nil {
		return nil, err
	}
	bad, total := 0, 0
	for _, p := range parsed {
		bad += p.badLines
		total += len(p.keys)
	}
	for _, f := range opts.Feeds {
		total += len(f.Trails)
	}
	if bad > 0 {
		log.Warn("trail file lines that are not valid UTF-8 ignored", "lines", bad)
	}

	tb := newTrailBuild(seed, total)
	tb.minFeeds = opts.IPMinimumFeeds
	if tb.minFeeds == 0 {
		tb.minFeeds = DefaultIPMinimumFeeds
	}
	if tb.minFeeds < 0 {
		return nil, errors.New("negative IP minimum feeds")
	}
	tb.disabledInfo = opts.DisabledInfo
	for _, f := range opts.Feeds {
		tb.merge(tb.trailsDict(f, log))
	}
	tb.merge(tb.feedDict(cFiles, parsed[:len(cFiles)]))
	tb.merge(tb.feedDict(sFiles, parsed[len(cFiles):]))
	for _, f := range opts.RemoteCustom {
		tb.mergeRemoteCustom(f, log)
	}
	tb.postProcess()
	return tb.set(opts.Whitelist, opts.DropRanges, log)
}

// trailsDict turns a feed into the dict its fetch() would return. Trails that are not
// valid UTF-8 are left out, as Maltrail drops them from trails.csv.
func (b *trailBuild) trailsDict(f Feed, log *slog.Logger) *feedDict {
	d := newFeedDict(b.seed, len(f.Trails))
	// Hashing and validating are independent per trail: done in parallel, they take a
	// third off merging the statics feed's 1.6M trails.
	hashes := make([]uint64, len(f.Trails))
	invalid := make([]bool, len(f.Trails))
	parallelRange(len(f.Trails), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			t := &f.Trails[i]
			hashes[i] = d.hash(t.Key)
			invalid[i] = !utf8.ValidString(t.Key) || !utf8.ValidString(t.Info) || !utf8.ValidString(t.Reference)
		}
	})
	bad := 0
	pair, last := int32(-1), Entry{}
	for i, t := range f.Trails {
		if invalid[i] {
			bad++
			continue
		}
		// Feeds mostly give every trail the same info and reference.
		if pair < 0 || t.Info != last.Info || t.Reference != last.Reference {
			pair, last = b.pairs.get(t.Info, t.Reference), Entry{t.Info, t.Reference}
			if f.Curated {
				b.curated[t.Reference] = true
			}
		}
		d.set(t.Key, hashes[i], pair)
	}
	if bad > 0 {
		log.Warn("feed trails that are not valid UTF-8 ignored", "feed", f.Name, "trails", bad)
	}
	return d
}

// mergeRemoteCustom adds a CUSTOM_TRAILS_URL list after every feed: its trails replace
// any but static and custom ones (remote custom ones included), and are not counted as
// duplicates. Maltrail checks the line before stripping a domain's dots and assigns the
// stripped key; the key checked here is the one assigned.
func (b *trailBuild) mergeRemoteCustom(f Feed, log *slog.Logger) {
	bad := 0
	for _, t := range f.Trails {
		if !utf8.ValidString(t.Key) || !utf8.ValidString(t.Info) || !utf8.ValidString(t.Reference) {
			bad++
			continue
		}
		if v, ok := b.trails.get(t.Key); ok {
			if ref := b.pairs.list[v].Reference; strings.Contains(ref, "custom") || strings.Contains(ref, "static") {
				continue
			}
		}
		b.trails.set(t.Key, b.pairs.get(t.Info, t.Reference))
	}
	if bad > 0 {
		log.Warn("remote custom trails that are not valid UTF-8 ignored", "list", f.Name, "trails", bad)
	}
}

// ParseCustomLine turns one line of a custom trail list (a custom/*.txt file, or a
// CUSTOM_TRAILS_URL list) into its trail key, as Maltrail's custom feed does: comments
// and blank lines yield nothing, "scheme://" and trailing slashes are stripped, and a
// domain loses leading and trailing dots.
func ParseCustomLine(line string) (key string, ok bool) {
	return parseTrailLine(line, customLine)
}
