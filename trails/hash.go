package trails

import (
	"math/bits"
	"math/rand/v2"
	"unsafe"
)

// strHash hashes the string table's keys with wyhash (final version 4, Wang Yi's public
// domain design). hash/maphash would be faster still, but its values change from one
// process to the next, and a compiled trail file stores the table as built: its hashes
// must depend on nothing but the seed, which the file records.
func strHash(seed uint64, s string) uint64 {
	const (
		p0 = 0xa0761d6478bd642f
		p1 = 0xe7037ed1a0b428db
		p2 = 0x8ebc6af09c88c6e3
		p3 = 0x589965cc75374cc3
	)
	n := len(s)
	seed ^= wymix(seed^p0, p1)
	var a, b uint64
	switch {
	case n > 16:
		i, rest := 0, n
		if rest > 48 {
			s1, s2 := seed, seed
			for ; rest > 48; i, rest = i+48, rest-48 {
				seed = wymix(le64(s, i)^p1, le64(s, i+8)^seed)
				s1 = wymix(le64(s, i+16)^p2, le64(s, i+24)^s1)
				s2 = wymix(le64(s, i+32)^p3, le64(s, i+40)^s2)
			}
			seed ^= s1 ^ s2
		}
		for ; rest > 16; i, rest = i+16, rest-16 {
			seed = wymix(le64(s, i)^p1, le64(s, i+8)^seed)
		}
		a, b = le64(s, n-16), le64(s, n-8)
	case n >= 4:
		q := n >> 3 << 2
		a = le32(s, 0)<<32 | le32(s, q)
		b = le32(s, n-4)<<32 | le32(s, n-4-q)
	case n > 0:
		a = uint64(s[0])<<16 | uint64(s[n>>1])<<8 | uint64(s[n-1])
	}
	hi, lo := bits.Mul64(a^p1, b^seed)
	return wymix(lo^p0^uint64(n), hi^p1)
}

// strHashBytes is strHash of a byte slice's contents.
func strHashBytes(seed uint64, b []byte) uint64 {
	return strHash(seed, unsafe.String(unsafe.SliceData(b), len(b)))
}

func wymix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func le64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func le32(s string, i int) uint64 {
	s = s[i : i+4]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}

// newHashSeed returns a random strHash seed. Each build gets its own, so trail keys that
// a feed's publisher chose cannot be made to collide in every build's table.
func newHashSeed() uint64 { return rand.Uint64() }
