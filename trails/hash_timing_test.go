package trails

import (
	"hash/maphash"
	"testing"
)

// BenchmarkStrHash compares the string table's hash with hash/maphash on trail-sized keys.
func BenchmarkStrHash(b *testing.B) {
	keys := []string{"cc", "h5d5c57.com", "mariorossi2013.homepc.it", "malicious-domain.example.org/path/to/gate.php"}
	for _, k := range keys {
		b.Run("wyhash/"+k, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(k)))
			var h uint64
			for b.Loop() {
				h += strHash(42, k)
			}
			_ = h
		})
		b.Run("maphash/"+k, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(k)))
			seed := maphash.MakeSeed()
			var h uint64
			for b.Loop() {
				h += maphash.String(seed, k)
			}
			_ = h
		})
	}
}
