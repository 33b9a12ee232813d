package ship

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/spoorsec/spoor/collector"
	"github.com/spoorsec/spoor/ingest"
)

func newShipper(tb testing.TB, o Options) *Shipper {
	tb.Helper()
	if o.MinBackoff == 0 {
		o.MinBackoff, o.MaxBackoff = 20*time.Millisecond, 200*time.Millisecond
	}
	if o.Linger == 0 {
		o.Linger = 50 * time.Millisecond
	}
	o.Logger = quiet
	s, err := New(o)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func flush(tb testing.TB, s *Shipper, d time.Duration) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		tb.Fatalf("Flush: %v (stats %+v)", err, s.Stats())
	}
}

func TestShipperDelivers(t *testing.T) {
	tlsDir := t.TempDir()
	addr := freeAddr(t)
	startCollector(t, addr, tlsDir, collector.Config{})
	sc := enroll(t)
	for _, enc := range []ingest.Encoding{ingest.Zstd, ingest.Gzip} {
		t.Run(string(enc), func(t *testing.T) {
			s := newShipper(t, Options{URL: "https://" + addr, Token: sc.token, Tenant: string(sc.tenant), TLS: tlsFor(t, tlsDir),
				SpoolDir: t.TempDir(), BatchEvents: 1000, Encoding: enc})
			defer s.Close()
			for i := 0; i < 2500; i++ {
				e := testEvent(string(enc), i)
				if err := s.Write(&e); err != nil {
					t.Fatal(err)
				}
			}
			flush(t, s, 30*time.Second)
			st := s.Stats()
			if st.Events != 2500 || st.Acked != 2500 || st.AckedBatches != 3 || st.Dropped != 0 || st.Spool.Records != 0 {
				t.Errorf("stats %+v: want 2500 events acknowledged in 3 batches, none dropped or left", st)
			}
		})
	}
	got := storedTrails(t, sc.tenant)
	if len(got) != 5000 {
		t.Errorf("stored %d distinct trails, want 5000", len(got))
	}
}

// TestShipperSurvivesOutage writes while the collector is down, keeps
// writing while it comes up, and checks every event arrives exactly once.
func TestShipperSurvivesOutage(t *testing.T) {
	tlsDir := t.TempDir()
	tlsCfg := tlsFor(t, tlsDir)
	addr := freeAddr(t)
	sc := enroll(t)
	s := newShipper(t, Options{URL: "https://" + addr, Token: sc.token, TLS: tlsCfg, SpoolDir: t.TempDir(), BatchEvents: 500, Overflow: Block})
	defer s.Close()
	for i := 0; i < 3000; i++ {
		e := testEvent("o", i)
		s.Write(&e)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Stats().Retries < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if st := s.Stats(); st.Retries < 3 || st.Acked != 0 || st.Spooled != 3000 {
		t.Fatalf("collector down: stats %+v, want retries, nothing acknowledged, everything spooled", st)
	}
	startCollector(t, addr, tlsDir, collector.Config{})
	for i := 3000; i < 4000; i++ {
		e := testEvent("o", i)
		s.Write(&e)
	}
	flush(t, s, 30*time.Second)
	checkExactlyOnce(t, storedTrails(t, sc.tenant), "o", 4000)
}

func TestShipperResumesSpool(t *testing.T) {
	tlsDir := t.TempDir()
	tlsCfg := tlsFor(t, tlsDir)
	addr, spool := freeAddr(t), t.TempDir()
	sc := enroll(t)
	o := Options{URL: "https://" + addr, Token: sc.token, TLS: tlsCfg, SpoolDir: spool, BatchEvents: 300}
	s := newShipper(t, o)
	for i := 0; i < 1000; i++ {
		e := testEvent("r", i)
		s.Write(&e)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	startCollector(t, addr, tlsDir, collector.Config{})
	s = newShipper(t, o)
	defer s.Close()
	if st := s.Stats(); st.Spool.Records != 4 {
		t.Errorf("reopened spool holds %d batches, want 4", st.Spool.Records)
	}
	flush(t, s, 30*time.Second)
	checkExactlyOnce(t, storedTrails(t, sc.tenant), "r", 1000)
}

func TestShipperDropsWhenFull(t *testing.T) {
	sc := enroll(t)
	s := newShipper(t, Options{URL: "https://" + freeAddr(t), Token: sc.token, SpoolDir: t.TempDir(), SpoolBytes: 64 << 10,
		BatchEvents: 100, Encoding: ingest.Identity, Overflow: Drop, Queue: 1})
	start := time.Now()
	for i := 0; i < 20_000; i++ {
		e := testEvent("d", i)
		s.Write(&e)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("20,000 writes with nowhere to go took %v: Write blocks", took)
	}
	s.Close()
	st := s.Stats()
	if st.Dropped == 0 || st.Spooled == 0 || st.Spooled+st.Dropped != st.Events {
		t.Errorf("stats %+v: want some spooled, some dropped, adding up to the events written", st)
	}
	if st.Spool.DiskBytes > 64<<10 {
		t.Errorf("spool holds %d bytes, bound %d", st.Spool.DiskBytes, 64<<10)
	}
}

func TestShipperGivesUpOnRefusedBatch(t *testing.T) {
	tlsDir := t.TempDir()
	addr := freeAddr(t)
	startCollector(t, addr, tlsDir, collector.Config{MaxFuture: time.Minute})
	sc := enroll(t)
	s := newShipper(t, Options{URL: "https://" + addr, Token: sc.token, TLS: tlsFor(t, tlsDir), SpoolDir: t.TempDir(), BatchEvents: 10})
	defer s.Close()
	for i := 0; i < 20; i++ {
		e := testEvent("x", i)
		if i >= 10 {
			e.Time = time.Now().Add(time.Hour) // refused: 422
		}
		s.Write(&e)
	}
	flush(t, s, 30*time.Second)
	if st := s.Stats(); st.Acked != 10 || st.Rejected != 10 {
		t.Errorf("stats %+v: want 10 acknowledged, 10 rejected", st)
	}
}

func TestShipperRetriesUnauthorized(t *testing.T) {
	tlsDir := t.TempDir()
	addr := freeAddr(t)
	startCollector(t, addr, tlsDir, collector.Config{})
	s := newShipper(t, Options{URL: "https://" + addr, Token: "spoor_s_" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		TLS: tlsFor(t, tlsDir), SpoolDir: t.TempDir()})
	defer s.Close()
	e := testEvent("u", 0)
	s.Write(&e)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := s.Flush(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Flush with an unknown token: %v, want the deadline (kept and retried)", err)
	}
	if st := s.Stats(); st.Rejected != 0 || st.Retries == 0 || st.Spool.Records != 1 {
		t.Errorf("stats %+v: want the batch kept in the spool and retried", st)
	}
}

func TestShipperWriteAllocs(t *testing.T) {
	sc := enroll(t)
	s := newShipper(t, Options{URL: "https://" + freeAddr(t), Token: sc.token, SpoolDir: t.TempDir(), BatchEvents: 100_000, Linger: time.Hour})
	defer s.Close()
	e := testEvent("a", 0)
	e.Context.HTTPURI = "/valid" // invalid UTF-8 is replaced, which allocates
	for i := 0; i < 1000; i++ {
		s.Write(&e)
	}
	if n := testing.AllocsPerRun(1000, func() { s.Write(&e) }); n != 0 {
		t.Errorf("Write allocates %v times per event, want 0", n)
	}
}

func TestIngestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://c.example:8443", "https://c.example:8443/api/v1/ingest"},
		{"https://c.example:8443/", "https://c.example:8443/api/v1/ingest"},
		{"https://c.example/custom/path", "https://c.example/custom/path"},
		{"http://c.example", ""}, {"c.example:8443", ""}, {"https://", ""},
	}
	for _, tt := range tests {
		got, err := IngestURL(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("IngestURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestUDPSender(t *testing.T) {
	addr := freeAddr(t)
	startCollector(t, addr, t.TempDir(), collector.Config{UDPLinger: 50 * time.Millisecond})
	sc := enroll(t)
	u, err := NewUDP(UDPOptions{Addr: "udp://" + addr, KeyID: sc.udpKeyID, Key: sc.udpKey, Tenant: string(sc.tenant), Linger: 20 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500; i++ {
		e := testEvent("udp", i)
		if err := u.Write(&e); err != nil {
			t.Fatal(err)
		}
	}
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	var all ingest.Builder
	for i := 0; i < 500; i++ {
		e := testEvent("udp", i)
		all.Add(&e)
	}
	st := u.Stats()
	if min := uint64(all.Size()/1400 + 1); st.Datagrams < min || st.Datagrams > 100 || st.SendErrors != 0 {
		t.Errorf("stats %+v: want %d bytes of events in %d to 100 datagrams of at most 1400 bytes, no errors", st, all.Size(), min)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(storedTrails(t, sc.tenant)) < 500 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	checkExactlyOnce(t, storedTrails(t, sc.tenant), "udp", 500)
	if _, err := NewUDP(UDPOptions{Addr: addr, KeyID: sc.udpKeyID, Key: "short"}); err == nil {
		t.Error("NewUDP with a malformed key: nil error")
	}
}

// TestShipperCloseWithFullSpool closes a blocking shipper whose spool is
// full and whose collector is gone: Close returns, dropping (and
// counting) what did not fit, and the blocked writer is released.
func TestShipperCloseWithFullSpool(t *testing.T) {
	sc := enroll(t)
	s := newShipper(t, Options{URL: "https://" + freeAddr(t), Token: sc.token, SpoolDir: t.TempDir(), SpoolBytes: 32 << 10,
		BatchEvents: 50, Encoding: ingest.Identity, Overflow: Block, Queue: 1})
	wrote := make(chan int, 1)
	go func() {
		n := 0
		for ; n < 100_000; n++ {
			e := testEvent("c", n)
			if s.Write(&e) != nil {
				break
			}
		}
		wrote <- n
	}()
	deadline := time.Now().Add(5 * time.Second)
	for s.Stats().Spool.DiskBytes < 24<<10 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close blocked on a full spool")
	}
	<-wrote
	st := s.Stats()
	if st.Dropped == 0 || st.Spooled+st.Dropped != st.Events {
		t.Errorf("stats %+v: want the batches that did not fit dropped, spooled + dropped = written", st)
	}
}
