package pyre

import (
	"testing"

	"github.com/dlclark/regexp2"
)

func mustNET(tb testing.TB, pattern string) *regexp2.Regexp {
	tb.Helper()
	re, err := regexp2.Compile(pattern, regexp2.None)
	if err != nil {
		tb.Fatalf("regexp2 rejects %q: %v", pattern, err)
	}
	re.MatchTimeout = netTimeout
	return re
}
