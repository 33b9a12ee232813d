package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/spoorsec/spoor/internal/eventmix"
)

var benchDay struct {
	once   sync.Once
	path   string
	token  string
	server *httptest.Server
}

const benchEvents = 1_000_000

// setupBenchDay seeds one day of 1M events and serves an API with the
// production chunk size over real HTTP.
func setupBenchDay(b *testing.B) {
	benchDay.once.Do(func() {
		tn := newTenant(b, "bench")
		day := time.Now().UTC().Truncate(24 * time.Hour).Add(-96 * time.Hour)
		// A realistic mix, shipped in batches of 1,000 events (a sensor
		// seeing 1,000 events a second; quieter ones ship smaller batches,
		// see BenchmarkChunkWire).
		evs := eventmix.Day(day, benchEvents, "bench", "10.9", 9)
		for start := 0; start < benchEvents; start += 1000 {
			if err := env.store.InsertEvents(context.Background(), tn, "s-bench", fmt.Sprint("b-", start), evs[start:start+1000]); err != nil {
				b.Fatal(err)
			}
		}
		cfg := testConfig()
		cfg.ChunkEvents = 0 // default
		a, h := newReplica(b, cfg)
		benchDay.server = httptest.NewServer(h)
		benchDay.path = benchDay.server.URL + dayPath(tn, day)
		var err error
		benchDay.token, err = a.keys.Issue("bench", string(tn), string(RoleViewer), newID(), 24*time.Hour)
		if err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkDayStream fetches a whole day of 1M events per iteration and
// reports wire bytes per event and the time to the first byte.
func BenchmarkDayStream(b *testing.B) {
	setupBenchDay(b)
	// The console asks without event IDs (ids=false), other clients with.
	for _, run := range []struct{ name, enc, query string }{{"zstd", "zstd", ""}, {"gzip", "gzip", ""}, {"zstd-noids", "zstd", "&ids=false"}} {
		enc := run.enc
		b.Run(run.name, func(b *testing.B) {
			b.ReportAllocs()
			tr := &http.Transport{DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			var wire int64
			var ttfb time.Duration
			cpu := cpuTime()
			for b.Loop() {
				req, _ := http.NewRequest("GET", benchDay.path+run.query, nil)
				req.Header.Set("Authorization", "Bearer "+benchDay.token)
				req.Header.Set("Accept-Encoding", enc)
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var one [1]byte
				if _, err := io.ReadFull(resp.Body, one[:]); err != nil {
					b.Fatal(err)
				}
				ttfb += time.Since(start)
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != enc {
					b.Fatalf("status %d, encoding %q, err %v", resp.StatusCode, resp.Header.Get("Content-Encoding"), err)
				}
				wire = n + 1
			}
			b.SetBytes(wire)
			b.ReportMetric(float64(wire)/benchEvents, "wire-B/event")
			b.ReportMetric(float64(ttfb.Milliseconds())/float64(b.N), "ttfb-ms")
			// Process CPU (engine threads included) is steadier than wall
			// time on a shared machine.
			b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkDayStreamsAtOnce has four analysts load the same 1M-event day
// at once (zstd, as the console asks: without IDs): an operation is all
// four days delivered; days/s is the API's throughput on this machine and
// slowest-s what the last analyst waits.
func BenchmarkDayStreamsAtOnce(b *testing.B) {
	const clients = 4
	setupBenchDay(b)
	tr := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var slowest time.Duration
	for b.Loop() {
		var wg sync.WaitGroup
		took := make([]time.Duration, clients)
		errs := make([]error, clients)
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start := time.Now()
				req, _ := http.NewRequest("GET", benchDay.path+"&ids=false", nil)
				req.Header.Set("Authorization", "Bearer "+benchDay.token)
				req.Header.Set("Accept-Encoding", "zstd")
				resp, err := client.Do(req)
				if err != nil {
					errs[i] = err
					return
				}
				defer resp.Body.Close()
				if _, err := io.Copy(io.Discard, resp.Body); err != nil || resp.StatusCode != 200 {
					errs[i] = fmt.Errorf("status %d, err %v", resp.StatusCode, err)
				}
				took[i] = time.Since(start)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				b.Fatalf("client %d: %v", i, err)
			}
			slowest = max(slowest, took[i])
		}
	}
	b.ReportMetric(float64(clients*b.N)/b.Elapsed().Seconds(), "days/s")
	b.ReportMetric(slowest.Seconds(), "slowest-s")
}
