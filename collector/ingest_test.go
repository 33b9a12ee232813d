package collector

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/ingest"
)

func TestIngestStoresBatch(t *testing.T) {
	c := startCollector(t, Config{}, Options{})
	cl := clientFor(t, c)
	for _, enc := range []ingest.Encoding{ingest.Zstd, ingest.Gzip, ingest.Identity} {
		t.Run(string(enc), func(t *testing.T) {
			e := enroll(t)
			evs := testEvents("ev", 500)
			hdr := map[string]string{}
			if enc != ingest.Identity {
				hdr["Content-Encoding"] = string(enc)
			}
			a := post(t, cl, c, e.token, batchBody(t, "b-1", string(e.tenant), evs, enc), hdr)
			if a.status != http.StatusOK || a.events != len(evs) {
				t.Fatalf("POST: %d %s %q, want 200 with %d events", a.status, a.reason, a.msg, len(evs))
			}
			got := stored(t, e.tenant)
			if len(got) != len(evs) {
				t.Fatalf("stored %d events, want %d", len(got), len(evs))
			}
			byTrail := map[string]event.Event{}
			for _, ev := range evs {
				byTrail[ev.Trail] = ev
			}
			for _, g := range got {
				w := byTrail[g.Trail]
				if g.Tenant != e.tenant || g.SensorID != e.sensor.ID || g.BatchID != "b-1" {
					t.Fatalf("stored event %s: tenant %s sensor %s batch %s, want %s %s b-1", g.Trail, g.Tenant, g.SensorID, g.BatchID, e.tenant, e.sensor.ID)
				}
				if !g.Time.Equal(w.Time.Truncate(time.Microsecond)) || g.Count != w.Count || g.Context != w.Context ||
					g.SrcIP != w.SrcIP || g.DstPort != w.DstPort || g.Info != w.Info {
					t.Fatalf("stored event %s:\n got %+v\nwant %+v", g.Trail, g.Event, w)
				}
			}
		})
	}
}

func TestIngestRetryIsIdempotent(t *testing.T) {
	c := startCollector(t, Config{}, Options{})
	cl := clientFor(t, c)
	e := enroll(t)
	body := batchBody(t, "retry-1", "", testEvents("r", 100), ingest.Zstd)
	for i := 0; i < 3; i++ {
		if a := post(t, cl, c, e.token, body, map[string]string{"Content-Encoding": "zstd"}); a.status != http.StatusOK {
			t.Fatalf("attempt %d: %d %s %q, want 200", i, a.status, a.reason, a.msg)
		}
	}
	if got := len(stored(t, e.tenant)); got != 100 {
		t.Errorf("after three deliveries of one batch: %d events stored, want 100", got)
	}
	// Another batch ID with the same events is another batch.
	post(t, cl, c, e.token, batchBody(t, "retry-2", "", testEvents("r", 100), ingest.Zstd), map[string]string{"Content-Encoding": "zstd"})
	if got := len(stored(t, e.tenant)); got != 200 {
		t.Errorf("after a second batch: %d events stored, want 200", got)
	}
}

// rawBatch builds a batch by hand, to break it.
func rawBatch(id string, n int, event func(b []byte) []byte) []byte {
	b := []byte{'S', 'P', 'B', 1, 0}
	b = binary.AppendUvarint(b, uint64(len(id)))
	b = append(b, id...)
	b = append(b, 0)                                   // tenant
	b = binary.AppendVarint(b, time.Now().UnixMicro()) // created
	b = append(b, 0, 0, 0)                             // spool, queued, dropped
	b = binary.AppendUvarint(b, uint64(n))             // count
	for i := 0; i < n; i++ {
		b = event(b)
	}
	return b
}

// fieldsEvent appends an event at now with count c and the given strings.
func fieldsEvent(count uint64, strs ...string) func([]byte) []byte {
	return func(b []byte) []byte {
		b = binary.AppendVarint(b, time.Now().UnixMicro())
		b = binary.AppendUvarint(b, count)
		b = append(b, 0, 0) // qtype, rcode
		for i := 0; i < 17; i++ {
			s := ""
			if i < len(strs) {
				s = strs[i]
			}
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
		return b
	}
}

func TestIngestRefusals(t *testing.T) {
	c := startCollector(t, Config{MaxBodyBytes: 1 << 20, MaxDecodedBytes: 4 << 20, MaxEvents: 1000}, Options{})
	cl := clientFor(t, c)
	e, other := enroll(t), enroll(t)
	revoked := enroll(t)
	revoked.sensor.Revoked = true
	if err := testStore.PutSensor(t.Context(), revoked.tenant, revoked.sensor); err != nil {
		t.Fatal(err)
	}
	unknown, _ := token.New(token.Sensor)
	apiTok, _ := token.New(token.API)
	good := batchBody(t, "good", "", testEvents("g", 10), ingest.Identity)
	zbomb, _ := ingest.Compress(nil, ingest.Zstd, make([]byte, 64<<20))
	gbomb, _ := ingest.Compress(nil, ingest.Gzip, make([]byte, 64<<20))
	gz := batchBody(t, "gz", "", testEvents("z", 10), ingest.Gzip)
	old, future := testEvents("o", 3), testEvents("f", 3)
	old[2].Time = time.Unix(0, 1000)
	future[1].Time = time.Now().Add(3 * time.Hour)
	zeroTime := testEvents("zt", 2)
	zeroTime[0].Time = time.Time{}
	zstdHdr := map[string]string{"Content-Encoding": "zstd"}
	gzipHdr := map[string]string{"Content-Encoding": "gzip"}
	tests := []struct {
		name   string
		tok    string
		body   []byte
		hdr    map[string]string
		status int
		reason string
	}{
		{"no token", "", good, nil, 401, ReasonUnauthenticated},
		{"malformed token", "hunter2", good, nil, 401, ReasonUnauthenticated},
		{"API token", apiTok, good, nil, 401, ReasonUnauthenticated},
		{"unknown token", unknown, good, nil, 401, ReasonUnauthenticated},
		{"revoked token", revoked.token, good, nil, 403, ReasonRevoked},
		{"JSON body", e.token, []byte(`{"events":[]}`), map[string]string{"Content-Type": "application/json"}, 415, ReasonMediaType},
		{"brotli", e.token, good, map[string]string{"Content-Encoding": "br"}, 415, ReasonUnsupportedEnc},
		{"corrupt gzip", e.token, gz[:len(gz)/2], gzipHdr, 400, string(ingest.ReasonEncoding)},
		{"gzip claimed, zstd sent", e.token, batchBody(t, "x", "", testEvents("x", 3), ingest.Zstd), gzipHdr, 400, string(ingest.ReasonEncoding)},
		{"zstd bomb", e.token, zbomb, zstdHdr, 413, string(ingest.ReasonTooLarge)},
		{"gzip bomb", e.token, gbomb, gzipHdr, 413, string(ingest.ReasonTooLarge)},
		{"body over the limit", e.token, make([]byte, 1<<20+1), nil, 413, string(ingest.ReasonTooLarge)},
		{"not a batch", e.token, []byte("hello"), nil, 400, string(ingest.ReasonMalformed)},
		{"truncated batch", e.token, good[:len(good)-5], nil, 400, string(ingest.ReasonTruncated)},
		{"trailing garbage", e.token, append(append([]byte(nil), good...), 'x'), nil, 400, string(ingest.ReasonMalformed)},
		{"invalid UTF-8", e.token, rawBatch("u", 1, fieldsEvent(1, "s", "10.0.0.1\xfe")), nil, 400, string(ingest.ReasonUTF8)},
		{"count wider than its type", e.token, rawBatch("w", 1, fieldsEvent(1<<40, "s")), nil, 400, string(ingest.ReasonBadValue)},
		{"bad batch id", e.token, rawBatch("a/b", 0, nil), nil, 400, string(ingest.ReasonBadValue)},
		{"future format version", e.token, append([]byte{'S', 'P', 'B', 9}, good[4:]...), nil, 400, string(ingest.ReasonVersion)},
		{"too many events", e.token, batchBody(t, "many", "", testEvents("m", 1001), ingest.Zstd), zstdHdr, 413, string(ingest.ReasonTooLarge)},
		{"other tenant declared", e.token, batchBody(t, "ot", string(other.tenant), testEvents("ot", 3), ingest.Identity), nil, 403, ReasonTenantMismatch},
		{"event from 1970", e.token, batchBody(t, "old", "", old, ingest.Identity), nil, 422, ReasonTimeRange},
		{"event without time", e.token, batchBody(t, "zt", "", zeroTime, ingest.Identity), nil, 422, ReasonTimeRange},
		{"event 3 h ahead", e.token, batchBody(t, "fut", "", future, ingest.Identity), nil, 422, ReasonTimeRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, cl, c, tt.tok, tt.body, tt.hdr)
			if a.status != tt.status || a.reason != tt.reason {
				t.Errorf("got %d %s (%q), want %d %s", a.status, a.reason, a.msg, tt.status, tt.reason)
			}
			if a.msg == "" {
				t.Error("answer without an error message")
			}
		})
	}
	for _, en := range []enrolled{e, other, revoked} {
		if got := stored(t, en.tenant); len(got) != 0 {
			t.Errorf("tenant %s: %d events stored from refused batches, want 0", en.tenant, len(got))
		}
	}
	// Still serving.
	if a := post(t, cl, c, e.token, good, nil); a.status != http.StatusOK {
		t.Fatalf("good batch after the refusals: %d %s %q", a.status, a.reason, a.msg)
	}
	metrics := scrape(t, cl, c)
	for _, tt := range tests {
		line := fmt.Sprintf(`spoor_ingest_rejected_total{reason=%q,transport="https"}`, tt.reason)
		if !strings.Contains(metrics, line) {
			t.Errorf("/metrics has no %s", line)
		}
	}
	if !strings.Contains(metrics, `spoor_ingest_events_total{transport="https"} 10`) {
		t.Errorf("/metrics does not count the 10 stored events:\n%s", grepLines(metrics, "spoor_ingest_events_total"))
	}
}

func TestIngestRateLimit(t *testing.T) {
	c := startCollector(t, Config{RateEvents: 100, RateBurst: 150}, Options{})
	cl := clientFor(t, c)
	e := enroll(t)
	// The first batch spends the burst and goes into debt; the next waits.
	if a := post(t, cl, c, e.token, batchBody(t, "r1", "", testEvents("a", 300), ingest.Identity), nil); a.status != 200 {
		t.Fatalf("first batch: %d %s %q, want 200", a.status, a.reason, a.msg)
	}
	a := post(t, cl, c, e.token, batchBody(t, "r2", "", testEvents("b", 10), ingest.Identity), nil)
	if a.status != http.StatusTooManyRequests || a.reason != ReasonRateLimited {
		t.Fatalf("second batch: %d %s, want 429 %s", a.status, a.reason, ReasonRateLimited)
	}
	if s, err := strconv.Atoi(a.retryAfter); err != nil || s < 1 || s > 3 {
		t.Errorf("Retry-After %q, want 1 to 3 seconds (150 events of debt at 100/s)", a.retryAfter)
	}
	if got := len(stored(t, e.tenant)); got != 300 {
		t.Errorf("stored %d events, want the first batch's 300", got)
	}
	// Another sensor has its own bucket.
	if a := post(t, cl, c, enroll(t).token, batchBody(t, "r3", "", testEvents("c", 10), ingest.Identity), nil); a.status != 200 {
		t.Errorf("other sensor: %d %s, want 200", a.status, a.reason)
	}
}

func TestHealthzMetricsAndMounts(t *testing.T) {
	c := startCollector(t, Config{}, Options{Mounts: []func(*gin.Engine){
		func(e *gin.Engine) { e.GET("/api/v1/ping", func(g *gin.Context) { g.String(200, "pong") }) },
	}})
	cl := clientFor(t, c)
	for path, want := range map[string]string{"/healthz": `"status":"ok"`, "/api/v1/ping": "pong", "/metrics": "go_goroutines"} {
		resp, err := cl.Get(baseURL(c) + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(b, []byte(want)) {
			t.Errorf("GET %s: %d %.100q, want 200 containing %q", path, resp.StatusCode, b, want)
		}
	}
}

func TestSensorHealthMetrics(t *testing.T) {
	c := startCollector(t, Config{}, Options{})
	cl := clientFor(t, c)
	e := enroll(t)
	raw := ingest.AppendBatch(nil, &ingest.Header{ID: "h1", Created: time.Now().Add(-2 * time.Second), SpoolBytes: 12345, SpoolBatches: 6, Dropped: 7}, testEvents("h", 5))
	if a := post(t, cl, c, e.token, raw, nil); a.status != 200 {
		t.Fatalf("POST: %d %s", a.status, a.reason)
	}
	m := scrape(t, cl, c)
	for _, want := range []string{
		fmt.Sprintf(`spoor_sensor_spool_bytes{sensor=%q,tenant=%q} 12345`, e.sensor.ID, e.tenant),
		fmt.Sprintf(`spoor_sensor_spool_batches{sensor=%q,tenant=%q} 6`, e.sensor.ID, e.tenant),
		fmt.Sprintf(`spoor_sensor_dropped_events{sensor=%q,tenant=%q} 7`, e.sensor.ID, e.tenant),
		`spoor_ingest_lag_seconds_count{transport="https"} 1`,
		`spoor_ingest_lag_seconds_bucket{transport="https",le="1"} 0`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
}

func TestDeletedTenant(t *testing.T) {
	c := startCollector(t, Config{}, Options{})
	cl := clientFor(t, c)
	e := enroll(t)
	if err := testStore.DeleteTenant(t.Context(), e.tenant); err != nil {
		t.Fatal(err)
	}
	a := post(t, cl, c, e.token, batchBody(t, "d", "", testEvents("d", 3), ingest.Identity), nil)
	if a.status != http.StatusForbidden || a.reason != ReasonUnknownTenant {
		t.Errorf("got %d %s, want 403 %s", a.status, a.reason, ReasonUnknownTenant)
	}
}

func scrape(tb testing.TB, cl *http.Client, c *Collector) string {
	tb.Helper()
	resp, err := cl.Get(baseURL(c) + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestShutdownFinishesInFlight shuts the collector down while a large
// batch is being stored: the batch is still answered 200 and stored, and
// new connections are refused.
func TestShutdownFinishesInFlight(t *testing.T) {
	c, err := New(Config{Listen: "127.0.0.1:0", UDPListen: "off"}, testStore, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	cl := clientFor(t, c)
	e := enroll(t)
	body := batchBody(t, "big", "", testEvents("big", 100_000), ingest.Zstd)
	answered := make(chan answer, 1)
	go func() { answered <- post(t, cl, c, e.token, body, map[string]string{"Content-Encoding": "zstd"}) }()
	deadline := time.Now().Add(10 * time.Second)
	for testutil.ToFloat64(c.met.inFlight) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("batch never in flight")
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if a := <-answered; a.status != http.StatusOK || a.events != 100_000 {
		t.Fatalf("in-flight batch: %d %s %q, want 200 with 100000 events", a.status, a.reason, a.msg)
	}
	if got := len(stored(t, e.tenant)); got != 100_000 {
		t.Errorf("stored %d events, want 100000", got)
	}
	if _, err := cl.Get(baseURL(c) + "/healthz"); err == nil {
		t.Error("collector still accepts requests after Shutdown")
	}
}

// TestRetryVerified covers the repair of a retried batch whose
// deduplication token exists without its rows (a collector killed between
// the engine's recording the token and committing the part). The state is
// made by storing other rows under the batch's token: the engine then
// drops any insert of that batch ID.
func TestRetryVerified(t *testing.T) {
	c := startCollector(t, Config{}, Options{})
	cl := clientFor(t, c)
	e := enroll(t)
	hdr := func(attempt string) map[string]string { return map[string]string{"X-Spoor-Attempt": attempt} }
	other := testEvents("other", 5)
	for i := range other {
		other[i].Time = other[i].Time.Add(-time.Hour) // outside the batch's time range
	}
	if err := testStore.InsertEvents(t.Context(), e.tenant, e.sensor.ID, "lost", other); err != nil {
		t.Fatal(err)
	}
	body := batchBody(t, "lost", "", testEvents("v", 20), ingest.Identity)
	if a := post(t, cl, c, e.token, body, hdr("1")); a.status != 200 {
		t.Fatalf("first attempt: %d %s", a.status, a.reason)
	}
	if got := len(stored(t, e.tenant)); got != 5 {
		t.Fatalf("first attempt stored %d rows, want none (the engine deduplicates it): test premise broken", got-5)
	}
	for _, attempt := range []string{"2", "3"} {
		if a := post(t, cl, c, e.token, body, hdr(attempt)); a.status != 200 {
			t.Fatalf("attempt %s: %d %s %q", attempt, a.status, a.reason, a.msg)
		}
		got := stored(t, e.tenant)
		if len(got) != 25 {
			t.Fatalf("after attempt %s: %d rows stored, want 5 + the batch's 20 once", attempt, len(got))
		}
	}
	// A retry of a batch that is stored is not stored again.
	body = batchBody(t, "fine", "", testEvents("f", 10), ingest.Identity)
	for _, attempt := range []string{"1", "2"} {
		post(t, cl, c, e.token, body, hdr(attempt))
	}
	if got := len(stored(t, e.tenant)); got != 35 {
		t.Errorf("after a retried stored batch: %d rows, want 35", got)
	}
}
