package collector

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/trails"
)

// trailReply is a trail request's answer.
type trailReply struct {
	status int
	etag   string
	count  string
	body   []byte
}

func getTrails(tb testing.TB, cl *http.Client, c *Collector, path, tok, ifNoneMatch string) trailReply {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, baseURL(c)+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if ifNoneMatch != "" {
		req.Header.Set("If-None-Match", ifNoneMatch)
	}
	resp, err := cl.Do(req)
	if err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return trailReply{status: resp.StatusCode, etag: resp.Header.Get("ETag"), count: resp.Header.Get(TrailsCountHeader), body: body}
}

func unzstd(tb testing.TB, b []byte) []byte {
	tb.Helper()
	d, err := zstd.NewReader(nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer d.Close()
	out, err := d.DecodeAll(b, nil)
	if err != nil {
		tb.Fatalf("body is not a zstd frame: %v", err)
	}
	return out
}

func writeTrailsCSV(tb testing.TB, path string, rows ...string) {
	tb.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
}

func TestTrailsAuth(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "trails.csv")
	writeTrailsCSV(t, csv, "evil.example,malware,(static)")
	c := startCollector(t, Config{Trails: csv}, Options{TrailStore: testStore})
	cl := clientFor(t, c)
	ok := enroll(t)
	revoked := enroll(t)
	revoked.sensor.Revoked = true
	if err := testStore.PutSensor(context.Background(), revoked.tenant, revoked.sensor); err != nil {
		t.Fatal(err)
	}
	unknown, _ := token.New(token.Sensor)
	tests := []struct {
		name, tok string
		want      int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"malformed token", "not-a-token", http.StatusUnauthorized},
		{"unknown token", unknown, http.StatusUnauthorized},
		{"revoked token", revoked.token, http.StatusUnauthorized},
		{"valid token", ok.token, http.StatusOK},
	}
	for _, path := range []string{GlobalTrailsPath, TrailsOverlayPath} {
		for _, tc := range tests {
			t.Run(path+"/"+tc.name, func(t *testing.T) {
				r := getTrails(t, cl, c, path, tc.tok, "")
				if r.status != tc.want {
					t.Fatalf("got %d %s, want %d", r.status, r.body, tc.want)
				}
				if tc.want == http.StatusOK && r.etag == "" {
					t.Error("got no ETag, want one")
				}
			})
		}
	}
}

func TestTrailsOverlayTenantIsolation(t *testing.T) {
	c := startCollector(t, Config{OverlayTTL: time.Millisecond}, Options{TrailStore: testStore})
	cl := clientFor(t, c)
	a, b := enroll(t), enroll(t)
	ctx := context.Background()
	if err := testStore.PutCustomTrail(ctx, a.tenant, store.CustomTrail{Trail: "only-a.example", Type: "DNS", Info: "a's own", Reference: trails.CustomReference}); err != nil {
		t.Fatal(err)
	}
	if err := testStore.PutWhitelistEntry(ctx, a.tenant, store.WhitelistEntry{Entry: "192.0.2.7"}); err != nil {
		t.Fatal(err)
	}
	if err := testStore.PutCustomTrail(ctx, b.tenant, store.CustomTrail{Trail: "only-b.example", Info: "b's own", Reference: trails.CustomReference}); err != nil {
		t.Fatal(err)
	}
	overlay := func(tok string) *trails.Overlay {
		r := getTrails(t, cl, c, TrailsOverlayPath, tok, "")
		if r.status != http.StatusOK {
			t.Fatalf("got %d %s, want 200", r.status, r.body)
		}
		o, err := trails.DecodeOverlay(unzstd(t, r.body))
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	oa, ob := overlay(a.token), overlay(b.token)
	if len(oa.Trails) != 1 || oa.Trails[0] != (trails.OverlayTrail{Key: "only-a.example", Info: "a's own", Reference: trails.CustomReference}) {
		t.Errorf("tenant A got trails %+v, want only-a.example alone", oa.Trails)
	}
	if len(oa.Whitelist) != 1 || oa.Whitelist[0] != "192.0.2.7" {
		t.Errorf("tenant A got whitelist %q, want [192.0.2.7]", oa.Whitelist)
	}
	if len(ob.Trails) != 1 || ob.Trails[0].Key != "only-b.example" || len(ob.Whitelist) != 0 {
		t.Errorf("tenant B got %+v, want only-b.example and no whitelist", ob)
	}
}

func TestTrailsConditional(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "trails.csv")
	writeTrailsCSV(t, csv, "evil.example,malware,(static)", "6.6.6.6,attacker,(static)")
	c := startCollector(t, Config{Trails: csv, TrailsCheck: 20 * time.Millisecond, OverlayTTL: time.Millisecond},
		Options{TrailStore: testStore})
	cl := clientFor(t, c)
	s := enroll(t)

	first := getTrails(t, cl, c, GlobalTrailsPath, s.token, "")
	if first.status != http.StatusOK || first.count != "2" {
		t.Fatalf("got %d with %s trails, want 200 with 2", first.status, first.count)
	}
	// The body is the compiled set, loadable as it is.
	bin := filepath.Join(t.TempDir(), "trails.bin")
	if err := os.WriteFile(bin, unzstd(t, first.body), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := trails.Load(bin, trails.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := set.Lookup("evil.example"); !ok || e.Info != "malware" {
		t.Errorf("served set: got %v %v for evil.example, want the malware trail", e, ok)
	}

	for _, tc := range []struct{ name, header string }{
		{"same ETag", first.etag},
		{"ETag in a list", `"other", ` + first.etag},
		{"weak ETag", "W/" + first.etag},
		{"star", "*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := getTrails(t, cl, c, GlobalTrailsPath, s.token, tc.header); r.status != http.StatusNotModified || len(r.body) != 0 {
				t.Errorf("got %d with %d bytes, want 304 and no body", r.status, len(r.body))
			}
		})
	}
	if r := getTrails(t, cl, c, GlobalTrailsPath, s.token, `"stale"`); r.status != http.StatusOK {
		t.Errorf("stale ETag: got %d, want 200", r.status)
	}

	t.Run("global reload", func(t *testing.T) {
		later := time.Now().Add(time.Second)
		writeTrailsCSV(t, csv, "evil.example,malware,(static)", "6.6.6.6,attacker,(static)", "new.example,malware,(static)")
		os.Chtimes(csv, later, later)
		deadline := time.Now().Add(10 * time.Second)
		for {
			r := getTrails(t, cl, c, GlobalTrailsPath, s.token, first.etag)
			if r.status == http.StatusOK {
				if r.count != "3" || r.etag == first.etag {
					t.Fatalf("got %s trails, ETag %s; want 3 and a new ETag", r.count, r.etag)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("still %d 10 s after the trails changed, want 200 with the new set", r.status)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	t.Run("overlay", func(t *testing.T) {
		o1 := getTrails(t, cl, c, TrailsOverlayPath, s.token, "")
		if r := getTrails(t, cl, c, TrailsOverlayPath, s.token, o1.etag); r.status != http.StatusNotModified {
			t.Fatalf("same overlay ETag: got %d, want 304", r.status)
		}
		if err := testStore.PutCustomTrail(context.Background(), s.tenant, store.CustomTrail{Trail: "added.example", Reference: trails.CustomReference}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // past OverlayTTL
		r := getTrails(t, cl, c, TrailsOverlayPath, s.token, o1.etag)
		if r.status != http.StatusOK || r.etag == o1.etag {
			t.Fatalf("after adding a trail: got %d, ETag %s; want 200 and a new ETag", r.status, r.etag)
		}
	})
}

func TestTrailsNotServed(t *testing.T) {
	c := startCollector(t, Config{}, Options{})
	cl := clientFor(t, c)
	s := enroll(t)
	for _, path := range []string{GlobalTrailsPath, TrailsOverlayPath} {
		if r := getTrails(t, cl, c, path, s.token, ""); r.status != http.StatusNotFound {
			t.Errorf("%s: got %d, want 404", path, r.status)
		}
	}
}

func TestTrailsBadPath(t *testing.T) {
	_, err := New(Config{Listen: "127.0.0.1:0", Trails: filepath.Join(t.TempDir(), "missing.csv")}, testStore, Options{Logger: quiet})
	if err == nil {
		t.Fatal("got a collector serving a missing trail file, want an error")
	}
}
