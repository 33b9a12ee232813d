package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/spoorsec/spoor/migrations"
	"github.com/spoorsec/spoor/tenant"
)

// TestUpgradeTo0004 writes rows as they were before migration 0004 (TOTP
// columns, tenants' zone, triage tags and the webhook throttle did not
// exist; tags and the throttle were packed as JSON), then migrates: the
// rows must read with the new columns' defaults, and the packed ones
// unpacked.
func TestUpgradeTo0004(t *testing.T) {
	forEachEngine(t, func(t *testing.T, ec engineCase) {
		ctx := context.Background()
		s := ec.open(t, Options{Database: fmt.Sprintf("spoor_upgrade_%d", dbSeq.Add(1))})
		t.Cleanup(func() {
			s.be.exec(context.Background(), "DROP DATABASE IF EXISTS "+s.db, nil)
			s.Close()
		})
		all, err := migrations.All(s.cfg)
		if err != nil {
			t.Fatal(err)
		}
		db, err := migrations.CreateDatabase(s.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.be.exec(ctx, db, nil); err != nil {
			t.Fatal(err)
		}
		for _, m := range all {
			if m.Version >= 4 {
				break
			}
			for _, stmt := range m.Statements {
				if err := s.be.exec(ctx, stmt, nil); err != nil {
					t.Fatalf("migration %d: %v", m.Version, err)
				}
			}
		}
		old := []string{
			"INSERT INTO " + s.db + ".tenants (tenant, name, retention_days, version, deleted) VALUES ('acme', 'ACME', 30, 1, 0)",
			"INSERT INTO " + s.db + ".users (tenant, name, password_hash, role, disabled, version, deleted) VALUES ('acme', 'alice', 'h', 'analyst', false, 1, 0)",
			"INSERT INTO " + s.db + ".triage (tenant, event_id, status, note, version, deleted) VALUES " +
				`('acme', 42, 'open', '{"tags":["c2","beacon"],"notes":"seen twice"}', 1, 0), ('acme', 43, 'open', 'plain note', 1, 0)`,
			"INSERT INTO " + s.db + ".webhooks (tenant, id, url, secret, min_severity, enabled, version, deleted) VALUES " +
				`('acme', 'w1', 'https://hooks.example/x', '{"secret":"whsec_abc","throttle_seconds":60}', 2, true, 1, 0)`,
		}
		for _, q := range old {
			if err := s.be.exec(ctx, q, nil); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		acme := tenant.MustNew("acme")
		if v, err := s.Tenant(ctx, acme); err != nil || v.TimeZone != "UTC" || v.RetentionDays != 30 {
			t.Errorf("tenant after upgrade = %+v, %v; want zone UTC, retention 30", v, err)
		}
		if u, err := s.User(ctx, acme, "alice"); err != nil || u.TOTPEnabled || u.TOTPSecret != "" || u.TOTPLastStep != 0 || u.PasswordHash != "h" {
			t.Errorf("user after upgrade = %+v, %v; want TOTP off", u, err)
		}
		// The unpacking is a mutation: it may finish a moment later.
		var tr []Triage
		var w Webhook
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			tr, err = s.TriageFor(ctx, acme, []uint64{42, 43})
			if err != nil {
				t.Fatal(err)
			}
			w, err = s.Webhook(ctx, acme, "w1")
			if err != nil {
				t.Fatal(err)
			}
			if len(tr) == 2 && tr[0].Note == "seen twice" && w.Secret == "whsec_abc" || time.Now().After(deadline) {
				break
			}
		}
		if len(tr) != 2 || tr[0].Note != "seen twice" || !reflect.DeepEqual(tr[0].Tags, []string{"c2", "beacon"}) ||
			tr[1].Note != "plain note" || len(tr[1].Tags) != 0 {
			t.Errorf("triage after upgrade = %+v; want 42 unpacked to tags [c2 beacon] and notes, 43 as it was", tr)
		}
		if w.Secret != "whsec_abc" || w.ThrottleSeconds != 60 || w.MinSeverity != 2 || !w.Enabled {
			t.Errorf("webhook after upgrade = %+v; want secret whsec_abc, throttle 60", w)
		}
	})
}
