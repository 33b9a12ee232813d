package trails

import (
	"cmp"
	"math/bits"
	"slices"
)

// intTable maps integer keys (IPv4 addresses, IPv4:port pairs) to pair indexes with
// open addressing and linear probing, at most half full. A stored key is key+1 so that zero
// marks an empty slot; keys therefore must stay below 1<<63.
type intTable struct {
	keys []uint64
	vals []uint32
	n    int
}

// mix64 is the splitmix64 finaliser: trail addresses cluster in a few /24s, and the
// table index takes the high bits of mix*size, so the low key bits must be spread.
func mix64(k uint64) uint64 {
	k ^= k >> 30
	k *= 0xbf58476d1ce4e5b9
	k ^= k >> 27
	k *= 0x94d049bb133111eb
	k ^= k >> 31
	return k
}

// slotIndex maps a hash onto [0, size) without a division (Lemire's fast range).
func slotIndex(h uint64, size int) int {
	hi, _ := bits.Mul64(h, uint64(size))
	return int(hi)
}

// tableSize is the slot count for n keys at a load factor of at most 3/4, for the
// tables that only the load uses.
func tableSize(n int) int {
	return n + n/3 + 1
}

// lookupTableSize is the slot count for n keys at a load factor of at most 1/2, for the
// tables lookups use: a miss probes ~2.5 slots at this load against ~8.5 at 3/4.
func lookupTableSize(n int) int { return 2*n + 1 }

func (t *intTable) get(k uint64) (uint32, bool) {
	size := len(t.keys)
	if size == 0 {
		return 0, false
	}
	stored := k + 1
	i := slotIndex(mix64(k), size)
	for {
		switch t.keys[i] {
		case stored:
			return t.vals[i], true
		case 0:
			return 0, false
		}
		if i++; i == size {
			i = 0
		}
	}
}

// put inserts or overwrites k, growing the table as needed.
func (t *intTable) put(k uint64, v uint32) {
	if (t.n+1)*2 > len(t.keys) {
		t.resize(lookupTableSize(2*t.n + 8))
	}
	if t.insert(k, v) {
		t.n++
	}
}

// insert places k without growing; it reports whether k is new.
func (t *intTable) insert(k uint64, v uint32) bool {
	stored := k + 1
	size := len(t.keys)
	i := slotIndex(mix64(k), size)
	for {
		switch t.keys[i] {
		case stored:
			t.vals[i] = v
			return false
		case 0:
			t.keys[i], t.vals[i] = stored, v
			return true
		}
		if i++; i == size {
			i = 0
		}
	}
}

func (t *intTable) resize(size int) {
	old, oldVals := t.keys, t.vals
	t.keys, t.vals = make([]uint64, size), make([]uint32, size)
	for i, s := range old {
		if s != 0 {
			t.insert(s-1, oldVals[i])
		}
	}
}

// compact shrinks the table to the smallest size for its load factor once loading is done.
func (t *intTable) compact() {
	if size := lookupTableSize(t.n); size+size/8 < len(t.keys) {
		t.resize(size)
	}
}

// each calls fn for every key in ascending key order.
func (t *intTable) each(fn func(k uint64, v uint32)) {
	idx := make([]int, 0, t.n)
	for i, s := range t.keys {
		if s != 0 {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(t.keys[a], t.keys[b]) })
	for _, i := range idx {
		fn(t.keys[i]-1, t.vals[i])
	}
}

func (t *intTable) bytes() int { return len(t.keys)*8 + len(t.vals)*4 }
