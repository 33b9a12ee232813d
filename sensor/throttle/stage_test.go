package throttle

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/sensor/output"
)

// recorder is a sink keeping what it is given, to inspect Count and the
// merged columns the log line alone does not show.
type recorder struct {
	mu     sync.Mutex
	events []event.Event
}

func (r *recorder) Write(e *event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, *e)
	return nil
}

func (r *recorder) Close() error { return nil }

func (r *recorder) take() []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

var t0 = time.Date(2026, 8, 5, 12, 0, 0, 0, time.UTC)

func ev(at time.Duration, src, sport, dst, dport, trail, info string) *event.Event {
	return &event.Event{
		Time: t0.Add(at), Sensor: "s1", SrcIP: src, SrcPort: sport, DstIP: dst, DstPort: dport,
		Proto: "TCP", Type: event.TypeIP, Trail: trail, Info: info, Reference: "(static)",
	}
}

func cfgWith(edit func(*Config)) Config {
	c := DefaultConfig()
	if edit != nil {
		edit(&c)
	}
	return c
}

func mustProcess(tb testing.TB, s *Stage, e *event.Event) {
	tb.Helper()
	if err := s.Process(e); err != nil {
		tb.Fatal(err)
	}
}

func mustAdvance(tb testing.TB, s *Stage, at time.Duration) {
	tb.Helper()
	if err := s.Advance(t0.Add(at)); err != nil {
		tb.Fatal(err)
	}
}

func lineOf(e event.Event) string {
	return string(e.AppendLine(nil, time.UTC))
}

func TestBurstThenSummary(t *testing.T) {
	rec := &recorder{}
	s := New(DefaultConfig(), rec)
	ports := []string{"40000", "40001", "40002", "100", "9", "40001", "1000"}
	for i, p := range ports {
		mustProcess(t, s, ev(time.Duration(i)*time.Second, "10.0.0.5", p, "1.1.1.1", "53", "evil.example", "malware (test)"))
	}
	if got := rec.take(); len(got) != 3 {
		t.Fatalf("got %d events inside the window, want the burst of 3", len(got))
	}
	mustAdvance(t, s, 59*time.Second+999*time.Millisecond)
	if got := rec.take(); len(got) != 0 {
		t.Fatalf("got %d events before the window closed, want 0", len(got))
	}
	mustAdvance(t, s, 60*time.Second)
	got := rec.take()
	if len(got) != 1 {
		t.Fatalf("got %d events at window close, want 1 summary", len(got))
	}
	sum := got[0]
	if sum.Count != 4 {
		t.Errorf("summary Count = %d, want 4", sum.Count)
	}
	want := `"2026-08-05 12:00:03.000000" s1 10.0.0.5 9,100,1000,40001 1.1.1.1 53 TCP IP evil.example "malware (test)" (static)` + "\n"
	if got := lineOf(sum); got != want {
		t.Errorf("summary line\ngot  %q\nwant %q", got, want)
	}
	st := s.Stats()
	if st.Passed != 3 || st.Summarised != 4 || st.Summaries != 1 || st.Keys != 0 {
		t.Errorf("stats %+v, want Passed 3, Summarised 4, Summaries 1, Keys 0", st)
	}

	// A new window starts with a fresh burst.
	mustProcess(t, s, ev(61*time.Second, "10.0.0.5", "5", "1.1.1.1", "53", "evil.example", "malware (test)"))
	if got := rec.take(); len(got) != 1 || got[0].Count != 0 {
		t.Errorf("got %+v after the window, want the event passed through as is", got)
	}
}

func TestProcessClosesDueWindowsFirst(t *testing.T) {
	rec := &recorder{}
	s := New(cfgWith(func(c *Config) { c.Burst = 1 }), rec)
	mustProcess(t, s, ev(0, "10.0.0.5", "1", "1.1.1.1", "53", "a.example", "malware"))
	mustProcess(t, s, ev(time.Second, "10.0.0.5", "2", "1.1.1.1", "53", "a.example", "malware"))
	// An event of another key, after the window: the summary comes first.
	mustProcess(t, s, ev(90*time.Second, "10.0.0.6", "3", "1.1.1.1", "53", "b.example", "malware"))
	got := rec.take()
	if len(got) != 3 {
		t.Fatalf("got %d events, want 3", len(got))
	}
	if got[1].Trail != "a.example" || got[1].Count != 1 || got[2].Trail != "b.example" {
		t.Errorf("got order %s(%d), %s; want the a.example summary before b.example", got[1].Trail, got[1].Count, got[2].Trail)
	}
}

func TestKeysAreIndependent(t *testing.T) {
	rec := &recorder{}
	s := New(cfgWith(func(c *Config) { c.Burst = 1 }), rec)
	for _, e := range []*event.Event{
		ev(0, "10.0.0.5", "1", "1.1.1.1", "53", "a.example", "malware"),
		ev(0, "10.0.0.5", "1", "1.1.1.1", "53", "b.example", "malware"),
		ev(0, "10.0.0.6", "1", "1.1.1.1", "53", "a.example", "malware"),
		func() *event.Event {
			e := ev(0, "10.0.0.5", "1", "1.1.1.1", "53", "a.example", "malware")
			e.Sensor = "s2"
			return e
		}(),
	} {
		mustProcess(t, s, e)
	}
	if got := rec.take(); len(got) != 4 {
		t.Errorf("got %d events, want all 4 (distinct trail, source, sensor)", len(got))
	}
}

func TestFlushEmitsEverythingHeld(t *testing.T) {
	rec := &recorder{}
	s := New(cfgWith(func(c *Config) { c.Burst = 1 }), rec)
	mustProcess(t, s, ev(0, "10.0.0.5", "1", "1.1.1.1", "53", "b.example", "malware"))
	mustProcess(t, s, ev(0, "10.0.0.5", "2", "1.1.1.1", "53", "b.example", "malware"))
	mustProcess(t, s, ev(0, "10.0.0.5", "1", "1.1.1.1", "53", "a.example", "malware"))
	mustProcess(t, s, ev(0, "10.0.0.5", "2", "1.1.1.1", "53", "a.example", "malware"))
	mustProcess(t, s, ev(0, "10.0.0.9", "1", "1.1.1.1", "22", "10.0.0.9", "known attacker"))
	rec.take()
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range rec.take() {
		got = append(got, fmt.Sprintf("%s/%d", e.Trail, e.Count))
	}
	// The condensed event goes through the throttle (and passes: a fresh
	// key), then the summaries in key order.
	want := []string{"10.0.0.9/1", "a.example/1", "b.example/1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Flush emitted %v, want %v", got, want)
	}
	if st := s.Stats(); st.Keys != 0 || st.CondenseKeys != 0 {
		t.Errorf("stats %+v after Flush, want no open keys", st)
	}
}

func TestLRUEvictionEmitsEarly(t *testing.T) {
	rec := &recorder{}
	s := New(cfgWith(func(c *Config) { c.Burst = 1; c.MaxKeys = 2 }), rec)
	mustProcess(t, s, ev(0, "10.0.0.1", "1", "1.1.1.1", "53", "a.example", "malware"))
	mustProcess(t, s, ev(1, "10.0.0.1", "2", "1.1.1.1", "53", "a.example", "malware")) // held
	mustProcess(t, s, ev(2, "10.0.0.2", "1", "1.1.1.1", "53", "b.example", "malware"))
	mustProcess(t, s, ev(3, "10.0.0.2", "2", "1.1.1.1", "53", "b.example", "malware")) // held
	mustProcess(t, s, ev(4, "10.0.0.1", "3", "1.1.1.1", "53", "a.example", "malware")) // a is now most recent
	rec.take()
	mustProcess(t, s, ev(5, "10.0.0.3", "1", "1.1.1.1", "53", "c.example", "malware"))
	got := rec.take()
	if len(got) != 2 || got[0].Trail != "b.example" || got[0].Count != 1 || got[1].Trail != "c.example" {
		t.Fatalf("got %+v, want b.example's summary (least recently used) then c.example", got)
	}
	st := s.Stats()
	if st.Evicted != 1 || st.Keys != 2 {
		t.Errorf("stats %+v, want Evicted 1, Keys 2", st)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); len(got) != 1 || got[0].Trail != "a.example" || got[0].Count != 2 || got[0].SrcPort != "2,3" {
		t.Errorf("Flush emitted %+v, want a.example's summary of ports 2,3", got)
	}
}

func TestCondensing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*Config)
		events []*event.Event
		want   []string // lines
		count  int
	}{
		{
			name: "maltrail condensed line",
			events: []*event.Event{
				ev(1*time.Second, "10.0.0.5", "1031", "198.51.100.7", "80", "10.0.0.5", "known attacker"),
				ev(2*time.Second, "10.0.0.5", "1025", "198.51.100.7", "22", "10.0.0.5", "known attacker"),
				ev(3*time.Second, "10.0.0.5", "1026", "198.51.100.7", "23", "10.0.0.5", "known attacker"),
				ev(4*time.Second, "10.0.0.5", "1026", "198.51.100.7", "23", "10.0.0.5", "known attacker"),
			},
			want:  []string{`"2026-08-05 12:00:01.000000" s1 10.0.0.5 1025,1026,1031 198.51.100.7 22,23,80 TCP IP 10.0.0.5 "known attacker" (static)` + "\n"},
			count: 4,
		},
		{
			name: "identical events keep the first verbatim",
			events: []*event.Event{
				ev(1*time.Second, "10.0.0.5", "1031", "198.51.100.7", "80", "10.0.0.5", "potential port scanning"),
				ev(2*time.Second, "10.0.0.5", "1031", "198.51.100.7", "80", "10.0.0.5", "potential port scanning"),
			},
			want:  []string{`"2026-08-05 12:00:01.000000" s1 10.0.0.5 1031 198.51.100.7 80 TCP IP 10.0.0.5 "potential port scanning" (static)` + "\n"},
			count: 2,
		},
		{
			name: "missing ports sort first",
			events: []*event.Event{
				ev(1*time.Second, "10.0.0.5", "", "198.51.100.7", "", "10.0.0.5", "bad reputation"),
				func() *event.Event {
					e := ev(2*time.Second, "10.0.0.5", "5", "198.51.100.10", "80", "10.0.0.5", "bad reputation")
					e.Proto = "UDP"
					return e
				}(),
			},
			want:  []string{`"2026-08-05 12:00:01.000000" s1 10.0.0.5 -,5 198.51.100.10,198.51.100.7 -,80 TCP,UDP IP 10.0.0.5 "bad reputation" (static)` + "\n"},
			count: 2,
		},
		{
			name: "value cap keeps the count",
			edit: func(c *Config) { c.MaxCondensed = 2 },
			events: []*event.Event{
				ev(1*time.Second, "10.0.0.5", "3", "198.51.100.7", "80", "10.0.0.5", "mass scanner"),
				ev(1*time.Second, "10.0.0.5", "1", "198.51.100.7", "80", "10.0.0.5", "mass scanner"),
				ev(1*time.Second, "10.0.0.5", "2", "198.51.100.7", "80", "10.0.0.5", "mass scanner"),
			},
			want:  []string{`"2026-08-05 12:00:01.000000" s1 10.0.0.5 1,3 198.51.100.7 80 TCP IP 10.0.0.5 "mass scanner" (static)` + "\n"},
			count: 3,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			s := New(cfgWith(tc.edit), rec)
			for _, e := range tc.events {
				mustProcess(t, s, e)
			}
			if got := rec.take(); len(got) != 0 {
				t.Fatalf("got %d events before the period ended, want 0", len(got))
			}
			mustAdvance(t, s, 10*time.Second+999*time.Millisecond)
			if got := rec.take(); len(got) != 0 {
				t.Fatalf("got %d events before the period ended, want 0", len(got))
			}
			mustAdvance(t, s, 11*time.Second) // 10 s after the first event
			got := rec.take()
			var lines []string
			for _, e := range got {
				lines = append(lines, lineOf(e))
			}
			if fmt.Sprint(lines) != fmt.Sprint(tc.want) {
				t.Errorf("got  %q\nwant %q", lines, tc.want)
			}
			if len(got) == 1 && got[0].Count != tc.count {
				t.Errorf("Count = %d, want %d", got[0].Count, tc.count)
			}
			st := s.Stats()
			if st.Condensed != uint64(len(tc.events)) || st.CondensedLines != 1 {
				t.Errorf("stats %+v, want Condensed %d, CondensedLines 1", st, len(tc.events))
			}
		})
	}
}

// TestCondensedLinesAreThrottled follows a scanner across several condense
// periods with a burst of 1: the second condensed line is held and summed
// into a summary without nesting lists.
func TestCondensedLinesAreThrottled(t *testing.T) {
	rec := &recorder{}
	s := New(cfgWith(func(c *Config) { c.Burst = 1 }), rec)
	port := 0
	for period := range 3 {
		for range 2 {
			port++
			mustProcess(t, s, ev(time.Duration(period)*10*time.Second, "10.0.0.5", "4000", "10.0.0.1", fmt.Sprint(port), "10.0.0.5", "potential port scanning"))
		}
	}
	mustAdvance(t, s, 200*time.Second)
	var got []string
	for _, e := range rec.take() {
		got = append(got, fmt.Sprintf("%s/%d", e.DstPort, e.Count))
	}
	want := []string{"1,2/2", "3,4,5,6/4"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestCondensingEvictsOldestGroup(t *testing.T) {
	rec := &recorder{}
	s := New(cfgWith(func(c *Config) { c.MaxKeys = 1 }), rec)
	mustProcess(t, s, ev(0, "10.0.0.1", "1", "10.0.0.9", "22", "10.0.0.1", "known attacker"))
	mustProcess(t, s, ev(0, "10.0.0.2", "1", "10.0.0.9", "22", "10.0.0.2", "known attacker"))
	if got := rec.take(); len(got) != 1 || got[0].SrcIP != "10.0.0.1" {
		t.Errorf("got %+v, want 10.0.0.1's group emitted early", got)
	}
	if st := s.Stats(); st.Evicted != 1 || st.CondenseKeys != 1 {
		t.Errorf("stats %+v, want Evicted 1, CondenseKeys 1", st)
	}
}

func TestModeOff(t *testing.T) {
	rec := &recorder{}
	s := New(cfgWith(func(c *Config) { c.Mode = ModeOff }), rec)
	for i := range 20 {
		mustProcess(t, s, ev(0, "10.0.0.5", fmt.Sprint(i+1), "1.1.1.1", "53", "evil.example", "malware"))
	}
	mustProcess(t, s, ev(0, "10.0.0.5", "1", "1.1.1.1", "53", "10.0.0.5", "known attacker"))
	if got := rec.take(); len(got) != 20 {
		t.Errorf("got %d events, want all 20 (and the condensable one held)", len(got))
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); len(got) != 1 {
		t.Errorf("Flush emitted %d events, want the condensed one", len(got))
	}
}

// TestLegacyMode reproduces the Rust port's measurement of core/log.py:
// 100 events over five seconds log 4 lines with PROCESS_COUNT 16 and 10
// with PROCESS_COUNT 1.
func TestLegacyMode(t *testing.T) {
	for _, tc := range []struct {
		bucket time.Duration
		want   int
	}{{16 * time.Second, 4}, {time.Second, 10}} {
		t.Run(tc.bucket.String(), func(t *testing.T) {
			rec := &recorder{}
			s := New(cfgWith(func(c *Config) { c.Mode = ModeLegacy; c.Window = tc.bucket }), rec)
			for i := range 100 {
				e := ev(0, "10.0.0.1", fmt.Sprint(40000+i), "1.1.1.1", "53", "malware.bakewithdavid.com", "malware")
				e.Time = time.Unix(1786091293+int64(i/20), 0)
				mustProcess(t, s, e)
			}
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := len(rec.take()); got != tc.want {
				t.Errorf("got %d lines, want %d", got, tc.want)
			}
			if st := s.Stats(); st.Dropped != uint64(100-tc.want) {
				t.Errorf("Dropped = %d, want %d", st.Dropped, 100-tc.want)
			}
		})
	}
}

// TestNothingIsLost feeds random events and checks that, after Flush, the
// counts of what came out add up to what went in, per key.
func TestNothingIsLost(t *testing.T) {
	rec := &recorder{}
	s := New(cfgWith(func(c *Config) { c.MaxKeys = 7; c.Burst = 2 }), rec)
	rng := rand.New(rand.NewPCG(1, 2))
	in := map[string]int{}
	at := time.Duration(0)
	for range 5000 {
		at += time.Duration(rng.IntN(2000)) * time.Millisecond
		info := "malware"
		if rng.IntN(4) == 0 {
			info = "known attacker"
		}
		e := ev(at, fmt.Sprintf("10.0.0.%d", rng.IntN(5)), fmt.Sprint(rng.IntN(3)), "1.1.1.1", fmt.Sprint(rng.IntN(4)),
			fmt.Sprintf("t%d", rng.IntN(4)), info)
		in[e.SrcIP+" "+e.Trail]++
		mustProcess(t, s, e)
		if rng.IntN(50) == 0 {
			mustAdvance(t, s, at)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range rec.take() {
		out[e.SrcIP+" "+e.Trail] += max(e.Count, 1)
	}
	if fmt.Sprint(out) != fmt.Sprint(in) {
		t.Errorf("detections out %v, want in %v", out, in)
	}
	if st := s.Stats(); st.Evicted == 0 || st.Summaries == 0 || st.CondensedLines == 0 {
		t.Errorf("stats %+v: the test did not exercise eviction, summaries and condensing", st)
	}
}

func TestConcurrentProcess(t *testing.T) {
	rec := &recorder{}
	s := New(DefaultConfig(), rec)
	const workers, each = 4, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				e := ev(time.Duration(i)*time.Millisecond, fmt.Sprintf("10.0.%d.%d", w, i%10), "1", "1.1.1.1", "53", "evil.example", "malware")
				if err := s.Process(e); err != nil {
					t.Error(err)
				}
				if i%100 == 0 {
					s.Advance(t0.Add(time.Duration(i) * time.Millisecond))
				}
			}
		})
	}
	wg.Wait()
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, e := range rec.take() {
		total += max(e.Count, 1)
	}
	if total != workers*each {
		t.Errorf("detections out %d, want %d", total, workers*each)
	}
}

// TestThroughDayLog runs the stage into the real daily log.
func TestThroughDayLog(t *testing.T) {
	dir := t.TempDir()
	d, err := output.NewDayLog(dir, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	s := New(cfgWith(func(c *Config) { c.Burst = 1 }), d)
	mustProcess(t, s, ev(0, "10.0.0.5", "1", "1.1.1.1", "53", "evil.example", "malware (test)"))
	mustProcess(t, s, ev(time.Second, "10.0.0.5", "2", "1.1.1.1", "53", "evil.example", "malware (test)"))
	mustProcess(t, s, ev(2*time.Second, "10.0.0.5", "3", "1.1.1.1", "53", "evil.example", "malware (test)"))
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "2026-08-05.log"))
	if err != nil {
		t.Fatal(err)
	}
	want := `"2026-08-05 12:00:00.000000" s1 10.0.0.5 1 1.1.1.1 53 TCP IP evil.example "malware (test)" (static)` + "\n" +
		`"2026-08-05 12:00:01.000000" s1 10.0.0.5 2,3 1.1.1.1 53 TCP IP evil.example "malware (test)" (static)` + "\n"
	if string(got) != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}

	// A closed sink's error comes back from Process and is counted.
	err = s.Process(ev(time.Hour, "10.0.0.5", "1", "1.1.1.1", "53", "evil.example", "malware (test)"))
	if err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("got error %v, want the closed log's error", err)
	}
	if st := s.Stats(); st.WriteErrors != 1 {
		t.Errorf("WriteErrors = %d, want 1", st.WriteErrors)
	}
}

func TestClockNeverGoesBack(t *testing.T) {
	rec := &recorder{}
	s := New(cfgWith(func(c *Config) { c.Burst = 0 }), rec)
	mustProcess(t, s, ev(100*time.Second, "10.0.0.5", "1", "1.1.1.1", "53", "evil.example", "malware"))
	mustProcess(t, s, ev(0, "10.0.0.5", "2", "1.1.1.1", "53", "evil.example", "malware")) // late packet
	mustAdvance(t, s, 159*time.Second)
	if got := rec.take(); len(got) != 0 {
		t.Fatalf("got %d events, want none before 100s+60s", len(got))
	}
	mustAdvance(t, s, 160*time.Second)
	if got := rec.take(); len(got) != 1 || got[0].Count != 2 {
		t.Errorf("got %+v, want one summary of 2", got)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"default", nil, true},
		{"empty mode", func(c *Config) { c.Mode = "" }, true},
		{"off without window", func(c *Config) { c.Mode = ModeOff; c.Window = 0 }, true},
		{"no condensing", func(c *Config) { c.CondenseKeywords = nil; c.CondensePeriod = 0 }, true},
		{"unknown mode", func(c *Config) { c.Mode = "smart" }, false},
		{"negative burst", func(c *Config) { c.Burst = -1 }, false},
		{"zero window", func(c *Config) { c.Window = 0 }, false},
		{"legacy fractional window", func(c *Config) { c.Mode = ModeLegacy; c.Window = 1500 * time.Millisecond }, false},
		{"zero max keys", func(c *Config) { c.MaxKeys = 0 }, false},
		{"zero max condensed", func(c *Config) { c.MaxCondensed = 0 }, false},
		{"empty keyword", func(c *Config) { c.CondenseKeywords = []string{"x", ""} }, false},
		{"zero condense period", func(c *Config) { c.CondensePeriod = 0 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := cfgWith(tc.edit).Validate()
			if (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestSummaryRendersEverywhere(t *testing.T) {
	// A summary's merged ports are text, not numbers, in JSON.
	rec := &recorder{}
	s := New(cfgWith(func(c *Config) { c.Burst = 0 }), rec)
	mustProcess(t, s, ev(0, "10.0.0.5", "1", "1.1.1.1", "53", "evil.example", "malware"))
	mustProcess(t, s, ev(0, "10.0.0.5", "2", "1.1.1.1", "53", "evil.example", "malware"))
	s.Flush()
	got := rec.take()
	if len(got) != 1 {
		t.Fatalf("got %d events, want 1", len(got))
	}
	js := got[0].AppendJSON(nil, "h")
	if !bytes.Contains(js, []byte(`"src_port": "1,2"`)) || !bytes.Contains(js, []byte(`"count": 2`)) {
		t.Errorf("JSON %s lacks the merged ports or the count", js)
	}
}

func TestPassThroughAllocs(t *testing.T) {
	s := New(cfgWith(func(c *Config) { c.Burst = 1 << 30 }), output.NewConsoleIn(io.Discard, false, time.UTC))
	e := ev(0, "10.0.0.5", "50000", "1.1.1.1", "53", "evil.example", "malware (test)")
	mustProcess(t, s, e) // opens the window
	if n := testing.AllocsPerRun(1000, func() { _ = s.Process(e) }); n != 0 {
		t.Errorf("Process of a known key within its burst allocates %v times, want 0", n)
	}
}
