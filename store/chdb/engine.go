// Package chdb runs ClickHouse in-process through libchdb.so (chDB), loaded
// at run time with purego, so Spoor's store needs no ClickHouse server and
// the binary needs no cgo for it.
//
// libchdb hosts one ClickHouse engine per process, bound to one data
// directory, and booting it twice in a process is fragile. So the engine
// boots on the first Open and stays up, even with no handle open, until
// Shutdown; Open of the same directory returns another handle on it, Open
// of any other directory fails. Each handle owns a small pool of engine connections; a
// connection runs one statement at a time.
//
// The binding uses libchdb's length-delimited entry points
// (chdb_query_n, chdb_query_with_params_n), so statements may carry binary
// data (RowBinary, Native) inline and query parameters are bound by the
// engine ({name:Type} placeholders), never spliced into the SQL text.
package chdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"unsafe"
)

// Config says where the engine keeps its data and where libchdb.so is.
type Config struct {
	// Path is the data directory; it is created if missing.
	Path string
	// LibPath is libchdb.so; empty means $CHDB_LIB_PATH.
	LibPath string
	// Conns is the number of engine connections, i.e. statements that can
	// run at once (default 2).
	Conns int
	// TempDir holds Insert's staged data (default: directory spoor_staging in
	// Path, so staging stays on the data's file system).
	TempDir string
}

// Param is one query parameter, bound to the {Name:Type} placeholder.
type Param struct {
	Name  string
	Value string
}

// ErrClosed is returned by a closed Engine.
var ErrClosed = errors.New("chdb: engine closed")

// engine is the process's one booted ClickHouse.
type engine struct {
	lib  *lib
	path string
	// handles counts open Engines.
	handles int
	// keep is a connection held open for the engine's lifetime: closing the
	// last connection shuts ClickHouse down, and libchdb warns that booting
	// it again in one process is fragile.
	keep unsafe.Pointer
}

var (
	engMu   sync.Mutex
	current *engine
)

// Engine is a handle on the process's embedded ClickHouse.
type Engine struct {
	eng     *engine
	tempDir string
	conns   chan unsafe.Pointer // connection handles (chdb_connection *)
	all     []unsafe.Pointer
	once    sync.Once
	mu      sync.RWMutex // held for reading while a query runs, for writing by Close
	dead    bool
}

// Open boots the engine on cfg.Path, or shares the one already running
// there, and opens cfg.Conns connections to it.
func Open(cfg Config) (*Engine, error) {
	if cfg.Path == "" {
		return nil, errors.New("chdb: no data directory")
	}
	path, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("chdb: data directory %q: %w", cfg.Path, err)
	}
	if err := os.MkdirAll(path, 0o750); err != nil {
		return nil, fmt.Errorf("chdb: cannot create data directory: %w", err)
	}
	l, err := loadLib(cfg.LibPath)
	if err != nil {
		return nil, err
	}
	n := cfg.Conns
	if n <= 0 {
		n = 2
	}

	engMu.Lock()
	defer engMu.Unlock()
	if current != nil && current.path != path {
		return nil, fmt.Errorf("chdb: engine already running on %s, cannot open %s in the same process", current.path, path)
	}
	tempDir := cfg.TempDir
	if tempDir == "" {
		tempDir = filepath.Join(path, "spoor_staging")
	}
	if err := os.MkdirAll(tempDir, 0o750); err != nil {
		return nil, fmt.Errorf("chdb: cannot create temporary directory: %w", err)
	}
	if current == nil {
		keep, err := connect(l, path)
		if err != nil {
			return nil, err
		}
		current = &engine{lib: l, path: path, keep: keep}
	}
	e := &Engine{eng: current, tempDir: tempDir, conns: make(chan unsafe.Pointer, n)}
	for range n {
		c, err := connect(l, path)
		if err != nil {
			e.closeConns()
			return nil, err
		}
		e.all = append(e.all, c)
		e.conns <- c
	}
	current.handles++
	return e, nil
}

// connect opens one engine connection on path.
func connect(l *lib, path string) (unsafe.Pointer, error) {
	args := []string{"clickhouse", "--path=" + path}
	bufs := make([][]byte, len(args))
	argv := make([]unsafe.Pointer, len(args))
	for i, a := range args {
		bufs[i] = append([]byte(a), 0)
		argv[i] = unsafe.Pointer(&bufs[i][0])
	}
	c := l.connect(int32(len(args)), unsafe.Pointer(&argv[0]))
	runtime.KeepAlive(bufs)
	runtime.KeepAlive(argv)
	if c == nil {
		return nil, fmt.Errorf("chdb: cannot connect to engine on %s", path)
	}
	return c, nil
}

// Session opens a handle with one connection of its own on the same
// engine, for statements that need connection state (SET) that must not
// leak into other queries: close it when done and the state goes with it.
func (e *Engine) Session() (*Engine, error) {
	return Open(Config{Path: e.eng.path, LibPath: e.eng.lib.path, Conns: 1, TempDir: e.tempDir})
}

// Path returns the engine's data directory.
func (e *Engine) Path() string { return e.eng.path }

// Query runs one statement (or several separated by semicolons, as
// clickhouse-local does) and returns its output in format ("" for none:
// the engine's default, TSV). ctx bounds the wait for a free connection;
// a running statement cannot be interrupted, so bound it with
// max_execution_time.
func (e *Engine) Query(ctx context.Context, query []byte, format string, params ...Param) (*Result, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.dead {
		return nil, ErrClosed
	}
	var c unsafe.Pointer
	select {
	case c = <-e.conns:
	case <-ctx.Done():
		return nil, fmt.Errorf("chdb: waiting for a connection: %w", ctx.Err())
	}
	defer func() { e.conns <- c }()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return e.run(*(*unsafe.Pointer)(c), query, format, params)
}

func (e *Engine) run(conn unsafe.Pointer, query []byte, format string, params []Param) (*Result, error) {
	l := e.eng.lib
	if len(query) == 0 {
		return nil, errors.New("chdb: empty query")
	}
	if format == "" {
		format = "TabSeparated"
	}
	fmtb := []byte(format)
	var res unsafe.Pointer
	if len(params) == 0 {
		res = l.queryN(conn, unsafe.Pointer(&query[0]), uintptr(len(query)), unsafe.Pointer(&fmtb[0]), uintptr(len(fmtb)))
	} else {
		// One Go buffer holds every name and value; the pointer arrays
		// point into it and it is kept alive across the call.
		size := 0
		for _, p := range params {
			size += len(p.Name) + len(p.Value) + 2
		}
		buf := make([]byte, 0, size)
		names := make([]unsafe.Pointer, len(params))
		values := make([]unsafe.Pointer, len(params))
		nameLens := make([]uintptr, len(params))
		valueLens := make([]uintptr, len(params))
		for i, p := range params {
			start := len(buf)
			buf = append(buf, p.Name...)
			buf = append(buf, 0)
			names[i] = unsafe.Pointer(&buf[start])
			nameLens[i] = uintptr(len(p.Name))
			start = len(buf)
			buf = append(buf, p.Value...)
			buf = append(buf, 0)
			values[i] = unsafe.Pointer(&buf[start])
			valueLens[i] = uintptr(len(p.Value))
		}
		res = l.queryParamsN(conn, unsafe.Pointer(&query[0]), uintptr(len(query)), unsafe.Pointer(&fmtb[0]), uintptr(len(fmtb)),
			unsafe.Pointer(&names[0]), unsafe.Pointer(&nameLens[0]), unsafe.Pointer(&values[0]), unsafe.Pointer(&valueLens[0]), uintptr(len(params)))
		runtime.KeepAlive(buf)
		runtime.KeepAlive(names)
		runtime.KeepAlive(values)
		runtime.KeepAlive(nameLens)
		runtime.KeepAlive(valueLens)
	}
	runtime.KeepAlive(query)
	runtime.KeepAlive(fmtb)
	if res == nil {
		return nil, errors.New("chdb: query returned no result handle")
	}
	if msg := l.resultError(res); msg != "" {
		l.destroyResult(res)
		return nil, parseError(msg)
	}
	return &Result{lib: l, res: res}, nil
}

// Close closes the handle's connections; the engine itself stays up for
// the life of the process (see engine.keep), so the directory can be
// opened again.
func (e *Engine) Close() error {
	e.once.Do(func() {
		e.mu.Lock()
		e.dead = true
		e.mu.Unlock()
		e.closeConns()
		engMu.Lock()
		e.eng.handles--
		engMu.Unlock()
	})
	return nil
}

// Shutdown stops the engine once every handle is closed, so that the
// process exits with ClickHouse's threads stopped rather than torn down by
// the exit (which can crash). Call it last, before exiting; a later Open
// boots the engine again.
func Shutdown() error {
	engMu.Lock()
	defer engMu.Unlock()
	if current == nil {
		return nil
	}
	if current.handles > 0 {
		return fmt.Errorf("chdb: %d engine handles still open", current.handles)
	}
	current.lib.closeConn(current.keep)
	current = nil
	return nil
}

func (e *Engine) closeConns() {
	for _, c := range e.all {
		e.eng.lib.closeConn(c)
	}
	e.all = nil
}

// Result is a statement's output, held in engine memory until Free.
type Result struct {
	lib *lib
	res unsafe.Pointer
}

// Data returns the output bytes. They live in engine memory and are valid
// only until Free.
func (r *Result) Data() []byte {
	if r.res == nil {
		return nil
	}
	n := r.lib.resultLength(r.res)
	p := r.lib.resultBuffer(r.res)
	if n == 0 || p == nil {
		return nil
	}
	return unsafe.Slice(p, n)
}

// RowsRead is the number of rows the statement read.
func (r *Result) RowsRead() uint64 { return r.lib.resultRowsRead(r.res) }

// Elapsed is the statement's run time in seconds.
func (r *Result) Elapsed() float64 { return r.lib.resultElapsed(r.res) }

// Free releases the output; Data must not be used afterwards.
func (r *Result) Free() {
	if r.res != nil {
		r.lib.destroyResult(r.res)
		r.res = nil
	}
}
