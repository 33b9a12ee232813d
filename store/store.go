// Package store is Spoor's storage: events and control-plane data in
// ClickHouse, behind one API over two engines.
//
//   - OpenEmbedded runs ClickHouse in-process (chDB, package store/chdb):
//     the default, a single collector owning a data directory. It needs
//     libchdb.so: `bash scripts/chdb.sh` fetches it and prints its path,
//     for CHDB_LIB_PATH or Options.LibPath.
//   - OpenServer talks to a ClickHouse server or cluster with clickhouse-go
//     (native protocol in production; HTTP also works).
//
// Both engines run the same migrations (package migrations) and the same
// SQL text; values always travel as ClickHouse query parameters
// ({name:Type}), never concatenated into SQL.
//
// Tenancy: every method that touches tenant data takes the tenant.ID
// explicitly and filters by it. The exceptions are named for what they
// are: credential lookups that find the tenant (SensorByTokenHash,
// SensorByUDPKeyID, APITokenByHash, UsersByName) and the operator's tenant
// list. Tenant SQL (QuerySQL) is walled in by the engine itself; see its
// documentation.
//
// Control-plane tables are ReplacingMergeTree: a Put writes a new version
// of the row, a Delete writes a tombstone, reads use FINAL. Last writer
// wins; there are no transactions or uniqueness constraints.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/spoorsec/spoor/migrations"
	"github.com/spoorsec/spoor/store/chdb"
	"github.com/spoorsec/spoor/tenant"
)

// DefaultDatabase is the ClickHouse database used when Options.Database is
// empty.
const DefaultDatabase = "spoor"

// ErrNotFound is returned when a looked-up record does not exist (or is
// deleted).
var ErrNotFound = errors.New("store: not found")

// ErrInvalid is wrapped when an argument is refused.
var ErrInvalid = errors.New("store: invalid argument")

// Options configure a Store.
type Options struct {
	// Database holds Spoor's tables (default "spoor").
	Database string
	// Cluster renders the schema for a ClickHouse cluster (ON CLUSTER,
	// Replicated*, Distributed events); server engine only.
	Cluster string
	// LibPath is libchdb.so for the embedded engine; empty means
	// $CHDB_LIB_PATH.
	LibPath string
	// Conns is the number of statements the embedded engine runs at once
	// (default 2).
	Conns int
	// Logger receives the store's logs (default slog.Default()).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Store is Spoor's storage. It is safe for concurrent use.
type Store struct {
	be     backend
	cfg    migrations.Config
	db     string // quoted database name
	log    *slog.Logger
	now    func() time.Time
	engine string

	lastVersion atomic.Int64

	retMu     sync.Mutex
	retention map[tenant.ID]retentionEntry

	seenMu sync.Mutex
	seen   map[sensorKey]time.Time
}

func newStore(be backend, engine string, o Options) (*Store, error) {
	if o.Database == "" {
		o.Database = DefaultDatabase
	}
	cfg := migrations.Config{Database: o.Database, Cluster: o.Cluster}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Store{
		be:        be,
		cfg:       cfg,
		db:        "`" + o.Database + "`",
		log:       o.Logger.With("component", "store", "engine", engine),
		now:       o.Now,
		engine:    engine,
		retention: map[tenant.ID]retentionEntry{},
		seen:      map[sensorKey]time.Time{},
	}, nil
}

// OpenEmbedded opens the embedded engine on the data directory dir. Only
// one directory can be open per process (a libchdb limit); opening the same
// directory again shares the engine. The schema is not touched: call
// Migrate.
func OpenEmbedded(dir string, o Options) (*Store, error) {
	if o.Cluster != "" {
		return nil, fmt.Errorf("%w: cluster mode needs a ClickHouse server", ErrInvalid)
	}
	eng, err := chdb.Open(chdb.Config{Path: dir, LibPath: o.LibPath, Conns: o.Conns})
	if err != nil {
		return nil, fmt.Errorf("store: cannot open embedded engine: %w", err)
	}
	s, err := newStore(&embeddedBackend{eng: eng}, "embedded", o)
	if err != nil {
		eng.Close()
		return nil, err
	}
	return s, nil
}

// OpenServer connects to a ClickHouse server with a clickhouse-go DSN, e.g.
// clickhouse://user:pass@host:9000/spoor?dial_timeout=5s (native) or
// http://host:8123/spoor (HTTP). The DSN's database, if any, must be
// Options.Database; statements name the database explicitly anyway. The
// schema is not touched: call Migrate.
func OpenServer(dsn string, o Options) (*Store, error) {
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: bad ClickHouse DSN: %w", redactDSNError(err, dsn))
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("store: cannot connect to ClickHouse: %w", err)
	}
	s, err := newStore(&serverBackend{conn: conn, native: newNativeHTTP(opts)}, "server", o)
	if err != nil {
		conn.Close()
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: cannot reach ClickHouse at %s: %w", redactDSN(dsn), err)
	}
	return s, nil
}

// redactDSN drops the password from a DSN for messages.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	return u.Redacted()
}

func redactDSNError(err error, dsn string) error {
	if u, perr := url.Parse(dsn); perr == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			return errors.New(strings.ReplaceAll(err.Error(), p, "xxxxx"))
		}
	}
	return err
}

// ShutdownEmbedded stops the embedded engine once every embedded Store is
// closed. Call it before the process exits: an engine torn down by the
// exit itself, threads still running, can crash on the way out.
func ShutdownEmbedded() error { return chdb.Shutdown() }

// Engine is "embedded" or "server".
func (s *Store) Engine() string { return s.engine }

// Database is the ClickHouse database the store uses.
func (s *Store) Database() string { return s.cfg.Database }

// Close releases the engine connection(s).
func (s *Store) Close() error { return s.be.close() }

// checkTenant refuses an ID that did not come from tenant.New.
func checkTenant(t tenant.ID) error {
	if !t.Valid() {
		return fmt.Errorf("%w: tenant ID %q", ErrInvalid, string(t))
	}
	return nil
}

// nextVersion returns a control-plane row version: the clock in
// nanoseconds, strictly increasing within this process.
func (s *Store) nextVersion() uint64 {
	now := s.now().UnixNano()
	for {
		last := s.lastVersion.Load()
		v := max(now, last+1)
		if s.lastVersion.CompareAndSwap(last, v) {
			return uint64(v)
		}
	}
}
