package webui

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/spoorsec/spoor/tenant"
)

var benchSeeded = map[string]bool{}

// BenchmarkDayLoad measures what an analyst waits for: a day of events
// (1M by default, $SPOOR_BENCH_EVENTS to change) streamed from the real
// API into headless Chromium, decoded into the worker's columns and
// grouped into threats, until the page shows them. Reported: seconds per
// load, rows, threats, the worker's column memory and the page's JS heap.
//
//	go test -run XXX -bench DayLoad -benchtime 3x ./webui/
func BenchmarkDayLoad(b *testing.B) {
	chromiumPath(b)
	n := 1_000_000
	if v := os.Getenv("SPOOR_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("SPOOR_BENCH_EVENTS: %v", err)
		}
	}
	s := startStack(b)
	id := fmt.Sprintf("bench%d", n)
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -3)
	// The benchmark function runs more than once (b.N = 1 first); the day
	// is seeded once per test binary.
	if !benchSeeded[id] {
		admin := s.login(b, "admin", adminPassword)
		s.call(b, "POST", "/tenants", admin, map[string]string{"id": id, "name": "Benchmark"}, &map[string]any{})
		start := time.Now()
		seedDay(b, testStore, tenant.MustNew(id), day, n, "bench", "10.9", 9)
		b.Logf("seeded %d events in %v", n, time.Since(start).Round(time.Millisecond))
		benchSeeded[id] = true
	}

	// The API alone, for comparison: the same stream read by a Go client.
	admin := s.login(b, "admin", adminPassword)
	apiStart := time.Now()
	req, _ := http.NewRequest("GET", s.base+"/api/v1/tenants/"+id+"/events?day="+day.Format(time.DateOnly), nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Accept-Encoding", "gzip")
	// Setting Accept-Encoding keeps the transport from decoding: the body
	// is the wire's gzip, replayed below.
	res, err := s.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	gz, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.Header.Get("Content-Encoding") != "gzip" {
		b.Fatalf("day stream: %v, encoding %q", err, res.Header.Get("Content-Encoding"))
	}
	apiSecs := time.Since(apiStart).Seconds()
	wire := len(gz)
	replay.Store(&gz)

	ctx := browser(b, 10*time.Minute)
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	s.call(b, "POST", "/auth/login", "", map[string]string{"username": "admin", "password": adminPassword}, &tok)
	sess, _ := json.Marshal(map[string]any{"access": tok.AccessToken, "refresh": tok.RefreshToken,
		"expires": time.Now().Add(time.Hour).UnixMilli(), "tenant": "mssp", "role": "mssp-admin", "username": "admin"})
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+"/ui/#/login")); err != nil {
		b.Fatal(err)
	}
	eval[bool](b, ctx, fmt.Sprintf(`sessionStorage.setItem('spoor.session', %q), true`, sess))
	url := s.base + "/ui/#/t/" + id + "/day/" + day.Format(time.DateOnly)

	type timing struct {
		Total, Stream, Group, FirstByte, Bytes, Memory, Parse, Append, Partial float64
	}
	var last struct {
		Timing timing `json:"timing"`
		Totals struct {
			Rows, Events, Threats float64
		} `json:"totals"`
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A fresh document per load: nothing is cached in the page.
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#progress-text"))); err != nil {
			b.Fatal(err)
		}
		raw, err := chromedp.Run(ctx, chromedp.Poll[json.RawMessage](`window.__spoor && window.__spoor.loaded`,
			chromedp.WithPollingTimeout(5*time.Minute), chromedp.WithPollingInterval(20*time.Millisecond)))
		if err != nil {
			b.Fatalf("day did not load: %v", err)
		}
		if err := json.Unmarshal(raw, &last); err != nil {
			b.Fatal(err)
		}
		if int(last.Totals.Rows) != n {
			b.Fatalf("got %v rows in the page, want %d", last.Totals.Rows, n)
		}
	}
	b.StopTimer()
	// The same worker code on the recorded stream: the browser's share.
	startMs := day.UnixMilli()
	eval[bool](b, ctx, fmt.Sprintf(`(() => {
		window.__replay = null;
		const w = new Worker('/ui/worker.js');
		w.onmessage = (e) => {
			if (e.data.op === 'loaded') { window.__replay = e.data.timing; w.terminate(); }
			if (e.data.op === 'loadError') { window.__replay = { error: e.data.message }; w.terminate(); }
		};
		w.postMessage({ op: 'load', url: '/test/replay?r=1', token: '', day: %q, dayStart: %d, dayEnd: %d, expected: 0 });
		return true;
	})()`, day.Format(time.DateOnly), startMs, startMs+86400000))
	rawReplay, err := chromedp.Run(ctx, chromedp.Poll[json.RawMessage](`window.__replay`, chromedp.WithPollingTimeout(5*time.Minute), chromedp.WithPollingInterval(20*time.Millisecond)))
	if err != nil {
		b.Fatal(err)
	}
	var rt struct {
		Total float64
		Error string
	}
	if err := json.Unmarshal(rawReplay, &rt); err != nil || rt.Error != "" {
		b.Fatalf("replay: %v %s", err, rt.Error)
	}
	b.ReportMetric(rt.Total/1000, "s-browser-only")
	heap := eval[float64](b, ctx, `performance.memory ? performance.memory.usedJSHeapSize : 0`)
	b.ReportMetric(last.Timing.Total/1000, "s/load")
	b.ReportMetric(apiSecs, "s-api-only")
	b.ReportMetric(float64(wire)/last.Totals.Rows, "gzip-B/row")
	b.ReportMetric(last.Timing.FirstByte/1000, "s-first-byte")
	b.ReportMetric(last.Timing.Group/1000, "s-group")
	b.ReportMetric(last.Timing.Parse/1000, "s-frames")
	b.ReportMetric(last.Timing.Append/1000, "s-columns")
	b.ReportMetric(last.Timing.Partial/1000, "s-partial")
	b.ReportMetric(last.Totals.Threats, "threats")
	b.ReportMetric(last.Timing.Bytes/last.Totals.Rows, "frame-B/row")
	b.ReportMetric(last.Timing.Memory/(1<<20), "MB-columns")
	b.ReportMetric(heap/(1<<20), "MB-page-heap")
}
