package collector

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/spoorsec/spoor/ingest"
)

// BenchmarkIngestHTTPS posts 20,000-event zstd batches to a collector over
// loopback TLS into the embedded engine, two at a time: the end-to-end
// figure (TLS, inflate, decode, insert, answer) per event.
func BenchmarkIngestHTTPS(b *testing.B) {
	const size = 20_000
	c := startCollector(b, Config{UDPListen: "off", MaxInFlight: 2}, Options{})
	cl := clientFor(b, c)
	e := enroll(b)
	evs := testEvents("bench", size)
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = batchBody(b, fmt.Sprint("bench-", i), "", evs, ingest.Zstd)
	}
	hdr := map[string]string{"Content-Encoding": "zstd"}
	b.SetBytes(int64(len(bodies[0])))
	b.ReportAllocs()
	b.ResetTimer()
	next := make(chan []byte, len(bodies))
	for _, body := range bodies {
		next <- body
	}
	close(next)
	b.SetParallelism(1) // with GOMAXPROCS 2: two requests in flight
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if a := post(b, cl, c, e.token, <-next, hdr); a.status != http.StatusOK {
				b.Errorf("POST: %d %s %s", a.status, a.reason, a.msg)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "events/s")
}
