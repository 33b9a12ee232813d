package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spoorsec/spoor/tenant"
)

// AuditEntry records one control-plane change.
type AuditEntry struct {
	Tenant tenant.ID
	Time   time.Time
	Actor  string
	Action string
	Target string
	Detail string
}

var auditTable = table[AuditEntry]{
	name: "audit_log",
	cols: []col{{"time", kMicro}, {"actor", kStr}, {"action", kStr}, {"target", kStr}, {"detail", kStr}},
	fields: func(v *AuditEntry) []any {
		return []any{&v.Time, &v.Actor, &v.Action, &v.Target, &v.Detail}
	},
	setTenant:   func(v *AuditEntry, t tenant.ID) { v.Tenant = t },
	unversioned: true,
}

// AppendAudit records e for tenant t (a zero Time is now).
func (s *Store) AppendAudit(ctx context.Context, t tenant.ID, e AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = s.now().UTC()
	}
	return auditTable.put(ctx, s, t, &e)
}

// AuditLog returns tenant t's entries with from <= Time < to, newest
// first, at most limit (0: 1000).
func (s *Store) AuditLog(ctx context.Context, t tenant.ID, from, to time.Time, limit int) ([]AuditEntry, error) {
	if err := checkTenant(t); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 1000
	}
	where := "tenant = {tenant:String} AND time >= fromUnixTimestamp64Micro({from:Int64}, 'UTC') AND time < fromUnixTimestamp64Micro({to:Int64}, 'UTC')"
	params := []param{strParam("tenant", string(t)),
		{"from", strconv.FormatInt(from.UnixMicro(), 10)}, {"to", strconv.FormatInt(to.UnixMicro(), 10)}}
	out, err := auditTable.selectRows(ctx, s, where, params, "time DESC", limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit log of tenant %s: %w", t, err)
	}
	return out, nil
}
