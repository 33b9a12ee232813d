package collector

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
	"github.com/spoorsec/spoor/trails"
)

// staticCompiled compiles Maltrail's static trails (as `spoor trails update
// --offline --static` does) into a temporary trails.bin.
func staticCompiled(b *testing.B) string {
	b.Helper()
	set, err := trails.Load(shared.Testdata(b, "maltrail", "trails", "static"), trails.LoadOptions{Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "trails.bin")
	if err := set.SaveCompiled(path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkGlobalBundleStatic builds the served bundle of the full static
// set from its trails.bin: validation load, SHA-256 and zstd. It runs once
// per change of --trails, not per request.
func BenchmarkGlobalBundleStatic(b *testing.B) {
	path := staticCompiled(b)
	var g *globalBundle
	for b.Loop() {
		var err error
		if g, err = buildGlobalBundle(path, quiet); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(g.raw))
	b.ReportMetric(float64(g.raw)/1e6, "MB-compiled")
	b.ReportMetric(float64(len(g.body))/1e6, "MB-served")
	b.ReportMetric(float64(g.trails), "trails")
}

// BenchmarkServeGlobalStatic downloads the full static set over HTTPS from
// a running collector (200), and answers a conditional request (304).
func BenchmarkServeGlobalStatic(b *testing.B) {
	c := startCollector(b, Config{Trails: staticCompiled(b)}, Options{})
	cl := clientFor(b, c)
	s := enroll(b)
	first := getTrails(b, cl, c, GlobalTrailsPath, s.token, "")
	if first.status != http.StatusOK {
		b.Fatalf("got %d, want 200", first.status)
	}
	b.Run("200", func(b *testing.B) {
		b.SetBytes(int64(len(first.body)))
		for b.Loop() {
			if r := getTrails(b, cl, c, GlobalTrailsPath, s.token, ""); r.status != http.StatusOK {
				b.Fatalf("got %d, want 200", r.status)
			}
		}
	})
	b.Run("304", func(b *testing.B) {
		for b.Loop() {
			if r := getTrails(b, cl, c, GlobalTrailsPath, s.token, first.etag); r.status != http.StatusNotModified {
				b.Fatalf("got %d, want 304", r.status)
			}
		}
	})
}
