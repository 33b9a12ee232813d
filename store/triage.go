package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spoorsec/spoor/tenant"
)

// Triage is an analyst's verdict on one event.
type Triage struct {
	Tenant    tenant.ID
	EventID   uint64
	EventTime time.Time
	Status    string
	Assignee  string
	Note      string
	Tags      []string
	UpdatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

var triageTable = table[Triage]{
	name: "triage",
	cols: []col{{"event_id", kU64}, {"event_time", kMicro}, {"status", kStr}, {"assignee", kStr}, {"note", kStr},
		{"tags", kStrs}, {"updated_by", kStr}, {"created_at", kMilli}, {"updated_at", kMilli}},
	nkey: 1,
	fields: func(v *Triage) []any {
		return []any{&v.EventID, &v.EventTime, &v.Status, &v.Assignee, &v.Note, &v.Tags, &v.UpdatedBy, &v.CreatedAt, &v.UpdatedAt}
	},
	setTenant: func(v *Triage, t tenant.ID) { v.Tenant = t },
}

// PutTriage creates or replaces the triage of event v.EventID of tenant t.
func (s *Store) PutTriage(ctx context.Context, t tenant.ID, v Triage) error {
	if v.EventID == 0 {
		return fmt.Errorf("%w: triage without an event ID", ErrInvalid)
	}
	stamp(s, &v.CreatedAt, &v.UpdatedAt)
	return triageTable.put(ctx, s, t, &v)
}

// TriageFor returns tenant t's triage of the given events (those that
// have one).
func (s *Store) TriageFor(ctx context.Context, t tenant.ID, eventIDs []uint64) ([]Triage, error) {
	if err := checkTenant(t); err != nil {
		return nil, err
	}
	if len(eventIDs) == 0 {
		return nil, nil
	}
	ids := make([]string, len(eventIDs))
	for i, id := range eventIDs {
		ids[i] = strconv.FormatUint(id, 10)
	}
	params := []param{strParam("tenant", string(t)), {"ids", "[" + strings.Join(ids, ",") + "]"}}
	return triageTable.selectRows(ctx, s, "tenant = {tenant:String} AND has({ids:Array(UInt64)}, event_id)", params, "", 0)
}

// TriageList lists tenant t's triage, most recently updated first.
func (s *Store) TriageList(ctx context.Context, t tenant.ID, limit int) ([]Triage, error) {
	if err := checkTenant(t); err != nil {
		return nil, err
	}
	return triageTable.selectRows(ctx, s, "tenant = {tenant:String}", []param{strParam("tenant", string(t))}, "updated_at DESC, event_id", limit)
}

// DeleteTriage removes the triage of event eventID of tenant t.
func (s *Store) DeleteTriage(ctx context.Context, t tenant.ID, eventID uint64) error {
	return triageTable.del(ctx, s, t, eventID)
}
