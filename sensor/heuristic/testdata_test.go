package heuristic

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

func sharedTestdata(tb testing.TB) string { return shared.Testdata(tb) }

// loadVectors reads a Maltrail vector file: tab-separated fields with
// \t, \n, \r and \\ escaped, '#' lines skipped. Every row must have want
// fields.
func loadVectors(tb testing.TB, name string, want int) [][]string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(sharedTestdata(tb), "maltrail", "vectors", name))
	if err != nil {
		tb.Fatal(err)
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != want {
			tb.Fatalf("%s: row %q has %d fields, want %d", name, line, len(fields), want)
		}
		for i, f := range fields {
			fields[i] = unescapeVector(f)
		}
		rows = append(rows, fields)
	}
	if len(rows) == 0 {
		tb.Fatalf("%s: no vectors", name)
	}
	return rows
}

func unescapeVector(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
