package trails

import "hash/maphash"

// Maltrail's trail build depends on Python dict behaviour: insertion order is iteration
// order, assigning to an existing key keeps its position, and a key deleted and assigned
// again moves to the end. feedDict and trailDict reproduce it for the two dicts of the
// build: a feed's fetch() result, and update_trails' merged `trails`.

// feedDict is a feed's dict, insert-only. It is an open-addressing index over entry
// numbers rather than a Go map because ~1.8M static trail lines go through it and their
// hashes are computed in parallel while the files are parsed: this and trailDict
// roughly halve the load time against Go maps.
type feedDict struct {
	seed   maphash.Seed
	slots  []uint64 // 0 empty, else uint32(hash)<<32 | entry+1
	keys   []string
	hashes []uint64
	vals   []int32 // pair index
}

func newFeedDict(seed maphash.Seed, hint int) *feedDict {
	return &feedDict{
		seed:   seed,
		slots:  make([]uint64, tableSize(hint)+1),
		keys:   make([]string, 0, hint),
		hashes: make([]uint64, 0, hint),
		vals:   make([]int32, 0, hint),
	}
}

func (d *feedDict) hash(k string) uint64 { return maphash.String(d.seed, k) }

// find returns the entry holding k, or -1 and the empty slot where k would go.
func (d *feedDict) find(k string, h uint64) (entry int, slot int) {
	tag := h << 32
	size := len(d.slots)
	for i := slotIndex(h, size); ; {
		s := d.slots[i]
		if s == 0 {
			return -1, i
		}
		if s&^(1<<32-1) == tag {
			if e := int(uint32(s)) - 1; d.keys[e] == k {
				return e, i
			}
		}
		if i++; i == size {
			i = 0
		}
	}
}

// set assigns k, whose hash is h.
func (d *feedDict) set(k string, h uint64, v int32) {
	e, slot := d.find(k, h)
	if e >= 0 {
		d.vals[e] = v
		return
	}
	if (len(d.keys)+1)*4 > len(d.slots)*3 {
		d.rehash(tableSize(2*len(d.keys) + 8))
		_, slot = d.find(k, h)
	}
	d.slots[slot] = h<<32 | uint64(len(d.keys)+1)
	d.keys = append(d.keys, k)
	d.hashes = append(d.hashes, h)
	d.vals = append(d.vals, v)
}

func (d *feedDict) rehash(size int) {
	d.slots = make([]uint64, size)
	for e, h := range d.hashes {
		for i := slotIndex(h, size); ; {
			if d.slots[i] == 0 {
				d.slots[i] = h<<32 | uint64(e+1)
				break
			}
			if i++; i == size {
				i = 0
			}
		}
	}
}

// trailDict is update_trails' `trails` dict. It is built from the static feed's dict,
// whose keys it shares almost entirely, so instead of hashing ~1.6M keys into a second
// table it finds most keys through the feed's table (feed entry -> trail entry) and
// keeps only the keys that did not come that way (custom trails, "www."-stripped keys,
// keys renamed by the post-processing) in a small map.
type trailDict struct {
	seed    maphash.Seed
	keys    []string
	hashes  []uint64
	vals    []int32 // pair index; -1 once deleted
	dup     []bool  // the key had a duplicate when merged (update_trails' duplicates)
	live    int
	feed    *feedDict // the feed being merged last; nil before
	fromFed []int32   // feed entry -> trail entry, -1 while unmerged
	past    []pastFeed
	overlay map[string]int32
}

// pastFeed is a big feed merged before the current one, whose table still finds the keys
// it brought: moving a million keys into the overlay (the statics feed, Maltrail's
// export of its static trails) would cost more than probing its table once more.
type pastFeed struct {
	feed    *feedDict
	fromFed []int32
}

// bigFeed is the size from which a feed stays a pastFeed rather than joining the overlay.
const bigFeed = 1 << 16

func newTrailDict(seed maphash.Seed, hint int) *trailDict {
	return &trailDict{
		seed:    seed,
		keys:    make([]string, 0, hint),
		hashes:  make([]uint64, 0, hint),
		vals:    make([]int32, 0, hint),
		dup:     make([]bool, 0, hint),
		overlay: make(map[string]int32),
	}
}

func (d *trailDict) hash(k string) uint64 { return maphash.String(d.seed, k) }

// find returns the live entry holding k, or -1. A key has at most one live entry: a new
// one is only made when find found none, and a key deleted and set again leaves its old
// entry deleted. So the places are searched in whatever order is cheapest: the feed
// tables first, which hold nearly every key, the overlay map last.
func (d *trailDict) find(k string, h uint64) int {
	if d.feed != nil {
		if e, ok := fedEntry(d.feed, d.fromFed, k, h); ok && d.vals[e] >= 0 {
			return int(e)
		}
	}
	for i := len(d.past) - 1; i >= 0; i-- {
		if e, ok := fedEntry(d.past[i].feed, d.past[i].fromFed, k, h); ok && d.vals[e] >= 0 {
			return int(e)
		}
	}
	if e, ok := d.overlay[k]; ok && d.vals[e] >= 0 {
		return int(e)
	}
	return -1
}

// fedEntry is the trail entry that feed's entry for k became, if any.
func fedEntry(feed *feedDict, fromFed []int32, k string, h uint64) (int32, bool) {
	if fe, _ := feed.find(k, h); fe >= 0 && fromFed[fe] >= 0 {
		return fromFed[fe], true
	}
	return 0, false
}

// inPast reports whether k came with a past feed.
func (d *trailDict) inPast(k string, h uint64) bool {
	for _, p := range d.past {
		if _, ok := fedEntry(p.feed, p.fromFed, k, h); ok {
			return true
		}
	}
	return false
}

func (d *trailDict) get(k string) (int32, bool) {
	if e := d.find(k, d.hash(k)); e >= 0 {
		return d.vals[e], true
	}
	return 0, false
}

func (d *trailDict) appendEntry(k string, h uint64, v int32) int32 {
	e := int32(len(d.keys))
	d.keys = append(d.keys, k)
	d.hashes = append(d.hashes, h)
	d.vals = append(d.vals, v)
	d.dup = append(d.dup, false)
	d.live++
	return e
}

// follow makes feed the one whose table finds trail keys. Keys found through the
// previous feed move to the overlay, unless it is big.
func (d *trailDict) follow(feed *feedDict) {
	if d.feed != nil && len(d.feed.keys) >= bigFeed {
		d.past = append(d.past, pastFeed{d.feed, d.fromFed})
	} else if d.feed != nil {
		for fe, e := range d.fromFed {
			if k := d.feed.keys[fe]; e >= 0 {
				if _, ok := d.overlay[k]; !ok {
					d.overlay[k] = e
				}
			}
		}
	}
	d.feed = feed
	d.fromFed = make([]int32, len(feed.keys))
	for i := range d.fromFed {
		d.fromFed[i] = -1
	}
}

// setH assigns k; a new key is appended (and found through the overlay).
func (d *trailDict) setH(k string, h uint64, v int32) {
	if e := d.find(k, h); e >= 0 {
		d.vals[e] = v
		return
	}
	d.overlay[k] = d.appendEntry(k, h, v)
}

func (d *trailDict) set(k string, v int32) { d.setH(k, d.hash(k), v) }

func (d *trailDict) del(k string) {
	if e := d.find(k, d.hash(k)); e >= 0 {
		d.vals[e] = -1
		d.live--
	}
}

// rename moves k's value to nk, as `trails[nk] = trails[k]; del trails[k]`.
func (d *trailDict) rename(k, nk string) {
	v, ok := d.get(k)
	if !ok || k == nk {
		return
	}
	d.set(nk, v)
	d.del(k)
}
