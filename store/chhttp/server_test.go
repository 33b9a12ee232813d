package chhttp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/ext"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/spoorsec/spoor/store/chdb"
)

var (
	srvURL string
	seq    atomic.Int64
)

// uniq makes a name unique within the process (tests may run repeatedly
// with -count).
func uniq(name string) string { return fmt.Sprintf("%s_%d", name, seq.Add(1)) }

func TestMain(m *testing.M) {
	os.Exit(func() int {
		lib, err := chdb.FindLibrary()
		if err != nil {
			fmt.Fprintln(os.Stderr, "chhttp tests:", err)
			return 1
		}
		dir, err := os.MkdirTemp("", "spoor-chhttp-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		eng, err := chdb.Open(chdb.Config{Path: dir, LibPath: lib})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer func() {
			eng.Close()
			if err := chdb.Shutdown(); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		}()
		front, err := New(context.Background(), eng)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		srv := httptest.NewServer(front)
		defer srv.Close()
		srvURL = srv.URL
		return m.Run()
	}())
}

// connect opens clickhouse-go in HTTP mode against the front.
func connect(t *testing.T, comp *clickhouse.Compression) driver.Conn {
	t.Helper()
	addr := strings.TrimPrefix(srvURL, "http://")
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{addr},
		Protocol:    clickhouse.HTTP,
		Compression: comp,
		DialTimeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatalf("clickhouse.Open: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	return conn
}

func TestHandshake(t *testing.T) {
	conn := connect(t, nil)
	v, err := conn.ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.Version.Major < 23 || v.Revision != 0 || v.Timezone == nil {
		t.Errorf("server version %+v: want ClickHouse >= 23 reported at revision 0", v)
	}
}

// TestBatchRoundTrip inserts every column type Spoor uses, and some it
// may, through PrepareBatch, and reads them back.
func TestBatchRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name string
		comp *clickhouse.Compression
	}{
		{"plain", nil},
		{"gzip", &clickhouse.Compression{Method: clickhouse.CompressionGZIP}},
		{"deflate", &clickhouse.Compression{Method: clickhouse.CompressionDeflate}},
		{"brotli", &clickhouse.Compression{Method: clickhouse.CompressionBrotli}},
		{"lz4", &clickhouse.Compression{Method: clickhouse.CompressionLZ4}},
		{"zstd", &clickhouse.Compression{Method: clickhouse.CompressionZSTD}},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn := connect(t, c.comp)
			ctx := context.Background()
			table := "default." + uniq("rt_"+c.name)
			err := conn.Exec(ctx, "CREATE TABLE "+table+` (
				t DateTime64(6, 'UTC'), lc LowCardinality(String), ip IPv6, arr Array(String),
				n Nullable(Int32), m Map(String, UInt64), e Enum8('a' = 1, 'b' = 2), u UInt16, b Bool
			) ENGINE = MergeTree ORDER BY t`)
			if err != nil {
				t.Fatalf("CREATE: %v", err)
			}
			b, err := conn.PrepareBatch(ctx, "INSERT INTO "+table)
			if err != nil {
				t.Fatalf("PrepareBatch: %v", err)
			}
			base := time.Date(2025, 1, 2, 3, 4, 5, 123456000, time.UTC)
			const rows = 5000
			for i := range rows {
				var n *int32
				if i%2 == 0 {
					v := int32(-i)
					n = &v
				}
				err := b.Append(base.Add(time.Duration(i)*time.Microsecond), fmt.Sprint("v", i%7),
					netip.MustParseAddr(fmt.Sprintf("2001:db8::%x", i)), []string{"x", fmt.Sprint(i)}, n,
					map[string]uint64{"k": uint64(i)}, "b", uint16(i), i%3 == 0)
				if err != nil {
					t.Fatalf("Append: %v", err)
				}
			}
			if err := b.Send(); err != nil {
				t.Fatalf("Send: %v", err)
			}
			rowsIt, err := conn.Query(ctx, "SELECT t, lc, ip, arr, n, m, e, u, b FROM "+table+" ORDER BY t")
			if err != nil {
				t.Fatalf("Query: %v", err)
			}
			defer rowsIt.Close()
			i := 0
			for rowsIt.Next() {
				var (
					tm  time.Time
					lc  string
					ip  netip.Addr
					arr []string
					n   *int32
					m   map[string]uint64
					e   string
					u   uint16
					bv  bool
				)
				if err := rowsIt.Scan(&tm, &lc, &ip, &arr, &n, &m, &e, &u, &bv); err != nil {
					t.Fatalf("Scan: %v", err)
				}
				wantIP := netip.MustParseAddr(fmt.Sprintf("2001:db8::%x", i))
				if !tm.Equal(base.Add(time.Duration(i)*time.Microsecond)) || lc != fmt.Sprint("v", i%7) || ip != wantIP ||
					len(arr) != 2 || arr[1] != fmt.Sprint(i) || (i%2 == 0) != (n != nil) || m["k"] != uint64(i) ||
					e != "b" || u != uint16(i) || bv != (i%3 == 0) {
					t.Fatalf("row %d: got %v %q %v %v %v %v %q %d %v", i, tm, lc, ip, arr, n, m, e, u, bv)
				}
				i++
			}
			if err := rowsIt.Err(); err != nil || i != rows {
				t.Fatalf("read %d rows (err %v), want %d", i, err, rows)
			}
		})
	}
}

func TestParametersAndSettings(t *testing.T) {
	conn := connect(t, nil)
	ctx := context.Background()
	var s string
	var n uint64
	// Server-side parameters, by context and by Named arguments.
	pctx := clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{"s": `a\tb`, "n": "41"}))
	if err := conn.QueryRow(pctx, "SELECT {s:String}, {n:UInt64} + 1").Scan(&s, &n); err != nil || s != "a\tb" || n != 42 {
		t.Errorf("WithParameters: %q %d %v", s, n, err)
	}
	if err := conn.QueryRow(ctx, "SELECT {s:String}", clickhouse.Named("s", "it's\n")).Scan(&s); err != nil || s != "it's\n" {
		t.Errorf("Named: %q %v", s, err)
	}
	// Settings apply to their query only.
	sctx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_threads": 1}))
	if err := conn.QueryRow(sctx, "SELECT toString(getSetting('max_threads'))").Scan(&s); err != nil || s != "1" {
		t.Errorf("WithSettings: max_threads = %q (%v), want 1", s, err)
	}
	if err := conn.QueryRow(ctx, "SELECT toString(getSetting('max_threads'))").Scan(&s); err != nil || s == "1" {
		t.Errorf("setting leaked into the next query: max_threads = %q (%v)", s, err)
	}
	// Settings on an insert: deduplication by token.
	dedup := "default." + uniq("dedup")
	if err := conn.Exec(ctx, "CREATE TABLE "+dedup+" (x UInt32) ENGINE = MergeTree ORDER BY x SETTINGS non_replicated_deduplication_window = 100"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		ictx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"insert_deduplication_token": "batch-1"}))
		b, err := conn.PrepareBatch(ictx, "INSERT INTO "+dedup)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 10 {
			b.Append(uint32(i))
		}
		if err := b.Send(); err != nil {
			t.Fatal(err)
		}
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+dedup).Scan(&n); err != nil || n != 10 {
		t.Errorf("a batch sent twice with one token stored %d rows (%v), want 10", n, err)
	}
}

func TestErrors(t *testing.T) {
	conn := connect(t, nil)
	err := conn.Exec(context.Background(), "SELECT * FROM default.no_such_table")
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) || ex.Code != 60 {
		t.Errorf("error %v, want a clickhouse.Exception with code 60", err)
	}
}

// TestExternalTablesUnsupported documents a clickhouse-go feature the
// front cannot serve, and checks that it fails loudly.
func TestExternalTablesUnsupported(t *testing.T) {
	conn := connect(t, nil)
	ctx := context.Background()
	tbl, err := ext.NewTable("ext", ext.Column("x", "UInt8"))
	if err != nil {
		t.Fatal(err)
	}
	tbl.Append(uint8(1))
	var n uint64
	err = conn.QueryRow(clickhouse.Context(ctx, clickhouse.WithExternalTable(tbl)), "SELECT count() FROM ext").Scan(&n)
	if err == nil || !strings.Contains(err.Error(), "chhttp: external tables are not supported") {
		t.Errorf("external table query: got %v (count %d), want the front's refusal", err, n)
	}
}

func TestAsyncInsert(t *testing.T) {
	conn := connect(t, nil)
	ctx := context.Background()
	table := "default." + uniq("async")
	if err := conn.Exec(ctx, "CREATE TABLE "+table+" (x UInt8) ENGINE = MergeTree ORDER BY x"); err != nil {
		t.Fatal(err)
	}
	if err := conn.AsyncInsert(ctx, "INSERT INTO "+table+" VALUES (1)", true); err != nil {
		t.Fatalf("AsyncInsert: %v", err)
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+table).Scan(&n); err != nil || n != 1 {
		t.Errorf("after AsyncInsert(wait): %d rows (%v), want 1", n, err)
	}
}

// TestDatabaseSQLAndDatabase uses clickhouse-go through database/sql, with
// a default database in the DSN so unqualified names resolve there.
func TestDatabaseSQLAndDatabase(t *testing.T) {
	admin := connect(t, nil)
	ctx := context.Background()
	name := uniq("sqldb")
	if err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("clickhouse", srvURL+"/"+name+"?dial_timeout=10s")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (x UInt32, s String) ENGINE = MergeTree ORDER BY x"); err != nil {
		t.Fatalf("CREATE in the DSN's database: %v", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO t")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := stmt.ExecContext(ctx, uint32(i), fmt.Sprint("s", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	var n uint64
	var cur string
	if err := db.QueryRowContext(ctx, "SELECT count(), currentDatabase() FROM t").Scan(&n, &cur); err != nil || n != 3 || cur != name {
		t.Errorf("count %d in %q (%v), want 3 in %s", n, cur, err, name)
	}
	if err := admin.QueryRow(ctx, "SELECT count() FROM "+name+".t").Scan(&n); err != nil || n != 3 {
		t.Errorf("%s.t holds %d rows (%v), want 3", name, n, err)
	}
}
