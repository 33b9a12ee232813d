package trailsync

import (
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/sensor"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/trails"
)

// discard takes the engine's events; these tests look at its trails.
type discard struct{}

func (discard) Process(*event.Event) error { return nil }

func newSyncer(tb testing.TB, tc *testCollector, tok, cacheDir string, mod ...func(*Options)) *Syncer {
	tb.Helper()
	o := Options{URL: tc.url, Token: tok, TLS: tc.tls, CacheDir: cacheDir, Poll: 50 * time.Millisecond, Logger: quiet}
	for _, m := range mod {
		m(&o)
	}
	s, err := New(o)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// bootEngine bootstraps s and builds a real engine on its trails.
func bootEngine(tb testing.TB, s *Syncer) *sensor.Engine {
	tb.Helper()
	set, wl, err := s.Bootstrap(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	e, err := sensor.New(sensor.DefaultConfig(), sensor.Deps{Trails: set, Whitelist: wl, Out: discard{}}, quiet)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func putTrail(tb testing.TB, e enrolled, key string) {
	tb.Helper()
	if err := testStore.PutCustomTrail(context.Background(), e.tenant, store.CustomTrail{Trail: key, Info: "mine", Reference: trails.CustomReference}); err != nil {
		tb.Fatal(err)
	}
}

// waitFor polls cond every 10 ms for up to limit and returns how long it
// took to hold.
func waitFor(tb testing.TB, limit time.Duration, what string, cond func() bool) time.Duration {
	tb.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			tb.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

func TestSyncOverlayReachesEngine(t *testing.T) {
	tc := startCollector(t, csvRows(20, "shared.example,malware (test),(static)")...)
	a, b := enroll(t), enroll(t)
	putTrail(t, a, "at-start.example")
	if err := testStore.PutWhitelistEntry(context.Background(), a.tenant, store.WhitelistEntry{Entry: "shared.example"}); err != nil {
		t.Fatal(err)
	}
	sa, sb := newSyncer(t, tc, a.token, t.TempDir()), newSyncer(t, tc, b.token, t.TempDir())
	ea, eb := bootEngine(t, sa), bootEngine(t, sb)

	t.Run("bootstrap", func(t *testing.T) {
		if e, ok := ea.Trails().Lookup("at-start.example"); !ok || e.Reference != trails.CustomReference {
			t.Errorf("A: got %v %v for its custom trail, want a (custom) hit", e, ok)
		}
		if _, ok := eb.Trails().Lookup("at-start.example"); ok {
			t.Error("B: got A's custom trail, want a miss")
		}
		if _, ok := ea.Trails().Lookup("shared.example"); ok {
			t.Error("A: got a hit on a trail A whitelisted, want a miss")
		}
		if _, ok := eb.Trails().Lookup("shared.example"); !ok {
			t.Error("B: got a miss on a global trail only A whitelisted, want a hit")
		}
		if got, want := ea.Trails().Len(), 22; got != want {
			t.Errorf("A: got %d trails, want %d", got, want)
		}
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go sa.Run(ctx, ea)
	go sb.Run(ctx, eb)
	putTrail(t, a, "added-later.example")
	took := waitFor(t, 5*time.Second, "A's new custom trail on A's engine", func() bool {
		_, ok := ea.Trails().Lookup("added-later.example")
		return ok
	})
	t.Logf("custom trail applied %v after it was stored (poll 50 ms)", took)
	time.Sleep(150 * time.Millisecond) // B polls at least twice
	if _, ok := eb.Trails().Lookup("added-later.example"); ok {
		t.Error("B: got A's new custom trail, want a miss")
	}
}

func TestSyncRefusesShrunkGlobal(t *testing.T) {
	tc := startCollector(t, csvRows(40)...)
	a := enroll(t)
	s := newSyncer(t, tc, a.token, t.TempDir())
	reg := prometheus.NewRegistry()
	if err := s.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	e := bootEngine(t, s)
	before := s.globalETag

	writeCSV(t, tc.csv, csvRows(10)...)
	var err error
	waitFor(t, 5*time.Second, "the collector serving the small set", func() bool {
		err = s.poll(context.Background())
		return err != nil
	})
	if !errors.Is(err, ErrShrank) {
		t.Fatalf("got %v, want ErrShrank", err)
	}
	if got := testutil.ToFloat64(s.met.refused.WithLabelValues("shrank")); got != 1 {
		t.Errorf("got %v refusals counted, want 1", got)
	}
	if s.globalETag != before || s.global.Len() != 40 {
		t.Errorf("got version %s with %d trails, want the old %s with 40", s.globalETag, s.global.Len(), before)
	}
	if e.Trails().Len() != 40 {
		t.Errorf("engine: got %d trails, want 40", e.Trails().Len())
	}
	// The refused version is not fetched again.
	if err := s.poll(context.Background()); err != nil {
		t.Errorf("second poll: got %v, want nil (304 on the refused version)", err)
	}
	if got := testutil.ToFloat64(s.met.refused.WithLabelValues("shrank")); got != 1 {
		t.Errorf("got %v refusals after a second poll, want still 1", got)
	}

	// A set of at least half the size is taken.
	writeCSV(t, tc.csv, csvRows(25)...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx, e)
	waitFor(t, 5*time.Second, "the 25-trail set on the engine", func() bool { return e.Trails().Len() == 25 })
}

func TestSyncCacheWithoutCollector(t *testing.T) {
	tc := startCollector(t, csvRows(30)...)
	a := enroll(t)
	putTrail(t, a, "cached.example")
	if err := testStore.PutWhitelistEntry(context.Background(), a.tenant, store.WhitelistEntry{Entry: "192.0.2.0/24"}); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	bootEngine(t, newSyncer(t, tc, a.token, cache))
	url, tlsCfg := tc.url, tc.tls
	tc.stop(t)

	s := newSyncer(t, &testCollector{url: url, tls: tlsCfg}, a.token, cache, func(o *Options) { o.Timeout = 2 * time.Second })
	e := bootEngine(t, s)
	if got := e.Trails().Len(); got != 31 {
		t.Errorf("got %d trails from the cache, want 31", got)
	}
	if _, ok := e.Trails().Lookup("cached.example"); !ok {
		t.Error("got a miss on the cached custom trail, want a hit")
	}
	if _, ok := e.Trails().LookupIP(netip.MustParseAddr("192.0.2.9")); ok {
		t.Error("got a hit on a cached-whitelisted address, want a miss")
	}

	t.Run("nothing cached", func(t *testing.T) {
		s := newSyncer(t, &testCollector{url: url, tls: tlsCfg}, a.token, t.TempDir(), func(o *Options) { o.Timeout = 2 * time.Second })
		_, _, err := s.Bootstrap(context.Background())
		if err == nil || !strings.Contains(err.Error(), "no trails") {
			t.Errorf("got %v, want a no-trails error", err)
		}
	})
}

func TestSyncLocalTrails(t *testing.T) {
	tc := startCollector(t) // serves overlays only
	a := enroll(t)
	putTrail(t, a, "local-plus-custom.example")
	local, err := trails.LoadCSV(strings.NewReader("local.example,malware,(static)\n"), trails.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := newSyncer(t, tc, a.token, t.TempDir(), func(o *Options) { o.LocalTrails = local })
	if err := s.poll(context.Background()); err != nil {
		t.Fatalf("got %v, want nil: the global set must not be fetched", err)
	}
	e := bootEngine(t, s)
	for _, key := range []string{"local.example", "local-plus-custom.example"} {
		if _, ok := e.Trails().Lookup(key); !ok {
			t.Errorf("got a miss on %s, want a hit", key)
		}
	}
}

func TestSyncBadToken(t *testing.T) {
	tc := startCollector(t, csvRows(5)...)
	s := newSyncer(t, tc, "spoor_s_notavalidtoken", filepath.Join(t.TempDir(), "c"))
	_, _, err := s.Bootstrap(context.Background())
	if err == nil {
		t.Fatal("got trails with a bad token, want an error")
	}
	if got := testutil.ToFloat64(s.met.errors.WithLabelValues("global")); got != 1 {
		t.Errorf("got %v global fetch errors, want 1", got)
	}
}
