package chdb

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Setting is a query-level setting of an INSERT.
type Setting struct {
	Name  string
	Value string
}

var settingNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Insert runs into ("INSERT INTO db.table (a, b)") with data in format as
// its rows and settings as its SETTINGS clause.
//
// The data goes through a temporary file (INSERT … FROM INFILE) rather
// than inline after the statement: the engine ends inline INSERT data at
// the first empty line, so binary rows containing "\n\n" (a timestamp can)
// would be cut short.
func (e *Engine) Insert(ctx context.Context, into string, settings []Setting, format string, data []byte) error {
	if !settingNameRe.MatchString(format) {
		return fmt.Errorf("chdb: bad format %q", format)
	}
	var clause []string
	for _, s := range settings {
		if !settingNameRe.MatchString(s.Name) {
			return fmt.Errorf("chdb: bad setting name %q", s.Name)
		}
		clause = append(clause, s.Name+" = "+quote(s.Value))
	}
	f, err := os.CreateTemp(e.tempDir, "spoor-insert-*.bin")
	if err != nil {
		return fmt.Errorf("chdb: cannot stage insert data: %w", err)
	}
	name := f.Name()
	defer os.Remove(name)
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("chdb: cannot stage insert data: %w", werr)
	}
	q := into + " FROM INFILE " + quote(name)
	if len(clause) > 0 {
		q += " SETTINGS " + strings.Join(clause, ", ")
	}
	q += " FORMAT " + format
	res, err := e.Query(ctx, []byte(q), "")
	if err != nil {
		return err
	}
	res.Free()
	return nil
}

// quote renders s as a ClickHouse string literal.
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\x00", `\0`, "\n", `\n`).Replace(s) + "'"
}
