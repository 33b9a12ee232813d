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
	APITokens(ctx context.Context, t tenant.ID) ([]store.APIToken, error)

	AppendAudit(ctx context.Context, t tenant.ID, e store.AuditEntry) error
	AuditLog(ctx context.Context, t tenant.ID, from, to time.Time, limit int) ([]store.AuditEntry, error)
	LoginRecords(ctx context.Context, user, addr string, since time.Time) ([]store.LoginRecord, error)

	PutTriage(ctx context.Context, t tenant.ID, v store.Triage) error
	TriageFor(ctx context.Context, t tenant.ID, eventIDs []uint64) ([]store.Triage, error)
	TriageList(ctx context.Context, t tenant.ID, limit int) ([]store.Triage, error)
	DeleteTriage(ctx context.Context, t tenant.ID, eventID uint64) error

	PutCustomTrail(ctx context.Context, t tenant.ID, v store.CustomTrail) error
	CustomTrails(ctx context.Context, t tenant.ID) ([]store.CustomTrail, error)
	DeleteCustomTrail(ctx context.Context, t tenant.ID, trail string) error
	PutWhitelistEntry(ctx context.Context, t tenant.ID, v store.WhitelistEntry) error
	Whitelist(ctx context.Context, t tenant.ID) ([]store.WhitelistEntry, error)
	DeleteWhitelistEntry(ctx context.Context, t tenant.ID, entry string) error

	PutWebhook(ctx context.Context, t tenant.ID, v store.Webhook) error
	Webhook(ctx context.Context, t tenant.ID, id string) (store.Webhook, error)
	Webhooks(ctx context.Context, t tenant.ID) ([]store.Webhook, error)
	DeleteWebhook(ctx context.Context, t tenant.ID, id string) error
}

var _ Store = (*store.Store)(nil)
