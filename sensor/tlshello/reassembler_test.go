package tlshello

import (
	"bytes"
	"crypto/sha1"
	"net/netip"
	"testing"
)

var (
	clientKey = FlowKey{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.51.100.7"), 50000, 443}
	serverKey = FlowKey{clientKey.Dst, clientKey.Src, 443, 50000}
)

// seg is a segment of stream: bytes [lo, hi) sent at sequence isn+lo.
type seg struct{ lo, hi int }

// splitAt cuts [0, n) at the given offsets.
func splitAt(n int, cuts ...int) []seg {
	var out []seg
	lo := 0
	for _, c := range cuts {
		out = append(out, seg{lo, c})
		lo = c
	}
	return append(out, seg{lo, n})
}

func TestReassemblerClientHello(t *testing.T) {
	stream := recordsOf(specHello(specSigAlgs), 100)
	n := len(stream)
	const isn = 0xffffff00 // sequence numbers wrap inside the hello
	tests := []struct {
		name     string
		segs     []seg
		doneAt   int // index of the segment that completes the hello
		maxBytes int
	}{
		{"two segments", splitAt(n, 60), 1, 1 << 14},
		{"many small segments", splitAt(n, 1, 5, 6, 80, 150, 151, 200), 7, 1 << 14},
		{"out of order after the first segment", []seg{{0, 60}, {150, n}, {60, 150}}, 2, 1 << 14},
		{"retransmissions and overlaps", []seg{{0, 60}, {0, 60}, {40, 100}, {100, 150}, {60, 120}, {150, n}}, 5, 1 << 14},
		{"limit exactly the hello size", splitAt(n, 60), 1, n},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReassembler(4, tt.maxBytes)
			for i, s := range tt.segs {
				data, done := r.Add(clientKey, isn+uint32(s.lo), stream[s.lo:s.hi], 100)
				if done != (i == tt.doneAt) {
					t.Fatalf("segment %d: got done=%v, want %v", i, done, i == tt.doneAt)
				}
				if done && !bytes.Equal(data, stream) {
					t.Fatalf("got %d bytes, want the %d-byte stream", len(data), n)
				}
			}
			if r.Len() != 0 {
				t.Errorf("got %d flows after completion, want 0", r.Len())
			}
			var c ClientHello
			if err := ParseRecords(stream, &c); err != nil || string(c.SNI) != "example.com" {
				t.Errorf("parsing the stream: got %v, SNI %q", err, c.SNI)
			}
		})
	}
}

func TestReassemblerSingleSegment(t *testing.T) {
	stream := recordsOf(specHello(specSigAlgs))
	r := NewReassembler(4, 1<<14)
	data, done := r.Add(clientKey, 1, stream, 100)
	if !done || &data[0] != &stream[0] || len(data) != len(stream) {
		t.Fatalf("got done=%v, %d bytes, want the payload itself", done, len(data))
	}
	if r.Len() != 0 {
		t.Errorf("got %d flows, want none kept for a complete segment", r.Len())
	}
}

func TestReassemblerIgnores(t *testing.T) {
	hello := specHello(specSigAlgs)
	tests := []struct {
		name    string
		payload []byte
	}{
		{"empty", nil},
		{"HTTP", []byte("GET / HTTP/1.1\r\n")},
		{"application data", []byte{23, 3, 3, 0, 40}},
		{"ClientKeyExchange record", recordsOf(cat([]byte{16}, u24(100), make([]byte, 40)))},
		{"bad record version", cat([]byte{22, 9, 9}, u16(500), hello[:40])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReassembler(4, 1<<14)
			if _, done := r.Add(clientKey, 1, tt.payload, 100); done || r.Len() != 0 {
				t.Errorf("got done=%v and %d flows, want nothing kept", done, r.Len())
			}
		})
	}
}

func TestReassemblerGivesUp(t *testing.T) {
	stream := recordsOf(specHello(specSigAlgs))
	t.Run("hello larger than maxBytes", func(t *testing.T) {
		r := NewReassembler(4, 100)
		r.Add(clientKey, 0, stream[:60], 100)
		if _, done := r.Add(clientKey, 60, stream[60:], 100); done || r.Len() != 0 {
			t.Errorf("got done=%v and %d flows, want the flow released", done, r.Len())
		}
	})
	t.Run("malformed continuation", func(t *testing.T) {
		r := NewReassembler(4, 1<<14)
		r.Add(clientKey, 0, stream[:3], 100)
		if _, done := r.Add(clientKey, 3, []byte{0xff, 0xff, 1, 0, 0}, 100); done || r.Len() != 0 {
			t.Errorf("got done=%v and %d flows, want the flow released", done, r.Len())
		}
	})
	t.Run("idle past the timeout", func(t *testing.T) {
		r := NewReassembler(4, 1<<14)
		r.Add(clientKey, 0, stream[:60], 100)
		if _, done := r.Add(clientKey, 60, stream[60:], 100+FlowTimeoutSec+1); done {
			t.Error("got done=true, want the stale flow expired first")
		}
		if r.Len() != 0 {
			t.Errorf("got %d flows, want 0", r.Len())
		}
	})
	t.Run("least recently used evicted", func(t *testing.T) {
		r := NewReassembler(2, 1<<14)
		keys := []FlowKey{clientKey, clientKey, clientKey}
		for i := range keys {
			keys[i].SrcPort += uint16(i)
		}
		r.Add(keys[0], 0, stream[:60], 100)
		r.Add(keys[1], 0, stream[:60], 100)
		r.Add(keys[0], 0, stream[:60], 101) // retransmission: now 1 is least recent
		r.Add(keys[2], 0, stream[:60], 102) // evicts 1
		if r.Len() != 2 {
			t.Fatalf("got %d flows, want 2", r.Len())
		}
		for _, tc := range []struct {
			flow int
			want bool
		}{{0, true}, {2, true}, {1, false}} {
			if _, done := r.Add(keys[tc.flow], 60, stream[60:], 103); done != tc.want {
				t.Errorf("flow %d: got done=%v, want %v", tc.flow, done, tc.want)
			}
		}
	})
}

func TestReassemblerServerFlight(t *testing.T) {
	leaf := bytes.Repeat([]byte{0x30, 0x82}, 900)
	want := sha1.Sum(leaf)
	full := recordsOf(cat(serverFlight(leaf, []byte{1, 2, 3}), []byte{typeServerHelloDone, 0, 0, 0}), 1000)
	// The leaf ends at handshake offset 42 (ServerHello) + 4 + 3 + 3 + len;
	// two record headers precede it.
	leafEnd := 10 + 52 + len(leaf)

	r := NewReassembler(4, 1<<14)
	if _, done := r.Add(serverKey, 7, full[:1400], 100); done {
		t.Fatal("done before the leaf certificate arrived")
	}
	data, done := r.Add(serverKey, 7+1400, full[1400:leafEnd], 100)
	if !done {
		t.Fatal("not done once the leaf certificate is complete")
	}
	if got, ok := ServerCertificateSHA1(data); !ok || got != want {
		t.Errorf("got %x %v, want %x", got, ok, want)
	}

	// TLS 1.3: nothing to wait for after ServerHello.
	tls13 := cat(recordsOf(serverFlight()[:42]), []byte{20, 3, 3, 0, 1, 1, 23, 3, 3, 0, 2, 0, 0})
	if _, done := r.Add(serverKey, 1, tls13, 101); !done || r.Len() != 0 {
		t.Errorf("TLS 1.3 ServerHello: got done=%v and %d flows, want done without state", done, r.Len())
	}
}

// Segments that precede the first one seen cannot be placed: the flow's
// start is unknown until a segment starting a handshake record arrives.
func TestReassemblerNeedsFirstSegmentFirst(t *testing.T) {
	stream := recordsOf(specHello(specSigAlgs))
	r := NewReassembler(4, 1<<14)
	r.Add(clientKey, 60, stream[60:], 100)
	if _, done := r.Add(clientKey, 0, stream[:60], 100); done {
		t.Fatal("got done=true, want the earlier tail forgotten")
	}
	if _, done := r.Add(clientKey, 60, stream[60:], 100); !done {
		t.Error("retransmitted tail did not complete the hello")
	}
}
