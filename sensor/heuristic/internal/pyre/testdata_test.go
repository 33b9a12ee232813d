package pyre

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedTestdata returns <repo root>/../shared/testdata, the repo root being
// the nearest directory above the working directory holding go.mod.
func sharedTestdata(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared", "testdata")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}
