package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spoorsec/spoor/tenant"
)

// Retention bounds, in days.
const (
	DefaultRetentionDays = 90
	MaxRetentionDays     = 3650
)

// retentionTTL is how long InsertEvents trusts a cached retention; another
// collector's change is picked up within it.
const retentionTTL = time.Minute

// Tenant is one customer of the MSSP.
type Tenant struct {
	ID   tenant.ID
	Name string
	// RetentionDays is how long events are kept after their event time
	// (0 on Put means DefaultRetentionDays).
	RetentionDays uint16
	// TimeZone is the IANA zone whose midnights bound the tenant's days
	// ("" on Put means UTC).
	TimeZone  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

var tenantsTable = table[Tenant]{
	name: "tenants",
	cols: []col{{"name", kStr}, {"retention_days", kU16}, {"time_zone", kStr}, {"created_at", kMilli}, {"updated_at", kMilli}},
	fields: func(v *Tenant) []any {
		return []any{&v.Name, &v.RetentionDays, &v.TimeZone, &v.CreatedAt, &v.UpdatedAt}
	},
	setTenant: func(v *Tenant, t tenant.ID) { v.ID = t },
}

type retentionEntry struct {
	days    uint16
	fetched time.Time
}

// PutTenant creates or replaces a tenant. A zero CreatedAt is set to now.
// A changed retention applies to events inserted from then on (see
// ApplyRetention for stored ones).
func (s *Store) PutTenant(ctx context.Context, v Tenant) error {
	if v.RetentionDays == 0 {
		v.RetentionDays = DefaultRetentionDays
	}
	if v.RetentionDays > MaxRetentionDays {
		return fmt.Errorf("%w: retention of %d days exceeds %d", ErrInvalid, v.RetentionDays, MaxRetentionDays)
	}
	if v.TimeZone == "" {
		v.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(v.TimeZone); err != nil {
		return fmt.Errorf("%w: time zone %q: %v", ErrInvalid, v.TimeZone, err)
	}
	now := s.now().UTC()
	if v.CreatedAt.IsZero() {
		v.CreatedAt = now
	}
	v.UpdatedAt = now
	if err := tenantsTable.put(ctx, s, v.ID, &v); err != nil {
		return err
	}
	s.retMu.Lock()
	s.retention[v.ID] = retentionEntry{days: v.RetentionDays, fetched: s.now()}
	s.retMu.Unlock()
	return nil
}

// Tenant returns tenant t, or ErrNotFound.
func (s *Store) Tenant(ctx context.Context, t tenant.ID) (Tenant, error) {
	return tenantsTable.get(ctx, s, t)
}

// Tenants lists every tenant (an operator's view).
func (s *Store) Tenants(ctx context.Context) ([]Tenant, error) {
	return tenantsTable.selectRows(ctx, s, "1", nil, "", 0)
}

// DeleteTenant removes tenant t from the tenant list; InsertEvents then
// refuses its batches. Its events stay until their retention expires.
func (s *Store) DeleteTenant(ctx context.Context, t tenant.ID) error {
	if err := tenantsTable.del(ctx, s, t); err != nil {
		return err
	}
	s.retMu.Lock()
	delete(s.retention, t)
	s.retMu.Unlock()
	return nil
}

// ApplyRetention rewrites the retention of tenant t's stored events to its
// current setting (a ClickHouse mutation: heavy, run it rarely).
func (s *Store) ApplyRetention(ctx context.Context, t tenant.ID) error {
	v, err := s.Tenant(ctx, t)
	if err != nil {
		return err
	}
	sql := "ALTER TABLE " + s.db + "." + s.cfg.EventsTable() + s.onCluster() +
		" UPDATE retention_days = {days:UInt16} WHERE tenant = {tenant:String} AND retention_days != {days:UInt16}"
	params := []param{strParam("tenant", string(t)), {"days", strconv.Itoa(int(v.RetentionDays))}}
	if err := s.be.exec(ctx, sql, params); err != nil {
		return fmt.Errorf("store: cannot apply retention of tenant %s: %w", t, err)
	}
	return nil
}

func (s *Store) onCluster() string {
	if s.cfg.Cluster == "" {
		return ""
	}
	return " ON CLUSTER `" + s.cfg.Cluster + "`"
}

// retentionDays returns tenant t's retention, cached for retentionTTL;
// ErrNotFound for an unknown tenant.
func (s *Store) retentionDays(ctx context.Context, t tenant.ID) (uint16, error) {
	s.retMu.Lock()
	e, ok := s.retention[t]
	s.retMu.Unlock()
	if ok && s.now().Sub(e.fetched) < retentionTTL {
		return e.days, nil
	}
	v, err := s.Tenant(ctx, t)
	if err != nil {
		return 0, err
	}
	s.retMu.Lock()
	s.retention[t] = retentionEntry{days: v.RetentionDays, fetched: s.now()}
	s.retMu.Unlock()
	return v.RetentionDays, nil
}
