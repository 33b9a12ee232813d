package store

import (
	"context"
	"fmt"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/tenant"
)

// Webhook is a tenant's alert destination.
type Webhook struct {
	Tenant      tenant.ID
	ID          string
	URL         string
	Secret      string
	MinSeverity event.Severity
	// ThrottleSeconds is the least time between two deliveries of the same
	// threat (0: no throttle).
	ThrottleSeconds uint32
	Enabled         bool
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

var webhooksTable = table[Webhook]{
	name: "webhooks",
	cols: []col{{"id", kStr}, {"url", kStr}, {"secret", kStr}, {"min_severity", kU8}, {"throttle_seconds", kU32}, {"enabled", kBool}, {"created_at", kMilli}, {"updated_at", kMilli}},
	nkey: 1,
	fields: func(v *Webhook) []any {
		return []any{&v.ID, &v.URL, &v.Secret, (*uint8)(&v.MinSeverity), &v.ThrottleSeconds, &v.Enabled, &v.CreatedAt, &v.UpdatedAt}
	},
	setTenant: func(v *Webhook, t tenant.ID) { v.Tenant = t },
}

// PutWebhook creates or replaces webhook v.ID of tenant t.
func (s *Store) PutWebhook(ctx context.Context, t tenant.ID, v Webhook) error {
	if v.ID == "" || v.URL == "" {
		return fmt.Errorf("%w: webhook needs an ID and a URL", ErrInvalid)
	}
	stamp(s, &v.CreatedAt, &v.UpdatedAt)
	return webhooksTable.put(ctx, s, t, &v)
}

// Webhook returns webhook id of tenant t, or ErrNotFound.
func (s *Store) Webhook(ctx context.Context, t tenant.ID, id string) (Webhook, error) {
	return webhooksTable.get(ctx, s, t, id)
}

// Webhooks lists tenant t's webhooks.
func (s *Store) Webhooks(ctx context.Context, t tenant.ID) ([]Webhook, error) {
	return webhooksTable.list(ctx, s, t)
}

// DeleteWebhook removes webhook id of tenant t.
func (s *Store) DeleteWebhook(ctx context.Context, t tenant.ID, id string) error {
	return webhooksTable.del(ctx, s, t, id)
}
