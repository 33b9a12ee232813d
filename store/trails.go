package store

import (
	"context"
	"fmt"
	"time"

	"github.com/spoorsec/spoor/tenant"
)

// CustomTrail is a tenant's own trail, matched like Maltrail's custom
// trails ("(custom)" reference, high severity).
type CustomTrail struct {
	Tenant    tenant.ID
	Trail     string
	Type      string
	Info      string
	Reference string
	CreatedAt time.Time
	UpdatedAt time.Time
}

var customTrailsTable = table[CustomTrail]{
	name: "custom_trails",
	cols: []col{{"trail", kStr}, {"type", kStr}, {"info", kStr}, {"reference", kStr}, {"created_at", kMilli}, {"updated_at", kMilli}},
	nkey: 1,
	fields: func(v *CustomTrail) []any {
		return []any{&v.Trail, &v.Type, &v.Info, &v.Reference, &v.CreatedAt, &v.UpdatedAt}
	},
	setTenant: func(v *CustomTrail, t tenant.ID) { v.Tenant = t },
}

// PutCustomTrail creates or replaces trail v.Trail of tenant t.
func (s *Store) PutCustomTrail(ctx context.Context, t tenant.ID, v CustomTrail) error {
	if v.Trail == "" {
		return fmt.Errorf("%w: empty trail", ErrInvalid)
	}
	stamp(s, &v.CreatedAt, &v.UpdatedAt)
	return customTrailsTable.put(ctx, s, t, &v)
}

// CustomTrails lists tenant t's custom trails.
func (s *Store) CustomTrails(ctx context.Context, t tenant.ID) ([]CustomTrail, error) {
	return customTrailsTable.list(ctx, s, t)
}

// DeleteCustomTrail removes trail of tenant t.
func (s *Store) DeleteCustomTrail(ctx context.Context, t tenant.ID, trail string) error {
	return customTrailsTable.del(ctx, s, t, trail)
}

// WhitelistEntry is a tenant's whitelisted trail or address.
type WhitelistEntry struct {
	Tenant    tenant.ID
	Entry     string
	Comment   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

var whitelistTable = table[WhitelistEntry]{
	name: "whitelist",
	cols: []col{{"entry", kStr}, {"comment", kStr}, {"created_at", kMilli}, {"updated_at", kMilli}},
	nkey: 1,
	fields: func(v *WhitelistEntry) []any {
		return []any{&v.Entry, &v.Comment, &v.CreatedAt, &v.UpdatedAt}
	},
	setTenant: func(v *WhitelistEntry, t tenant.ID) { v.Tenant = t },
}

// PutWhitelistEntry creates or replaces entry v.Entry of tenant t.
func (s *Store) PutWhitelistEntry(ctx context.Context, t tenant.ID, v WhitelistEntry) error {
	if v.Entry == "" {
		return fmt.Errorf("%w: empty whitelist entry", ErrInvalid)
	}
	stamp(s, &v.CreatedAt, &v.UpdatedAt)
	return whitelistTable.put(ctx, s, t, &v)
}

// Whitelist lists tenant t's whitelist.
func (s *Store) Whitelist(ctx context.Context, t tenant.ID) ([]WhitelistEntry, error) {
	return whitelistTable.list(ctx, s, t)
}

// DeleteWhitelistEntry removes entry of tenant t.
func (s *Store) DeleteWhitelistEntry(ctx context.Context, t tenant.ID, entry string) error {
	return whitelistTable.del(ctx, s, t, entry)
}
