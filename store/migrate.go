package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spoorsec/spoor/migrations"
)

// MigrationState is one migration and whether it ran.
type MigrationState struct {
	Version   int
	Name      string
	Applied   bool
	AppliedAt time.Time
	// Changed means the migration ran with different SQL than it has now
	// (the file was edited after release: a bug to fix, not to re-run).
	Changed bool
}

// Migrate creates the database and applies the migrations that have not
// run, in order, recording each in schema_migrations. Running it again is a
// no-op. Statements are idempotent, so a run interrupted half-way, or two
// collectors migrating at once, converge.
func (s *Store) Migrate(ctx context.Context) error {
	all, applied, err := s.migrationState(ctx)
	if err != nil {
		return err
	}
	for _, m := range all {
		if _, ok := applied[m.Version]; ok {
			continue
		}
		s.log.Info("applying migration", "version", m.Version, "name", m.Name)
		for i, stmt := range m.Statements {
			if err := s.be.exec(ctx, stmt, nil); err != nil {
				return fmt.Errorf("store: migration %04d_%s statement %d: %w", m.Version, m.Name, i+1, err)
			}
		}
		sql := "INSERT INTO " + s.db + ".schema_migrations (version, name, checksum, applied_at) " +
			"SELECT {version:UInt32}, {name:String}, {checksum:String}, fromUnixTimestamp64Milli({at:Int64}, 'UTC')"
		params := []param{{"version", strconv.Itoa(m.Version)}, strParam("name", m.Name), strParam("checksum", m.Checksum),
			{"at", timeParam(s.now(), kMilli)}}
		if err := s.be.exec(ctx, sql, params); err != nil {
			return fmt.Errorf("store: cannot record migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

// MigrationStatus reports every known migration and whether it ran.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	all, applied, err := s.migrationState(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationState, len(all))
	for i, m := range all {
		st := MigrationState{Version: m.Version, Name: m.Name}
		if a, ok := applied[m.Version]; ok {
			st.Applied, st.AppliedAt, st.Changed = true, a.at, a.checksum != m.Checksum
		}
		out[i] = st
	}
	return out, nil
}

type appliedMigration struct {
	checksum string
	at       time.Time
}

// migrationState renders the migrations and reads which ran, creating
// the database and the migrations table first.
func (s *Store) migrationState(ctx context.Context) ([]migrations.Migration, map[int]appliedMigration, error) {
	all, err := migrations.All(s.cfg)
	if err != nil {
		return nil, nil, err
	}
	db, err := migrations.CreateDatabase(s.cfg)
	if err != nil {
		return nil, nil, err
	}
	mt, err := migrations.MigrationsTable(s.cfg)
	if err != nil {
		return nil, nil, err
	}
	for _, stmt := range []string{db, mt} {
		if err := s.be.exec(ctx, stmt, nil); err != nil {
			return nil, nil, fmt.Errorf("store: cannot prepare migrations: %w", err)
		}
	}
	r, err := s.be.query(ctx, "SELECT version, checksum, applied_at FROM "+s.db+".schema_migrations FINAL", nil)
	if err != nil {
		return nil, nil, fmt.Errorf("store: cannot read applied migrations: %w", err)
	}
	defer r.Close()
	applied := map[int]appliedMigration{}
	for r.Next() {
		var v uint32
		var a appliedMigration
		if err := r.Scan(&v, &a.checksum, &a.at); err != nil {
			return nil, nil, fmt.Errorf("store: cannot read applied migrations: %w", err)
		}
		a.at = a.at.UTC()
		applied[int(v)] = a
	}
	return all, applied, r.Err()
}
