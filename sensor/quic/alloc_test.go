package quic

import (
	"fmt"
	"github.com/spoorsec/spoor/sensor/quic/quictest"
	"testing"

	"github.com/spoorsec/spoor/sensor/tlshello"
)

func TestAllocs(t *testing.T) {
	var c tlshello.ClientHello
	rfc := quictest.Bytes(quictest.ClientInitialV1)

	// A connection with state: the second half of a hello arrived first,
	// and arrives again.
	_, _, second := twoPacketHello(t, version1, []byte("tracked!"), 3)
	tracked := NewParser(4)
	tracked.Initial(second, 1, &c)
	if tracked.Len() != 1 {
		t.Fatalf("got %d connections, want 1", tracked.Len())
	}
	http := []byte("GET / HTTP/1.1")

	// New connection IDs every time.
	var fresh [][]byte
	for i := range 16 {
		dcid := []byte(fmt.Sprintf("dcid-%03d", i))
		fresh = append(fresh, sealInitial(t, initialSpec{dcid: dcid, payload: padded(cryptoFrame(0, quictest.Bytes(quictest.CryptoFrame)[4:]))}))
	}
	next := 0

	p := NewParser(4)
	tests := []struct {
		name string
		f    func()
		max  float64
	}{
		{"repeated single-packet hello", func() { p.Initial(rfc, 1, &c) }, 0},
		{"packet of a known connection", func() { tracked.Initial(second, 1, &c) }, 0},
		{"not QUIC", func() { p.Initial(http, 1, &c) }, 0},
		// Key derivation for an unseen connection: two AES instances and a GCM.
		{"unseen connection", func() { p.Initial(fresh[next%len(fresh)], 1, &c); next++ }, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := testing.AllocsPerRun(100, tt.f)
			t.Logf("%v allocations per run", n)
			if n > tt.max {
				t.Errorf("got %v allocations per run, want at most %v", n, tt.max)
			}
		})
	}
}
