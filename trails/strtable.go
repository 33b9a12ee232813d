package trails

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// strTable maps string keys to pair indexes. Keys are stored once, length-prefixed
// (uvarint), in one byte arena in insertion order; the open-addressing table holds one
// uint64 per slot:
//
//	bits  0-31  arena offset of the key record (0 = empty slot; the arena starts with a pad byte)
//	bits 32-39  8 hash bits, so a probe rarely touches the arena for a different key
//	bits 40-63  pair index
//
// The table is kept at most half full, 16 bytes per key: a DNS name's suffix walk is
// mostly misses, and a miss probes until an empty slot, ~2.5 slots at this load against
// ~8.5 at 3/4 (BenchmarkLookupDomain/miss: 70 ns against 106 ns). With the key bytes
// that is still about half the size of the trails.csv rows.
type strTable struct {
	seed  uint64 // of strHash
	arena []byte
	slots []uint64
	n     int
	// filter is a blocked Bloom filter (16 bits and 2 hash bits per key in one word): a
	// few MB that stay in cache and answer ~98% of misses, most of a DNS name's suffix
	// walk, without touching the 20+ MB table (BenchmarkLookupDomain/miss, cold: 40 ns
	// against 100 ns). Built by compact; nil until then.
	filter []uint64
}

const (
	maxPairs      = 1 << 24
	maxArenaBytes = 1<<32 - 1
)

func newStrTable(seed uint64, keys, keyBytes int) strTable {
	t := strTable{seed: seed}
	t.arena = make([]byte, 1, 1+keyBytes)
	if keys > 0 {
		t.slots = make([]uint64, lookupTableSize(keys))
	}
	return t
}

func slotTag(h uint64) uint64 { return h & 0xff }

// record returns the key stored at arena offset off and the offset of the next record.
func (t *strTable) record(off uint32) ([]byte, uint32) {
	n, w := uint64(t.arena[off]), 1
	if n >= 0x80 {
		n, w = binary.Uvarint(t.arena[off:])
	}
	start := off + uint32(w)
	end := start + uint32(n)
	return t.arena[start:end], end
}

func filterWord(h uint64, words int) int { return slotIndex(bits.RotateLeft64(h, 32), words) }

func filterMask(h uint64) uint64 { return 1<<(h>>40&63) | 1<<(h>>46&63) }

func (t *strTable) get(key string) (uint32, bool) {
	size := len(t.slots)
	if size == 0 {
		return 0, false
	}
	h := strHash(t.seed, key)
	if t.filter != nil {
		if m := filterMask(h); t.filter[filterWord(h, len(t.filter))]&m != m {
			return 0, false
		}
	}
	tag := slotTag(h)
	for i := slotIndex(h, size); ; {
		s := t.slots[i]
		if s == 0 {
			return 0, false
		}
		if (s>>32)&0xff == tag {
			off := uint32(s)
			n, w := int(t.arena[off]), uint32(1)
			if n >= 0x80 {
				un, uw := binary.Uvarint(t.arena[off:])
				n, w = int(un), uint32(uw)
			}
			start := off + w
			// The string(bytes) comparison does not allocate.
			if n == len(key) && string(t.arena[start:start+uint32(n)]) == key {
				return uint32(s >> 40), true
			}
		}
		if i++; i == size {
			i = 0
		}
	}
}

// put inserts key or, when present, replaces its pair (keeping its position, as a Python
// dict does). It fails only when the arena outgrows its 32-bit offsets or pairs run out.
func (t *strTable) put(key string, pair uint32) error {
	return t.putHashed(key, strHash(t.seed, key), pair)
}

// putHashed is put with the key's strHash under t.seed already computed.
func (t *strTable) putHashed(key string, h uint64, pair uint32) error {
	if pair >= maxPairs {
		return fmt.Errorf("more than %d distinct (info, reference) pairs", maxPairs)
	}
	if (t.n+1)*2 > len(t.slots) {
		t.resize(lookupTableSize(2*t.n + 8))
	}
	tag := slotTag(h)
	size := len(t.slots)
	for i := slotIndex(h, size); ; {
		s := t.slots[i]
		if s == 0 {
			off := len(t.arena)
			if off+binary.MaxVarintLen64+len(key) > maxArenaBytes {
				return fmt.Errorf("trail keys exceed %d bytes", maxArenaBytes)
			}
			t.arena = binary.AppendUvarint(t.arena, uint64(len(key)))
			t.arena = append(t.arena, key...)
			t.slots[i] = uint64(off) | tag<<32 | uint64(pair)<<40
			t.n++
			return nil
		}
		if (s>>32)&0xff == tag {
			if k, _ := t.record(uint32(s)); string(k) == key {
				t.slots[i] = s&(1<<40-1) | uint64(pair)<<40
				return nil
			}
		}
		if i++; i == size {
			i = 0
		}
	}
}

func (t *strTable) resize(size int) {
	old := t.slots
	t.slots = make([]uint64, size)
	for _, s := range old {
		if s == 0 {
			continue
		}
		k, _ := t.record(uint32(s))
		for i := slotIndex(strHashBytes(t.seed, k), size); ; {
			if t.slots[i] == 0 {
				t.slots[i] = s
				break
			}
			if i++; i == size {
				i = 0
			}
		}
	}
}

// compact trims the arena and the table once loading is done, unless they are close to
// their final size already (a rehash of every key is not worth a few percent), and
// builds the filter.
func (t *strTable) compact() {
	if size := lookupTableSize(t.n); size+size/8 < len(t.slots) {
		t.resize(size)
	}
	if cap(t.arena)-len(t.arena) > len(t.arena)/16 {
		t.arena = append(make([]byte, 0, len(t.arena)), t.arena...)
	}
	t.filter = make([]uint64, t.n/4+1)
	t.eachKey(func(k []byte) {
		h := strHashBytes(t.seed, k)
		t.filter[filterWord(h, len(t.filter))] |= filterMask(h)
	})
}

// eachKey calls fn for every key in insertion order. The slice aliases the arena.
func (t *strTable) eachKey(fn func(key []byte)) {
	for off := uint32(1); int(off) < len(t.arena); {
		k, next := t.record(off)
		fn(k)
		off = next
	}
}

// each calls fn for every key and its pair in insertion order.
func (t *strTable) each(fn func(key string, pair uint32)) {
	t.eachKey(func(k []byte) {
		key := string(k)
		pair, _ := t.get(key)
		fn(key, pair)
	})
}

func (t *strTable) bytes() int { return len(t.arena) + len(t.slots)*8 + len(t.filter)*8 }
