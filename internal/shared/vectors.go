package shared

import (
	"os"
	"strings"
	"testing"
)

// Vectors returns the rows of Maltrail's vector file testdata/maltrail/vectors/name:
// tab-separated fields, lines starting with '#' (the header) and empty
// lines skipped, and each field's escaping by Maltrail's vector generator
// (\\ \t \n \r) undone. Every row must have columns fields, and the file
// at least one row.
func Vectors(tb testing.TB, name string, columns int) [][]string {
	tb.Helper()
	data, err := os.ReadFile(Testdata(tb, "maltrail", "vectors", name))
	if err != nil {
		tb.Fatal(err)
	}
	var rows [][]string
	for line := range strings.SplitSeq(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != columns {
			tb.Fatalf("%s: row %q has %d fields, want %d", name, line, len(fields), columns)
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

// unescapeVector undoes the generator's escaping; a backslash before any
// other byte is kept as written.
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
		case '\\':
			b.WriteByte('\\')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
