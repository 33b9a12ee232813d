package collector

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spoorsec/spoor/store/storetest"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/ingest"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// testStore is the embedded store every test of the package shares: one
// engine per process.
var testStore *store.Store

func TestMain(m *testing.M) {
	os.Exit(storetest.Main(m, "collector", store.Options{Logger: quiet}, func(s *store.Store) { testStore = s }))
}

var tenantSeq atomic.Int64

// quiet discards the logs of the components under test.
var quiet = slog.New(slog.DiscardHandler)

// enrolled is a tenant with one enrolled sensor.
type enrolled struct {
	tenant tenant.ID
	sensor store.Sensor
	token  string
}

// enroll creates a tenant and a sensor with a token and a UDP key.
func enroll(tb testing.TB) enrolled {
	tb.Helper()
	ctx := context.Background()
	t := tenant.MustNew(fmt.Sprintf("t%d-%d", time.Now().UnixNano()%1e6, tenantSeq.Add(1)))
	if err := testStore.PutTenant(ctx, store.Tenant{ID: t, Name: "Test " + string(t)}); err != nil {
		tb.Fatal(err)
	}
	tok, _ := token.New(token.Sensor)
	kid, key, _ := token.NewUDPKey()
	id, _ := token.NewID("s")
	s := store.Sensor{ID: id, Name: "sensor-" + id, TokenHash: token.Hash(tok), UDPKeyID: kid, UDPKey: key}
	if err := testStore.PutSensor(ctx, t, s); err != nil {
		tb.Fatal(err)
	}
	s.Tenant = t
	return enrolled{tenant: t, sensor: s, token: tok}
}

// startCollector starts a collector on loopback ports with cfg's
// non-zero settings.
func startCollector(tb testing.TB, cfg Config, o Options) *Collector {
	tb.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.UDPListen == "" {
		cfg.UDPListen = "127.0.0.1:0"
	}
	if o.Logger == nil {
		o.Logger = quiet
	}
	c, err := New(cfg, testStore, o)
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.Shutdown(ctx); err != nil {
			tb.Errorf("Shutdown: %v", err)
		}
	})
	return c
}

// clientFor returns an HTTPS client trusting c's certificate.
func clientFor(tb testing.TB, c *Collector) *http.Client {
	tb.Helper()
	pool := x509.NewCertPool()
	cert, err := x509.ParseCertificate(c.Certificate().Certificate[0])
	if err != nil {
		tb.Fatal(err)
	}
	pool.AddCert(cert)
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func baseURL(c *Collector) string { return "https://" + c.Addr().String() }

// answer is a collector's reply.
type answer struct {
	status     int
	reason     string
	msg        string
	events     int
	retryAfter string
}

func post(tb testing.TB, cl *http.Client, c *Collector, tok string, body []byte, hdr map[string]string) answer {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, baseURL(c)+IngestPath, strings.NewReader(string(body)))
	if err != nil {
		tb.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Content-Type", ingest.ContentType)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := cl.Do(req)
	if err != nil {
		tb.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var v struct {
		Error, Reason string
		Events        int
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		tb.Fatalf("answer %d is not JSON: %q", resp.StatusCode, raw)
	}
	return answer{status: resp.StatusCode, reason: v.Reason, msg: v.Error, events: v.Events, retryAfter: resp.Header.Get("Retry-After")}
}

// testEvents returns n events timed around now, trails tag-0..tag-(n-1).
func testEvents(tag string, n int) []event.Event {
	now := time.Now().Add(-time.Minute)
	out := make([]event.Event, n)
	for i := range out {
		out[i] = event.Event{
			Time: now.Add(time.Duration(i) * time.Millisecond), Sensor: "edge-1", SrcIP: "10.0.0.1", SrcPort: "51234",
			DstIP: "203.0.113.9", DstPort: "53", Proto: "UDP", Type: event.TypeDNS, Trail: fmt.Sprintf("%s-%d", tag, i),
			Info: "malware", Reference: "(static)", Count: 1 + i%3,
			Context: event.Context{DNSQType: 1, DNSRcode: -1, HTTPUserAgent: "ü-agent"},
		}
	}
	return out
}

func batchBody(tb testing.TB, id, declared string, evs []event.Event, enc ingest.Encoding) []byte {
	tb.Helper()
	raw := ingest.AppendBatch(nil, &ingest.Header{ID: id, Tenant: declared, Created: time.Now()}, evs)
	z, err := ingest.Compress(nil, enc, raw)
	if err != nil {
		tb.Fatal(err)
	}
	return z
}

// stored returns tenant t's stored events, ordered by trail.
func stored(tb testing.TB, t tenant.ID) []store.StoredEvent {
	tb.Helper()
	ctx := context.Background()
	days, err := testStore.CountsPerDay(ctx, t, time.Unix(0, 0), time.Now().Add(48*time.Hour))
	if err != nil {
		tb.Fatal(err)
	}
	var out []store.StoredEvent
	for _, d := range days {
		var cur store.Cursor
		for {
			page, err := testStore.DayEvents(ctx, t, d.Day, cur, store.MaxPageSize)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, page.Events...)
			if page.Done {
				break
			}
			cur = page.Next
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Trail < out[j].Trail })
	return out
}
