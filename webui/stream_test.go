package webui

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/tenant"
)

// serveCut answers /test/cut?tenant=…&day=…[&cursor=…][&always=1] with the
// API's day stream cut short: a stream from the start ends halfway through
// its second frame (the first is whole, so the worker can resume from its
// cursor); with always=1, every stream ends halfway through its first.
func serveCut(e *gin.Engine, c *gin.Context) {
	url := "/api/v1/tenants/" + c.Query("tenant") + "/events?day=" + c.Query("day")
	if cur := c.Query("cursor"); cur != "" {
		url += "&cursor=" + cur
	}
	req := httptest.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", c.GetHeader("Authorization"))
	req.Header.Set("Accept-Encoding", "identity")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	if rec.Code != http.StatusOK {
		c.Data(rec.Code, rec.Header().Get("Content-Type"), body)
		return
	}
	frameLen := func(at int) int {
		h, b := binary.LittleEndian.Uint32(body[at:]), binary.LittleEndian.Uint32(body[at+4:])
		return 8 + int(h) + int(b)
	}
	first := frameLen(0)
	switch {
	case c.Query("always") != "":
		body = body[:first/2]
	case c.Query("cursor") == "" && first < len(body):
		body = body[:first+frameLen(first)/2]
	}
	c.Data(http.StatusOK, rec.Header().Get("Content-Type"), body)
}

// TestWorkerResumesCutStreams loads days through /test/cut in the
// console's worker: a stream cut after its first frame is resumed from
// that frame's cursor and the day arrives whole; a stream that never gets
// further ends in an error after the retries, not in an endless loop.
func TestWorkerResumesCutStreams(t *testing.T) {
	chromiumPath(t)
	s := startStack(t)
	admin := s.login(t, "admin", adminPassword)
	const id, n = "cut", 6000 // a first frame of 4,096 events, then the rest
	s.call(t, "POST", "/tenants", admin, map[string]string{"id": id, "name": "Cut"}, &map[string]any{})
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -2)
	seedDay(t, testStore, tenant.MustNew(id), day, n, "cut", "10.7", 7)
	ctx := browser(t, 2*time.Minute)
	do(t, ctx, chromedp.Navigate(s.base+"/ui/"))

	load := func(query string) map[string]any {
		t.Helper()
		start := day.UnixMilli()
		eval[bool](t, ctx, fmt.Sprintf(`(() => {
			window.__cut = null;
			const w = new Worker('/ui/worker.js');
			w.onmessage = (e) => {
				if (e.data.op === 'loaded' || e.data.op === 'loadError') { window.__cut = e.data; w.terminate(); }
			};
			w.postMessage({ op: 'load', url: %q, token: %q, dayStart: %d, dayEnd: %d, expected: %d });
			return true;
		})()`, "/test/cut?tenant="+id+"&day="+day.Format(time.DateOnly)+query, admin, start, start+86400000, n))
		waitFor(t, ctx, `window.__cut`, 30*time.Second)
		raw := eval[json.RawMessage](t, ctx, `window.__cut`)
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}

	m := load("")
	if m["op"] != "loaded" {
		t.Fatalf("cut after one frame: got %v, want the day loaded", m)
	}
	if rows := m["totals"].(map[string]any)["rows"]; rows != float64(n) {
		t.Errorf("cut after one frame: %v rows, want %d", rows, n)
	}
	m = load("&always=1")
	if m["op"] != "loadError" || fmt.Sprint(m["message"]) != "stream broken: stream cut inside a chunk" {
		t.Errorf("always cut: got %v, want a loadError for a stream cut inside a chunk", m)
	}
}
