package trails

import (
	"bytes"
	"net/netip"
	"runtime"
	"testing"
	"time"
)

// countingWriter counts the bytes written to it.
type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkLoadStatic loads Maltrail's static trails (~1.8M lines in 3,113 files), as
// Maltrail's update filters them, and reports the load time, the heap the Set retains
// and that heap as a multiple of the Set's trails.csv size.
func BenchmarkLoadStatic(b *testing.B) {
	dir := maltrailData(b, "trails", "static")
	opts := maltrailFilters(b)
	b.ReportAllocs()
	var s *Set
	var total time.Duration
	before := heapInUse()
	for b.Loop() {
		s = nil
		start := time.Now()
		var err error
		if s, err = Load(dir, opts); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
	}
	b.StopTimer()
	retained := heapInUse() - min(before, heapInUse())
	var csv countingWriter
	if err := s.WriteCSV(&csv); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/load")
	b.ReportMetric(float64(retained)/1e6, "MB-retained")
	b.ReportMetric(float64(csv)/1e6, "MB-csv")
	b.ReportMetric(float64(retained)/float64(csv), "heap/csv")
	b.ReportMetric(float64(s.Len()), "trails")
	runtime.KeepAlive(s)
}

// BenchmarkLoadCSV loads the static trails' trails.csv export.
func BenchmarkLoadCSV(b *testing.B) {
	var buf bytes.Buffer
	if err := staticSet(b).WriteCSV(&buf); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadCSV(bytes.NewReader(buf.Bytes()), LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// sampleKeys returns n textual trail keys spread over the whole set.
func sampleKeys(s *Set, n int) []string {
	keys := make([]string, 0, n)
	step := max(1, s.strs.n/n)
	i := 0
	s.strs.eachKey(func(k []byte) {
		if i%step == 0 && len(keys) < n {
			keys = append(keys, string(k))
		}
		i++
	})
	return keys
}

func BenchmarkLookupDomain(b *testing.B) {
	s := staticSet(b)
	hits := sampleKeys(s, 4096)
	misses := make([]string, len(hits))
	for i, k := range hits {
		misses[i] = "no-" + k + ".example"
	}
	// "cold" cycles through 4096 keys spread over the 1.3M: nearly every lookup misses
	// the CPU caches. "hot" repeats 16 keys, as a sensor repeats popular names.
	for _, bc := range []struct {
		name string
		keys []string
		want bool
	}{{"hit-cold", hits, true}, {"miss-cold", misses, false}, {"hit-hot", hits[:16], true}, {"miss-hot", misses[:16], false}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				k := bc.keys[i%len(bc.keys)]
				if _, ok := s.Lookup(k); ok != bc.want {
					b.Fatalf("Lookup(%q) = %v, want %v", k, ok, bc.want)
				}
				i++
			}
		})
	}
}

func BenchmarkLookupIP(b *testing.B) {
	s := staticSet(b)
	var hits []netip.Addr
	s.ip4.each(func(k uint64, _ uint32) {
		if len(hits) < 4096 {
			hits = append(hits, addrFrom4(uint32(k)))
		}
	})
	misses := make([]netip.Addr, 4096)
	for i := range misses {
		misses[i] = netip.AddrFrom4([4]byte{198, 51, byte(i >> 8), byte(i)}) // TEST-NET-2: no trails
	}
	v6 := make([]netip.Addr, 4096)
	for i := range v6 {
		v6[i] = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 14: byte(i >> 8), 15: byte(i)})
	}
	for _, bc := range []struct {
		name  string
		addrs []netip.Addr
	}{{"v4-hit", hits}, {"v4-miss", misses}, {"v6-miss", v6}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				s.LookupIP(bc.addrs[i%len(bc.addrs)])
				i++
			}
		})
	}
	b.Run("v4-port", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s.LookupIPPort(hits[i&4095], 443)
			i++
		}
	})
}

func BenchmarkMatchWildcard(b *testing.B) {
	s := staticSet(b)
	for _, name := range []string{"www.clean-example-domain.com", "xy-abc.club"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.MatchWildcard(name)
			}
		})
	}
}
