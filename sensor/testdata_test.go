package sensor

import (
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

func testdata(tb testing.TB, elem ...string) string { return shared.Testdata(tb, elem...) }
