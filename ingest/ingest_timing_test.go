package ingest

import (
	"testing"
)

// benchBatch is the demo log repeated to 20,000 events.
func benchBatch(b *testing.B) []byte {
	evs := demoEvents(b)
	var bld Builder
	for i := 0; i < 20_000; i++ {
		bld.Add(&evs[i%len(evs)])
	}
	return bld.AppendBatch(nil, testHeader())
}

func BenchmarkDecodeBatch(b *testing.B) {
	data := benchBatch(b)
	var bt Batch
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := DecodeBatch(data, 0, &bt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(bt.Events))/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkBuildBatch(b *testing.B) {
	data := benchBatch(b)
	var bt Batch
	if err := DecodeBatch(data, 0, &bt); err != nil {
		b.Fatal(err)
	}
	var bld Builder
	var out []byte
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		bld.Reset()
		for i := range bt.Events {
			bld.Add(&bt.Events[i])
		}
		out = bld.AppendBatch(out[:0], &bt.Header)
	}
	b.ReportMetric(float64(b.N*len(bt.Events))/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkDecompress(b *testing.B) {
	plain := benchBatch(b)
	d, _ := NewDecompressor(64 << 20)
	for _, enc := range []Encoding{Gzip, Zstd} {
		b.Run(string(enc), func(b *testing.B) {
			z, _ := Compress(nil, enc, plain)
			var out []byte
			b.SetBytes(int64(len(plain)))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if out, err = d.Decode(out, enc, z); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*20_000)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(len(z))/20_000, "wire-bytes/event")
		})
	}
}

func BenchmarkCompress(b *testing.B) {
	plain := benchBatch(b)
	for _, enc := range []Encoding{Gzip, Zstd} {
		b.Run(string(enc), func(b *testing.B) {
			var out []byte
			b.SetBytes(int64(len(plain)))
			b.ReportAllocs()
			for b.Loop() {
				out, _ = Compress(out[:0], enc, plain)
			}
		})
	}
}
