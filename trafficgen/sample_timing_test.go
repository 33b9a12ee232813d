package trafficgen

import (
	"io"
	"testing"
)

// BenchmarkSampleTrails measures drawing indicators from the full static
// trail set (done once when a generator starts).
func BenchmarkSampleTrails(b *testing.B) {
	set, _ := staticTrails(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := SampleTrails(set, 200, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteCSV is the enumeration SampleTrails rides on.
func BenchmarkWriteCSV(b *testing.B) {
	set, _ := staticTrails(b)
	b.ResetTimer()
	for b.Loop() {
		if err := set.WriteCSV(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
