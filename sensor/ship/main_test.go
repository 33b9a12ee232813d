package ship

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spoorsec/spoor/store/storetest"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/collector"
	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// testStore is the embedded store the package's collectors share (one
// engine per process).
var testStore *store.Store

func TestMain(m *testing.M) {
	os.Exit(storetest.Main(m, "ship", store.Options{Logger: quiet}, func(s *store.Store) { testStore = s }))
}

var tenantSeq atomic.Int64

// quiet discards the logs of the components under test.
var quiet = slog.New(slog.DiscardHandler)

// sensorCreds is an enrolled sensor.
type sensorCreds struct {
	tenant           tenant.ID
	id, token        string
	udpKeyID, udpKey string
}

func enroll(tb testing.TB) sensorCreds {
	tb.Helper()
	ctx := context.Background()
	t := tenant.MustNew(fmt.Sprintf("ship%d-%d", time.Now().UnixNano()%1e6, tenantSeq.Add(1)))
	if err := testStore.PutTenant(ctx, store.Tenant{ID: t, Name: string(t)}); err != nil {
		tb.Fatal(err)
	}
	tok, _ := token.New(token.Sensor)
	kid, key, _ := token.NewUDPKey()
	if err := testStore.PutSensor(ctx, t, store.Sensor{ID: "s1", Name: "s1", TokenHash: token.Hash(tok), UDPKeyID: kid, UDPKey: key}); err != nil {
		tb.Fatal(err)
	}
	return sensorCreds{tenant: t, id: "s1", token: tok, udpKeyID: kid, udpKey: key}
}

// freeAddr returns a loopback address nothing listens on (yet).
func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startCollector serves on addr (TCP and UDP) with a certificate kept in
// tlsDir, so a restarted collector has the same one.
func startCollector(tb testing.TB, addr, tlsDir string, cfg collector.Config) *collector.Collector {
	tb.Helper()
	cfg.Listen, cfg.TLSDir = addr, tlsDir
	if cfg.UDPListen == "" {
		cfg.UDPListen = addr
	}
	c, err := collector.New(cfg, testStore, collector.Options{Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { stopCollector(tb, c) })
	return c
}

func stopCollector(tb testing.TB, c *collector.Collector) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Shutdown(ctx); err != nil {
		tb.Errorf("collector shutdown: %v", err)
	}
}

// tlsFor trusts the self-signed certificate in tlsDir, creating it first
// if needed (as the collector would).
func tlsFor(tb testing.TB, tlsDir string) *tls.Config {
	tb.Helper()
	path := filepath.Join(tlsDir, collector.SelfSignedCert)
	if _, err := os.Stat(path); err != nil {
		// Make the certificate now by starting and stopping a collector.
		c := startCollector(tb, freeAddr(tb), tlsDir, collector.Config{UDPListen: "off"})
		stopCollector(tb, c)
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &tls.Config{RootCAs: pool}
}

func testEvent(tag string, i int) event.Event {
	return event.Event{Time: time.Now(), Sensor: "edge", SrcIP: "10.0.0.1", SrcPort: "1234", DstIP: "192.0.2.1", DstPort: "80",
		Proto: "TCP", Type: event.TypeURL, Trail: fmt.Sprintf("%s-%d", tag, i), Info: "malware", Reference: "(static)",
		Context: event.Context{HTTPMethod: "GET", HTTPHost: "evil.example", HTTPURI: "/x\xff"}}
}

// storedTrails returns tenant t's stored trails with their multiplicity.
func storedTrails(tb testing.TB, t tenant.ID) map[string]int {
	tb.Helper()
	ctx := context.Background()
	days, err := testStore.CountsPerDay(ctx, t, time.Now().Add(-48*time.Hour), time.Now().Add(48*time.Hour))
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]int{}
	for _, d := range days {
		var cur store.Cursor
		for {
			page, err := testStore.DayEvents(ctx, t, d.Day, cur, store.MaxPageSize)
			if err != nil {
				tb.Fatal(err)
			}
			for _, e := range page.Events {
				out[e.Trail]++
			}
			if page.Done {
				break
			}
			cur = page.Next
		}
	}
	return out
}

// checkExactlyOnce fails unless trails tag-0..tag-(n-1) are each stored
// once and nothing else is.
func checkExactlyOnce(tb testing.TB, got map[string]int, tag string, n int) {
	tb.Helper()
	missing, dup := 0, 0
	for i := 0; i < n; i++ {
		switch got[fmt.Sprintf("%s-%d", tag, i)] {
		case 0:
			missing++
		case 1:
		default:
			dup++
		}
	}
	if missing > 0 || dup > 0 || len(got) != n {
		tb.Fatalf("stored %d distinct trails: %d of %d missing, %d duplicated; want each exactly once", len(got), missing, n, dup)
	}
}
