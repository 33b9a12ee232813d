package trails

import (
	"fmt"
	"strings"
	"testing"
)

func TestStrHash(t *testing.T) {
	// Stable: a compiled file's table is probed with the hashes of another process.
	if a, b := strHash(42, "h5d5c57.com"), strHash(42, "h5d5c57.com"); a != b {
		t.Fatalf("strHash differs between calls: %x, %x", a, b)
	}
	if strHash(1, "h5d5c57.com") == strHash(2, "h5d5c57.com") {
		t.Errorf("strHash ignores its seed")
	}
	if strHashBytes(7, []byte("abc")) != strHash(7, "abc") {
		t.Errorf("strHashBytes and strHash disagree")
	}
	// Every length path (0, 1-3, 4-16, 17-48, more) gives distinct values for keys that
	// differ in one byte, and the table index they select is spread evenly.
	const buckets = 1024
	counts := make([]int, buckets)
	seen := make(map[uint64]string)
	n := 0
	for length := 0; length <= 130; length++ {
		for i := range 400 {
			k := []byte(strings.Repeat("a", length))
			if length > 0 {
				k[i%length] = byte(i)
				k[(i*7)%length] ^= byte(i >> 8)
			}
			key := string(k)
			h := strHash(0x5eed, key)
			n++
			if prev, ok := seen[h]; ok {
				if prev != key {
					t.Fatalf("strHash(%q) = strHash(%q) = %x", key, prev, h)
				}
				continue
			}
			seen[h] = key
			counts[slotIndex(h, buckets)]++
		}
	}
	distinct := len(seen)
	mean := float64(distinct) / buckets
	for b, c := range counts {
		if float64(c) > 2*mean+20 {
			t.Errorf("bucket %d holds %d keys, mean %.1f", b, c, mean)
		}
	}
	if distinct < n/2 {
		t.Errorf("only %d distinct keys of %d generated", distinct, n)
	}
	for i := range 100_000 {
		k := fmt.Sprintf("key-%d.example", i)
		h := strHash(0, k)
		if prev, ok := seen[h]; ok && prev != k {
			t.Fatalf("strHash(%q) = strHash(%q)", k, prev)
		}
		seen[h] = k
	}
}
