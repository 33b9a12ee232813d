// Package storetest runs a test binary against a real embedded store.
// libchdb runs one engine per process, so a package's tests share one
// store and isolate themselves by tenant.
package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/store/chdb"
)

// Main opens a migrated embedded store in a temporary directory, hands it
// to use, runs the tests, then closes the store and shuts the engine down.
// Use it as os.Exit(storetest.Main(m, "collector", opts, func(s *store.Store) { testStore = s })).
// opts.LibPath defaults to chdb.FindLibrary().
func Main(m *testing.M, name string, opts store.Options, use func(*store.Store)) int {
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "%s tests: %v\n", name, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "spoor-"+name+"-test-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	if opts.LibPath == "" {
		if opts.LibPath, err = chdb.FindLibrary(); err != nil {
			return fail(err)
		}
	}
	st, err := store.OpenEmbedded(filepath.Join(dir, "data"), opts)
	if err != nil {
		return fail(err)
	}
	defer store.ShutdownEmbedded()
	defer st.Close()
	if err := st.Migrate(context.Background()); err != nil {
		return fail(err)
	}
	use(st)
	return m.Run()
}
