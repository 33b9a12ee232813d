package api

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// chunk is the decoded part of a chunk line the tests check.
type chunk struct {
	N        int      `json:"n"`
	Cursor   string   `json:"cursor"`
	Done     bool     `json:"done"`
	Dict     []string `json:"dict"`
	Sections []int64  `json:"sections"`
	secs     [][]string
	Time     []int64  `json:"time"`
	IDBatch  []int64  `json:"id_batch"`
	IDPos    []int64  `json:"id_pos"`
	ID       []string `json:"-"`
	Trail    []int    `json:"trail"`
}

// decodeStream undoes the Content-Encoding and splits the chunk lines.
func decodeStream(tb testing.TB, r resp) []chunk {
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
	var out []chunk
	sc := bufio.NewScanner(body)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var c chunk
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			tb.Fatalf("chunk %d: %v", len(out), err)
		}
		c.secs = chunkSections(tb, c.Dict, c.Sections)
		c.ID = chunkIDs(tb, c.secs[store.NumTextColumns], c.IDBatch, c.IDPos)
		if len(c.Time) != c.N || len(c.ID) != c.N || len(c.Trail) != c.N {
			tb.Fatalf("chunk %d: n=%d but %d times, %d ids, %d trails", len(out), c.N, len(c.Time), len(c.ID), len(c.Trail))
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

type streamedEvent struct {
	us int64
	id uint64
}

// flatten returns the events of chunks in stream order.
func flatten(tb testing.TB, chunks []chunk) []streamedEvent {
	tb.Helper()
	var out []streamedEvent
	for _, c := range chunks {
		var us int64
		for i := range c.N {
			us += c.Time[i]
			id, err := strconv.ParseUint(c.ID[i], 16, 64)
			if err != nil {
				tb.Fatalf("id %q: %v", c.ID[i], err)
			}
			if sectionString(tb, c.secs[trailColumn], int64(c.Trail[i])) == "" {
				tb.Fatalf("event %d without a trail", len(out))
			}
			out = append(out, streamedEvent{us, id})
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

// trailColumn is the trail's position in store.TextColumns.
var trailColumn = func() int {
	for k, name := range store.TextColumns {
		if name == "trail" {
			return k
		}
	}
	panic("no trail column")
}()
