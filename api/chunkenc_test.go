package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

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

// decodedChunk is a chunk line decoded generically.
type decodedChunk map[string]json.RawMessage

func (d decodedChunk) ints(tb testing.TB, name string) []int64 {
	tb.Helper()
	var v []int64
	if err := json.Unmarshal(d[name], &v); err != nil {
		tb.Fatalf("column %s: %v", name, err)
	}
	return v
}

// chunkSections splits a chunk's dict into its sections: one per string
// column, then the IDs' batch parts.
func chunkSections(tb testing.TB, dict []string, sections []int64) [][]string {
	tb.Helper()
	if len(sections) != store.NumTextColumns+1 {
		tb.Fatalf("%d sections, want %d", len(sections), store.NumTextColumns+1)
	}
	out := make([][]string, len(sections))
	off := 0
	for k, m := range sections {
		if m < 0 || off+int(m) > len(dict) {
			tb.Fatalf("section %d of %d strings past a dict of %d", k, m, len(dict))
		}
		out[k] = dict[off : off+int(m)]
		off += int(m)
	}
	if off != len(dict) {
		tb.Fatalf("sections cover %d of %d dict strings", off, len(dict))
	}
	return out
}

// sectionString resolves a local index into section sec (0 is "").
func sectionString(tb testing.TB, sec []string, j int64) string {
	tb.Helper()
	if j == 0 {
		return ""
	}
	if j < 0 || j > int64(len(sec)) {
		tb.Fatalf("index %d into a section of %d", j, len(sec))
	}
	return sec[j-1]
}

// chunkIDs reassembles a chunk's event IDs, in hex, from their parts.
func chunkIDs(tb testing.TB, batches []string, batch, pos []int64) []string {
	tb.Helper()
	if len(batch) != len(pos) {
		tb.Fatalf("%d id batches, %d positions", len(batch), len(pos))
	}
	ids := make([]string, len(batch))
	for i := range ids {
		if b := sectionString(tb, batches, batch[i]); len(b) != 11 || pos[i] < 0 || pos[i] >= 1<<20 {
			tb.Fatalf("id parts %q %d", b, pos[i])
		}
		ids[i] = fmt.Sprintf("%s%05x", batches[batch[i]-1], pos[i])
	}
	return ids
}

func TestChunkEncoderRoundTrip(t *testing.T) {
	ce := newChunkEncoder()
	// Several pages through one encoder: nothing may carry over.
	for seed, n := range []int{1, 700, 3000, 5} {
		page := testPage(n, seed)
		line := ce.encode(page)
		if line[len(line)-1] != '\n' {
			t.Fatal("chunk does not end in a newline")
		}
		var d decodedChunk
		if err := json.Unmarshal(line, &d); err != nil {
			t.Fatalf("page %d: %v", seed, err)
		}
		var dict []string
		var cursor string
		var done bool
		json.Unmarshal(d["dict"], &dict)
		secs := chunkSections(t, dict, d.ints(t, "sections"))
		ids := chunkIDs(t, secs[store.NumTextColumns], d.ints(t, "id_batch"), d.ints(t, "id_pos"))
		json.Unmarshal(d["cursor"], &cursor)
		json.Unmarshal(d["done"], &done)
		if cursor != page.Next.String() || done != page.Done || len(ids) != n {
			t.Fatalf("page %d: cursor %q done %v ids %d; want %q %v %d", seed, cursor, done, len(ids), page.Next, page.Done, n)
		}
		for k, sec := range secs {
			seen := map[string]bool{}
			for _, s := range sec {
				if seen[s] || s == "" {
					t.Fatalf("page %d section %d: %q twice or empty", seed, k, s)
				}
				seen[s] = true
			}
		}
		times := d.ints(t, "time")
		var us int64
		for i := range n {
			us += times[i]
			if us != page.Time[i] || ids[i] != fmt.Sprintf("%016x", page.ID[i]) {
				t.Fatalf("page %d event %d: time %d id %s, want %d %016x", seed, i, us, ids[i], page.Time[i], page.ID[i])
			}
		}
		for k, name := range store.TextColumns {
			idx := d.ints(t, name)
			// Numbered in order of first appearance.
			next := int64(1)
			for i := range n {
				if got, want := sectionString(t, secs[k], idx[i]), page.Text[k].Value(i); got != want {
					t.Fatalf("page %d event %d %s: got %q, want %q", seed, i, name, got, want)
				}
				if idx[i] > next {
					t.Fatalf("page %d %s: index %d before %d", seed, name, idx[i], next)
				} else if idx[i] == next {
					next++
				}
			}
		}
		ints := map[string]func(i int) int64{
			"severity":  func(i int) int64 { return int64(page.Severity[i]) },
			"count":     func(i int) int64 { return int64(max(page.Count[i], 1)) },
			"dns_qtype": func(i int) int64 { return int64(page.DNSQType[i]) },
			"dns_rcode": func(i int) int64 { return int64(page.DNSRcode[i]) },
		}
		for name, want := range ints {
			v := d.ints(t, name)
			for i := range n {
				if v[i] != want(i) {
					t.Fatalf("page %d event %d %s: got %d, want %d", seed, i, name, v[i], want(i))
				}
			}
		}
	}
}

func TestAppendSmall(t *testing.T) {
	for _, v := range []int64{0, 9, 10, 42, 99, 100, 12345, -1, -10, -128} {
		if got, want := string(appendSmall(nil, v)), fmt.Sprint(v); got != want {
			t.Errorf("appendSmall(%d) = %q, want %q", v, got, want)
		}
	}
}

// BenchmarkChunkEncode encodes a production-size chunk of 50,000 events.
func BenchmarkChunkEncode(b *testing.B) {
	page := testPage(50_000, 0)
	ce := newChunkEncoder()
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		ce.encode(page)
	}
	// CPU time is steadier than wall time on a shared machine.
	b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N)/50_000, "cpu-ns/event")
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
// served) by the sensors' batch size: the IDs' batch parts are the one
// thing that grows as batches shrink (a sensor ships at least every
// second, so a quiet one sends a few events a batch).
func BenchmarkChunkWire(b *testing.B) {
	const n = 200_000
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	mix := eventmix.Day(day, n, "bench", "10.9", 9)
	for _, perBatch := range []int{1000, 10, 3} {
		var pages []*store.EventColumns
		for i, e := range mix {
			if i%store.MaxPageSize == 0 {
				pages = append(pages, new(store.EventColumns))
			}
			batch := uint64(i / perBatch)
			pages[len(pages)-1].Append(&store.StoredEvent{Event: e, Severity: event.SeverityOf(e.Info, e.Reference), SensorID: "s-1",
				ID: (batch*0x9e3779b97f4a7c15)>>store.IDPositionBits<<store.IDPositionBits | uint64(i%perBatch)})
		}
		for _, enc := range []string{"zstd", "gzip"} {
			b.Run(fmt.Sprintf("batch=%d/%s", perBatch, enc), func(b *testing.B) {
				var wire int
				for b.Loop() {
					var out bytes.Buffer
					w, _, closeW := compressor(&out, enc)
					ce := newChunkEncoder()
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
