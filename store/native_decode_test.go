package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/internal/eventmix"
	"github.com/spoorsec/spoor/tenant"
)

// testDay is n of testEvents of yesterday with over 255 sensors (two-byte
// LowCardinality indexes).
func testDay(n int) []event.Event {
	evs := testEvents(recentDay(-1), n)
	for i := range evs {
		evs[i].Sensor = fmt.Sprint("sensor-", i%700)
	}
	return evs
}

// nativeDay seeds evs (all of one UTC day) on the embedded engine and
// returns the engine's Native output of a page's statement for them (with
// the batch IDs and ingest times when full, else the stream's),
// and the same rows in RowBinaryWithNamesAndTypes decoded by the row
// scanner.
func nativeDay(tb testing.TB, evs []event.Event, full bool) (tenant.ID, []byte, []StoredEvent) {
	tb.Helper()
	s := newTestStore(tb, engines()[0], Options{})
	ten := addTenant(tb, s, "acme", 0)
	day := evs[0].Time
	ctx := context.Background()
	if err := s.InsertEvents(ctx, ten, "s", "b", evs); err != nil {
		tb.Fatal(err)
	}
	start := day.UTC().Truncate(24 * time.Hour)
	sql, params := rangeEventsQuery(s.db, ten, start.Add(24*time.Hour), Cursor{Time: start.Add(-time.Microsecond), ID: ^uint64(0)}, Cursor{}, false, full)
	eng := s.be.(*embeddedBackend).eng
	res, err := eng.Query(ctx, []byte(sql), "Native", toChdbParams(params)...)
	if err != nil {
		tb.Fatal(err)
	}
	native := append([]byte(nil), res.Data()...)
	res.Free()
	r, err := s.be.query(ctx, sql, params)
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	var rows []StoredEvent
	dec := newEventDecoder(ten)
	dec.full = full
	sc := newEventScanner(dec)
	for r.Next() {
		rows = append(rows, StoredEvent{})
		if err := sc.scan(r, &rows[len(rows)-1]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := r.Err(); err != nil {
		tb.Fatal(err)
	}
	return ten, native, rows
}

// decodeNative decodes Native output into StoredEvents, keeping batch IDs
// and ingest times, as EventsBetween does.
func decodeNative(t tenant.ID, native []byte) ([]StoredEvent, error) {
	var cols EventColumns
	d := newEventDecoder(t)
	d.full = true
	if err := d.decodeColumns(native, &cols); err != nil {
		return nil, err
	}
	return cols.appendEvents(nil, t, cols.Len()), nil
}

func TestNativeDecodeMatchesRows(t *testing.T) {
	ten, native, rows := nativeDay(t, testDay(3000), true)
	got, err := decodeNative(ten, native)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(got) != len(rows) || len(got) != 3000 {
		t.Fatalf("decoded %d events, row scanner %d, want 3000", len(got), len(rows))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], rows[i]) {
			t.Fatalf("event %d:\n got %+v\nwant %+v", i, got[i], rows[i])
		}
	}
	t.Run("other tenant", func(t *testing.T) {
		if _, err := decodeNative(tenant.MustNew("other"), native); err == nil {
			t.Error("decoding acme's events for tenant other: got no error, want one")
		}
	})
	t.Run("truncated", func(t *testing.T) {
		for _, n := range []int{1, len(native) / 3, len(native) - 1} {
			if _, err := decodeNative(ten, native[:n]); err == nil {
				t.Errorf("decoding %d of %d bytes: got no error, want one", n, len(native))
			}
		}
	})
}

// TestNativeDecodeAllocs checks that decoding allocates per block and per
// distinct value, not per event.
func TestNativeDecodeAllocs(t *testing.T) {
	ten, native, _ := nativeDay(t, testDay(5000), true)
	var cols EventColumns
	allocs := testing.AllocsPerRun(5, func() {
		cols.reset()
		d := newEventDecoder(ten)
		d.full = true
		if err := d.decodeColumns(native, &cols); err != nil {
			t.Fatal(err)
		}
	})
	// 700 sensors and a handful of other dictionary entries, addresses
	// and ports, and a copy per String column: about 800.
	if allocs > 1000 {
		t.Errorf("decoding 5000 events allocates %v times, want at most 1000", allocs)
	}
}

// BenchmarkDecodeColumns decodes one page of the day stream (100,000
// events of eventmix's realistic day) from the engine's Native output
// into EventColumns: the store's Go share of the day stream.
func BenchmarkDecodeColumns(b *testing.B) {
	day := recentDay(-1)
	ten, native, _ := nativeDay(b, eventmix.Day(day, MaxPageSize, "bench", "10.9", 9), false)
	var cols EventColumns
	dec := newEventDecoder(ten)
	b.SetBytes(int64(len(native)))
	b.ReportAllocs()
	for b.Loop() {
		cols.reset()
		if err := dec.decodeColumns(native, &cols); err != nil {
			b.Fatal(err)
		}
	}
	if cols.Len() != MaxPageSize {
		b.Fatalf("%d events, want %d", cols.Len(), MaxPageSize)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/MaxPageSize, "ns/event")
}

// nativeSeed is a small Native block of the read columns, written
// without the engine (the fuzz workers must not need one): LowCardinality
// and String columns through the insert encoder's helpers.
func nativeSeed(ncols int) []byte {
	evs := testEvents(recentDay(-1), 6)
	b := &eventBatch{tenant: "acme", sensorID: "s", batchID: "b", events: evs}
	sc := &nativeScratch{dict: map[string]uint32{}}
	n := len(evs)
	dst := binary.AppendUvarint(nil, uint64(ncols))
	dst = binary.AppendUvarint(dst, uint64(n))
	for _, c := range eventReadColumns[:ncols] {
		dst = appendStr(dst, c.name)
		switch c.kind {
		case rbString:
			dst = appendStr(dst, "LowCardinality(String)")
			dst = sc.appendLC(dst, n, func(i int) string {
				if c.name == "tenant" {
					return "acme"
				}
				return evs[i].Trail
			})
		case rbDateTime64:
			dst = appendStr(dst, "DateTime64(6, 'UTC')")
			for i := range evs {
				dst = binary.LittleEndian.AppendUint64(dst, uint64(b.row(i).time))
			}
		default:
			dst = appendStr(dst, map[rbKind]string{rbUInt64: "UInt64", rbIPv6: "IPv6", rbUInt16: "UInt16",
				rbInt8: "Int8", rbUInt32: "UInt32"}[c.kind])
			dst = append(dst, make([]byte, n*rbSize[c.kind])...)
		}
	}
	return dst
}

// TestNativeSeedDecodes also checks which reads take a block without the
// batch IDs and ingest times: the stream's, not a full one.
func TestNativeSeedDecodes(t *testing.T) {
	got, err := decodeNative("acme", nativeSeed(nEventReadColumns))
	if err != nil || len(got) != 6 {
		t.Fatalf("decode(nativeSeed()) = %d events, %v; want 6, nil", len(got), err)
	}
	narrow := nativeSeed(nStreamColumns)
	if _, err := decodeNative("acme", narrow); err == nil {
		t.Error("a full read of a block without batch IDs: got no error, want one")
	}
	var cols EventColumns
	if err := newEventDecoder("acme").decodeColumns(narrow, &cols); err != nil || cols.Len() != 6 {
		t.Errorf("the stream's read of it: %d events, %v; want 6, nil", cols.Len(), err)
	}
}

// FuzzNativeEvents feeds arbitrary bytes to the Native event decoder: it
// must fail cleanly, never panic or allocate without bound.
func FuzzNativeEvents(f *testing.F) {
	for _, seed := range [][]byte{nativeSeed(nEventReadColumns), nativeSeed(nStreamColumns)} {
		f.Add(seed)
		f.Add(seed[:len(seed)/2])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var cols EventColumns
		streamErr := newEventDecoder("acme").decodeColumns(data, &cols)
		evs, err := decodeNative("acme", data)
		if err == nil {
			// What the day stream reads (no batch IDs) agrees.
			if streamErr != nil || cols.Len() != len(evs) {
				t.Fatalf("without batch IDs: %d events, %v; with: %d", cols.Len(), streamErr, len(evs))
			}
		}
	})
}
