package api

import (
	"net/http"
	"strings"
	"testing"
)

func TestTenantUpdate(t *testing.T) {
	tn := newTenant(t, "tupdate")
	path := "/api/v1/tenants/" + string(tn)
	var cur tenantJSON
	call(t, "GET", path, adminToken(t), nil).json(t, &cur)
	if cur.TimeZone != "UTC" {
		t.Fatalf("new tenant's time_zone = %q, want UTC", cur.TimeZone)
	}
	tests := []struct {
		name string
		body string
		want int
		// check the tenant after a 200
		check func(tenantJSON) bool
	}{
		{"name only", `{"name":"Renamed Ltd"}`, 200, func(v tenantJSON) bool {
			return v.Name == "Renamed Ltd" && v.RetentionDays == cur.RetentionDays && v.TimeZone == "UTC"
		}},
		{"zone only", `{"time_zone":"America/New_York"}`, 200, func(v tenantJSON) bool {
			return v.Name == "Renamed Ltd" && v.TimeZone == "America/New_York"
		}},
		{"retention only", `{"retention_days":30}`, 200, func(v tenantJSON) bool {
			return v.RetentionDays == 30 && v.TimeZone == "America/New_York"
		}},
		{"all", `{"name":"ACME","retention_days":365,"time_zone":"Europe/Berlin"}`, 200, func(v tenantJSON) bool {
			return v.Name == "ACME" && v.RetentionDays == 365 && v.TimeZone == "Europe/Berlin" && v.ID == string(tn)
		}},
		{"empty body", `{}`, 200, func(v tenantJSON) bool { return v.Name == "ACME" && v.TimeZone == "Europe/Berlin" }},
		{"unknown zone", `{"time_zone":"Mars/Olympus_Mons"}`, 400, nil},
		{"Local", `{"time_zone":"Local"}`, 400, nil},
		{"empty zone", `{"time_zone":""}`, 400, nil},
		{"zero retention", `{"retention_days":0}`, 400, nil},
		{"retention too long", `{"retention_days":4000}`, 400, nil},
		{"empty name", `{"name":""}`, 400, nil},
		{"malformed", `{"name":`, 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, "PUT", path, adminToken(t), tt.body)
			if r.Code != tt.want {
				t.Fatalf("got %d %s, want %d", r.Code, r.Body, tt.want)
			}
			if tt.check == nil {
				r.errMsg(t)
				return
			}
			var got, again tenantJSON
			r.json(t, &got)
			call(t, "GET", path, adminToken(t), nil).json(t, &again)
			if !tt.check(got) || again != got {
				t.Errorf("PUT answered %+v, GET answers %+v; want both updated alike", got, again)
			}
		})
	}
	if r := call(t, "PUT", "/api/v1/tenants/no-such-tenant", adminToken(t), `{"name":"x"}`); r.Code != http.StatusNotFound {
		t.Errorf("unknown tenant: got %d %s, want 404", r.Code, r.Body)
	}
	_, adminTok := newUser(t, tn, RoleTenantAdmin)
	if r := call(t, "PUT", path, adminTok, `{"name":"mine now"}`); r.Code != http.StatusForbidden {
		t.Errorf("tenant-admin updating its tenant: got %d %s, want 403", r.Code, r.Body)
	}
}

func TestTenantCreateTimeZone(t *testing.T) {
	tests := []struct {
		zone string
		want int
	}{
		{"Asia/Kolkata", http.StatusCreated},
		{"Nowhere/Atlantis", http.StatusBadRequest},
		{"Local", http.StatusBadRequest},
	}
	for i, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			id := "tzcreate-" + string(rune('a'+i)) + "-" + newID()[:6]
			r := call(t, "POST", "/api/v1/tenants", adminToken(t), map[string]string{"id": id, "name": "Z", "time_zone": tt.zone})
			if r.Code != tt.want {
				t.Fatalf("got %d %s, want %d", r.Code, r.Body, tt.want)
			}
			if tt.want == http.StatusCreated {
				var v tenantJSON
				r.json(t, &v)
				if v.TimeZone != tt.zone {
					t.Errorf("time_zone = %q, want %q", v.TimeZone, tt.zone)
				}
			}
		})
	}
}

func TestUserUpdate(t *testing.T) {
	tn := newTenant(t, "uupdate")
	admin, adminTok := newUser(t, tn, RoleTenantAdmin)
	analyst, _ := newUser(t, tn, RoleAnalyst)
	base := "/api/v1/tenants/" + string(tn) + "/users/"
	tests := []struct {
		name, user, body string
		want             int
		wantRole         string
		wantDisabled     bool
	}{
		{"demote", analyst, `{"role":"viewer"}`, 200, "viewer", false},
		{"promote to own rank", analyst, `{"role":"tenant-admin"}`, 200, "tenant-admin", false},
		{"back to analyst", analyst, `{"role":"analyst"}`, 200, "analyst", false},
		{"grant mssp-admin", analyst, `{"role":"mssp-admin"}`, 400, "", false},
		{"unknown role", analyst, `{"role":"root"}`, 400, "", false},
		{"short password", analyst, `{"password":"short"}`, 400, "", false},
		{"disable", analyst, `{"disabled":true}`, 200, "analyst", true},
		{"enable", analyst, `{"disabled":false}`, 200, "analyst", false},
		{"disable yourself", admin, `{"disabled":true}`, 409, "", false},
		{"demote yourself", admin, `{"role":"viewer"}`, 409, "", false},
		{"unknown user", "nobody", `{"disabled":true}`, 404, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, "PUT", base+tt.user, adminTok, tt.body)
			if r.Code != tt.want {
				t.Fatalf("got %d %s, want %d", r.Code, r.Body, tt.want)
			}
			if tt.want != 200 {
				r.errMsg(t)
				return
			}
			var u userJSON
			r.json(t, &u)
			if u.Username != tt.user || u.Role != tt.wantRole || u.Disabled != tt.wantDisabled {
				t.Errorf("got %+v, want role %s disabled %v", u, tt.wantRole, tt.wantDisabled)
			}
		})
	}

	t.Run("password", func(t *testing.T) {
		session := login(t, analyst, userPassword, fromAddr("198.51.100.119"))
		r := call(t, "PUT", base+analyst, adminTok, `{"password":"a-brand-new-password"}`)
		if r.Code != 200 || strings.Contains(string(r.Body), "argon") || strings.Contains(string(r.Body), "hash") {
			t.Fatalf("got %d %s, want 200 without the hash", r.Code, r.Body)
		}
		login(t, analyst, "a-brand-new-password", fromAddr("198.51.100.120"))
		if r := call(t, "POST", "/api/v1/auth/login", "", loginBody(analyst, userPassword, ""), fromAddr("198.51.100.121")); r.Code != 401 {
			t.Errorf("old password: got %d, want 401", r.Code)
		}
		// The session opened with the old password ends at its next refresh.
		if r := call(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": session.RefreshToken}); r.Code != 401 {
			t.Errorf("refresh of a session from before the password change: got %d %s, want 401", r.Code, r.Body)
		}
	})
	t.Run("disabled user cannot log in", func(t *testing.T) {
		call(t, "PUT", base+analyst, adminTok, `{"disabled":true}`)
		if r := call(t, "POST", "/api/v1/auth/login", "", loginBody(analyst, "a-brand-new-password", ""), fromAddr("198.51.100.122")); r.Code != 401 {
			t.Errorf("got %d, want 401", r.Code)
		}
	})

	// A tenant-admin of the operator tenant must not touch or make an
	// mssp-admin.
	opAdmin, opAdminTok := newUser(t, env.api.operator, RoleTenantAdmin)
	opBase := "/api/v1/tenants/" + string(env.api.operator) + "/users/"
	if r := call(t, "PUT", opBase+"admin", opAdminTok, `{"password":"taken-over-password"}`); r.Code != http.StatusForbidden {
		t.Errorf("tenant-admin changing an mssp-admin: got %d %s, want 403", r.Code, r.Body)
	}
	peer, _ := newUser(t, env.api.operator, RoleAnalyst)
	if r := call(t, "PUT", opBase+peer, opAdminTok, `{"role":"mssp-admin"}`); r.Code != http.StatusForbidden {
		t.Errorf("tenant-admin granting mssp-admin: got %d %s, want 403", r.Code, r.Body)
	}
	if r := call(t, "PUT", opBase+opAdmin, adminToken(t), `{"role":"mssp-admin"}`); r.Code != http.StatusOK {
		t.Errorf("mssp-admin granting mssp-admin in the operator tenant: got %d %s, want 200", r.Code, r.Body)
	}
}
