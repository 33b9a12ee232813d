package trafficgen

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/spoorsec/spoor/sensor/capture"
)

// BenchmarkGenerate measures packet generation alone (back-dated, full
// static trail set), reported as packets/s.
func BenchmarkGenerate(b *testing.B) {
	set, _ := staticTrails(b)
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	g, err := New(Config{Seed: 1, Count: int64(b.N), From: day, To: day.Add(24 * time.Hour), Indicators: staticSample(b)}, set)
	if err != nil {
		b.Fatal(err)
	}
	var p capture.Packet
	bytes := 0
	b.ResetTimer()
	for {
		if err := g.Next(&p); err == io.EOF {
			break
		} else if err != nil {
			b.Fatal(err)
		}
		bytes += len(p.Data)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
	b.ReportMetric(float64(bytes)/float64(b.N), "bytes/packet")
}

// BenchmarkWritePcap measures generation written as a pcap stream.
func BenchmarkWritePcap(b *testing.B) {
	g := backdated(b, 1, int64(b.N), 0)
	b.ResetTimer()
	if _, err := WritePcap(io.Discard, g); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// BenchmarkGeneratorToSensor measures generated traffic through the real
// sensor engine (full static trail set, Maltrail's whitelist and
// User-Agent rules, default throttle, events kept in memory), in process:
// the throughput the demo and the benchmarks can feed a sensor with. The
// demo mix raises about 36 events per 1,000 packets (real traffic far
// fewer); the benign mix none.
func BenchmarkGeneratorToSensor(b *testing.B) {
	for _, tc := range []struct {
		workers   int
		malicious float64
		mix       string
	}{{1, 0, "demo"}, {2, 0, "demo"}, {1, -1, "benign"}} {
		b.Run(fmt.Sprintf("mix=%s/workers=%d", tc.mix, tc.workers), func(b *testing.B) {
			set, wl := staticTrails(b)
			g := backdated(b, 1, int64(b.N), tc.malicious)
			b.ResetTimer()
			events, _ := detect(b, set, wl, g, tc.workers)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
			b.ReportMetric(float64(len(events))/float64(b.N)*1000, "events/kpacket")
		})
	}
}
