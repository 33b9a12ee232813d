package tlshello

import (
	"bytes"
	"testing"
)

func TestHandshakeBuffer(t *testing.T) {
	stream := []byte("0123456789abcdefghij")
	type write struct {
		off    int
		lo, hi int // stream[lo:hi] is written at off
	}
	w := func(lo, hi int) write { return write{lo, lo, hi} }
	tests := []struct {
		name   string
		limit  int
		writes []write
		prefix string
		full   bool
	}{
		{"in order", 100, []write{w(0, 5), w(5, 12), w(12, 20)}, "0123456789abcdefghij", false},
		{"reversed", 100, []write{w(12, 20), w(5, 12), w(0, 5)}, "0123456789abcdefghij", false},
		{"gap", 100, []write{w(0, 5), w(8, 12)}, "01234", false},
		{"nothing at zero", 100, []write{w(3, 9)}, "", false},
		{"overlaps and duplicates", 100, []write{w(4, 10), w(0, 6), w(0, 6), w(8, 14)}, "0123456789abcd", false},
		{"fill between two ranges", 100, []write{w(0, 3), w(10, 14), w(16, 20), w(3, 16)}, "0123456789abcdefghij", false},
		{"limit truncates", 7, []write{w(0, 5), w(5, 12)}, "0123456", true},
		{"past limit dropped", 7, []write{w(8, 12)}, "", false},
		{"empty write", 100, []write{w(0, 0)}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b HandshakeBuffer
			b.Reset(tt.limit)
			for _, wr := range tt.writes {
				b.Write(uint64(wr.off), stream[wr.lo:wr.hi])
			}
			if got := string(b.Prefix()); got != tt.prefix {
				t.Errorf("Prefix: got %q, want %q", got, tt.prefix)
			}
			if b.Full() != tt.full {
				t.Errorf("Full: got %v, want %v", b.Full(), tt.full)
			}
		})
	}
}

func TestHandshakeBufferSpanLimit(t *testing.T) {
	var b HandshakeBuffer
	b.Reset(1 << 10)
	// Every other byte: maxSpans separate ranges, then one too many.
	for i := range maxSpans + 1 {
		b.Write(uint64(2*i+1), []byte{'x'})
	}
	if b.n != maxSpans {
		t.Fatalf("got %d ranges, want %d", b.n, maxSpans)
	}
	// Filling the gaps merges the ranges; the byte that found no room stays
	// a gap until it is written again.
	for i := range maxSpans + 2 {
		b.Write(uint64(2*i), []byte{'x'})
	}
	if got, want := len(b.Prefix()), 2*maxSpans+1; got != want {
		t.Fatalf("got %d-byte prefix, want %d", got, want)
	}
	b.Write(2*maxSpans+1, []byte{'x'})
	if got, want := b.Prefix(), bytes.Repeat([]byte{'x'}, 2*maxSpans+3); !bytes.Equal(got, want) {
		t.Errorf("got %d-byte prefix, want %d", len(got), len(want))
	}
}

func TestHandshakeBufferReuse(t *testing.T) {
	var b HandshakeBuffer
	b.Reset(100)
	b.Write(0, []byte("stale data"))
	b.Reset(100)
	b.Write(4, []byte("x"))
	if p := b.Prefix(); p != nil {
		t.Errorf("got prefix %q after Reset, want none", p)
	}
	var zero HandshakeBuffer
	zero.Write(0, []byte("x"))
	if p := zero.Prefix(); p != nil {
		t.Errorf("zero value accepted %q, want nothing before Reset", p)
	}
}
