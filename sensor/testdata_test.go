package sensor

import (
	"os"
	"path/filepath"
	"testing"
)

// testdata returns ../shared/testdata beside the repository root, skipping
// nothing: the tests that use it fail loudly if it is missing.
func testdata(tb testing.TB, elem ...string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
	p := filepath.Join(append([]string{dir, "..", "shared", "testdata"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("test data missing: %v", err)
	}
	return p
}
