package heuristic

import (
	"os"
	"path/filepath"
	"strings"
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
