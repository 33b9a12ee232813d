package event

import (
	"testing"
	"time"
)

func BenchmarkAppendLine(b *testing.B) {
	e := sampleEvent()
	loc := time.FixedZone("X", 3600)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	b.SetBytes(int64(len(e.AppendLine(nil, loc))))
	for b.Loop() {
		buf = e.AppendLine(buf[:0], loc)
	}
}

func BenchmarkSeverityOf(b *testing.B) {
	infos := []string{"andromeda (malware)", "known attacker", "potential malware site", "phishing", "malware distribution (suspicious)"}
	b.ReportAllocs()
	for b.Loop() {
		for _, info := range infos {
			_ = SeverityOf(info, "(static)")
		}
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	e := sampleEvent()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = e.AppendJSON(buf[:0], "box")
	}
}

func BenchmarkAppendCEF(b *testing.B) {
	e := sampleEvent()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = e.AppendCEF(buf[:0], "box", "1.0", "2026-01-01")
	}
}
