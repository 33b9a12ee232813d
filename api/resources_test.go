package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/store"
)

func TestTenantContract(t *testing.T) {
	tok := adminToken(t)
	r := call(t, "POST", "/api/v1/tenants", tok, map[string]string{"id": "contract-acme", "name": "ACME"})
	if r.Code != http.StatusCreated {
		t.Fatalf("create: got %d %s, want 201", r.Code, r.Body)
	}
	var got tenantJSON
	r.json(t, &got)
	if got.ID != "contract-acme" || got.Name != "ACME" || got.RetentionDays != store.DefaultRetentionDays {
		t.Errorf("got %+v, want contract-acme/ACME/%d", got, store.DefaultRetentionDays)
	}
	cases := []struct {
		name string
		body any
		want int
	}{
		{"duplicate", map[string]string{"id": "contract-acme", "name": "again"}, 409},
		{"bad id", map[string]string{"id": "../etc", "name": "x"}, 400},
		{"upper case id", map[string]string{"id": "ACME", "name": "x"}, 400},
		{"no name", map[string]string{"id": "contract-noname"}, 400},
		{"retention too long", map[string]any{"id": "contract-ret", "name": "x", "retention_days": 5000}, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "POST", "/api/v1/tenants", tok, tc.body)
			if r.Code != tc.want {
				t.Fatalf("got %d %s, want %d", r.Code, r.Body, tc.want)
			}
			r.errMsg(t)
		})
	}
	if r := call(t, "GET", "/api/v1/tenants/contract-acme", tok, nil); r.Code != 200 {
		t.Errorf("get: got %d, want 200", r.Code)
	}
	if r := call(t, "GET", "/api/v1/tenants/no-such-tenant", tok, nil); r.Code != 404 {
		t.Errorf("get unknown: got %d, want 404", r.Code)
	}
	if r := call(t, "DELETE", "/api/v1/tenants/mssp", tok, nil); r.Code != 409 {
		t.Errorf("delete operator tenant: got %d, want 409", r.Code)
	}
	if r := call(t, "DELETE", "/api/v1/tenants/contract-acme", tok, nil); r.Code != 204 {
		t.Errorf("delete: got %d %s, want 204", r.Code, r.Body)
	}
	if r := call(t, "GET", "/api/v1/tenants/contract-acme", tok, nil); r.Code != 404 {
		t.Errorf("get deleted: got %d, want 404", r.Code)
	}
}

func TestUserContract(t *testing.T) {
	tn := newTenant(t, "users")
	path := "/api/v1/tenants/" + string(tn) + "/users"
	_, ta := newUser(t, tn, RoleTenantAdmin)
	r := call(t, "POST", path, ta, map[string]string{"username": "bob", "password": "bob-password-long", "role": "analyst"})
	if r.Code != http.StatusCreated {
		t.Fatalf("create: got %d %s, want 201", r.Code, r.Body)
	}
	if tok := login(t, "bob", "bob-password-long", fromAddr("192.0.2.60")); tok.AccessToken == "" {
		t.Fatal("new user cannot log in")
	}
	cases := []struct {
		name string
		body map[string]string
		want int
	}{
		{"duplicate", map[string]string{"username": "bob", "password": "bob-password-long", "role": "viewer"}, 409},
		{"short password", map[string]string{"username": "carol", "password": "short", "role": "viewer"}, 400},
		{"bad role", map[string]string{"username": "carol", "password": "carol-password-long", "role": "root"}, 400},
		{"mssp-admin outside the operator tenant", map[string]string{"username": "carol", "password": "carol-password-long", "role": "mssp-admin"}, 400},
		{"bad name", map[string]string{"username": "car ol", "password": "carol-password-long", "role": "viewer"}, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "POST", path, ta, tc.body)
			if r.Code != tc.want {
				t.Fatalf("got %d %s, want %d", r.Code, r.Body, tc.want)
			}
			r.errMsg(t)
		})
	}
	if r := call(t, "POST", "/api/v1/tenants/mssp/users", ta, map[string]string{"username": "evil", "password": "evil-password-long", "role": "mssp-admin"}); r.Code != 403 {
		t.Errorf("tenant admin creating an MSSP admin: got %d, want 403", r.Code)
	}
	if r := call(t, "DELETE", path+"/bob", ta, nil); r.Code != 204 {
		t.Errorf("delete: got %d %s, want 204", r.Code, r.Body)
	}
	if r := call(t, "DELETE", path+"/bob", ta, nil); r.Code != 404 {
		t.Errorf("delete again: got %d, want 404", r.Code)
	}
	r = call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "bob", "password": "bob-password-long"}, fromAddr("192.0.2.61"))
	if r.Code != 401 {
		t.Errorf("deleted user logs in: got %d, want 401", r.Code)
	}
}

func TestSensorContract(t *testing.T) {
	tn := newTenant(t, "sensors")
	path := "/api/v1/tenants/" + string(tn) + "/sensors"
	tok := adminToken(t)
	r := call(t, "POST", path, tok, map[string]string{"name": "edge-1"})
	if r.Code != http.StatusCreated {
		t.Fatalf("enroll: got %d %s, want 201", r.Code, r.Body)
	}
	var cred credentialsJSON
	r.json(t, &cred)
	if _, err := token.DecodeUDPKey(cred.UDPKey); err != nil || cred.ID == "" || cred.Name != "edge-1" || token.Check(token.Sensor, cred.Token) != nil || cred.UDPKeyID == "" {
		t.Fatalf("got credentials %+v, want id, name, a sensor token, udp_key_id and a UDP key (%v)", cred, err)
	}
	ctx := context.Background()
	s, err := env.store.SensorByTokenHash(ctx, token.Hash(cred.Token))
	if err != nil || s.Tenant != tn || s.ID != cred.ID {
		t.Fatalf("token lookup: got %+v, %v; want sensor %s of %s", s, err, cred.ID, tn)
	}
	if k, err := env.store.SensorByUDPKeyID(ctx, cred.UDPKeyID); err != nil || k.UDPKey != cred.UDPKey {
		t.Fatalf("UDP key lookup: got %+v, %v", k, err)
	}

	r = call(t, "GET", path, tok, nil)
	if r.Code != 200 || contains(r.Body, cred.Token) || contains(r.Body, cred.UDPKey) {
		t.Fatalf("list: got %d %s, want 200 without secrets", r.Code, r.Body)
	}

	r = call(t, "POST", path+"/"+cred.ID+"/rotate", tok, nil)
	var rot credentialsJSON
	r.json(t, &rot)
	if r.Code != 200 || rot.Token == cred.Token || rot.UDPKey == cred.UDPKey {
		t.Fatalf("rotate: got %d %+v, want 200 and new secrets", r.Code, rot)
	}
	if _, err := env.store.SensorByTokenHash(ctx, token.Hash(cred.Token)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("old token after rotation: got %v, want ErrNotFound", err)
	}
	if r := call(t, "POST", path+"/"+cred.ID+"/revoke", tok, nil); r.Code != 200 {
		t.Fatalf("revoke: got %d %s", r.Code, r.Body)
	}
	if _, err := env.store.SensorByTokenHash(ctx, token.Hash(rot.Token)); !errors.Is(err, store.ErrRevoked) {
		t.Errorf("token after revocation: got %v, want ErrRevoked", err)
	}
	if r := call(t, "POST", path+"/"+cred.ID+"/rotate", tok, nil); r.Code != 409 {
		t.Errorf("rotate revoked: got %d, want 409", r.Code)
	}
	if r := call(t, "POST", path+"/nope/revoke", tok, nil); r.Code != 404 {
		t.Errorf("revoke unknown: got %d, want 404", r.Code)
	}
	if r := call(t, "POST", path, tok, map[string]string{"name": ""}); r.Code != 400 {
		t.Errorf("enroll without a name: got %d, want 400", r.Code)
	}
	if r := call(t, "DELETE", path+"/"+cred.ID, tok, nil); r.Code != 204 {
		t.Errorf("delete: got %d, want 204", r.Code)
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }
