package ingest

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
)

func testHeader() *Header {
	return &Header{ID: "b-0001.x_y", Tenant: "acme", Created: time.UnixMicro(1_704_931_200_123_456),
		SpoolBytes: 1 << 20, SpoolBatches: 7, Dropped: 3}
}

func TestBatchRoundTrip(t *testing.T) {
	evs := demoEvents(t)
	h := testHeader()
	tests := []struct {
		name   string
		events []event.Event
	}{
		{"demo log", evs},
		{"empty", nil},
		{"one", evs[:1]},
		{"zero time and negative count", []event.Event{{Sensor: "s", Count: -5}}},
		{"times going backwards", []event.Event{{Time: time.UnixMicro(2e15)}, {Time: time.UnixMicro(1e15)}, {Time: time.UnixMicro(3e15)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bld Builder
			for i := range tt.events {
				bld.Add(&tt.events[i])
			}
			data := bld.AppendBatch(nil, h)
			if direct := AppendBatch(nil, h, tt.events); !bytes.Equal(direct, data) {
				t.Fatalf("AppendBatch and Builder encode differently")
			}
			var b Batch
			if err := DecodeBatch(data, 0, &b); err != nil {
				t.Fatalf("DecodeBatch: %v", err)
			}
			if b.ID != h.ID || b.Tenant != h.Tenant || !b.Created.Equal(h.Created) || b.SpoolBytes != h.SpoolBytes ||
				b.SpoolBatches != h.SpoolBatches || b.Dropped != h.Dropped {
				t.Errorf("header: got %+v, want %+v", b.Header, *h)
			}
			if err := eventsEqual(b.Events, tt.events); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestBuilderSanitizes(t *testing.T) {
	long := strings.Repeat("é", MaxFieldLen) // 2 bytes a rune: cut at a rune boundary
	e := event.Event{Trail: "bad\xffbyte", Info: long, Count: math.MaxInt64,
		Context: event.Context{HTTPUserAgent: "\xc3"}}
	var bld Builder
	bld.Add(&e)
	var b Batch
	if err := DecodeBatch(bld.AppendBatch(nil, testHeader()), 0, &b); err != nil {
		t.Fatalf("DecodeBatch of a sanitised event: %v", err)
	}
	got := b.Events[0]
	if got.Trail != "bad\uFFFDbyte" || got.Context.HTTPUserAgent != "\uFFFD" {
		t.Errorf("invalid UTF-8: got %q, %q; want U+FFFD replacements", got.Trail, got.Context.HTTPUserAgent)
	}
	if len(got.Info) != MaxFieldLen || !strings.HasPrefix(long, got.Info) {
		t.Errorf("long field: got %d bytes, want the first %d", len(got.Info), MaxFieldLen)
	}
	if got.Count != math.MaxUint32 {
		t.Errorf("count: got %d, want %d", got.Count, uint32(math.MaxUint32))
	}
}

// rawBatch builds a batch by hand so tests can corrupt any field.
type rawBatch struct{ b []byte }

func newRaw() *rawBatch {
	r := &rawBatch{b: append([]byte(nil), batchMagic[:]...)}
	r.b = append(r.b, 0)
	return r
}
func (r *rawBatch) str(s string) *rawBatch  { r.b = appendString(r.b, s); return r }
func (r *rawBatch) uv(v uint64) *rawBatch   { r.b = binary.AppendUvarint(r.b, v); return r }
func (r *rawBatch) v(v int64) *rawBatch     { r.b = binary.AppendVarint(r.b, v); return r }
func (r *rawBatch) raw(b ...byte) *rawBatch { r.b = append(r.b, b...); return r }
func (r *rawBatch) header() *rawBatch       { return r.str("id").str("").v(0).uv(0).uv(0).uv(0) }

// event appends an event header and n empty strings.
func (r *rawBatch) event(count, qtype uint64, rcode int64, strs ...string) *rawBatch {
	r.v(1).uv(count).uv(qtype).v(rcode)
	for i := 0; i < numStrings; i++ {
		s := ""
		if i < len(strs) {
			s = strs[i]
		}
		r.str(s)
	}
	return r
}

func TestDecodeBatchRefuses(t *testing.T) {
	good := AppendBatch(nil, testHeader(), demoEvents(t)[:10])
	tests := []struct {
		name   string
		data   []byte
		max    int
		reason Reason
	}{
		{"empty", nil, 0, ReasonMalformed},
		{"bad magic", []byte("GET / HTTP/1.1\r\n"), 0, ReasonMalformed},
		{"json", []byte(`{"batch_id":"x"}`), 0, ReasonMalformed},
		{"future version", append([]byte{'S', 'P', 'B', 2}, good[4:]...), 0, ReasonVersion},
		{"unknown flag", append([]byte{'S', 'P', 'B', 1, 1}, good[5:]...), 0, ReasonVersion},
		{"magic only", good[:4], 0, ReasonTruncated},
		{"truncated mid-event", good[:len(good)-7], 0, ReasonTruncated},
		{"truncated in header", good[:8], 0, ReasonTruncated},
		{"trailing bytes", append(append([]byte(nil), good...), 0), 0, ReasonMalformed},
		{"too many events", good, 5, ReasonTooLarge},
		{"count beyond input", newRaw().header().uv(1000).b, 0, ReasonTruncated},
		{"empty id", newRaw().str("").b, 0, ReasonBadValue},
		{"id with space", newRaw().str("a b").b, 0, ReasonBadValue},
		{"id too long", newRaw().str(strings.Repeat("a", MaxIDLen+1)).b, 0, ReasonTooLarge},
		{"bad tenant", newRaw().str("id").str("Acme!").b, 0, ReasonBadValue},
		{"varint overflow", newRaw().str("id").str("").raw(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).b, 0, ReasonMalformed},
		{"count over uint32", newRaw().header().uv(1).event(1<<32, 0, 0).b, 0, ReasonBadValue},
		{"qtype over uint16", newRaw().header().uv(1).event(1, 1<<16, 0).b, 0, ReasonBadValue},
		{"rcode under int8", newRaw().header().uv(1).event(1, 0, -129).b, 0, ReasonBadValue},
		{"invalid UTF-8", newRaw().header().uv(1).event(1, 0, 0, "s", "1.2.3.4\xff").b, 0, ReasonUTF8},
		{"field too long", newRaw().header().uv(1).event(1, 0, 0, strings.Repeat("x", MaxFieldLen+1)).b, 0, ReasonTooLarge},
		{"string beyond input", newRaw().header().uv(1).v(1).uv(1).uv(0).v(0).uv(50).raw('x').b, 0, ReasonTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b Batch
			err := DecodeBatch(tt.data, tt.max, &b)
			if got := ReasonOf(err); got != tt.reason {
				t.Errorf("DecodeBatch: reason %q (%v), want %q", got, err, tt.reason)
			}
		})
	}
}

func TestDecodeBatchZeroAlloc(t *testing.T) {
	data := AppendBatch(nil, testHeader(), demoEvents(t))
	var b Batch
	if err := DecodeBatch(data, 0, &b); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { _ = DecodeBatch(data, 0, &b) }); n != 0 {
		t.Errorf("DecodeBatch allocates %v times per batch, want 0", n)
	}
}

func TestBuilderZeroAlloc(t *testing.T) {
	evs := demoEvents(t)
	var bld Builder
	var out []byte
	h := testHeader()
	run := func() {
		bld.Reset()
		for i := range evs {
			bld.Add(&evs[i])
		}
		out = bld.AppendBatch(out[:0], h)
	}
	run()
	if n := testing.AllocsPerRun(10, run); n != 0 {
		t.Errorf("building a batch allocates %v times, want 0", n)
	}
}

func FuzzDecodeBatch(f *testing.F) {
	evs := demoEvents(f)
	for i := 0; i < len(evs); i += 500 {
		f.Add(AppendBatch(nil, testHeader(), evs[i:min(i+5, len(evs))]))
	}
	f.Add(AppendBatch(nil, &Header{ID: "x"}, nil))
	f.Add(newRaw().header().uv(1).event(1, 0, 0, "s", "1.2.3.4\xff").b)
	f.Fuzz(func(t *testing.T, data []byte) {
		var b Batch
		if err := DecodeBatch(data, 1000, &b); err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		// What decodes re-encodes to a batch that decodes to the same.
		again := AppendBatch(nil, &b.Header, b.Events)
		var b2 Batch
		if err := DecodeBatch(again, 1000, &b2); err != nil {
			t.Fatalf("re-encoded batch refused: %v", err)
		}
		if b2.Header != b.Header {
			t.Fatalf("header changed: %+v vs %+v", b2.Header, b.Header)
		}
		if err := eventsEqual(b2.Events, b.Events); err != nil {
			t.Fatal(err)
		}
	})
}
