package heuristic

import (
	"hash/maphash"
	"strings"
	"sync"
)

// lruShards splits the cache so concurrent workers rarely contend.
const lruShards = 16

// lruCache is a bounded, sharded least-recently-used map from a string to
// a (trail, ok) result. Lookups do not allocate.
type lruCache struct {
	seed   maphash.Seed
	shards [lruShards]lruShard
}

type lruShard struct {
	mu      sync.Mutex
	index   map[string]int32
	entries []lruEntry // fixed capacity; entries[i] is a list node
	head    int32      // most recently used, -1 when empty
	tail    int32      // least recently used
	_       [40]byte   // keep shards on separate cache lines
}

type lruEntry struct {
	key        string
	trail      string
	ok         bool
	prev, next int32
}

func newLRUCache(size int) *lruCache {
	c := &lruCache{seed: maphash.MakeSeed()}
	per := max(size/lruShards, 1)
	for i := range c.shards {
		c.shards[i] = lruShard{index: make(map[string]int32, per), entries: make([]lruEntry, 0, per), head: -1, tail: -1}
	}
	return c
}

func (c *lruCache) shard(key string) *lruShard {
	return &c.shards[maphash.String(c.seed, key)%lruShards]
}

// get returns the cached result for key and whether there was one.
func (c *lruCache) get(key string) (trail string, ok, hit bool) {
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	i, found := s.index[key]
	if !found {
		return "", false, false
	}
	s.touch(i)
	e := &s.entries[i]
	return e.trail, e.ok, true
}

// put stores a result, evicting the least recently used entry when full.
func (c *lruCache) put(key, trail string, ok bool) {
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, found := s.index[key]; found {
		s.entries[i].trail, s.entries[i].ok = trail, ok
		s.touch(i)
		return
	}
	key = strings.Clone(key) // the caller's string may alias a packet buffer
	var i int32
	if len(s.entries) < cap(s.entries) {
		i = int32(len(s.entries))
		s.entries = append(s.entries, lruEntry{prev: -1, next: -1})
	} else {
		i = s.tail
		s.unlink(i)
		delete(s.index, s.entries[i].key)
	}
	s.entries[i] = lruEntry{key: key, trail: trail, ok: ok, prev: -1, next: -1}
	s.index[key] = i
	s.pushFront(i)
}

func (s *lruShard) touch(i int32) {
	if s.head == i {
		return
	}
	s.unlink(i)
	s.pushFront(i)
}

func (s *lruShard) unlink(i int32) {
	e := &s.entries[i]
	if e.prev >= 0 {
		s.entries[e.prev].next = e.next
	} else {
		s.head = e.next
	}
	if e.next >= 0 {
		s.entries[e.next].prev = e.prev
	} else {
		s.tail = e.prev
	}
	e.prev, e.next = -1, -1
}

func (s *lruShard) pushFront(i int32) {
	e := &s.entries[i]
	e.prev, e.next = -1, s.head
	if s.head >= 0 {
		s.entries[s.head].prev = i
	}
	s.head = i
	if s.tail < 0 {
		s.tail = i
	}
}
