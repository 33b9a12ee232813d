package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/store/chdb"
)

// storeFlags maps the store's configuration keys to their flags; every
// command that opens the store (collector, migrate, admin) has them.
var storeFlags = map[string]string{
	"store.data_dir": "data-dir",
	"store.dsn":      "dsn",
	"store.database": "database",
	"store.cluster":  "cluster",
	"store.chdb_lib": "chdb-lib",
}

func addStoreFlags(fs *pflag.FlagSet) {
	fs.String("data-dir", "", "data directory of the embedded ClickHouse engine")
	fs.String("dsn", "", "ClickHouse server DSN instead of the embedded engine, e.g. clickhouse://user:pass@host:9000/spoor")
	fs.String("database", store.DefaultDatabase, "ClickHouse database")
	fs.String("cluster", "", "ClickHouse cluster name (server mode: ON CLUSTER, Replicated tables)")
	fs.String("chdb-lib", "", "libchdb.so for the embedded engine (default $CHDB_LIB_PATH, then next to the binary, then .cache/chdb of the working tree)")
}

// openedStore is a store and what closing it takes.
type openedStore struct {
	*store.Store
	embedded bool
	lock     *os.File
}

// Close closes the store; for the embedded engine it also stops the
// engine and releases the data directory.
func (o *openedStore) Close() error {
	err := o.Store.Close()
	if o.embedded {
		err = errors.Join(err, store.ShutdownEmbedded())
	}
	if o.lock != nil {
		o.lock.Close()
	}
	return err
}

// dataDirLock is the file locked while a process owns a data directory.
const dataDirLock = "spoor.lock"

// openStore opens the configured store: the embedded engine on
// store.data_dir (locked against other spoor processes) or a server at
// store.dsn.
func openStore(v *viper.Viper, log *slog.Logger) (*openedStore, error) {
	dir, dsn := v.GetString("store.data_dir"), v.GetString("store.dsn")
	opts := store.Options{Database: v.GetString("store.database"), Cluster: v.GetString("store.cluster"), Logger: log}
	switch {
	case dir != "" && dsn != "":
		return nil, fmt.Errorf("%w: give --data-dir or --dsn, not both", errUsage)
	case dsn != "":
		s, err := store.OpenServer(dsn, opts)
		if err != nil {
			return nil, err
		}
		return &openedStore{Store: s}, nil
	case dir == "":
		return nil, fmt.Errorf("%w: no store: give --data-dir DIR (embedded engine) or --dsn DSN (ClickHouse server)", errUsage)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("cannot create data directory: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, dataDirLock), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot lock data directory: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("data directory %s is in use by another spoor process (a running collector?): "+
			"stop it, or use the API or --dsn", dir)
	}
	lib, err := chdbLibrary(v.GetString("store.chdb_lib"))
	if err != nil {
		lock.Close()
		return nil, err
	}
	opts.LibPath = lib
	s, err := store.OpenEmbedded(dir, opts)
	if err != nil {
		lock.Close()
		return nil, err
	}
	return &openedStore{Store: s, embedded: true, lock: lock}, nil
}

// chdbLibrary finds libchdb.so: the flag, else chdb.FindLibrary.
func chdbLibrary(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	lib, err := chdb.FindLibrary()
	if err != nil {
		return "", fmt.Errorf("%w (or give --chdb-lib)", err)
	}
	return lib, nil
}

const migrateUsage = `usage: spoor migrate <up|status> [--data-dir DIR | --dsn DSN]

  up       apply the migrations that have not run (idempotent)
  status   list the migrations and whether they ran
`

func runMigrate(args []string) error {
	if len(args) == 0 || args[0] != "up" && args[0] != "status" {
		fmt.Fprint(os.Stderr, migrateUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return errUsage
	}
	fs := pflag.NewFlagSet("migrate", pflag.ContinueOnError)
	fs.String("config", "", "YAML configuration file")
	addStoreFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	v, err := newViper(fs, storeFlags)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := openStore(v, log)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if args[0] == "up" {
		if err := st.Migrate(ctx); err != nil {
			return err
		}
	}
	states, err := st.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tNAME\tAPPLIED\tNOTE")
	pending := 0
	for _, m := range states {
		applied, note := "-", ""
		if m.Applied {
			applied = m.AppliedAt.UTC().Format(time.RFC3339)
		} else {
			pending++
		}
		if m.Changed {
			note = "changed since it ran"
		}
		fmt.Fprintf(w, "%04d\t%s\t%s\t%s\n", m.Version, m.Name, applied, note)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if args[0] == "status" && pending > 0 {
		fmt.Fprintf(os.Stderr, "%d migrations pending: run 'spoor migrate up'\n", pending)
	}
	return nil
}
