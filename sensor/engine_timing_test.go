package sensor

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/trails"
)

var static struct {
	once sync.Once
	set  *trails.Set
	err  error
}

// staticTrails loads Maltrail's full static trail set once per test binary.
func staticTrails(tb testing.TB) *trails.Set {
	tb.Helper()
	dir := testdata(tb, "maltrail", "trails")
	static.once.Do(func() { static.set, static.err = trails.Load(dir, trails.LoadOptions{}) })
	if static.err != nil {
		tb.Fatal(static.err)
	}
	return static.set
}

type discard struct{}

func (discard) Write(*event.Event) error { return nil }
func (discard) Close() error             { return nil }

// BenchmarkMix is decode + match on the real-traffic mix (DNS, HTTP, TLS
// handshakes, QUIC, SYN scans, bulk TCP) with the full static trail set
// loaded: one op is one packet.
func BenchmarkMix(b *testing.B) {
	pkts := loadMix(b)
	h := newHarnessTo(b, staticTrails(b), DefaultConfig(), discard{}, maltrailWhitelist(b))
	w := h.engine.NewWorker()
	var bytes int64
	for _, p := range pkts {
		bytes += int64(len(p.data))
		w.Process(p.link, p.data, p.ts) // warm caches and buffers
	}
	b.SetBytes(bytes / int64(len(pkts)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := &pkts[i%len(pkts)]
		w.Process(p.link, p.data, p.ts.Add(time.Duration(i/len(pkts))*time.Hour))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkReadWorkers measures Engine.Read end to end (batching and
// dispatch included) with 1 and 2 workers; one op is one pass over the mix.
func BenchmarkReadWorkers(b *testing.B) {
	pkts := loadMix(b)
	set := staticTrails(b)
	for _, n := range []int{1, 2} {
		b.Run(workersName(n), func(b *testing.B) {
			h := newHarnessTo(b, set, DefaultConfig(), discard{}, maltrailWhitelist(b))
			src := &memSource{pkts: pkts, passes: b.N}
			b.ReportAllocs()
			b.ResetTimer()
			if err := h.engine.Read(context.Background(), src, n, h.stage); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N*len(pkts))/b.Elapsed().Seconds(), "packets/s")
		})
	}
}

func workersName(n int) string { return "workers=" + string(rune('0'+n)) }
