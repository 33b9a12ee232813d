package store

import (
	"context"
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkDayEvents pages through a day of 1M events per iteration, in
// pages of the API's default chunk size, on each engine: the engine's
// query, the transfer and the decoding into StoredEvents. events/s is the
// figure to compare with the day stream's budget of 1M events in 1.5 s.
func BenchmarkDayEvents(b *testing.B) {
	const (
		total = 1_000_000
		batch = 100_000
		page  = 50_000
	)
	for _, ec := range engines() {
		b.Run(ec.name, func(b *testing.B) {
			s := newTestStore(b, ec, Options{})
			ten := addTenant(b, s, "acme", 0)
			day := recentDay(-1)
			evs := testEvents(day, total)
			ctx := context.Background()
			for i := 0; i < total; i += batch {
				if err := s.InsertEvents(ctx, ten, "s", fmt.Sprint("b", i), evs[i:i+batch]); err != nil {
					b.Fatal(err)
				}
			}
			// Merge the parts, as a day's data is once it is closed.
			if err := s.be.exec(ctx, "OPTIMIZE TABLE "+s.db+".events FINAL", nil); err != nil {
				b.Fatal(err)
			}
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n := 0
				var cur Cursor
				for {
					p, err := s.DayEvents(ctx, ten, day, cur, page)
					if err != nil {
						b.Fatal(err)
					}
					n += len(p.Events)
					cur = p.Next
					if p.Done {
						break
					}
				}
				if n != total {
					b.Fatalf("read %d events, want %d", n, total)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms1)
			events := float64(b.N) * total
			b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/events, "allocs/event")
		})
	}
}
