package api

import (
	"context"
	"time"

	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// Store is the storage the API needs; *store.Store implements it.
type Store interface {
	store.EventReader

	PutTenant(ctx context.Context, v store.Tenant) error
	Tenant(ctx context.Context, t tenant.ID) (store.Tenant, error)
	Tenants(ctx context.Context) ([]store.Tenant, error)
	DeleteTenant(ctx context.Context, t tenant.ID) error

	PutUser(ctx context.Context, t tenant.ID, v store.User) error
	User(ctx context.Context, t tenant.ID, name string) (store.User, error)
	Users(ctx context.Context, t tenant.ID) ([]store.User, error)
	DeleteUser(ctx context.Context, t tenant.ID, name string) error
	UsersByName(ctx context.Context, name string) ([]store.User, error)

	PutSensor(ctx context.Context, t tenant.ID, v store.Sensor) error
	Sensor(ctx context.Context, t tenant.ID, id string) (store.Sensor, error)
	Sensors(ctx context.Context, t tenant.ID) ([]store.Sensor, error)
	DeleteSensor(ctx context.Context, t tenant.ID, id string) error

	PutAPIToken(ctx context.Context, t tenant.ID, v store.APIToken) error
	APITokenByHash(ctx context.Context, hash string) (store.APIToken, error)

	AppendAudit(ctx context.Context, t tenant.ID, e store.AuditEntry) error
	AuditLog(ctx context.Context, t tenant.ID, from, to time.Time, limit int) ([]store.AuditEntry, error)
}

var _ Store = (*store.Store)(nil)
