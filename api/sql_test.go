package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spoorsec/spoor/tenant"
)

var sqlTenants struct {
	once         sync.Once
	own, other   tenant.ID
	ownN, other_ int
}

// sqlSetup seeds two tenants once: 300 events for own, 200 for other.
func sqlSetup(tb testing.TB) (own, other tenant.ID) {
	tb.Helper()
	sqlTenants.once.Do(func() {
		sqlTenants.own, sqlTenants.other = newTenant(tb, "sql-own"), newTenant(tb, "sql-other")
		day := time.Now().UTC().Truncate(24 * time.Hour).Add(-48 * time.Hour)
		seedDay(tb, sqlTenants.own, day, 300)
		seedDay(tb, sqlTenants.other, day, 200)
	})
	return sqlTenants.own, sqlTenants.other
}

func runSQL(tb testing.TB, t tenant.ID, token, q string, opts ...reqOpt) resp {
	tb.Helper()
	return call(tb, "POST", "/api/v1/tenants/"+string(t)+"/sql", token, map[string]string{"query": q}, opts...)
}

func TestSQLResults(t *testing.T) {
	own, other := sqlSetup(t)
	_, tok := newUser(t, own, RoleViewer)
	cases := []struct {
		name, query string
		want        string // JSON of rows
	}{
		{"count sees own rows only", "SELECT count() FROM events", `[["300"]]`},
		{"naming the other tenant finds nothing", "SELECT count() FROM events WHERE tenant = '" + string(other) + "'", `[["0"]]`},
		{"subquery in FROM", "SELECT count() FROM (SELECT * FROM events WHERE trail = 'evil.example')", `[["60"]]`},
		{"alias of events", "SELECT count() FROM events AS e WHERE e.proto = 'UDP'", `[["300"]]`},
		{"self join stays in tenant", "SELECT count() FROM events AS a JOIN events AS b ON a.id = b.id", `[["300"]]`},
		{"group by", "SELECT trail, count() AS c FROM events GROUP BY trail ORDER BY trail LIMIT 2", `[["198.51.100.7","60"],["bad.example.net","60"]]`},
		{"union of events", "SELECT count() FROM (SELECT id FROM events UNION ALL SELECT id FROM events)", `[["600"]]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runSQL(t, own, tok, tc.query)
			if r.Code != 200 {
				t.Fatalf("got %d %s, want 200", r.Code, r.Body)
			}
			var res struct {
				Columns []sqlColumnJSON   `json:"columns"`
				Rows    []json.RawMessage `json:"rows"`
			}
			r.json(t, &res)
			rows, _ := json.Marshal(res.Rows)
			if string(rows) != tc.want || len(res.Columns) == 0 {
				t.Errorf("got rows %s (columns %v), want %s", rows, res.Columns, tc.want)
			}
		})
	}
	t.Run("csv", func(t *testing.T) {
		r := runSQL(t, own, tok, "SELECT trail, count() AS c FROM events GROUP BY trail ORDER BY trail LIMIT 1", withHeader("Accept", "text/csv"))
		if want := "trail,c\n198.51.100.7,60\n"; r.Code != 200 || string(r.Body) != want {
			t.Errorf("got %d %q, want 200 %q", r.Code, r.Body, want)
		}
	})
	t.Run("row limit", func(t *testing.T) {
		r := runSQL(t, own, tok, "SELECT id FROM events")
		var res sqlResponse
		r.json(t, &res)
		if r.Code != 200 || len(res.Rows) != 300 || res.Truncated {
			t.Errorf("got %d, %d rows, truncated %v; want 300 rows", r.Code, len(res.Rows), res.Truncated)
		}
	})
}

// hostileQueries must all be refused with a 4xx and an explanation.
var hostileQueries = []struct{ name, query string }{
	{"file", "SELECT * FROM file('/etc/passwd')"},
	{"file lowercase keyword", "select * from file('/etc/passwd', 'LineAsString')"},
	{"url", "SELECT * FROM url('http://127.0.0.1:1/x', CSV, 'a String')"},
	{"url file scheme", "SELECT * FROM url('file:///etc/passwd', LineAsString)"},
	{"remote", "SELECT * FROM remote('127.0.0.1', system.one)"},
	{"remoteSecure", "SELECT * FROM remoteSecure('127.0.0.1:9440', spoor.events)"},
	{"cluster", "SELECT * FROM cluster('default', system.one)"},
	{"s3", "SELECT * FROM s3('http://127.0.0.1/b/x.csv')"},
	{"hdfs", "SELECT * FROM hdfs('hdfs://127.0.0.1/x', 'TSV', 'a String')"},
	{"azure", "SELECT * FROM azureBlobStorage('DefaultEndpointsProtocol=http', 'c', 'x')"},
	{"mysql", "SELECT * FROM mysql('127.0.0.1:3306', 'db', 't', 'u', 'p')"},
	{"postgresql", "SELECT * FROM postgresql('127.0.0.1:5432', 'db', 't', 'u', 'p')"},
	{"jdbc", "SELECT * FROM jdbc('jdbc:x', 't')"},
	{"odbc", "SELECT * FROM odbc('DSN=x', 't')"},
	{"executable", "SELECT * FROM executable('cat /etc/passwd', TSV, 'a String')"},
	{"input", "SELECT * FROM input('a String')"},
	{"numbers", "SELECT * FROM numbers(1000000000000)"},
	{"generateRandom", "SELECT * FROM generateRandom('a Int8') LIMIT 1"},
	{"merge", "SELECT * FROM merge('spoor', '.*')"},
	{"mergeTreeIndex", "SELECT * FROM mergeTreeIndex('spoor', 'events')"},
	{"view", "SELECT * FROM view(SELECT * FROM spoor.events)"},
	{"dictionary table", "SELECT * FROM dictionary('d')"},
	{"table function in join", "SELECT * FROM events AS e JOIN file('/etc/passwd') AS f ON 1"},
	{"table function in subquery", "SELECT count() FROM events WHERE src_ip IN (SELECT * FROM file('/etc/hosts'))"},
	{"system.tables", "SELECT * FROM system.tables"},
	{"system.users", "SELECT name FROM system.users"},
	{"system.one", "SELECT * FROM system.one"},
	{"quoted system", "SELECT * FROM `system`.`tables`"},
	{"double-quoted system", `SELECT * FROM "system"."processes"`},
	{"information_schema", "SELECT * FROM information_schema.tables"},
	{"INFORMATION_SCHEMA", "SELECT * FROM INFORMATION_SCHEMA.COLUMNS"},
	{"real events table", "SELECT * FROM spoor.events"},
	{"quoted real events table", "SELECT * FROM `spoor`.`events`"},
	{"control plane table", "SELECT * FROM spoor.users"},
	{"unqualified other table", "SELECT * FROM users"},
	{"default database", "SELECT * FROM default.events"},
	{"IN a system table", "SELECT count() FROM events WHERE 1 IN system.one"},
	{"union with real table", "SELECT id FROM events UNION ALL SELECT id FROM spoor.events"},
	{"subquery on other tenants", "SELECT * FROM events WHERE tenant IN (SELECT tenant FROM spoor.events)"},
	{"dictGet", "SELECT dictGet('d', 'x', toUInt64(1))"},
	{"file function", "SELECT file('/etc/passwd')"},
	{"joinGet", "SELECT joinGet('j', 'v', 1)"},
	{"hostName", "SELECT hostName()"},
	{"fqdn", "SELECT FQDN()"},
	{"version", "SELECT version()"},
	{"currentUser", "SELECT currentUser()"},
	{"getSetting", "SELECT getSetting('readonly')"},
	{"getMacro", "SELECT getMacro('shard')"},
	{"sleep", "SELECT sleep(3)"},
	{"SETTINGS", "SELECT * FROM events SETTINGS readonly = 0"},
	{"SETTINGS in subquery", "SELECT * FROM (SELECT * FROM events SETTINGS additional_table_filters = {})"},
	{"FORMAT", "SELECT 1 FORMAT TSV"},
	{"INTO OUTFILE", "SELECT 1 INTO OUTFILE '/tmp/spoor-x'"},
	{"INTO OUTFILE with format", "SELECT * FROM events INTO OUTFILE 'x.csv' FORMAT CSV"},
	{"two statements", "SELECT 1; SELECT 2"},
	{"statement after a comment", "SELECT * FROM events /* c */ ; DROP TABLE events"},
	{"DROP", "DROP TABLE events"},
	{"INSERT", "INSERT INTO events (id) VALUES (1)"},
	{"ALTER DELETE", "ALTER TABLE events DELETE WHERE 1"},
	{"CREATE", "CREATE TABLE x (a Int8) ENGINE = Memory"},
	{"TRUNCATE", "TRUNCATE TABLE events"},
	{"RENAME", "RENAME TABLE events TO e2"},
	{"GRANT", "GRANT ALL ON *.* TO default"},
	{"SYSTEM", "SYSTEM SHUTDOWN"},
	{"SYSTEM reload", "SYSTEM RELOAD DICTIONARIES"},
	{"KILL", "KILL QUERY WHERE 1"},
	{"SET", "SET readonly = 0"},
	{"SHOW", "SHOW TABLES"},
	{"DESCRIBE", "DESCRIBE TABLE spoor.users"},
	{"EXPLAIN", "EXPLAIN SELECT 1"},
	{"USE", "USE system"},
	{"CTE named events", "WITH events AS (SELECT * FROM spoor.events) SELECT * FROM events"},
	{"CTE of another name", "WITH x AS (SELECT * FROM events) SELECT * FROM x"},
	{"subquery aliased events", "SELECT * FROM (SELECT 1) AS events"},
	{"join aliased events", "SELECT * FROM events AS e JOIN (SELECT 1 AS x) AS events ON 1"},
	{"expression aliased events", "SELECT 1 AS events"},
	{"WITH expression aliased events", "WITH 1 AS events SELECT events"},
	{"cyrillic e in events", "SELECT * FROM \u0435vents"},
	{"fullwidth semicolon", "SELECT 1\uff1b SELECT 2"},
	{"line separator then statement", "SELECT 1\u2028; DROP TABLE events"},
	{"NUL byte", "SELECT * FROM sys\x00tem.tables"},
	{"syntax error", "SELEC 1"},
	{"empty", ""},
	{"only a comment", "-- nothing here"},
	{"deep nesting", strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000)},
	{"huge query", "SELECT " + strings.Repeat("1+", 20000) + "1"},
}

func TestSQLHostile(t *testing.T) {
	own, other := sqlSetup(t)
	_, tok := newUser(t, own, RoleAnalyst)
	if len(hostileQueries) < 50 {
		t.Fatalf("only %d hostile queries, want at least 50", len(hostileQueries))
	}
	for _, tc := range hostileQueries {
		t.Run(tc.name, func(t *testing.T) {
			r := runSQL(t, own, tok, tc.query)
			if r.Code < 400 || r.Code >= 500 {
				t.Fatalf("got %d %.300s, want a 4xx refusal", r.Code, r.Body)
			}
			msg := r.errMsg(t)
			t.Logf("%d %s", r.Code, msg)
			if msg == "" || strings.Contains(msg, string(other)) || strings.Contains(msg, "root:") {
				t.Errorf("got error %q, want an explanation without foreign data", msg)
			}
		})
	}
}

func TestSQLRequestLimits(t *testing.T) {
	own, _ := sqlSetup(t)
	_, tok := newUser(t, own, RoleViewer)
	if r := call(t, "POST", "/api/v1/tenants/"+string(own)+"/sql", tok, `{"query":`); r.Code != http.StatusBadRequest {
		t.Errorf("malformed body: got %d, want 400", r.Code)
	}
	big := `{"query":"SELECT ` + strings.Repeat("1+", 40000) + `1"}`
	if r := call(t, "POST", "/api/v1/tenants/"+string(own)+"/sql", tok, big); r.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: got %d, want 413", r.Code)
	}
}
