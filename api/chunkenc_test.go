package api

import (
	"bytes"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/internal/eventmix"
	"github.com/spoorsec/spoor/store"
)

// testPage makes n events whose strings are shared between rows the way
// the store shares them (one string per dictionary value), plus equal
// strings in separate memory and a few distinct ones.
func testPage(n int, seed int) *store.EventColumns {
	shared := []string{"edge-1", "edge-2", "UDP", "TCP", "malware", "(static)"}
	evs := make([]store.StoredEvent, n)
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range evs {
		e := &evs[i]
		e.Time = base.Add(time.Duration(i/3) * time.Second)
		e.ID = uint64(seed)<<32 | uint64(i)*2654435761
		e.Sensor = shared[i%2]
		e.Proto = shared[2+i%2]
		e.Type = event.TypeDNS
		e.Info = shared[4]
		e.Reference = shared[5]
		// Same text, new memory each row (a plain String column).
		e.Trail = strings.Clone(fmt.Sprintf("evil-%d.example", i%5))
		e.SrcIP = fmt.Sprintf("10.0.%d.%d", i%7, (i+seed)%200)
		e.SrcPort = fmt.Sprint(40000 + i%1000)
		e.DstIP, e.DstPort = "198.51.100.7", "53"
		if i%10 == 0 {
			e.Context.HTTPURI = fmt.Sprintf("/p/%d", i)
		}
		e.Severity = event.Severity(i % 3)
		e.Count = i % 4
		e.Context.DNSRcode = int8(i%5) - 1
		e.SensorID = "s-1"
	}
	page := new(store.EventColumns)
	for i := range evs {
		page.Append(&evs[i])
	}
	page.Next, page.Done = store.Cursor{Time: evs[n-1].Time, ID: evs[n-1].ID}, seed%2 == 1
	return page
}

func TestChunkEncoderRoundTrip(t *testing.T) {
	for _, ids := range []bool{true, false} {
		t.Run(fmt.Sprint("ids=", ids), func(t *testing.T) { testChunkRoundTrip(t, ids) })
	}
}

func testChunkRoundTrip(t *testing.T, ids bool) {
	ce := newChunkEncoder(ids)
	// Several pages through one encoder: nothing may carry over.
	for seed, n := range []int{1, 700, 3000, 5, 0} {
		var page *store.EventColumns
		if n > 0 {
			page = testPage(n, seed)
		} else {
			page = &store.EventColumns{Done: true}
		}
		fs := readFrames(t, bytes.NewReader(ce.encode(page)))
		if len(fs) != 1 {
			t.Fatalf("page %d: %d frames", seed, len(fs))
		}
		f := fs[0]
		if f.Cursor != page.Next.String() || f.Done != page.Done || f.N != n {
			t.Fatalf("page %d: cursor %q done %v n %d; want %q %v %d", seed, f.Cursor, f.Done, f.N, page.Next, page.Done, n)
		}
		if _, has := f.widths["id_batch"]; has != ids || ids && len(f.ids) != n {
			t.Fatalf("page %d asked with ids=%v: ID columns %v, %d IDs", seed, ids, has, len(f.ids))
		}
		for k, sec := range f.secs {
			seen := map[string]bool{}
			for _, s := range sec {
				if seen[s] || s == "" {
					t.Fatalf("page %d section %d: %q twice or empty", seed, k, s)
				}
				seen[s] = true
			}
		}
		for i := range n {
			if f.times[i] != page.Time[i] || ids && f.ids[i] != fmt.Sprintf("%016x", page.ID[i]) {
				t.Fatalf("page %d event %d: time %d, want %d %016x", seed, i, f.times[i], page.Time[i], page.ID[i])
			}
		}
		for k, name := range store.TextColumns {
			idx := f.col(name)
			numeric := slices.Contains(f.Ports, name)
			// Numbered in order of first appearance.
			next := int64(1)
			for i := range n {
				if got, want := f.text(t, k, i), page.Text[k].Value(i); got != want {
					t.Fatalf("page %d event %d %s: got %q, want %q", seed, i, name, got, want)
				}
				if numeric {
					continue
				}
				if idx[i] > next {
					t.Fatalf("page %d %s: index %d before %d", seed, name, idx[i], next)
				} else if idx[i] == next {
					next++
				}
			}
		}
		ints := map[string]func(i int) int64{
			"severity":  func(i int) int64 { return int64(uint8(page.Severity[i])) },
			"count":     func(i int) int64 { return int64(max(page.Count[i], 1)) },
			"dns_qtype": func(i int) int64 { return int64(page.DNSQType[i]) },
			"dns_rcode": func(i int) int64 { return int64(uint8(page.DNSRcode[i])) },
		}
		for name, want := range ints {
			v := f.col(name)
			for i := range n {
				if v[i] != want(i) {
					t.Fatalf("page %d event %d %s: got %d, want %d", seed, i, name, v[i], want(i))
				}
			}
		}
		checkWidths(t, f)
	}
}

// checkWidths checks that every column of f is as narrow as its values
// allow.
func checkWidths(t *testing.T, f frame) {
	t.Helper()
	for name, vals := range f.cols {
		var all uint64
		for _, v := range vals {
			all |= uint64(v)
		}
		if w := (bits.Len64(all) + 7) / 8; f.widths[name] != w {
			t.Errorf("column %s: %d bytes a value, want %d", name, f.widths[name], w)
		}
	}
}

// TestChunkWideTimes sends a page whose events are hours apart: deltas
// past 32 bits.
func TestChunkWideTimes(t *testing.T) {
	page := new(store.EventColumns)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, d := range []time.Duration{0, time.Microsecond, 5 * time.Hour, 5*time.Hour + time.Second} {
		page.Append(&store.StoredEvent{Event: event.Event{Time: t0.Add(d), Trail: "x"}})
	}
	f := readFrames(t, bytes.NewReader(newChunkEncoder(true).encode(page)))[0]
	if f.widths["time"] != 5 {
		t.Errorf("time: %d bytes a value, want 5", f.widths["time"])
	}
	for i, us := range page.Time {
		if f.times[i] != us {
			t.Errorf("event %d: time %d, want %d", i, f.times[i], us)
		}
	}
	checkWidths(t, f)
}

// TestChunkPorts checks when a port column goes as numbers: only when
// every text of the page is a port's plain rendering.
func TestChunkPorts(t *testing.T) {
	for _, tc := range []struct {
		texts   []string
		numeric bool
	}{
		{[]string{"53", "", "65535", "1"}, true},
		{[]string{"53", "0"}, false},
		{[]string{"53", "053"}, false},
		{[]string{"53", "65536"}, false},
		{[]string{"53", "80,443"}, false},
		{[]string{"53", "-"}, false},
		{[]string{"", ""}, true},
	} {
		page := new(store.EventColumns)
		for i, p := range tc.texts {
			page.Append(&store.StoredEvent{Event: event.Event{Time: time.UnixMicro(int64(i)), SrcPort: p, DstPort: "80"}})
		}
		f := readFrames(t, bytes.NewReader(newChunkEncoder(true).encode(page)))[0]
		if got := slices.Contains(f.Ports, "src_port"); got != tc.numeric || !slices.Contains(f.Ports, "dst_port") {
			t.Errorf("%q: numeric %v (ports %q), want %v", tc.texts, got, f.Ports, tc.numeric)
		}
		for i, want := range tc.texts {
			if got := f.text(t, srcPortColumn, i); got != want {
				t.Errorf("%q: event %d: got %q", tc.texts, i, got)
			}
		}
	}
}

// BenchmarkChunkEncode encodes a production-size chunk of eventmix's
// realistic day (100,000 events from batches of 1,000).
func BenchmarkChunkEncode(b *testing.B) {
	page := mixPages(store.MaxPageSize, 1000)[0]
	ce := newChunkEncoder(true)
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		ce.encode(page)
	}
	// CPU time is steadier than wall time on a shared machine.
	b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N)/float64(page.Len()), "cpu-ns/event")
}

// mixPages is n events of eventmix's day in pages of the API's chunk
// size, with IDs as sensors shipping perBatch events a batch make them.
func mixPages(n, perBatch int) []*store.EventColumns {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var pages []*store.EventColumns
	for i, e := range eventmix.Day(day, n, "bench", "10.9", 9) {
		if i%store.MaxPageSize == 0 {
			pages = append(pages, new(store.EventColumns))
		}
		batch := uint64(i / perBatch)
		pages[len(pages)-1].Append(&store.StoredEvent{Event: e, Severity: event.SeverityOf(e.Info, e.Reference), SensorID: "s-1",
			ID: (batch*0x9e3779b97f4a7c15)>>store.IDPositionBits<<store.IDPositionBits | uint64(i%perBatch)})
	}
	return pages
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkChunkWire reports the day stream's compressed bytes per event
// for eventmix's realistic day (200,000 events in 100,000-event chunks, as
// served) by the sensors' batch size, with and without event IDs: the
// IDs' batch parts are the one thing that grows as batches shrink (a sensor ships at least every
// second, so a quiet one sends a few events a batch).
func BenchmarkChunkWire(b *testing.B) {
	const n = 200_000
	for _, perBatch := range []int{1000, 10, 3, 1} {
		pages := mixPages(n, perBatch)
		for _, run := range []struct {
			enc string
			ids bool
		}{{"zstd", true}, {"gzip", true}, {"zstd", false}, {"gzip", false}} {
			b.Run(fmt.Sprintf("batch=%d/%s/ids=%v", perBatch, run.enc, run.ids), func(b *testing.B) {
				var wire int
				for b.Loop() {
					var out bytes.Buffer
					w, _, closeW := compressor(&out, run.enc)
					ce := newChunkEncoder(run.ids)
					for _, page := range pages {
						if _, err := w.Write(ce.encode(page)); err != nil {
							b.Fatal(err)
						}
					}
					if err := closeW(); err != nil {
						b.Fatal(err)
					}
					wire = out.Len()
				}
				b.ReportMetric(float64(wire)/n, "wire-B/event")
			})
		}
	}
}

// FuzzChunkRoundTrip encodes pages of arbitrary texts, ports, times and
// IDs and decodes them as the console does: every value comes back (texts
// that are not valid UTF-8 come back with U+FFFD for their bad bytes).
func FuzzChunkRoundTrip(f *testing.F) {
	f.Add("edge-1", "10.0.0.1", "53", "evil.example", uint64(1)<<40|7, int64(1_000_000), uint8(3))
	f.Add("", "", "0", "\xff\"<\\>\u2028", uint64(0), int64(1)<<40, uint8(0))
	f.Add("s", "::1", "65535", "x", ^uint64(0), int64(0), uint8(200))
	f.Fuzz(func(t *testing.T, sensor, ip, port, trail string, id uint64, gap int64, n uint8) {
		page := new(store.EventColumns)
		t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		gap = max(gap, 0) % (int64(48) * 3600 * 1e6)
		for i := range int(n%50) + 1 {
			e := &store.StoredEvent{Event: event.Event{Time: t0.Add(time.Duration(int64(i)*gap) * time.Microsecond), Sensor: sensor,
				SrcIP: ip, SrcPort: port, DstPort: fmt.Sprint(i), Trail: trail + fmt.Sprint(i%3)}, ID: id + uint64(i)}
			page.Append(e)
		}
		fs := readFrames(t, bytes.NewReader(newChunkEncoder(true).encode(page)))
		if len(fs) != 1 || fs[0].N != page.Len() {
			t.Fatalf("got %d frames", len(fs))
		}
		fr := fs[0]
		for i := range page.Len() {
			if fr.times[i] != page.Time[i] || fr.ids[i] != fmt.Sprintf("%016x", page.ID[i]) {
				t.Fatalf("event %d: time %d id %s, want %d %016x", i, fr.times[i], fr.ids[i], page.Time[i], page.ID[i])
			}
			for k := range store.TextColumns {
				want := page.Text[k].Value(i)
				if !utf8.ValidString(want) {
					var b strings.Builder
					for j := 0; j < len(want); {
						r, size := utf8.DecodeRuneInString(want[j:])
						b.WriteRune(r) // RuneError for each bad byte
						j += size
					}
					want = b.String()
				}
				if got := fr.text(t, k, i); got != want {
					t.Fatalf("event %d %s: got %q, want %q", i, store.TextColumns[k], got, want)
				}
			}
		}
		checkWidths(t, fr)
	})
}
