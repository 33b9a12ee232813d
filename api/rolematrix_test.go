package api

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRoleMatrix calls every endpoint as every role, on the caller's own
// tenant and on another one: allowed calls must get past authorization
// (anything but 401/403), the rest must get 403.
func TestRoleMatrix(t *testing.T) {
	own, other := newTenant(t, "matrix-own"), newTenant(t, "matrix-other")
	endpoints := []struct {
		method, path string // {t} is the tenant
		min          Role
		body         string
	}{
		{"GET", "/tenants", RoleMSSPAdmin, ""},
		{"POST", "/tenants", RoleMSSPAdmin, "{}"},
		{"GET", "/tenants/{t}", RoleViewer, ""},
		{"DELETE", "/tenants/{t}", RoleMSSPAdmin, ""},
		{"GET", "/tenants/{t}/users", RoleTenantAdmin, ""},
		{"POST", "/tenants/{t}/users", RoleTenantAdmin, "{}"},
		{"DELETE", "/tenants/{t}/users/nobody", RoleTenantAdmin, ""},
		{"GET", "/tenants/{t}/sensors", RoleViewer, ""},
		{"GET", "/tenants/{t}/sensors/nope", RoleViewer, ""},
		{"POST", "/tenants/{t}/sensors", RoleTenantAdmin, "{}"},
		{"POST", "/tenants/{t}/sensors/nope/revoke", RoleTenantAdmin, ""},
		{"POST", "/tenants/{t}/sensors/nope/rotate", RoleTenantAdmin, ""},
		{"DELETE", "/tenants/{t}/sensors/nope", RoleTenantAdmin, ""},
		{"GET", "/tenants/{t}/audit", RoleTenantAdmin, ""},
		{"POST", "/tenants/{t}/sql", RoleViewer, "{}"},
		{"GET", "/tenants/{t}/events", RoleViewer, ""},
		{"GET", "/tenants/{t}/counts", RoleViewer, ""},
	}
	roles := []Role{RoleMSSPAdmin, RoleTenantAdmin, RoleAnalyst, RoleViewer}
	for _, role := range roles {
		home := own
		if role == RoleMSSPAdmin {
			home = env.api.operator
		}
		tok, err := env.api.keys.Issue("matrix-"+string(role), string(home), string(role), newID(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		for _, ep := range endpoints {
			for _, scope := range []string{"own", "other"} {
				target := home
				if scope == "other" {
					target = other
					if ep.method == "DELETE" && ep.path == "/tenants/{t}" {
						target = newTenant(t, "matrix-victim") // this one may really go
					}
				}
				path := "/api/v1" + strings.ReplaceAll(ep.path, "{t}", string(target))
				name := string(role) + " " + scope + " " + ep.method + " " + ep.path
				t.Run(name, func(t *testing.T) {
					var body any
					if ep.body != "" {
						body = ep.body
					}
					r := call(t, ep.method, path, tok, body)
					tenantScoped := strings.Contains(ep.path, "{t}")
					allowed := role.atLeast(ep.min) && (role == RoleMSSPAdmin || !tenantScoped || scope == "own")
					switch {
					case allowed && (r.Code == http.StatusUnauthorized || r.Code == http.StatusForbidden):
						t.Errorf("got %d %s, want past authorization", r.Code, r.Body)
					case !allowed && r.Code != http.StatusForbidden:
						t.Errorf("got %d %s, want 403", r.Code, r.Body)
					}
				})
			}
		}
	}
}
