package collector

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/ingest"
)

// datagram signs events for sensor e with header fields tweaked by h.
func datagram(tb testing.TB, e enrolled, seq uint64, at time.Time, declared string, evs []event.Event) []byte {
	tb.Helper()
	key, err := token.DecodeUDPKey(e.sensor.UDPKey)
	if err != nil {
		tb.Fatal(err)
	}
	var b ingest.Builder
	for i := range evs {
		b.Add(&evs[i])
	}
	return ingest.AppendDatagram(nil, &ingest.DatagramHeader{KeyID: e.sensor.UDPKeyID, Seq: seq, Time: at, Tenant: declared}, &b, key)
}

func sendUDP(tb testing.TB, c *Collector, datagrams ...[]byte) {
	tb.Helper()
	conn, err := net.Dial("udp", c.UDPAddr().String())
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	for _, d := range datagrams {
		if _, err := conn.Write(d); err != nil {
			tb.Fatal(err)
		}
	}
}

// waitStored polls until tenant t has n events or the deadline passes.
func waitStored(tb testing.TB, e enrolled, n int) int {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := len(stored(tb, e.tenant))
		if got >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestUDPIngest(t *testing.T) {
	c := startCollector(t, Config{UDPLinger: 50 * time.Millisecond}, Options{})
	e, other := enroll(t), enroll(t)
	now := time.Now()
	evs := testEvents("u", 40)
	var good [][]byte
	for i := 0; i < 10; i++ {
		good = append(good, datagram(t, e, uint64(1000+i), now, string(e.tenant), evs[i*4:i*4+4]))
	}
	forgedKey := e
	_, forgedKey.sensor.UDPKey, _ = token.NewUDPKey()
	unknown := e
	unknown.sensor.UDPKeyID = "k-nobody"
	flipped := append([]byte(nil), good[0]...)
	flipped[len(flipped)-40] ^= 1
	bad := map[string][]byte{
		ReasonForged:                   datagram(t, forgedKey, 5000, now, "", evs[:1]),
		ReasonUnknownKey:               datagram(t, unknown, 5001, now, "", evs[:1]),
		ReasonStale:                    datagram(t, e, 5002, now.Add(-5*time.Minute), "", evs[:1]),
		ReasonTenantMismatch:           datagram(t, e, 5003, now, string(other.tenant), evs[:1]),
		string(ingest.ReasonMalformed): []byte("not a datagram at all, not even close to one"),
	}
	sendUDP(t, c, good...)
	sendUDP(t, c, good[3], good[7]) // replays
	sendUDP(t, c, flipped)
	for _, d := range bad {
		sendUDP(t, c, d)
	}
	if got := waitStored(t, e, 40); got != 40 {
		t.Fatalf("stored %d events, want 40", got)
	}
	time.Sleep(200 * time.Millisecond) // let anything wrongly accepted land too
	if got := len(stored(t, e.tenant)); got != 40 {
		t.Errorf("stored %d events after replays and forgeries, want 40", got)
	}
	if got := len(stored(t, other.tenant)); got != 0 {
		t.Errorf("other tenant got %d events, want 0", got)
	}
	m := scrape(t, clientFor(t, c), c)
	want := map[string]int{ReasonReplayed: 2, ReasonForged: 2, ReasonUnknownKey: 1, ReasonStale: 1, ReasonTenantMismatch: 1, string(ingest.ReasonMalformed): 1}
	for reason, n := range want {
		line := fmt.Sprintf(`spoor_ingest_rejected_total{reason=%q,transport="udp"} %d`, reason, n)
		if !strings.Contains(m, line) {
			t.Errorf("/metrics has no %s:\n%s", line, grepLines(m, `transport="udp"`))
		}
	}
	if !strings.Contains(m, `spoor_ingest_events_total{transport="udp"} 40`) {
		t.Errorf("/metrics: %s, want 40 UDP events", grepLines(m, "spoor_ingest_events_total"))
	}
}

func TestUDPShutdownStoresPending(t *testing.T) {
	c, err := New(Config{Listen: "127.0.0.1:0", UDPListen: "127.0.0.1:0", UDPLinger: time.Hour}, testStore, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	e := enroll(t)
	sendUDP(t, c, datagram(t, e, 1, time.Now(), "", testEvents("p", 25)))
	time.Sleep(200 * time.Millisecond) // received, waiting for its hour
	if got := len(stored(t, e.tenant)); got != 0 {
		t.Fatalf("stored %d events before the linger, want 0", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(stored(t, e.tenant)); got != 25 {
		t.Errorf("after shutdown: %d events stored, want 25", got)
	}
}

func TestReplayWindow(t *testing.T) {
	var w replayWindow
	steps := []struct {
		seq  uint64
		want bool
	}{
		{100, true}, {100, false}, {99, true}, {99, false}, {101, true}, {50, true}, {100 + replayWindowBits, true},
		{101, false}, // now outside the window
		{100 + replayWindowBits - 5, true}, {100 + replayWindowBits - 5, false},
		{1 << 40, true}, {1<<40 - 1, true}, {1<<40 - replayWindowBits, false},
	}
	for i, s := range steps {
		if got := w.accept(s.seq); got != s.want {
			t.Errorf("step %d: accept(%d) = %v, want %v", i, s.seq, got, s.want)
		}
	}
}
