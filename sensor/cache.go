package sensor

import "hash/maphash"

// domainCache remembers names that matched nothing, so that the busy names
// of a network (its CDNs, its own domains) cost one hash after the first
// look. It is direct-mapped over 64-bit hashes: fixed memory, no allocation,
// and a collision only costs a full check.
type domainCache struct {
	seed  maphash.Seed
	slots []uint64
}

const domainCacheSize = 1 << 14

func (c *domainCache) reset() {
	if c.slots == nil {
		c.seed = maphash.MakeSeed()
		c.slots = make([]uint64, domainCacheSize)
	}
	clear(c.slots)
}

func (c *domainCache) hash(name []byte) uint64 {
	h := maphash.Bytes(c.seed, name)
	if h == 0 {
		h = 1 // 0 marks an empty slot
	}
	return h
}

func (c *domainCache) has(h uint64) bool { return c.slots[h&(domainCacheSize-1)] == h }
func (c *domainCache) add(h uint64)      { c.slots[h&(domainCacheSize-1)] = h }
