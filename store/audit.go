package store

import (
	"context"
	"fmt"
	"slices"
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

// Audit actions of logins: a failed one's Actor is the user name as
// typed, a successful one's is tenant/name; Target is the client address.
// A wrong code on the TOTP endpoints is recorded with Actor tenant/name and
// the client address in Detail.
const (
	ActionLogin             = "login"
	ActionLoginFailed       = "login.failed"
	ActionTOTPEnableFailed  = "totp.enable.failed"
	ActionTOTPDisableFailed = "totp.disable.failed"
)

// LoginRecord is a login the audit log holds, as LoginRecords matches it.
type LoginRecord struct {
	Time   time.Time
	Failed bool
	// User: a failure by the user name, or a success or wrong TOTP code
	// of a user of that name (in any tenant); Addr: a failure from the
	// address.
	User, Addr bool
}

// maxLoginRecords bounds LoginRecords' answer; lockouts trip long before.
const maxLoginRecords = 2000

// LoginRecords returns, oldest first, the failed logins and TOTP codes
// recorded since since by user name user (in any tenant) or from client
// address addr, and the successful logins of users named user (the newest
// maxLoginRecords): what every API replica has seen, so that a lockout
// holds behind a load balancer.
func (s *Store) LoginRecords(ctx context.Context, user, addr string, since time.Time) ([]LoginRecord, error) {
	// byName: tenant/name of a user called user; an empty address matches
	// nothing.
	const byName = "endsWith(actor, concat('/', {user:String}))"
	const fromAddr = "{addr:String} != '' AND "
	sql := "SELECT time, toBool(action != {ok:String})," +
		" toBool(if(action = {failed:String}, actor = {user:String}, " + byName + "))," +
		" toBool(" + fromAddr + "multiIf(action = {failed:String}, target = {addr:String}, action = {ok:String}, false, detail = {addr:String}))" +
		" FROM " + s.db + ".audit_log WHERE time >= fromUnixTimestamp64Micro({since:Int64}, 'UTC') AND (" +
		"action = {failed:String} AND (actor = {user:String} OR " + fromAddr + "target = {addr:String})" +
		" OR action = {ok:String} AND " + byName +
		" OR action IN ({totp1:String}, {totp2:String}) AND (" + byName + " OR " + fromAddr + "detail = {addr:String}))" +
		" ORDER BY time DESC LIMIT {limit:UInt32}"
	params := []param{strParam("user", user), strParam("addr", addr), strParam("failed", ActionLoginFailed),
		strParam("ok", ActionLogin), strParam("totp1", ActionTOTPEnableFailed), strParam("totp2", ActionTOTPDisableFailed),
		{"since", strconv.FormatInt(since.UnixMicro(), 10)}, {"limit", strconv.Itoa(maxLoginRecords)}}
	r, err := s.be.query(ctx, sql, params)
	if err != nil {
		return nil, fmt.Errorf("store: cannot read logins: %w", err)
	}
	defer r.Close()
	var out []LoginRecord
	for r.Next() {
		var l LoginRecord
		if err := r.Scan(&l.Time, &l.Failed, &l.User, &l.Addr); err != nil {
			return nil, fmt.Errorf("store: cannot read logins: %w", err)
		}
		l.Time = l.Time.UTC()
		out = append(out, l)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("store: cannot read logins: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}
