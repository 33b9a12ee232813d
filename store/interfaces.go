package store

import (
	"context"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/tenant"
)

// Ingest is what the collector needs: authenticate a sensor, store its
// batches, note its contact.
type Ingest interface {
	SensorByTokenHash(ctx context.Context, hash string) (Sensor, error)
	SensorByUDPKeyID(ctx context.Context, keyID string) (Sensor, error)
	InsertEvents(ctx context.Context, t tenant.ID, sensorID, batchID string, events []event.Event) error
	TouchSensor(ctx context.Context, t tenant.ID, id string, at time.Time) error
}

// EventReader is what the API needs to serve a tenant's events.
type EventReader interface {
	StreamEventColumns(ctx context.Context, t tenant.ID, from, to time.Time, after Cursor, first, limit int) (*ColumnStream, error)
	CountsPerLocalDay(ctx context.Context, t tenant.ID, from, to time.Time, loc *time.Location) ([]DayCount, error)
	CountRows(ctx context.Context, t tenant.ID, from, to time.Time) (uint64, error)
	QuerySQL(ctx context.Context, t tenant.ID, sql string, limits Limits) (*SQLResult, error)
	ExplainAST(ctx context.Context, sql string) (string, error)
}

// Migrator is what `spoor migrate` needs.
type Migrator interface {
	Migrate(ctx context.Context) error
	MigrationStatus(ctx context.Context) ([]MigrationState, error)
}

var (
	_ Ingest      = (*Store)(nil)
	_ EventReader = (*Store)(nil)
	_ Migrator    = (*Store)(nil)
)
