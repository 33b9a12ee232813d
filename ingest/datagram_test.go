package ingest

import (
	"bytes"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func testDatagram(tb testing.TB, evs []event.Event) []byte {
	tb.Helper()
	var bld Builder
	for i := range evs {
		bld.Add(&evs[i])
	}
	h := &DatagramHeader{KeyID: "k0011223344556677", Seq: 42, Time: time.UnixMicro(1_704_931_200_000_001), Tenant: "acme"}
	return AppendDatagram(nil, h, &bld, testKey)
}

func TestDatagramRoundTrip(t *testing.T) {
	evs := demoEvents(t)[:5]
	data := testDatagram(t, evs)
	d, err := ParseDatagram(data)
	if err != nil {
		t.Fatal(err)
	}
	if d.KeyID != "k0011223344556677" || d.Seq != 42 || d.Time.UnixMicro() != 1_704_931_200_000_001 || d.Tenant != "acme" {
		t.Errorf("header: got %+v", d.DatagramHeader)
	}
	if !NewVerifier(testKey).Verify(&d) {
		t.Fatal("Verify with the signing key: false, want true")
	}
	got, err := d.DecodeEvents(100, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := eventsEqual(got, evs); err != nil {
		t.Error(err)
	}
	var bld Builder
	for i := range evs {
		bld.Add(&evs[i])
	}
	if max := DatagramOverhead(&d.DatagramHeader) + bld.Size(); len(data) > max {
		t.Errorf("datagram of %d bytes exceeds DatagramOverhead + events = %d", len(data), max)
	}
}

func TestDatagramForgery(t *testing.T) {
	data := testDatagram(t, demoEvents(t)[:3])
	v := NewVerifier(testKey)
	for i := range data {
		forged := append([]byte(nil), data...)
		forged[i] ^= 0x01
		d, err := ParseDatagram(forged)
		if err != nil {
			continue // refused before verification: fine
		}
		if v.Verify(&d) {
			t.Fatalf("datagram with byte %d flipped verifies", i)
		}
	}
	d, _ := ParseDatagram(data)
	if NewVerifier(bytes.Repeat([]byte{1}, 32)).Verify(&d) {
		t.Error("datagram verifies with another key")
	}
}

func TestParseDatagramRefuses(t *testing.T) {
	good := testDatagram(t, demoEvents(t)[:1])
	tests := []struct {
		name   string
		data   []byte
		reason Reason
	}{
		{"empty", nil, ReasonMalformed},
		{"short", good[:20], ReasonMalformed},
		{"batch magic", append([]byte{'S', 'P', 'B', 1}, good[4:]...), ReasonMalformed},
		{"version", append([]byte{'S', 'P', 'U', 9}, good[4:]...), ReasonVersion},
		{"empty key id", append(append([]byte{'S', 'P', 'U', 1, 0}, make([]byte, 16)...), make([]byte, MacLen)...), ReasonBadValue},
		{"header cut", append(append([]byte{'S', 'P', 'U', 1, 1, 'k'}, make([]byte, 10)...), make([]byte, MacLen)...), ReasonTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDatagram(tt.data)
			if got := ReasonOf(err); got != tt.reason {
				t.Errorf("ParseDatagram: reason %q (%v), want %q", got, err, tt.reason)
			}
		})
	}
}

func TestVerifyZeroAlloc(t *testing.T) {
	data := testDatagram(t, demoEvents(t)[:5])
	v := NewVerifier(testKey)
	var evs []event.Event
	n := testing.AllocsPerRun(100, func() {
		d, err := ParseDatagram(data)
		if err != nil || !v.Verify(&d) {
			t.Fatal("bad datagram")
		}
		evs, _ = d.DecodeEvents(100, evs)
	})
	if n != 0 {
		t.Errorf("parsing, verifying and decoding a datagram allocates %v times, want 0", n)
	}
}

func FuzzUDPDatagram(f *testing.F) {
	evs := demoEvents(f)
	for i := 0; i < len(evs); i += 400 {
		f.Add(testDatagram(f, evs[i:i+3]))
	}
	f.Add(testDatagram(f, nil))
	v := NewVerifier(testKey)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDatagram(data)
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		// Decoding must be safe even unverified (the collector never does
		// that, but a bug must not turn into a crash).
		evs, err := d.DecodeEvents(100, nil)
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		v.Verify(&d)
		// Re-signing what was decoded gives a datagram that verifies and
		// decodes to the same events.
		var bld Builder
		for i := range evs {
			bld.Add(&evs[i])
		}
		again, err := ParseDatagram(AppendDatagram(nil, &d.DatagramHeader, &bld, testKey))
		if err != nil || !v.Verify(&again) {
			t.Fatalf("re-signed datagram refused: %v", err)
		}
		evs2, err := again.DecodeEvents(100, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := eventsEqual(evs2, evs); err != nil {
			t.Fatal(err)
		}
	})
}
