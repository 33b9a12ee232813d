package ship

import (
	"bytes"
	"testing"
)

// BenchmarkSpoolAppend appends 256 KiB records (a compressed batch of
// about 20,000 events) and acknowledges them, with each sync policy.
func BenchmarkSpoolAppend(b *testing.B) {
	rec := bytes.Repeat([]byte("spool record "), 256<<10/13)
	for _, p := range []struct {
		name string
		sync SyncPolicy
	}{{"fsync", SyncAlways}, {"nosync", SyncNone}} {
		b.Run(p.name, func(b *testing.B) {
			s := openSpool(b, b.TempDir(), SpoolOptions{Sync: p.sync})
			defer s.Close()
			b.SetBytes(int64(len(rec)))
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Append(rec); err != nil {
					b.Fatal(err)
				}
				r, err := s.Next(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Ack(r.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
