package chdb

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// The engine is per process: every test shares the one TestMain opens.
var (
	testDir string
	testLib string
)

func TestMain(m *testing.M) {
	var err error
	if testLib, err = FindLibrary(); err != nil {
		fmt.Fprintln(os.Stderr, "chdb tests:", err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "spoor-chdb-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testDir = dir
	code := m.Run()
	if err := Shutdown(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func open(t *testing.T, conns int) *Engine {
	t.Helper()
	e, err := Open(Config{Path: testDir, LibPath: testLib, Conns: conns})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func query(t *testing.T, e *Engine, sql, format string, params ...Param) string {
	t.Helper()
	r, err := e.Query(context.Background(), []byte(sql), format, params...)
	if err != nil {
		t.Fatalf("Query(%q): %v", sql, err)
	}
	defer r.Free()
	return string(r.Data())
}

func TestQuery(t *testing.T) {
	e := open(t, 1)
	tests := []struct {
		sql, format, want string
		params            []Param
	}{
		{"SELECT 1 + 1", "", "2\n", nil},
		{"SELECT 'a' AS x, 2 AS y", "CSVWithNames", "\"x\",\"y\"\n\"a\",2\n", nil},
		{"SELECT {s:String}, {n:UInt8}", "TSV", "a\\tb\\n\\'c\t7\n", []Param{{"s", `a\tb\n'c`}, {"n", "7"}}},
		{"SELECT 1; SELECT 2", "", "1\n2\n", nil},
		{"CREATE DATABASE IF NOT EXISTS chdb_test", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			if got := query(t, e, tt.sql, tt.format, tt.params...); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestQueryError(t *testing.T) {
	e := open(t, 1)
	_, err := e.Query(context.Background(), []byte("SELEC 1"), "")
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != 62 || !strings.Contains(ce.Message, "Syntax error") {
		t.Fatalf("error %#v, want a code 62 syntax error", err)
	}
	if _, err := e.Query(context.Background(), nil, ""); err == nil {
		t.Error("empty query succeeded")
	}
	// The connection is usable after an error.
	if got := query(t, e, "SELECT 3", ""); got != "3\n" {
		t.Errorf("after an error: got %q", got)
	}
}

func TestInsertBinaryData(t *testing.T) {
	e := open(t, 1)
	table := fmt.Sprintf("default.bin_%d", time.Now().UnixNano())
	query(t, e, "CREATE TABLE "+table+" (id UInt32, t Int64, s String) ENGINE = MergeTree ORDER BY id", "")
	// Rows whose bytes hold "\n\n" and NULs: inline INSERT data would be
	// cut at the first empty line.
	var data []byte
	const rows = 50_000
	for i := range rows {
		data = binary.LittleEndian.AppendUint32(data, uint32(i))
		data = binary.LittleEndian.AppendUint64(data, 0x0a0a0a0a_00000a0a)
		s := fmt.Sprintf("row\n\n%d\x00;\n", i)
		data = binary.AppendUvarint(data, uint64(len(s)))
		data = append(data, s...)
	}
	if !bytes.Contains(data, []byte("\n\n")) {
		t.Fatal("test data lacks an empty line")
	}
	err := e.Insert(context.Background(), "INSERT INTO "+table+" (id, t, s)", []Setting{{"insert_deduplication_token", "tok'1"}}, "RowBinary", data)
	if err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if got := query(t, e, "SELECT count(), sum(t = 723401728212339210), countIf(s LIKE 'row\n\n%') FROM "+table, ""); got != "50000\t50000\t50000\n" {
		t.Errorf("stored rows: got %q", got)
	}
	if err := e.Insert(context.Background(), "INSERT INTO "+table, nil, "Bad Format", data); err == nil {
		t.Error("Insert with a bad format name succeeded")
	}
	if err := e.Insert(context.Background(), "INSERT INTO "+table, []Setting{{"a b", "1"}}, "RowBinary", data); err == nil {
		t.Error("Insert with a bad setting name succeeded")
	}
	entries, _ := os.ReadDir(e.tempDir)
	if len(entries) != 0 {
		t.Errorf("staging directory keeps %d files", len(entries))
	}
}

func TestSessionSettingsStayInSession(t *testing.T) {
	e := open(t, 1)
	sess, err := e.Session()
	if err != nil {
		t.Fatal(err)
	}
	query(t, sess, "SET max_threads = 1", "")
	if got := query(t, sess, "SELECT getSetting('max_threads')", ""); got != "1\n" {
		t.Errorf("in the session: max_threads = %q, want 1", got)
	}
	sess.Close()
	if got := query(t, e, "SELECT getSetting('max_threads') = 1", ""); got != "0\n" {
		t.Errorf("the session's SET leaked into another connection")
	}
}

func TestConcurrentConnections(t *testing.T) {
	e := open(t, 2)
	start := time.Now()
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			query(t, e, "SELECT sleep(0.5)", "")
		}()
	}
	wg.Wait()
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("two 0.5 s queries on two connections took %v: they did not run at once", d)
	}
}

func TestOpenRules(t *testing.T) {
	e := open(t, 1)
	if e.Path() != testDir {
		t.Errorf("Path = %q, want %q", e.Path(), testDir)
	}
	if _, err := Open(Config{Path: t.TempDir(), LibPath: testLib}); err == nil {
		t.Error("a second data directory opened in the same process")
	}
	if _, err := Open(Config{LibPath: testLib}); err == nil {
		t.Error("Open without a directory succeeded")
	}
	t.Setenv(EnvLibPath, "")
	if _, err := Open(Config{Path: testDir}); !errors.Is(err, ErrNoLibrary) {
		t.Errorf("Open without a library: error %v, want ErrNoLibrary", err)
	}
	closed := open(t, 1)
	closed.Close()
	if _, err := closed.Query(context.Background(), []byte("SELECT 1"), ""); !errors.Is(err, ErrClosed) {
		t.Errorf("Query after Close: error %v, want ErrClosed", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Query(ctx, []byte("SELECT 1"), ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Query with a cancelled context: error %v, want context.Canceled", err)
	}
}

func TestShutdownRefusedWhileOpen(t *testing.T) {
	open(t, 1)
	if err := Shutdown(); err == nil {
		t.Fatal("Shutdown with an open handle succeeded")
	}
}

func TestParseError(t *testing.T) {
	tests := []struct {
		in   string
		code int
	}{
		{"Code: 60. DB::Exception: Unknown table", 60},
		{"  Code: 164. DB::Exception: readonly\n", 164},
		{"something else", 0},
		{"Code: x. y", 0},
	}
	for _, tt := range tests {
		if got := parseError(tt.in); got.Code != tt.code || got.Message != strings.TrimSpace(tt.in) {
			t.Errorf("parseError(%q) = %+v, want code %d", tt.in, got, tt.code)
		}
	}
}
