package trails

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

func testdataDir(tb testing.TB) string { return shared.Testdata(tb) }

// maltrailData returns the path of a file under testdata/maltrail.
func maltrailData(tb testing.TB, rel ...string) string {
	tb.Helper()
	return filepath.Join(append([]string{testdataDir(tb), "maltrail"}, rel...)...)
}

var discardLogger = slog.New(slog.DiscardHandler)
