package trails

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

// testdataDir is <repo root>/../shared/testdata; the repo root is the directory holding
// go.mod.
func testdataDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "testdata")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// maltrailData returns the path of a file under testdata/maltrail.
func maltrailData(tb testing.TB, rel ...string) string {
	tb.Helper()
	return filepath.Join(append([]string{testdataDir(tb), "maltrail"}, rel...)...)
}

var discardLogger = slog.New(slog.DiscardHandler)
