package store

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkInsertEvents measures end-to-end ingest into each engine in
// batches of 100,000 events: encoding, the INSERT, and the engine's parse,
// sort and part write. events/s is the figure to compare with the 200k/s
// target.
func BenchmarkInsertEvents(b *testing.B) {
	const batch = 100_000
	for _, ec := range engines() {
		b.Run(ec.name, func(b *testing.B) {
			s := newTestStore(b, ec, Options{})
			ten := addTenant(b, s, "acme", 0)
			evs := testEvents(recentDay(-1), batch)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := s.InsertEvents(ctx, ten, "s", fmt.Sprint("b", i), evs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkEncodeNative measures the embedded engine's encoder alone.
func BenchmarkEncodeNative(b *testing.B) {
	evs := testEvents(recentDay(-1), 100_000)
	bt := &eventBatch{tenant: "acme", sensorID: "s", batchID: "b", events: evs}
	sc := &nativeScratch{dict: map[string]uint32{}}
	buf := bt.appendNative(nil, sc)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = bt.appendNative(buf[:0], sc)
	}
	b.ReportMetric(float64(b.N*len(evs))/b.Elapsed().Seconds(), "events/s")
}

func TestEncodeNativeAllocs(t *testing.T) {
	evs := testEvents(recentDay(-1), 1000)
	bt := &eventBatch{tenant: "acme", sensorID: "s", batchID: "b", events: evs}
	sc := &nativeScratch{dict: map[string]uint32{}}
	buf := bt.appendNative(nil, sc)
	if n := testing.AllocsPerRun(20, func() { buf = bt.appendNative(buf[:0], sc) }); n != 0 {
		t.Errorf("appendNative allocates %v times per batch, want 0", n)
	}
}
