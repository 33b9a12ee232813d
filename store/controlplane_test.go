package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/tenant"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestMigrateIsIdempotent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{}) // migrated once
		ctx := context.Background()
		ten := addTenant(t, s, "acme", 0)
		if err := s.InsertEvents(ctx, ten, "s", "b", testEvents(recentDay(0), 3)); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("Migrate again: %v", err)
			}
		}
		st, err := s.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) < 2 {
			t.Fatalf("MigrationStatus: %d migrations, want at least 2", len(st))
		}
		for _, m := range st {
			if !m.Applied || m.Changed || m.AppliedAt.IsZero() {
				t.Errorf("migration %d %s: %+v, want applied and unchanged", m.Version, m.Name, m)
			}
		}
		r, err := s.be.query(ctx, "SELECT count() FROM "+s.db+".schema_migrations", nil)
		if err != nil {
			t.Fatal(err)
		}
		var n uint64
		if err := scanAll(r, func() error { return r.Scan(&n) }); err != nil || n != uint64(len(st)) {
			t.Errorf("schema_migrations holds %d rows (err %v), want %d: re-running recorded again", n, err, len(st))
		}
		if got := totalRows(t, s, ten); got != 3 {
			t.Errorf("events after re-running migrations: %d, want 3", got)
		}
	})
}

func TestMigrationStatusBeforeMigrate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := ec.open(t, Options{Database: "spoor_unmigrated_" + ec.name})
		defer s.Close()
		st, err := s.MigrationStatus(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range st {
			if m.Applied {
				t.Errorf("migration %d applied before Migrate", m.Version)
			}
		}
	})
}

func TestTenants(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		c := &clock{time.Date(2025, 1, 2, 3, 4, 5, 6_000_000, time.UTC)}
		s := newTestStore(t, ec, Options{Now: c.now})
		ctx := context.Background()
		acme := tenant.MustNew("acme")
		if err := s.PutTenant(ctx, Tenant{ID: acme, Name: "ACME Corp"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Tenant(ctx, acme)
		want := Tenant{ID: acme, Name: "ACME Corp", RetentionDays: DefaultRetentionDays, TimeZone: "UTC", CreatedAt: c.t, UpdatedAt: c.t}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Tenant = %+v, %v; want %+v", got, err, want)
		}
		created := c.t
		c.t = c.t.Add(time.Hour)
		got.Name, got.RetentionDays, got.TimeZone = "ACME", 7, "Europe/Berlin"
		if err := s.PutTenant(ctx, got); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Tenant(ctx, acme)
		if got.Name != "ACME" || got.RetentionDays != 7 || got.TimeZone != "Europe/Berlin" || !got.CreatedAt.Equal(created) || !got.UpdatedAt.Equal(c.t) {
			t.Errorf("after update: %+v", got)
		}
		if err := s.PutTenant(ctx, Tenant{ID: acme, RetentionDays: MaxRetentionDays + 1}); !errors.Is(err, ErrInvalid) {
			t.Errorf("retention over the maximum: error %v, want ErrInvalid", err)
		}
		if err := s.PutTenant(ctx, Tenant{ID: acme, TimeZone: "Mars/Olympus"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("unknown time zone: error %v, want ErrInvalid", err)
		}
		addTenant(t, s, "globex", 0)
		list, err := s.Tenants(ctx)
		if err != nil || len(list) != 2 || list[0].ID != "acme" || list[1].ID != "globex" {
			t.Errorf("Tenants = %+v, %v", list, err)
		}
		if err := s.DeleteTenant(ctx, acme); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Tenant(ctx, acme); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted tenant: error %v, want ErrNotFound", err)
		}
		if err := s.InsertEvents(ctx, acme, "s", "b", testEvents(recentDay(0), 1)); !errors.Is(err, ErrNotFound) {
			t.Errorf("insert for a deleted tenant: error %v, want ErrNotFound", err)
		}
		if list, _ := s.Tenants(ctx); len(list) != 1 {
			t.Errorf("Tenants after delete: %+v", list)
		}
	})
}

func TestUsers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ctx := context.Background()
		acme, globex := tenant.MustNew("acme"), tenant.MustNew("globex")
		for _, u := range []struct {
			t tenant.ID
			u User
		}{
			{acme, User{Name: "alice", PasswordHash: "$argon2id$v=19$a\tb\nc\\d'e", Role: "admin"}},
			{acme, User{Name: "bob", PasswordHash: "h2", Role: "analyst", Disabled: true,
				TOTPSecret: "v1:k:sealed", TOTPPending: "v1:k:pending", TOTPEnabled: true, TOTPLastStep: 58_000_123}},
			{globex, User{Name: "alice", PasswordHash: "h3", Role: "analyst"}},
		} {
			if err := s.PutUser(ctx, u.t, u.u); err != nil {
				t.Fatal(err)
			}
		}
		a, err := s.User(ctx, acme, "alice")
		if err != nil || a.PasswordHash != "$argon2id$v=19$a\tb\nc\\d'e" || a.Role != "admin" || a.Tenant != acme || a.CreatedAt.IsZero() {
			t.Errorf("User(acme, alice) = %+v, %v", a, err)
		}
		list, err := s.Users(ctx, acme)
		if err != nil || len(list) != 2 || list[1].Name != "bob" || !list[1].Disabled {
			t.Errorf("Users(acme) = %+v, %v", list, err)
		}
		if b := list[1]; b.TOTPSecret != "v1:k:sealed" || b.TOTPPending != "v1:k:pending" || !b.TOTPEnabled || b.TOTPLastStep != 58_000_123 {
			t.Errorf("bob's TOTP fields = %q %q %v %d, want them as put", b.TOTPSecret, b.TOTPPending, b.TOTPEnabled, b.TOTPLastStep)
		}
		if a.TOTPEnabled || a.TOTPSecret != "" || a.TOTPLastStep != 0 {
			t.Errorf("alice's TOTP fields = %+v, want none", a)
		}
		if list, _ := s.Users(ctx, globex); len(list) != 1 || list[0].PasswordHash != "h3" {
			t.Errorf("Users(globex) = %+v: tenants mixed", list)
		}
		if _, err := s.User(ctx, globex, "bob"); !errors.Is(err, ErrNotFound) {
			t.Errorf("User(globex, bob): error %v, want ErrNotFound", err)
		}
		all, err := s.UsersByName(ctx, "alice")
		if err != nil || len(all) != 2 || all[0].Tenant != acme || all[1].Tenant != globex {
			t.Errorf("UsersByName(alice) = %+v, %v", all, err)
		}
		if err := s.DeleteUser(ctx, acme, "alice"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.User(ctx, acme, "alice"); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted user: error %v", err)
		}
		if _, err := s.User(ctx, globex, "alice"); err != nil {
			t.Errorf("deleting acme's alice removed globex's: %v", err)
		}
		// Re-creating after a delete works (a newer version than the tombstone).
		if err := s.PutUser(ctx, acme, User{Name: "alice", PasswordHash: "new"}); err != nil {
			t.Fatal(err)
		}
		if a, err := s.User(ctx, acme, "alice"); err != nil || a.PasswordHash != "new" {
			t.Errorf("re-created user = %+v, %v", a, err)
		}
	})
}

func TestSensors(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		c := &clock{time.Now().UTC().Truncate(time.Millisecond)}
		s := newTestStore(t, ec, Options{Now: c.now})
		ctx := context.Background()
		acme, globex := tenant.MustNew("acme"), tenant.MustNew("globex")
		s1 := Sensor{ID: "s1", Name: "edge-1", TokenHash: "th1", UDPKeyID: "k1", UDPKey: "\x00\x01secret"}
		if err := s.PutSensor(ctx, acme, s1); err != nil {
			t.Fatal(err)
		}
		if err := s.PutSensor(ctx, globex, Sensor{ID: "s1", Name: "other", TokenHash: "th2", UDPKeyID: "k2"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.SensorByTokenHash(ctx, "th1")
		if err != nil || got.Tenant != acme || got.ID != "s1" || got.UDPKey != "\x00\x01secret" {
			t.Fatalf("SensorByTokenHash(th1) = %+v, %v", got, err)
		}
		if got, err := s.SensorByUDPKeyID(ctx, "k2"); err != nil || got.Tenant != globex {
			t.Errorf("SensorByUDPKeyID(k2) = %+v, %v", got, err)
		}
		for _, h := range []string{"nope", ""} {
			if _, err := s.SensorByTokenHash(ctx, h); !errors.Is(err, ErrNotFound) {
				t.Errorf("SensorByTokenHash(%q): error %v, want ErrNotFound", h, err)
			}
		}
		// Last contact.
		if err := s.TouchSensor(ctx, acme, "s1", c.t); err != nil {
			t.Fatal(err)
		}
		if err := s.TouchSensor(ctx, acme, "s1", c.t.Add(time.Second)); err != nil { // throttled
			t.Fatal(err)
		}
		got, err = s.Sensor(ctx, acme, "s1")
		if err != nil || !got.LastSeen.Equal(c.t) {
			t.Errorf("Sensor LastSeen = %v (err %v), want %v", got.LastSeen, err, c.t)
		}
		later := c.t.Add(2 * time.Minute)
		if err := s.TouchSensor(ctx, acme, "s1", later); err != nil {
			t.Fatal(err)
		}
		list, err := s.Sensors(ctx, acme)
		if err != nil || len(list) != 1 || !list[0].LastSeen.Equal(later) {
			t.Errorf("Sensors(acme) = %+v, %v; want LastSeen %v", list, err, later)
		}
		if list, _ := s.Sensors(ctx, globex); len(list) != 1 || !list[0].LastSeen.IsZero() {
			t.Errorf("Sensors(globex) = %+v: contact of acme's s1 leaked", list)
		}
		// Revocation.
		got.Revoked = true
		if err := s.PutSensor(ctx, acme, got); err != nil {
			t.Fatal(err)
		}
		if got, err := s.SensorByTokenHash(ctx, "th1"); !errors.Is(err, ErrRevoked) || got.ID != "s1" {
			t.Errorf("revoked sensor: %+v, %v; want ErrRevoked", got, err)
		}
		// A hash shared across tenants is refused rather than guessed.
		if err := s.PutSensor(ctx, globex, Sensor{ID: "s9", TokenHash: "th2"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SensorByTokenHash(ctx, "th2"); err == nil {
			t.Error("shared token hash accepted")
		}
		if err := s.DeleteSensor(ctx, acme, "s1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SensorByUDPKeyID(ctx, "k1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted sensor's key: error %v, want ErrNotFound", err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		c := &clock{time.Now().UTC().Truncate(time.Millisecond)}
		s := newTestStore(t, ec, Options{Now: c.now})
		ctx := context.Background()
		acme := tenant.MustNew("acme")
		tok := APIToken{ID: "t1", Name: "terraform", TokenHash: "h1", Role: "admin", ExpiresAt: c.t.Add(time.Hour)}
		if err := s.PutAPIToken(ctx, acme, tok); err != nil {
			t.Fatal(err)
		}
		if err := s.PutAPIToken(ctx, acme, APIToken{ID: "t2", TokenHash: "h2"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.APITokenByHash(ctx, "h1")
		if err != nil || got.Tenant != acme || !got.ExpiresAt.Equal(tok.ExpiresAt) {
			t.Fatalf("APITokenByHash = %+v, %v", got, err)
		}
		if got, err := s.APITokenByHash(ctx, "h2"); err != nil || !got.ExpiresAt.IsZero() {
			t.Errorf("token without expiry = %+v, %v", got, err)
		}
		c.t = c.t.Add(2 * time.Hour)
		if _, err := s.APITokenByHash(ctx, "h1"); !errors.Is(err, ErrExpired) {
			t.Errorf("expired token: error %v, want ErrExpired", err)
		}
		if list, err := s.APITokens(ctx, acme); err != nil || len(list) != 2 {
			t.Errorf("APITokens = %+v, %v", list, err)
		}
		if list, _ := s.APITokens(ctx, tenant.MustNew("globex")); len(list) != 0 {
			t.Errorf("APITokens(globex) = %+v", list)
		}
		if err := s.DeleteAPIToken(ctx, acme, "t2"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.APIToken(ctx, acme, "t2"); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted token: error %v", err)
		}
	})
}

func TestTenantLists(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ctx := context.Background()
		acme, globex := tenant.MustNew("acme"), tenant.MustNew("globex")

		if err := s.PutCustomTrail(ctx, acme, CustomTrail{Trail: "evil.example", Type: "DNS", Info: "c2 (custom)", Reference: "(custom)"}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutWhitelistEntry(ctx, acme, WhitelistEntry{Entry: "10.0.0.1", Comment: "scanner"}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutWebhook(ctx, acme, Webhook{ID: "w1", URL: "https://hooks.example/x", Secret: "s", MinSeverity: event.High, ThrottleSeconds: 600, Enabled: true}); err != nil {
			t.Fatal(err)
		}
		et := time.Now().UTC().Truncate(time.Microsecond)
		if err := s.PutTriage(ctx, acme, Triage{EventID: 42, EventTime: et, Status: "false-positive", Assignee: "alice", Note: "n",
			Tags: []string{"c2", `it's`, `back\slash`, "tab\there", "[x,y]"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutTriage(ctx, acme, Triage{EventID: 43, EventTime: et, Status: "open"}); err != nil {
			t.Fatal(err)
		}
		if err := s.AppendAudit(ctx, acme, AuditEntry{Actor: "alice", Action: "user.create", Target: "bob", Detail: "{}"}); err != nil {
			t.Fatal(err)
		}

		if l, err := s.CustomTrails(ctx, acme); err != nil || len(l) != 1 || l[0].Info != "c2 (custom)" {
			t.Errorf("CustomTrails = %+v, %v", l, err)
		}
		if l, err := s.Whitelist(ctx, acme); err != nil || len(l) != 1 || l[0].Comment != "scanner" {
			t.Errorf("Whitelist = %+v, %v", l, err)
		}
		if w, err := s.Webhook(ctx, acme, "w1"); err != nil || w.MinSeverity != event.High || w.ThrottleSeconds != 600 || !w.Enabled {
			t.Errorf("Webhook = %+v, %v", w, err)
		}
		tr, err := s.TriageFor(ctx, acme, []uint64{42, 7})
		if err != nil || len(tr) != 1 || tr[0].Status != "false-positive" || !tr[0].EventTime.Equal(et) {
			t.Errorf("TriageFor = %+v, %v", tr, err)
		}
		if wantTags := []string{"c2", `it's`, `back\slash`, "tab\there", "[x,y]"}; len(tr) == 1 && !reflect.DeepEqual(tr[0].Tags, wantTags) {
			t.Errorf("triage tags = %q, want %q", tr[0].Tags, wantTags)
		}
		if l, err := s.TriageList(ctx, acme, 10); err != nil || len(l) != 2 {
			t.Errorf("TriageList = %+v, %v", l, err)
		}
		audit, err := s.AuditLog(ctx, acme, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 0)
		if err != nil || len(audit) != 1 || audit[0].Action != "user.create" || audit[0].Tenant != acme {
			t.Errorf("AuditLog = %+v, %v", audit, err)
		}

		// Nothing of acme's is visible to globex.
		if l, _ := s.CustomTrails(ctx, globex); len(l) != 0 {
			t.Errorf("CustomTrails(globex) = %+v", l)
		}
		if l, _ := s.Whitelist(ctx, globex); len(l) != 0 {
			t.Errorf("Whitelist(globex) = %+v", l)
		}
		if l, _ := s.Webhooks(ctx, globex); len(l) != 0 {
			t.Errorf("Webhooks(globex) = %+v", l)
		}
		if l, _ := s.TriageFor(ctx, globex, []uint64{42}); len(l) != 0 {
			t.Errorf("TriageFor(globex) = %+v", l)
		}
		if l, _ := s.AuditLog(ctx, globex, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 0); len(l) != 0 {
			t.Errorf("AuditLog(globex) = %+v", l)
		}

		// Deletes.
		if err := s.DeleteCustomTrail(ctx, acme, "evil.example"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteWhitelistEntry(ctx, acme, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteWebhook(ctx, acme, "w1"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTriage(ctx, acme, 42); err != nil {
			t.Fatal(err)
		}
		if l, _ := s.CustomTrails(ctx, acme); len(l) != 0 {
			t.Errorf("CustomTrails after delete = %+v", l)
		}
		if l, _ := s.Whitelist(ctx, acme); len(l) != 0 {
			t.Errorf("Whitelist after delete = %+v", l)
		}
		if l, _ := s.Webhooks(ctx, acme); len(l) != 0 {
			t.Errorf("Webhooks after delete = %+v", l)
		}
		if l, _ := s.TriageList(ctx, acme, 0); len(l) != 1 || l[0].EventID != 43 {
			t.Errorf("TriageList after delete = %+v", l)
		}
	})
}

// TestLoginRecords reads failed and successful logins across tenants:
// what a lockout sees from every replica.
func TestLoginRecords(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		s := newTestStore(t, ec, Options{})
		ctx := context.Background()
		acme, other := addTenant(t, s, "acme", 0), addTenant(t, s, "other", 0)
		base := time.Now().UTC().Add(-time.Hour).Truncate(time.Microsecond)
		at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
		for _, e := range []struct {
			t tenant.ID
			AuditEntry
		}{
			{acme, AuditEntry{Time: at(-10), Actor: "alice", Action: ActionLoginFailed, Target: "192.0.2.1"}}, // before since
			{acme, AuditEntry{Time: at(1), Actor: "alice", Action: ActionLoginFailed, Target: "192.0.2.9"}},
			{other, AuditEntry{Time: at(2), Actor: "mallory", Action: ActionLoginFailed, Target: "192.0.2.1"}},
			{other, AuditEntry{Time: at(3), Actor: "other/alice", Action: ActionLogin, Target: "192.0.2.7"}},
			{acme, AuditEntry{Time: at(4), Actor: "acme/malice", Action: ActionLogin, Target: "192.0.2.1"}}, // another name
			{acme, AuditEntry{Time: at(5), Actor: "alice", Action: "login.locked", Target: "192.0.2.1"}},
			{acme, AuditEntry{Time: at(6), Actor: "alice", Action: ActionLoginFailed, Target: "192.0.2.1"}},
			{acme, AuditEntry{Time: at(7), Actor: "bob", Action: "user.create", Target: "alice"}},
			{other, AuditEntry{Time: at(8), Actor: "other/alice", Action: ActionTOTPEnableFailed, Target: "alice", Detail: "192.0.2.7"}},
			{acme, AuditEntry{Time: at(9), Actor: "acme/bob", Action: ActionTOTPDisableFailed, Target: "bob", Detail: "192.0.2.1"}},
			{acme, AuditEntry{Time: at(10), Actor: "acme/bob", Action: ActionTOTPDisableFailed, Target: "bob"}}, // neither
		} {
			if err := s.AppendAudit(ctx, e.t, e.AuditEntry); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.LoginRecords(ctx, "alice", "192.0.2.1", at(0))
		if err != nil {
			t.Fatal(err)
		}
		want := []LoginRecord{
			{Time: at(1), Failed: true, User: true},
			{Time: at(2), Failed: true, Addr: true},
			{Time: at(3), User: true},
			{Time: at(6), Failed: true, User: true, Addr: true},
			{Time: at(8), Failed: true, User: true},
			{Time: at(9), Failed: true, Addr: true},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("LoginRecords:\n got %+v\nwant %+v", got, want)
		}
		// Names are matched exactly, not as patterns.
		if got, err := s.LoginRecords(ctx, "%", "", at(0)); err != nil || len(got) != 0 {
			t.Errorf("LoginRecords(%%) = %+v, %v; want none", got, err)
		}
	})
}
