package heuristic

import (
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/spoorsec/spoor/event"
)

// The infection heuristic (#9) only reports sources inside the "local
// prefix": Maltrail's _get_local_prefix, the A.B. (/16) prefix shared by
// the most distinct sources currently tracked, ties going to the larger
// prefix text. An IPv6 source is its own candidate (Maltrail's regex strips
// nothing from it) and a source matches when its text starts with the
// winner's, as in Python.
//
// sourceRegistry counts distinct TCP probe sources per prefix over the
// current and previous scan window epochs.

// prefixKey is a source's local-prefix candidate.
type prefixKey struct {
	v6   bool
	top  uint16   // IPv4: the first two octets
	addr [16]byte // IPv6: the whole address
}

func prefixOf(a netip.Addr) prefixKey {
	if a.Is4() {
		b := a.As4()
		return prefixKey{top: uint16(b[0])<<8 | uint16(b[1])}
	}
	return prefixKey{v6: true, addr: a.As16()}
}

// String renders the candidate as Python's re.sub(r"\d+\.\d+\Z", "", ip).
func (k prefixKey) String() string {
	if k.v6 {
		return event.IPString(netip.AddrFrom16(k.addr))
	}
	return strconv.Itoa(int(k.top>>8)) + "." + strconv.Itoa(int(k.top&0xff)) + "."
}

type sourceRegistry struct {
	window  int64
	top     atomic.Int64
	sources atomic.Int64
	shards  [numShards]sourceShard

	mu     sync.Mutex
	epochs [3]int64
	counts [3]map[prefixKey]int32
}

type sourceShard struct {
	mu     sync.Mutex
	seen   map[netip.Addr]int64 // source -> newest epoch it was counted in
	pruned int64
	_      [40]byte
}

func newSourceRegistry(window int64) *sourceRegistry {
	r := &sourceRegistry{window: window}
	r.top.Store(noEpoch)
	for i := range r.shards {
		r.shards[i].seen = make(map[netip.Addr]int64)
		r.shards[i].pruned = noEpoch
	}
	for i := range r.counts {
		r.epochs[i] = noEpoch
		r.counts[i] = make(map[prefixKey]int32)
	}
	return r
}

// note records a probe from src (whose hash is h) at time now.
func (r *sourceRegistry) note(now float64, src netip.Addr, h uint64) {
	epoch := secondOf(now) / r.window
	for top := r.top.Load(); epoch > top && !r.top.CompareAndSwap(top, epoch); top = r.top.Load() {
	}
	sh := &r.shards[h%numShards]
	sh.mu.Lock()
	if top := r.top.Load(); sh.pruned < top {
		sh.pruned = top
		for a, e := range sh.seen {
			if e < top-2 {
				delete(sh.seen, a)
				r.sources.Add(-1)
			}
		}
	}
	last, ok := sh.seen[src]
	if ok && last >= epoch {
		sh.mu.Unlock()
		return
	}
	if !ok {
		if r.sources.Add(1) > maxKeys {
			r.sources.Add(-1)
			sh.mu.Unlock()
			return
		}
	}
	sh.seen[src] = epoch
	sh.mu.Unlock()

	r.mu.Lock()
	defer r.mu.Unlock()
	s := slotOf(epoch)
	if r.epochs[s] > epoch {
		return // the slot already moved on to a newer epoch
	}
	if r.epochs[s] != epoch {
		r.epochs[s] = epoch
		clear(r.counts[s])
	}
	r.counts[s][prefixOf(src)]++
}

// inLocalPrefix reports whether src starts with the local prefix of the
// current and previous epochs.
func (r *sourceRegistry) inLocalPrefix(src netip.Addr) bool {
	r.mu.Lock()
	top := r.top.Load()
	totals := make(map[prefixKey]int32)
	for s, e := range r.epochs {
		if e != noEpoch && e >= top-1 {
			for k, n := range r.counts[s] {
				totals[k] += n
			}
		}
	}
	r.mu.Unlock()
	var best string
	var bestN int32
	for k, n := range totals {
		if n < bestN {
			continue
		}
		if text := k.String(); n > bestN || text > best {
			best, bestN = text, n
		}
	}
	return best != "" && strings.HasPrefix(event.IPString(src), best)
}
