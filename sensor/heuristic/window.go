package heuristic

import (
	"math"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
)

// Sliding-window scan accumulators (heuristics #7-#10).
//
// Maltrail counts, per key (e.g. a (src, dst) pair), the distinct items
// (ports, hosts, path segments) seen in a window of SCAN_WINDOW seconds and
// alerts once per key per window when the count exceeds a threshold. Its
// windows tumble from whenever the process first saw a packet, so whether a
// scan is split depends on when the sensor started, and per-process state
// loses scans as processes are added.
//
// Here the condition is a true sliding window: a key alerts when, at some
// second s, more than threshold distinct items were probed during the W
// seconds ending at s. Time is cut into epochs of W seconds aligned to the
// Unix epoch, and a key alerts at most once per epoch (the epoch holding
// s). Per item and epoch only the first and last second it was probed is
// kept, which is enough to decide every window ending in an epoch from
// that epoch and the one before. The condition only grows as packets
// arrive, so the alerts raised are the same whatever order the packets of
// up to two epochs back arrive in, and however many workers deliver them.
// A burst that straddles an epoch boundary and exceeds the threshold on
// both sides is reported in both epochs; no scan escapes by straddling.

const (
	// maxItemsPerKey bounds the distinct items a key holds (Maltrail's
	// _SCAN_TRACK_PER_KEY); beyond it new items are refused.
	maxItemsPerKey = 1024
	// maxKeys bounds the keys of an accumulator (Maltrail's _SCAN_MAX_KEYS);
	// beyond it new keys are refused, never existing ones evicted, so a
	// flood cannot push earlier evidence out.
	maxKeys = 50000
	// numShards splits each accumulator into independently locked parts.
	numShards = 64
	// linearItems: up to this many items a key is searched linearly.
	linearItems = 16
	// maxFreeEntries bounds the recycled entries kept per shard.
	maxFreeEntries = 32
	// noEpoch marks an empty epoch slot.
	noEpoch = math.MinInt64
)

// probe is the detail of one packet, kept for the earliest packet of each
// epoch: it fills the port (or host) columns of an alert, Maltrail's
// "first seen" detail.
type probe struct {
	t            float64
	sport, dport uint16
	dst          netip.Addr
}

// before orders probes by time, then by content, so the choice among
// simultaneous probes does not depend on arrival order.
func (p probe) before(q probe) bool {
	if p.t != q.t {
		return p.t < q.t
	}
	if p.sport != q.sport {
		return p.sport < q.sport
	}
	if p.dport != q.dport {
		return p.dport < q.dport
	}
	return p.dst.Less(q.dst)
}

// windowItem is one distinct item of a key: per epoch slot, the second
// within the epoch of its first and last probe, plus one (0: not probed).
type windowItem struct {
	val         uint64
	first, last [3]uint16
}

// windowEntry is the state of one key over the last three epochs.
type windowEntry struct {
	top     int64    // newest epoch seen
	epoch   [3]int64 // epoch held by each slot (epoch mod 3), or noEpoch
	count   [3]int32 // distinct items probed in each slot's epoch
	alerted [3]bool  // decided for the slot's epoch (alerted or denied)
	pending [3]bool  // condition met, gate said "not yet"
	first   [3]probe // earliest probe of each slot's epoch
	rep     [3]probe // the probe an alert for the slot's epoch reports
	items   []windowItem
	index   map[uint64]int32 // item value -> position, above linearItems
}

func slotOf(epoch int64) int {
	return int(((epoch % 3) + 3) % 3)
}

func (e *windowEntry) reset(epoch int64) {
	e.top = epoch
	e.epoch = [3]int64{noEpoch, noEpoch, noEpoch}
	e.count = [3]int32{}
	e.alerted = [3]bool{}
	e.pending = [3]bool{}
	e.items = e.items[:0]
	if e.index != nil {
		clear(e.index)
	}
}

// advance moves the entry to epoch, dropping epochs more than two older.
// It reports false for a packet too late to count.
func (e *windowEntry) advance(epoch int64) bool {
	if epoch < e.top-2 {
		return false
	}
	if epoch <= e.top {
		return true
	}
	e.top = epoch
	dropped := false
	for s := range e.epoch {
		if e.epoch[s] != noEpoch && e.epoch[s] < epoch-2 {
			e.clearSlot(s)
			dropped = true
		}
	}
	if dropped {
		e.compact()
	}
	return true
}

func (e *windowEntry) clearSlot(s int) {
	for i := range e.items {
		e.items[i].first[s], e.items[i].last[s] = 0, 0
	}
	e.epoch[s] = noEpoch
	e.count[s] = 0
	e.alerted[s] = false
	e.pending[s] = false
}

// compact removes items probed in none of the kept epochs.
func (e *windowEntry) compact() {
	e.items = slices.DeleteFunc(e.items, func(it windowItem) bool {
		return it.first == [3]uint16{}
	})
	if len(e.items) <= linearItems {
		e.index = nil
		return
	}
	if e.index == nil {
		e.index = make(map[uint64]int32, len(e.items))
	}
	clear(e.index)
	for i, it := range e.items {
		e.index[it.val] = int32(i)
	}
}

// find returns the position of val, or -1.
func (e *windowEntry) find(val uint64) int {
	if e.index != nil {
		if i, ok := e.index[val]; ok {
			return int(i)
		}
		return -1
	}
	for i := range e.items {
		if e.items[i].val == val {
			return i
		}
	}
	return -1
}

// add records a probe of val at second off of epoch (already advanced to).
// It reports whether the item's first second in that epoch moved earlier
// (or is new) and whether its last second moved later.
func (e *windowEntry) add(epoch int64, off uint16, val uint64, p probe) (earlier, later bool) {
	s := slotOf(epoch)
	if e.epoch[s] != epoch {
		e.epoch[s] = epoch
		e.first[s] = p
	} else if p.before(e.first[s]) {
		e.first[s] = p
	}
	i := e.find(val)
	if i < 0 {
		if len(e.items) >= maxItemsPerKey {
			return false, false
		}
		i = len(e.items)
		e.items = append(e.items, windowItem{val: val})
		if e.index != nil {
			e.index[val] = int32(i)
		} else if len(e.items) > linearItems {
			e.index = make(map[uint64]int32, 2*linearItems)
			for j, it := range e.items {
				e.index[it.val] = int32(j)
			}
		}
	}
	it := &e.items[i]
	stamp := off + 1
	if it.first[s] == 0 {
		e.count[s]++
	}
	if it.first[s] == 0 || stamp < it.first[s] {
		it.first[s] = stamp
		earlier = true
	}
	if stamp > it.last[s] {
		it.last[s] = stamp
		later = true
	}
	return earlier, later
}

// exceeds reports whether some window of w seconds ending in epoch q holds
// more than threshold distinct items, and the second (within q) ending
// the first such window found.
func (e *windowEntry) exceeds(q int64, threshold int) (witness int, ok bool) {
	sq, sp := slotOf(q), slotOf(q-1)
	if e.epoch[sq] != q {
		return 0, false
	}
	prev := e.epoch[sp] == q-1
	total := int(e.count[sq])
	if prev {
		total += int(e.count[sp])
	}
	if total <= threshold {
		return 0, false
	}
	// The count of the window ending at second s of q rises only where an
	// item is first probed in q, so those seconds are the candidates. An
	// item counts if first probed in q by s, or last probed in q-1 after
	// second s of q-1 (the window reaches back to s+1).
	for i := range e.items {
		f := e.items[i].first[sq]
		if f == 0 {
			continue
		}
		s := f - 1
		n := 0
		for j := range e.items {
			it := &e.items[j]
			if (it.first[sq] != 0 && it.first[sq]-1 <= s) || (prev && it.last[sp] >= s+2) {
				n++
			}
		}
		if n > threshold {
			return int(s), true
		}
	}
	return 0, false
}

// representative returns the earliest probe known of the window that made
// q exceed: q-1's earliest if it falls in that window, else q's.
func (e *windowEntry) representative(q int64, witness int, w int64) probe {
	sq, sp := slotOf(q), slotOf(q-1)
	if e.epoch[sp] == q-1 && e.count[sp] > 0 {
		p := e.first[sp]
		if off := secondOf(p.t) - (q-1)*w; off >= int64(witness)+1 {
			return p
		}
	}
	return e.first[sq]
}

// gateResult is a tracker's verdict on a key whose condition holds.
type gateResult uint8

const (
	gateAlert gateResult = iota // raise the alert
	gateDeny                    // never for this epoch (e.g. whitelisted source)
	gateWait                    // not yet: ask again on the key's next packet
)

// fired is one alert decision: the key, the probe to report and the epoch
// the alert stands for.
type fired[K comparable] struct {
	key   K
	probe probe
	epoch int64
}

// windowTracker is a sharded sliding-window accumulator.
type windowTracker[K comparable] struct {
	window    int64
	threshold int
	keys      *atomic.Int64 // live keys, possibly shared with another tracker
	top       atomic.Int64  // newest epoch seen by any key
	shards    [numShards]windowShard[K]
}

type windowShard[K comparable] struct {
	mu      sync.Mutex
	entries map[K]*windowEntry
	free    []*windowEntry
	pruned  int64 // global top epoch the shard last pruned for
	_       [32]byte
}

func newWindowTracker[K comparable](window int64, threshold int, keys *atomic.Int64) *windowTracker[K] {
	t := &windowTracker[K]{window: window, threshold: threshold, keys: keys}
	t.top.Store(noEpoch)
	for i := range t.shards {
		t.shards[i].entries = make(map[K]*windowEntry)
		t.shards[i].pruned = noEpoch
	}
	return t
}

// secondOf is the whole second of a packet time, with garbage clamped.
func secondOf(now float64) int64 {
	switch {
	case now != now || now < 0:
		return 0
	case now > 1<<40:
		return 1 << 40
	}
	return int64(now)
}

// observe records that key (whose hash is h) probed item val at time now. gate decides
// what to do when the key's condition holds; it runs under the shard lock
// and must not call back into the tracker. At most two alerts result (a
// late packet can complete the previous epoch and the current one).
func (t *windowTracker[K]) observe(now float64, key K, h, val uint64, p probe, gate func(K, probe) gateResult) (out [2]fired[K], n int) {
	sec := secondOf(now)
	epoch := sec / t.window
	off := uint16(sec - epoch*t.window)
	for top := t.top.Load(); epoch > top && !t.top.CompareAndSwap(top, epoch); top = t.top.Load() {
	}
	sh := &t.shards[h%numShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	t.prune(sh)
	e := sh.entries[key]
	if e == nil {
		if t.keys.Add(1) > maxKeys {
			t.keys.Add(-1)
			return out, 0
		}
		if k := len(sh.free); k > 0 {
			e, sh.free = sh.free[k-1], sh.free[:k-1]
		} else {
			e = &windowEntry{}
		}
		e.reset(epoch)
		sh.entries[key] = e
	}
	if !e.advance(epoch) {
		return out, 0
	}
	earlier, later := e.add(epoch, off, val, p)
	check := func(q int64) {
		s := slotOf(q)
		if e.epoch[s] != q || e.alerted[s] {
			return
		}
		if !e.pending[s] {
			witness, ok := e.exceeds(q, t.threshold)
			if !ok {
				return
			}
			e.rep[s] = e.representative(q, witness, t.window)
		}
		switch gate(key, e.rep[s]) {
		case gateAlert:
			e.alerted[s], e.pending[s] = true, false
			out[n] = fired[K]{key: key, probe: e.rep[s], epoch: q}
			n++
		case gateDeny:
			e.alerted[s], e.pending[s] = true, false
		case gateWait:
			e.pending[s] = true
		}
	}
	if earlier || e.pending[slotOf(epoch)] {
		check(epoch)
	}
	if (later || e.pending[slotOf(epoch+1)]) && epoch < e.top {
		check(epoch + 1)
	}
	return out, n
}

// prune drops keys whose newest epoch is too old to matter to any packet
// still accepted, once per new global epoch per shard.
func (t *windowTracker[K]) prune(sh *windowShard[K]) {
	top := t.top.Load()
	if sh.pruned >= top {
		return
	}
	sh.pruned = top
	for k, e := range sh.entries {
		if e.top < top-3 {
			delete(sh.entries, k)
			t.keys.Add(-1)
			if len(sh.free) < maxFreeEntries && cap(e.items) <= 4*linearItems {
				e.index = nil
				sh.free = append(sh.free, e)
			}
		}
	}
}
