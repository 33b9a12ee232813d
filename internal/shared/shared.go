// Package shared locates the project's test data, ../shared/testdata beside
// the repository root. Only tests import it.
package shared

import (
	"os"
	"path/filepath"
	"testing"
)

// Testdata returns ../shared/testdata (joined with elem) beside the
// repository root, found by walking up from the test's directory to go.mod.
// The test fails if the directory is missing: tests that need data never
// skip silently.
func Testdata(tb testing.TB, elem ...string) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			root := filepath.Join(filepath.Dir(dir), "shared", "testdata")
			if _, err := os.Stat(root); err != nil {
				tb.Fatalf("test data missing: %v", err)
			}
			return filepath.Join(append([]string{root}, elem...)...)
		}
		if dir == filepath.Dir(dir) {
			tb.Fatalf("go.mod not found above %s", wd)
		}
	}
}
