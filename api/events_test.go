package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// decodeStream undoes the Content-Encoding and decodes the frames.
func decodeStream(tb testing.TB, r resp) []frame {
	tb.Helper()
	var body io.Reader = bytes.NewReader(r.Body)
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "zstd":
		z, err := zstd.NewReader(body)
		if err != nil {
			tb.Fatal(err)
		}
		defer z.Close()
		body = z
	case "gzip":
		g, err := gzip.NewReader(body)
		if err != nil {
			tb.Fatal(err)
		}
		body = g
	case "":
	default:
		tb.Fatalf("unexpected Content-Encoding %q", enc)
	}
	return readFrames(tb, body)
}

type streamedEvent struct {
	us int64
	id uint64
}

// flatten returns the events of frames in stream order.
func flatten(tb testing.TB, frames []frame) []streamedEvent {
	tb.Helper()
	var out []streamedEvent
	for _, f := range frames {
		for i := range f.N {
			id, err := strconv.ParseUint(f.ids[i], 16, 64)
			if err != nil {
				tb.Fatalf("id %q: %v", f.ids[i], err)
			}
			if f.text(tb, trailColumn, i) == "" {
				tb.Fatalf("event %d without a trail", len(out))
			}
			out = append(out, streamedEvent{f.times[i], id})
		}
	}
	return out
}

func dayPath(t tenant.ID, day time.Time) string {
	return "/api/v1/tenants/" + string(t) + "/events?day=" + day.Format(time.DateOnly)
}

func TestDayChunks(t *testing.T) {
	tn := newTenant(t, "chunks")
	day := time.Now().UTC().Truncate(24 * time.Hour).Add(-72 * time.Hour)
	const n = 2500 // ChunkEvents is 1000 in tests: three chunks
	seedDay(t, tn, day, n)
	seedDay(t, newTenant(t, "chunks-other"), day, 700)
	seedDay(t, tn, day.Add(24*time.Hour), 10) // the next day must not leak in
	_, tok := newUser(t, tn, RoleViewer)

	for _, enc := range []string{"zstd", "gzip", "identity"} {
		t.Run(enc, func(t *testing.T) {
			r := call(t, "GET", dayPath(tn, day), tok, nil, withHeader("Accept-Encoding", enc))
			if r.Code != 200 {
				t.Fatalf("got %d %s, want 200", r.Code, r.Body)
			}
			chunks := decodeStream(t, r)
			if len(chunks) != 3 || !chunks[2].Done || chunks[0].Done {
				t.Fatalf("got %d chunks (last done %v), want 3 ending in done", len(chunks), chunks[len(chunks)-1].Done)
			}
			evs := flatten(t, chunks)
			if len(evs) != n {
				t.Fatalf("got %d events, want %d", len(evs), n)
			}
			seen := map[uint64]bool{}
			for i, e := range evs {
				if seen[e.id] {
					t.Fatalf("event %x twice", e.id)
				}
				seen[e.id] = true
				if i > 0 && (e.us < evs[i-1].us || e.us == evs[i-1].us && e.id <= evs[i-1].id) {
					t.Fatalf("event %d out of (time, id) order", i)
				}
				if e.us < day.UnixMicro() || e.us >= day.Add(24*time.Hour).UnixMicro() {
					t.Fatalf("event %d at %d outside the day", i, e.us)
				}
			}
		})
	}

	t.Run("without IDs", func(t *testing.T) {
		all := flatten(t, decodeStream(t, call(t, "GET", dayPath(tn, day), tok, nil)))
		r := call(t, "GET", dayPath(tn, day)+"&ids=false", tok, nil)
		frames := decodeStream(t, r)
		var times []int64
		for _, f := range frames {
			if f.ids != nil || f.col("id_batch") != nil {
				t.Fatal("ids=false: the frames carry IDs")
			}
			times = append(times, f.times...)
		}
		if len(times) != n || times[0] != all[0].us || times[n-1] != all[n-1].us {
			t.Fatalf("ids=false: %d events, want the same %d", len(times), n)
		}
		if !strings.HasSuffix(r.Header.Get("ETag"), `-false"`) {
			t.Errorf("ids=false: ETag %q does not say so", r.Header.Get("ETag"))
		}
	})

	t.Run("resume from a cursor", func(t *testing.T) {
		all := flatten(t, decodeStream(t, call(t, "GET", dayPath(tn, day), tok, nil)))
		first := decodeStream(t, call(t, "GET", dayPath(tn, day), tok, nil))[0]
		rest := flatten(t, decodeStream(t, call(t, "GET", dayPath(tn, day)+"&cursor="+first.Cursor, tok, nil)))
		if len(rest) != n-first.N || rest[0] != all[first.N] {
			t.Errorf("resumed stream: got %d events starting %v, want %d starting %v", len(rest), rest[0], n-first.N, all[first.N])
		}
	})

	t.Run("closed day is cacheable", func(t *testing.T) {
		r := call(t, "GET", dayPath(tn, day), tok, nil, withHeader("Accept-Encoding", "zstd"))
		etag := r.Header.Get("ETag")
		if etag == "" || r.Header.Get("Cache-Control") != "private, max-age=31536000, immutable" {
			t.Fatalf("got ETag %q, Cache-Control %q; want both", etag, r.Header.Get("Cache-Control"))
		}
		if r := call(t, "GET", dayPath(tn, day), tok, nil, withHeader("Accept-Encoding", "zstd"), withHeader("If-None-Match", etag)); r.Code != http.StatusNotModified {
			t.Errorf("If-None-Match: got %d, want 304", r.Code)
		}
		if r := call(t, "GET", dayPath(tn, day), tok, nil, withHeader("Accept-Encoding", "gzip"), withHeader("If-None-Match", etag)); r.Code != 200 {
			t.Errorf("If-None-Match of another encoding: got %d, want 200", r.Code)
		}
	})

	t.Run("today is not cacheable", func(t *testing.T) {
		r := call(t, "GET", dayPath(tn, time.Now().UTC()), tok, nil)
		if r.Code != 200 || r.Header.Get("ETag") != "" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("got %d, ETag %q, Cache-Control %q; want 200, none, no-store", r.Code, r.Header.Get("ETag"), r.Header.Get("Cache-Control"))
		}
		if c := decodeStream(t, r); len(c) != 1 || c[0].N != 0 || !c[0].Done {
			t.Errorf("empty day: got %+v, want one empty done chunk", c)
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		for _, q := range []string{"", "?day=2026-13-01", "?day=yesterday", "?day=2026-01-01&cursor=x"} {
			r := call(t, "GET", "/api/v1/tenants/"+string(tn)+"/events"+q, tok, nil)
			if r.Code != 400 {
				t.Errorf("%q: got %d, want 400", q, r.Code)
			}
		}
	})

	t.Run("counts", func(t *testing.T) {
		from, to := day.Add(-24*time.Hour).Format(time.DateOnly), day.Add(24*time.Hour).Format(time.DateOnly)
		r := call(t, "GET", "/api/v1/tenants/"+string(tn)+"/counts?from="+from+"&to="+to, tok, nil)
		want := fmt.Sprintf(`{"days":[{"day":%q,"rows":%d,"events":%d},{"day":%q,"rows":10,"events":10}]}`,
			day.Format(time.DateOnly), n, n, to)
		if r.Code != 200 || string(r.Body) != want {
			t.Errorf("got %d %s, want 200 %s", r.Code, r.Body, want)
		}
		if r := call(t, "GET", "/api/v1/tenants/"+string(tn)+"/counts?from="+to+"&to="+from, tok, nil); r.Code != 400 {
			t.Errorf("reversed range: got %d, want 400", r.Code)
		}
	})
}

// TestDayETagFollowsLateEvents: a closed day's tag changes when a late
// batch lands in it, so a cached copy is not served past it.
func TestDayETagFollowsLateEvents(t *testing.T) {
	tn := newTenant(t, "late")
	day := time.Now().UTC().Truncate(24 * time.Hour).Add(-72 * time.Hour)
	seedDay(t, tn, day, 30)
	_, tok := newUser(t, tn, RoleViewer)
	before := call(t, "GET", dayPath(tn, day), tok, nil).Header.Get("ETag")
	late := []event.Event{{Time: day.Add(time.Hour), Sensor: "edge-1", SrcIP: "10.0.0.1", Trail: "late.example", Type: event.TypeDNS}}
	if err := env.store.InsertEvents(context.Background(), tn, "s-late", "b-late", late); err != nil {
		t.Fatal(err)
	}
	r := call(t, "GET", dayPath(tn, day), tok, nil, withHeader("If-None-Match", before))
	if r.Code != 200 || r.Header.Get("ETag") == before || before == "" {
		t.Fatalf("after a late batch: got %d with ETag %q (before %q), want 200 and a new tag", r.Code, r.Header.Get("ETag"), before)
	}
	if n := len(flatten(t, decodeStream(t, r))); n != 31 {
		t.Errorf("got %d events, want 31", n)
	}
}

func TestNegotiate(t *testing.T) {
	cases := map[string]string{
		"":                         "identity",
		"gzip, deflate, br, zstd":  "zstd",
		"gzip":                     "gzip",
		"zstd;q=0, gzip":           "gzip",
		"br":                       "identity",
		"GZIP":                     "gzip",
		"identity;q=1, zstd;q=0.5": "zstd",
	}
	for in, want := range cases {
		if got := negotiate(in); got != want {
			t.Errorf("negotiate(%q) = %q, want %q", in, got, want)
		}
	}
}

// Positions in store.TextColumns.
var (
	trailColumn   = slices.Index(store.TextColumns[:], "trail")
	srcPortColumn = slices.Index(store.TextColumns[:], "src_port")
)

// TestDayStreamSlots: with every day-stream slot taken, a request waits
// for one (and streams once it is free) or gets 503 with Retry-After.
func TestDayStreamSlots(t *testing.T) {
	cfg := testConfig()
	cfg.DayStreams, cfg.DayStreamWait = 1, 300*time.Millisecond
	a, h := newReplica(t, cfg)
	tn := newTenant(t, "slots")
	day := time.Now().UTC().Truncate(24 * time.Hour).Add(-72 * time.Hour)
	seedDay(t, tn, day, 20)
	_, tok := newUser(t, tn, RoleViewer)
	get := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", dayPath(tn, day), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}

	a.dayStreams <- struct{}{} // a stream running elsewhere
	if w := get(); w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), `"error"`) {
		t.Fatalf("all slots taken: got %d (Retry-After %q) %s, want 503 with Retry-After", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- get() }()
	time.Sleep(100 * time.Millisecond)
	if n := testutil.ToFloat64(a.metrics.dayStreamsWaiting); n != 1 {
		t.Errorf("spoor_api_day_streams{state=\"waiting\"} = %v, want 1", n)
	}
	<-a.dayStreams // the other stream ends within the wait
	if w := <-done; w.Code != 200 || len(flatten(t, decodeStream(t, resp{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}))) != 20 {
		t.Fatalf("slot freed while waiting: got %d, want 200 with the day", w.Code)
	}
	if len(a.dayStreams) != 0 {
		t.Errorf("%d slots still taken after the streams ended", len(a.dayStreams))
	}
}
