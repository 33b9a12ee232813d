package store

import (
	"context"
	"strings"
)

// backend is one engine's transport. Both engines receive the same SQL
// text; values travel as ClickHouse query parameters ({name:Type}), never
// spliced into the text.
type backend interface {
	// exec runs a statement that returns no rows.
	exec(ctx context.Context, sql string, params []param) error
	// query runs a statement and returns its rows.
	query(ctx context.Context, sql string, params []param) (rows, error)
	// insertEvents writes a batch with one INSERT statement into table,
	// with the given query-level settings (deduplication token, …).
	insertEvents(ctx context.Context, table string, b *eventBatch, settings []setting) error
	// startRead runs a SELECT of eventSelect's columns (all or the stream's); its rows are
	// decoded into columns later, so that the engine can run the next
	// page's statement while a page is decoded.
	startRead(ctx context.Context, sql string, params []param) (pendingRead, error)
	close() error
}

// rows is the subset of clickhouse-go's driver.Rows the store uses; the
// embedded engine implements it over RowBinaryWithNamesAndTypes.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// param is one query parameter. value is ClickHouse's escaped text form
// (see escapeParam), as both engines hand it to the server's parser.
type param struct {
	name  string
	value string
}

// setting is a query-level setting sent with an INSERT.
type setting struct {
	name  string
	value string
}

// paramEscaper escapes a string for a query parameter: ClickHouse reads
// parameter values as TSV-escaped text, where a raw tab or newline ends the
// value and a backslash starts an escape.
var paramEscaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`, "\x00", `\0`)

func escapeParam(s string) string { return paramEscaper.Replace(s) }

// strParam is a String parameter.
func strParam(name, v string) param { return param{name, escapeParam(v)} }

// pendingRead is a started events SELECT. decodeInto appends its rows to
// dst, once; close releases it, decoded or not.
type pendingRead interface {
	decodeInto(dec *eventDecoder, dst *EventColumns) error
	close()
}
