package trailsync

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/collector"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/store/storetest"
	"github.com/spoorsec/spoor/tenant"
)

// testStore is the embedded store of the test binary (one engine per
// process); tests isolate themselves by tenant.
var testStore *store.Store

func TestMain(m *testing.M) {
	os.Exit(storetest.Main(m, "trailsync", store.Options{Logger: quiet}, func(s *store.Store) { testStore = s }))
}

var quiet = slog.New(slog.DiscardHandler)

var tenantSeq atomic.Int64

// enrolled is a tenant with one sensor.
type enrolled struct {
	tenant tenant.ID
	token  string
}

func enroll(tb testing.TB) enrolled {
	tb.Helper()
	ctx := context.Background()
	t := tenant.MustNew(fmt.Sprintf("ts%d-%d", time.Now().UnixNano()%1e6, tenantSeq.Add(1)))
	if err := testStore.PutTenant(ctx, store.Tenant{ID: t, Name: "Test " + string(t)}); err != nil {
		tb.Fatal(err)
	}
	tok, err := token.New(token.Sensor)
	if err != nil {
		tb.Fatal(err)
	}
	id, err := token.NewID("s")
	if err != nil {
		tb.Fatal(err)
	}
	if err := testStore.PutSensor(ctx, t, store.Sensor{ID: id, Name: "sensor-" + id, TokenHash: token.Hash(tok)}); err != nil {
		tb.Fatal(err)
	}
	return enrolled{tenant: t, token: tok}
}

// testCollector is a real collector serving trails from a CSV file.
type testCollector struct {
	c   *collector.Collector
	url string
	tls *tls.Config
	csv string
}

// startCollector serves csvRows as the global set (none when empty), and the
// store's overlays.
func startCollector(tb testing.TB, csvRows ...string) *testCollector {
	tb.Helper()
	tc := &testCollector{}
	cfg := collector.Config{Listen: "127.0.0.1:0", UDPListen: "off", TrailsCheck: 20 * time.Millisecond, OverlayTTL: time.Millisecond}
	if len(csvRows) > 0 {
		tc.csv = filepath.Join(tb.TempDir(), "trails.csv")
		writeCSV(tb, tc.csv, csvRows...)
		cfg.Trails = tc.csv
	}
	c, err := collector.New(cfg, testStore, collector.Options{TrailStore: testStore, Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.Start(); err != nil {
		tb.Fatal(err)
	}
	tc.c = c
	tb.Cleanup(func() { tc.stop(tb) })
	tc.url = "https://" + c.Addr().String()
	tc.tls = startCollectorTLS(tb, c)
	return tc
}

// startCollectorTLS trusts c's self-signed certificate.
func startCollectorTLS(tb testing.TB, c *collector.Collector) *tls.Config {
	tb.Helper()
	cert, err := x509.ParseCertificate(c.Certificate().Certificate[0])
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

func (tc *testCollector) stop(tb testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tc.c.Shutdown(ctx); err != nil {
		tb.Errorf("collector shutdown: %v", err)
	}
}

// writeCSV replaces path with rows, a newer modification time included
// (the collector notices changes by size and time).
func writeCSV(tb testing.TB, path string, rows ...string) {
	tb.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
	later := time.Now().Add(time.Duration(tenantSeq.Add(1)) * time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		tb.Fatal(err)
	}
}

// csvRows returns n static trails n-0.example ... plus extra.
func csvRows(n int, extra ...string) []string {
	rows := make([]string, 0, n+len(extra))
	for i := range n {
		rows = append(rows, fmt.Sprintf("n-%d.example,malware (test),(static)", i))
	}
	return append(rows, extra...)
}
