package heuristic

import (
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

func sharedTestdata(tb testing.TB) string { return shared.Testdata(tb) }
