package throttle

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/spoorsec/spoor/sensor/output"
)

// BenchmarkProcessPassThrough is the common case: a detection whose key is
// within its burst, written to a sink (the console sink into io.Discard,
// so the cost includes rendering the line).
func BenchmarkProcessPassThrough(b *testing.B) {
	for _, mode := range []string{ModeSummarize, ModeOff} {
		b.Run(mode, func(b *testing.B) {
			s := New(cfgWith(func(c *Config) { c.Mode = mode; c.Burst = 1 << 30 }), output.NewConsoleIn(io.Discard, false, time.UTC))
			e := ev(0, "10.0.0.5", "50000", "1.1.1.1", "53", "evil.example", "malware (test)")
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Process(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkProcessHeld is a flood of one key past its burst.
func BenchmarkProcessHeld(b *testing.B) {
	s := New(DefaultConfig(), output.NewConsoleIn(io.Discard, false, time.UTC))
	e := ev(0, "10.0.0.5", "50000", "1.1.1.1", "53", "evil.example", "malware (test)")
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Process(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProcessNewKeys is the worst case: every event a new key, the
// table full, each one evicting the least recently used.
func BenchmarkProcessNewKeys(b *testing.B) {
	s := New(cfgWith(func(c *Config) { c.MaxKeys = 1000 }), output.NewConsoleIn(io.Discard, false, time.UTC))
	events := make([]string, 4096)
	for i := range events {
		events[i] = fmt.Sprintf("t%d.example", i)
	}
	e := ev(0, "10.0.0.5", "50000", "1.1.1.1", "53", "", "malware (test)")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.Trail = events[i%len(events)]
		i++
		if err := s.Process(e); err != nil {
			b.Fatal(err)
		}
	}
}
