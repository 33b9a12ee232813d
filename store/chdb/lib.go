package chdb

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// EnvLibPath names the environment variable that points at libchdb.so.
const EnvLibPath = "CHDB_LIB_PATH"

// ErrNoLibrary is returned when no library path is configured.
var ErrNoLibrary = errors.New("chdb: libchdb.so not configured: set " + EnvLibPath + " (run scripts/chdb.sh to fetch it)")

// lib holds the C entry points of libchdb.so; C handles are opaque pointers.
type lib struct {
	path string

	connect        func(argc int32, argv unsafe.Pointer) unsafe.Pointer
	closeConn      func(conn unsafe.Pointer)
	queryN         func(conn unsafe.Pointer, query unsafe.Pointer, queryLen uintptr, format unsafe.Pointer, formatLen uintptr) unsafe.Pointer
	queryParamsN   func(conn unsafe.Pointer, query unsafe.Pointer, queryLen uintptr, format unsafe.Pointer, formatLen uintptr, names unsafe.Pointer, nameLens unsafe.Pointer, values unsafe.Pointer, valueLens unsafe.Pointer, count uintptr) unsafe.Pointer
	destroyResult  func(res unsafe.Pointer)
	resultBuffer   func(res unsafe.Pointer) *byte
	resultLength   func(res unsafe.Pointer) uintptr
	resultError    func(res unsafe.Pointer) string
	resultElapsed  func(res unsafe.Pointer) float64
	resultRowsRead func(res unsafe.Pointer) uint64
}

var (
	libMu     sync.Mutex
	loadedLib *lib
)

// loadLib dlopens libchdb.so once per process. chdb-go's own binding does
// this in a package init() and panics when the library is missing, which
// would take every subcommand of the spoor binary down with it (the sensor
// has no use for a 560 MB engine); loading on demand from a configured path
// keeps the engine optional until a store is opened.
func loadLib(path string) (*lib, error) {
	if path == "" {
		path = os.Getenv(EnvLibPath)
	}
	if path == "" {
		return nil, ErrNoLibrary
	}
	libMu.Lock()
	defer libMu.Unlock()
	if loadedLib != nil {
		if loadedLib.path != path {
			return nil, fmt.Errorf("chdb: library %s already loaded, cannot load %s in the same process", loadedLib.path, path)
		}
		return loadedLib, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("chdb: cannot find libchdb.so (run scripts/chdb.sh to fetch it): %w", err)
	}
	h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, fmt.Errorf("chdb: cannot load %s: %w", path, err)
	}
	l := &lib{path: path}
	for _, s := range []struct {
		fn   any
		name string
	}{
		{&l.connect, "chdb_connect"},
		{&l.closeConn, "chdb_close_conn"},
		{&l.queryN, "chdb_query_n"},
		{&l.queryParamsN, "chdb_query_with_params_n"},
		{&l.destroyResult, "chdb_destroy_query_result"},
		{&l.resultBuffer, "chdb_result_buffer"},
		{&l.resultLength, "chdb_result_length"},
		{&l.resultError, "chdb_result_error"},
		{&l.resultElapsed, "chdb_result_elapsed"},
		{&l.resultRowsRead, "chdb_result_rows_read"},
	} {
		sym, err := purego.Dlsym(h, s.name)
		if err != nil {
			return nil, fmt.Errorf("chdb: %s lacks %s (need libchdb 26.x): %w", path, s.name, err)
		}
		purego.RegisterFunc(s.fn, sym)
	}
	loadedLib = l
	return l, nil
}
