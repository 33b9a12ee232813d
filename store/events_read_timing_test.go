package store

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/spoorsec/spoor/internal/eventmix"
)

// BenchmarkDayEvents pages through a day of 1M events per iteration, in
// pages of the API's chunk size, on each engine: the engine's queries, the
// transfer, the decoding into StoredEvents and their sort. The day is
// inserted in ten batches that each span it, so its parts overlap in time
// (a day's worst case until the engine merges them: "overlapping"), then
// merged into one part ("merged"). events/s is the figure to compare with
// the day stream's budget of 1M events in 1.5 s.
func BenchmarkDayEvents(b *testing.B) {
	const (
		total = 1_000_000
		batch = 100_000
		page  = MaxPageSize
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
			readDay := func(b *testing.B) {
				var ms0, ms1 runtime.MemStats
				runtime.ReadMemStats(&ms0)
				b.ReportAllocs()
				for b.Loop() {
					n := 0
					var cur Cursor
					var buf []StoredEvent
					for {
						p, err := s.EventsBetween(ctx, ten, day, day.Add(24*time.Hour), cur, page, buf)
						if err != nil {
							b.Fatal(err)
						}
						n += len(p.Events)
						cur, buf = p.Next, p.Events
						if p.Done {
							break
						}
					}
					if n != total {
						b.Fatalf("read %d events, want %d", n, total)
					}
				}
				runtime.ReadMemStats(&ms1)
				events := float64(b.N) * total
				b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
				b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/events, "allocs/event")
			}
			b.Run("overlapping", readDay)
			if err := s.be.exec(ctx, "OPTIMIZE TABLE "+s.db+".events FINAL", nil); err != nil {
				b.Fatal(err)
			}
			b.Run("merged", readDay)
		})
	}
}

// BenchmarkColumnStream reads eventmix's realistic day of 1M events
// (batches of 1,000, as sensors ship them) as the day stream does: a
// first page of 4,096 events, then pages of 100,000 — the store's share
// of the API's day stream (planning, the engine, decoding into columns),
// on each engine ("server" is clickhouse-go over HTTP to the test's
// ClickHouse-compatible endpoint, so its figure is the client's share).
func BenchmarkColumnStream(b *testing.B) {
	for _, ec := range engines() {
		b.Run(ec.name, func(b *testing.B) { benchColumnStream(b, ec) })
	}
}

func benchColumnStream(b *testing.B, ec engineCase) {
	const total = 1_000_000
	s := newTestStore(b, ec, Options{})
	ten := addTenant(b, s, "acme", 0)
	day := recentDay(-1)
	ctx := context.Background()
	evs := eventmix.Day(day, total, "bench", "10.9", 9)
	for i := 0; i < total; i += 1000 {
		if err := s.InsertEvents(ctx, ten, "s", fmt.Sprint("b", i), evs[i:i+1000]); err != nil {
			b.Fatal(err)
		}
	}
	cpu := cpuTime()
	for b.Loop() {
		cs, err := s.StreamEventColumns(ctx, ten, day, day.Add(24*time.Hour), Cursor{}, 4096, MaxPageSize)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			p, err := cs.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n += p.Len()
			cs.Release(p)
		}
		cs.Close()
		if n != total {
			b.Fatalf("read %d events, want %d", n, total)
		}
	}
	b.ReportMetric(float64(b.N)*total/b.Elapsed().Seconds(), "events/s")
	// Process CPU, the engine's threads included.
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
