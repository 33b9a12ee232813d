package trailsync

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/spoorsec/spoor/collector"
	"github.com/spoorsec/spoor/internal/shared"
	"github.com/spoorsec/spoor/trails"
)

// BenchmarkFetchGlobalStatic is a sensor taking a new global set, the full
// static one (1.6M trails), from a running collector: download, zstd,
// SHA-256, load, cache on disk; then the overlay layered and swapped into
// a real engine (the swap capture sees).
func BenchmarkFetchGlobalStatic(b *testing.B) {
	set, err := trails.Load(shared.Testdata(b, "maltrail", "trails", "static"), trails.LoadOptions{Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(b.TempDir(), "trails.bin")
	if err := set.SaveCompiled(bin); err != nil {
		b.Fatal(err)
	}
	c, err := collector.New(collector.Config{Listen: "127.0.0.1:0", UDPListen: "off", Trails: bin},
		testStore, collector.Options{TrailStore: testStore, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Start(); err != nil {
		b.Fatal(err)
	}
	tc := &testCollector{c: c, url: "https://" + c.Addr().String()}
	b.Cleanup(func() { tc.stop(b) })
	tc.tls = startCollectorTLS(b, c)
	a := enroll(b)
	for i := range 100 {
		putTrail(b, a, fmt.Sprintf("custom-%d.example", i))
	}
	s := newSyncer(b, tc, a.token, b.TempDir())
	e := bootEngine(b, s)

	b.Run("fetch", func(b *testing.B) {
		for b.Loop() {
			s.global, s.globalETag = nil, ""
			if err := s.fetchGlobal(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(s.global.Len()), "trails")
	})
	b.Run("swap", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := s.apply(e); err != nil {
				b.Fatal(err)
			}
		}
		if n, _ := e.Trails().Layered(); n != 100 {
			b.Fatalf("got %d custom trails in the engine, want 100", n)
		}
	})
}
