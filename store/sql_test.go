package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spoorsec/spoor/tenant"
)

// twoTenants stores events for acme (6) and globex (4) on a recent day.
func twoTenants(t *testing.T, s *Store) (acme, globex tenant.ID, day time.Time) {
	t.Helper()
	acme, globex = addTenant(t, s, "acme", 0), addTenant(t, s, "globex", 0)
	day = recentDay(-1)
	if err := s.InsertEvents(context.Background(), acme, "s", "b", testEvents(day, 6)); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertEvents(context.Background(), globex, "s", "b", testEvents(day, 4)); err != nil {
		t.Fatal(err)
	}
	return acme, globex, day
}

func TestTenantIsolation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ctx := context.Background()
		acme, globex, day := twoTenants(t, s)

		for _, c := range []struct {
			t    tenant.ID
			want int
		}{{acme, 6}, {globex, 4}} {
			evs := readDay(t, s, c.t, day, 2)
			if len(evs) != c.want {
				t.Errorf("DayEvents(%s): %d events, want %d", c.t, len(evs), c.want)
			}
			for _, e := range evs {
				if e.Tenant != c.t {
					t.Errorf("DayEvents(%s) returned an event of %s", c.t, e.Tenant)
				}
			}
			if got := totalRows(t, s, c.t); got != uint64(c.want) {
				t.Errorf("CountsPerDay(%s): %d rows, want %d", c.t, got, c.want)
			}
		}

		// Every way of naming the events table sees acme's rows only.
		db := s.Database()
		for _, c := range []struct{ q, want string }{
			{"SELECT count() FROM events", `["6"]`},
			{"SELECT count() FROM " + db + ".events", `["6"]`},
			{"SELECT count() FROM `" + db + "`.`events`", `["6"]`},
			{"SELECT count() FROM (SELECT * FROM " + db + ".events)", `["6"]`},
			{"SELECT count() FROM events AS e JOIN " + db + ".events AS f ON e.id = f.id", `["6"]`},
			{"WITH x AS (SELECT * FROM " + db + ".events) SELECT count() FROM x", `["6"]`},
			{"SELECT count() FROM events WHERE tenant = 'globex' OR 1 = 1", `["6"]`},
			{"SELECT (SELECT count() FROM " + db + ".events)", `["6"]`},
			{"SELECT count() FROM events WHERE tenant = 'globex'", `["0"]`},
			{"SELECT count() FROM events WHERE id IN (SELECT id FROM " + db + ".events WHERE tenant = 'globex')", `["0"]`},
			{"WITH events AS (SELECT * FROM " + db + ".events) SELECT count() FROM events", `["6"]`},
			{"SELECT count() FROM events UNION ALL SELECT count() FROM " + db + ".events", `["6"]`},
		} {
			res, err := s.QuerySQL(ctx, acme, c.q, Limits{})
			if err != nil {
				t.Errorf("%s: %v", c.q, err)
				continue
			}
			if len(res.Rows) == 0 || string(res.Rows[0]) != c.want {
				t.Errorf("%s: got %s, want %s (acme's rows only)", c.q, res.Rows, c.want)
			}
		}
		res, err := s.QuerySQL(ctx, globex, "SELECT DISTINCT tenant FROM events", Limits{})
		if err != nil || len(res.Rows) != 1 || string(res.Rows[0]) != `["globex"]` {
			t.Errorf("globex sees tenants %v (err %v), want only globex", res, err)
		}
	})
}

func TestQuerySQLRefusals(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ctx := context.Background()
		acme, _, _ := twoTenants(t, s)
		db := s.Database()
		for _, q := range []string{
			"",
			"SELECT 1; SELECT 2",
			"SELECT 1; DROP TABLE " + db + ".events",
			"DROP TABLE " + db + ".events",
			"INSERT INTO " + db + ".events (tenant) VALUES ('acme')",
			"SELECT * FROM events FORMAT JSON",
			"SELECT * FROM events INTO OUTFILE '/tmp/x'",
			"SELECT count() FROM events SETTINGS additional_table_filters = {}",
			"SELECT count() FROM (SELECT * FROM " + db + ".events SETTINGS additional_table_filters = {})",
			"SELECT count() FROM events SETTINGS max_execution_time = 1000",
			"SELECT * FROM " + db + ".users",
			"SELECT * FROM " + db + ".sensors",
			"SELECT * FROM users",
			"SELECT name FROM system.tables",
			"SELECT * FROM events WHERE trail IN (SELECT token_hash FROM " + db + ".sensors)",
			"SELECT * FROM file('/etc/passwd')",
			"SELECT * FROM url('http://127.0.0.1/')",
			"SELECT * FROM merge('" + db + "', '.*')",
			"SELECT * FROM remote('127.0.0.1', " + db + ".events)",
			"SELECT file('/etc/hostname')",
			"SELECT file('/etc/hostname') AS `x, function_name: count`",
			"SELECT * FROM (EXPLAIN AST SELECT 1)",
			"SELECT * FROM " + db + ".events_local",
			"SHOW TABLES",
			"SELECT * FROM events WHERE",
		} {
			if _, err := s.QuerySQL(ctx, acme, q, Limits{}); !errors.Is(err, ErrQueryRefused) {
				t.Errorf("QuerySQL(%q): error %v, want ErrQueryRefused", q, err)
			}
		}
		// Allowed, harmless shapes still work.
		for _, q := range []string{
			"SELECT 1",
			"SELECT number FROM numbers(3)",
			"SELECT type, count() AS n FROM events GROUP BY type ORDER BY type",
			"WITH t AS (SELECT trail FROM events) SELECT count() FROM t",
			"SELECT src_ip_text, dst_port_text FROM events ORDER BY time LIMIT 2",
		} {
			if _, err := s.QuerySQL(ctx, acme, q, Limits{}); err != nil {
				t.Errorf("QuerySQL(%q): %v", q, err)
			}
		}
	})
}

func TestQuerySQLResult(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ctx := context.Background()
		acme, _, _ := twoTenants(t, s)
		res, err := s.QuerySQL(ctx, acme, "SELECT type, count() AS n, toUInt16(1) AS one FROM events GROUP BY type ORDER BY type", Limits{MaxRows: 2})
		if err != nil {
			t.Fatal(err)
		}
		wantCols := []SQLColumn{{"type", "LowCardinality(String)"}, {"n", "UInt64"}, {"one", "UInt16"}}
		if len(res.Columns) != 3 || res.Columns[0] != wantCols[0] || res.Columns[1] != wantCols[1] || res.Columns[2] != wantCols[2] {
			t.Errorf("columns %v, want %v", res.Columns, wantCols)
		}
		if len(res.Rows) != 2 || !res.Truncated {
			t.Errorf("got %d rows (truncated %v), want 2 truncated", len(res.Rows), res.Truncated)
		}
		if len(res.Rows) > 0 && string(res.Rows[0]) != `["CERT", "1", 1]` {
			t.Errorf("first row %s, want [\"CERT\", \"1\", 1]", res.Rows[0])
		}
		// Scan limit.
		if _, err := s.QuerySQL(ctx, acme, "SELECT count() FROM numbers(1000000)", Limits{MaxRowsToRead: 1000}); err == nil {
			t.Error("query over the row limit succeeded")
		}
		// Empty result keeps its columns.
		res, err = s.QuerySQL(ctx, acme, "SELECT trail FROM events WHERE 0", Limits{})
		if err != nil || len(res.Rows) != 0 || len(res.Columns) != 1 || res.Truncated {
			t.Errorf("empty result: %+v, %v", res, err)
		}
	})
}

func TestExplainAST(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ctx := context.Background()
		ast, err := s.ExplainAST(ctx, "select trail from events where type = 'DNS' -- comment\n")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"SelectWithUnionQuery (children 1)", "TableIdentifier events", "Identifier trail", "Literal 'DNS'"} {
			if !strings.Contains(strings.ReplaceAll(ast, `\'`, "'"), want) {
				t.Errorf("AST lacks %q:\n%s", want, ast)
			}
		}
		for _, q := range []string{"SELECT 1; SELECT 2", "SELEC 1", ""} {
			if _, err := s.ExplainAST(ctx, q); !errors.Is(err, ErrQueryRefused) {
				t.Errorf("ExplainAST(%q): error %v, want ErrQueryRefused", q, err)
			}
		}
		// It explains, it does not run: the table is still there.
		if _, err := s.ExplainAST(ctx, "DROP TABLE "+s.Database()+".events"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DayEvents(ctx, tenant.MustNew("acme"), recentDay(0), Cursor{}, 1); err != nil {
			t.Errorf("events table gone after ExplainAST(DROP): %v", err)
		}
	})
}
