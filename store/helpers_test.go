package store

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"github.com/spoorsec/spoor/store/chdb"
	"github.com/spoorsec/spoor/store/chhttp"
	"github.com/spoorsec/spoor/tenant"
)

// testEnv is the engine shared by every test of the package: libchdb runs
// one engine per process, so the embedded stores and the HTTP front for the
// server stores all use it, each test in its own database.
type testEnv struct {
	lib     string
	dir     string
	httpURL string
}

var (
	env   *testEnv
	dbSeq atomic.Int64
)

func TestMain(m *testing.M) {
	code := func() int {
		e, cleanup, err := setupEnv()
		if err != nil {
			fmt.Fprintln(os.Stderr, "store tests:", err)
			return 1
		}
		defer cleanup()
		env = e
		return m.Run()
	}()
	os.Exit(code)
}

func setupEnv() (*testEnv, func(), error) {
	lib, err := chdb.FindLibrary()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "spoor-store-test-")
	if err != nil {
		return nil, nil, err
	}
	eng, err := chdb.Open(chdb.Config{Path: dir, LibPath: lib, Conns: 2})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	front, err := chhttp.New(context.Background(), eng)
	if err != nil {
		eng.Close()
		os.RemoveAll(dir)
		return nil, nil, err
	}
	srv := httptest.NewServer(front)
	cleanup := func() {
		srv.Close()
		eng.Close()
		if err := chdb.Shutdown(); err != nil {
			fmt.Fprintln(os.Stderr, "store tests:", err)
		}
		os.RemoveAll(dir)
	}
	return &testEnv{lib: lib, dir: dir, httpURL: srv.URL}, cleanup, nil
}

// engineCase opens a fresh, migrated store on one engine.
type engineCase struct {
	name string
	open func(tb testing.TB, o Options) *Store
}

func engines() []engineCase {
	return []engineCase{
		{"embedded", func(tb testing.TB, o Options) *Store {
			tb.Helper()
			o.LibPath = env.lib
			s, err := OpenEmbedded(env.dir, o)
			if err != nil {
				tb.Fatalf("OpenEmbedded: %v", err)
			}
			return s
		}},
		{"server", func(tb testing.TB, o Options) *Store {
			tb.Helper()
			s, err := OpenServer(env.httpURL+"?dial_timeout=10s", o)
			if err != nil {
				tb.Fatalf("OpenServer: %v", err)
			}
			return s
		}},
	}
}

// newStore opens a migrated store in a database of its own.
func newTestStore(tb testing.TB, ec engineCase, o Options) *Store {
	tb.Helper()
	if o.Database == "" {
		o.Database = fmt.Sprintf("spoor_test_%d", dbSeq.Add(1))
	}
	s := ec.open(tb, o)
	tb.Cleanup(func() {
		s.be.exec(context.Background(), "DROP DATABASE IF EXISTS "+s.db+"", nil)
		s.Close()
	})
	if err := s.Migrate(context.Background()); err != nil {
		tb.Fatalf("Migrate: %v", err)
	}
	return s
}

// forEachEngine runs f as a subtest per engine.
func forEachEngine(t *testing.T, f func(t *testing.T, ec engineCase)) {
	for _, ec := range engines() {
		t.Run(ec.name, func(t *testing.T) { f(t, ec) })
	}
}

// addTenant registers a tenant with a retention.
func addTenant(tb testing.TB, s *Store, id string, retention uint16) tenant.ID {
	tb.Helper()
	t := tenant.MustNew(id)
	if err := s.PutTenant(context.Background(), Tenant{ID: t, Name: "Tenant " + id, RetentionDays: retention}); err != nil {
		tb.Fatalf("PutTenant(%s): %v", id, err)
	}
	return t
}
