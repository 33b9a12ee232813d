package trails

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// BenchmarkLoadCompiled loads the static trails' compiled file, with Maltrail's
// whitelist as the sensor passes it, and reports the file size.
func BenchmarkLoadCompiled(b *testing.B) {
	path := filepath.Join(b.TempDir(), "trails.bin")
	if err := staticSet(b).SaveCompiled(path); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	opts := LoadOptions{Whitelist: loadMaltrailWhitelist(b), Logger: discardLogger}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	var s *Set
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		if s, err = Load(path, opts); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total.Microseconds())/1e3/float64(b.N), "ms/load")
	b.ReportMetric(float64(fi.Size())/1e6, "MB-file")
	runtime.KeepAlive(s)
}
