package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spoorsec/spoor/tenant"
)

// ErrQueryRefused is wrapped when tenant SQL is refused before it runs.
var ErrQueryRefused = errors.New("store: query refused")

// Limits bound one tenant SQL query. Zero fields take the defaults.
type Limits struct {
	// MaxRows is the most result rows returned (default 10,000); more set
	// SQLResult.Truncated.
	MaxRows int
	// MaxRowsToRead is the most rows the query may scan (default 500M).
	MaxRowsToRead uint64
	// MaxExecutionTime bounds the run time (default 30s).
	MaxExecutionTime time.Duration
	// MaxMemoryBytes bounds the query's memory (default 2 GiB).
	MaxMemoryBytes uint64
}

func (l Limits) withDefaults() Limits {
	if l.MaxRows <= 0 {
		l.MaxRows = 10_000
	}
	if l.MaxRowsToRead == 0 {
		l.MaxRowsToRead = 500_000_000
	}
	if l.MaxExecutionTime <= 0 {
		l.MaxExecutionTime = 30 * time.Second
	}
	if l.MaxMemoryBytes == 0 {
		l.MaxMemoryBytes = 2 << 30
	}
	return l
}

// SQLColumn is a result column.
type SQLColumn struct {
	Name string
	Type string
}

// SQLResult is a tenant query's result. Each row is a JSON array with one
// value per column, as ClickHouse's JSONCompactEachRow writes it (64-bit
// integers quoted).
type SQLResult struct {
	Columns   []SQLColumn
	Rows      []json.RawMessage
	Truncated bool
}

// ExplainAST returns ClickHouse's `EXPLAIN AST` of one statement, for the
// API's validation. The text is first parsed on its own (as a query
// parameter), so a second statement or a syntax error is refused before
// anything is run.
func (s *Store) ExplainAST(ctx context.Context, sql string) (string, error) {
	canon, err := s.canonical(ctx, sql)
	if err != nil {
		return "", err
	}
	return s.explain(ctx, "EXPLAIN AST "+canon, nil)
}

// QuerySQL runs one read-only SELECT over tenant t's events and returns at
// most limits.MaxRows rows. The query names the table `events`; it is
// expected to have been validated by the caller (EXPLAIN AST), but the
// store does not rely on that. Walls, in order:
//
//  1. The text is parsed alone (formatQuerySingleLine of a parameter) and
//     replaced by its canonical form: one statement, nothing appended.
//  2. Its AST must be a bare SELECT (no FORMAT, INTO OUTFILE) with no
//     SETTINGS clause at any depth: ClickHouse lets a subquery's SETTINGS
//     override query settings even in readonly mode, so none are allowed.
//  3. It is wrapped as
//     WITH events AS (SELECT * FROM <db>.events WHERE tenant = {t})
//     SELECT formatRowNoNewline('JSONCompactEachRow', *) FROM (<query>)
//     and the engine's analysed query tree (EXPLAIN QUERY TREE) must read
//     no table but <db>.events and system.one, use no table function but
//     number generators, and call no function that reads outside the
//     query's tables (file, dictionaries, joinGet).
//  4. It runs with additional_table_filters on <db>.events restricting
//     every read of the table, however it is named, to tenant t; with
//     readonly=1 and the limits.
//
// So a query can only ever see tenant t's rows of events: by the CTE, and
// if it names the real table, by the engine-applied filter that no SETTINGS
// can lift.
func (s *Store) QuerySQL(ctx context.Context, t tenant.ID, sql string, limits Limits) (*SQLResult, error) {
	if err := checkTenant(t); err != nil {
		return nil, err
	}
	l := limits.withDefaults()
	canon, err := s.canonical(ctx, sql)
	if err != nil {
		return nil, err
	}
	ast, err := s.explain(ctx, "EXPLAIN AST "+canon, nil)
	if err != nil {
		return nil, err
	}
	if err := checkAST(ast); err != nil {
		return nil, err
	}

	params := []param{strParam("spoor_tenant", string(t))}
	inner := "WITH events AS (SELECT * FROM " + s.db + ".events WHERE tenant = {spoor_tenant:String}) SELECT * FROM (" + canon + ")"
	wrapped := "WITH events AS (SELECT * FROM " + s.db + ".events WHERE tenant = {spoor_tenant:String}) " +
		"SELECT formatRowNoNewline('JSONCompactEachRow', *) FROM (" + canon + ") LIMIT " + strconv.Itoa(l.MaxRows+1)
	settings := s.sqlSettings(t, l)

	tree, err := s.explain(ctx, "EXPLAIN QUERY TREE "+wrapped+settings, params)
	if err != nil {
		return nil, err
	}
	if err := s.checkQueryTree(tree); err != nil {
		return nil, err
	}

	res := &SQLResult{}
	r, err := s.be.query(ctx, "DESCRIBE ("+inner+")"+settings, params)
	if err != nil {
		return nil, fmt.Errorf("store: cannot describe query: %w", err)
	}
	err = scanAll(r, func() error {
		var name, typ, skip string
		var c SQLColumn
		if err := r.Scan(&name, &typ, &skip, &skip, &skip, &skip, &skip); err != nil {
			return err
		}
		c.Name, c.Type = name, typ
		res.Columns = append(res.Columns, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: cannot describe query: %w", err)
	}

	r, err = s.be.query(ctx, wrapped+settings, params)
	if err != nil {
		return nil, fmt.Errorf("store: query failed: %w", err)
	}
	err = scanAll(r, func() error {
		var row string
		if err := r.Scan(&row); err != nil {
			return err
		}
		res.Rows = append(res.Rows, json.RawMessage(row))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: query failed: %w", err)
	}
	if len(res.Rows) > l.MaxRows {
		res.Rows, res.Truncated = res.Rows[:l.MaxRows], true
	}
	return res, nil
}

// sqlSettings is the SETTINGS clause of a tenant query. The tenant ID goes
// into additional_table_filters as a literal (settings take no
// parameters); tenant.ID's alphabet, [a-z0-9_-], cannot close a quote.
func (s *Store) sqlSettings(t tenant.ID, l Limits) string {
	if !t.Valid() {
		panic("BUG: unvalidated tenant in a query filter")
	}
	filter := "tenant = ''" + string(t) + "''"
	var filters []string
	for _, table := range []string{"events", s.cfg.EventsTable()} {
		filters = append(filters, "'"+s.cfg.Database+"."+table+"': '"+filter+"'")
	}
	return " SETTINGS additional_table_filters = {" + strings.Join(filters, ", ") + "}" +
		", max_execution_time = " + strconv.FormatFloat(l.MaxExecutionTime.Seconds(), 'f', 3, 64) +
		", max_memory_usage = " + strconv.FormatUint(l.MaxMemoryBytes, 10) +
		", max_rows_to_read = " + strconv.FormatUint(l.MaxRowsToRead, 10) +
		", output_format_json_quote_64bit_integers = 1" +
		", asterisk_include_alias_columns = 1" +
		", readonly = 1"
}

// canonical parses sql on its own and returns ClickHouse's one-line
// formatting of it; a second statement or a syntax error is refused.
func (s *Store) canonical(ctx context.Context, sql string) (string, error) {
	if strings.TrimSpace(sql) == "" {
		return "", fmt.Errorf("%w: empty query", ErrQueryRefused)
	}
	r, err := s.be.query(ctx, "SELECT formatQuerySingleLine({q:String})", []param{strParam("q", sql)})
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrQueryRefused, err)
	}
	var canon string
	err = scanAll(r, func() error { return r.Scan(&canon) })
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrQueryRefused, err)
	}
	if canon == "" {
		return "", fmt.Errorf("%w: empty query", ErrQueryRefused)
	}
	return canon, nil
}

// explain runs an EXPLAIN and returns its lines joined.
func (s *Store) explain(ctx context.Context, sql string, params []param) (string, error) {
	r, err := s.be.query(ctx, sql, params)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrQueryRefused, err)
	}
	var b strings.Builder
	err = scanAll(r, func() error {
		var line string
		if err := r.Scan(&line); err != nil {
			return err
		}
		b.WriteString(line)
		b.WriteByte('\n')
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrQueryRefused, err)
	}
	return b.String(), nil
}

// checkAST accepts a bare SELECT without SETTINGS anywhere.
func checkAST(ast string) error {
	lines := strings.Split(strings.TrimRight(ast, "\n"), "\n")
	if len(lines) == 0 || lines[0] != "SelectWithUnionQuery (children 1)" {
		return fmt.Errorf("%w: only a plain SELECT (no FORMAT, INTO OUTFILE or other statement) is allowed", ErrQueryRefused)
	}
	for _, l := range lines {
		node, _, _ := strings.Cut(strings.TrimSpace(l), " ")
		if node == "Set" {
			return fmt.Errorf("%w: SETTINGS are not allowed", ErrQueryRefused)
		}
	}
	return nil
}

var (
	treeTableRe = regexp.MustCompile(`^TABLE id: \d+(?:, alias: __table\d+)?, table_name: ([^\s,]+)$`)
	treeFuncRe  = regexp.MustCompile(`^TABLE_FUNCTION id: \d+(?:, alias: __table\d+)?, table_function_name: ([A-Za-z0-9_]+)$`)
)

// allowedTableFunctions generate numbers and read nothing.
var allowedTableFunctions = map[string]bool{
	"numbers": true, "numbers_mt": true, "zeros": true, "zeros_mt": true, "generate_series": true, "generateSeries": true,
}

// deniedFunctionPrefixes name functions that read data other than the
// query's tables: files, dictionaries, Join tables.
var deniedFunctionPrefixes = []string{"file", "dict", "joinGet"}

// checkQueryTree accepts an analysed query that reads only the events table
// (and system.one, the table of a FROM-less SELECT).
func (s *Store) checkQueryTree(tree string) error {
	allowed := map[string]bool{s.cfg.Database + ".events": true, "system.one": true}
	for _, l := range strings.Split(tree, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "TABLE id:"):
			m := treeTableRe.FindStringSubmatch(l)
			if m == nil || !allowed[m[1]] {
				return fmt.Errorf("%w: only the events table can be read", ErrQueryRefused)
			}
		case strings.HasPrefix(l, "TABLE_FUNCTION id:"):
			m := treeFuncRe.FindStringSubmatch(l)
			if m == nil || !allowedTableFunctions[m[1]] {
				return fmt.Errorf("%w: table functions are not allowed", ErrQueryRefused)
			}
		case strings.HasPrefix(l, "FUNCTION id:"):
			// Every "function_name: " is checked, so that an alias spelling
			// one cannot hide the real name behind it.
			for rest := l; ; {
				i := strings.Index(rest, "function_name: ")
				if i < 0 {
					break
				}
				rest = rest[i+len("function_name: "):]
				name, _, _ := strings.Cut(rest, ",")
				for _, p := range deniedFunctionPrefixes {
					if strings.HasPrefix(name, p) {
						return fmt.Errorf("%w: function %s is not allowed", ErrQueryRefused, name)
					}
				}
			}
		}
	}
	return nil
}

// scanAll calls each for every row, then closes r.
func scanAll(r rows, each func() error) error {
	defer r.Close()
	for r.Next() {
		if err := each(); err != nil {
			return err
		}
	}
	return r.Err()
}
