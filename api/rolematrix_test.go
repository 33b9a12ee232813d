package api

import (
	"context"
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
		{"PUT", "/tenants/{t}", RoleMSSPAdmin, "{}"},
		{"DELETE", "/tenants/{t}", RoleMSSPAdmin, ""},
		{"GET", "/auth/me", RoleViewer, ""},
		{"POST", "/auth/totp/setup", RoleViewer, ""},
		{"POST", "/auth/totp/enable", RoleViewer, "{}"},
		{"POST", "/auth/totp/disable", RoleViewer, "{}"},
		{"GET", "/tenants/{t}/users", RoleTenantAdmin, ""},
		{"POST", "/tenants/{t}/users", RoleTenantAdmin, "{}"},
		{"PUT", "/tenants/{t}/users/nobody", RoleTenantAdmin, "{}"},
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
		{"GET", "/tenants/{t}/live", RoleViewer, ""},
		{"GET", "/check", RoleViewer, ""},
		{"GET", "/overview", RoleMSSPAdmin, ""},
		{"GET", "/tenants/{t}/triage", RoleViewer, ""},
		{"GET", "/tenants/{t}/triage/0a1b2c3d", RoleViewer, ""},
		{"PUT", "/tenants/{t}/triage/0a1b2c3d", RoleAnalyst, "{}"},
		{"DELETE", "/tenants/{t}/triage/0a1b2c3d", RoleAnalyst, ""},
		{"GET", "/tenants/{t}/trails", RoleViewer, ""},
		{"POST", "/tenants/{t}/trails", RoleTenantAdmin, "[]"},
		{"DELETE", "/tenants/{t}/trails?trail=nope.example", RoleTenantAdmin, ""},
		{"GET", "/tenants/{t}/whitelist", RoleViewer, ""},
		{"POST", "/tenants/{t}/whitelist", RoleTenantAdmin, "[]"},
		{"DELETE", "/tenants/{t}/whitelist?entry=nope.example", RoleTenantAdmin, ""},
		{"GET", "/tenants/{t}/webhooks", RoleTenantAdmin, ""},
		{"POST", "/tenants/{t}/webhooks", RoleTenantAdmin, "{}"},
		{"GET", "/tenants/{t}/webhooks/nope", RoleTenantAdmin, ""},
		{"PUT", "/tenants/{t}/webhooks/nope", RoleTenantAdmin, "{}"},
		{"DELETE", "/tenants/{t}/webhooks/nope", RoleTenantAdmin, ""},
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
					var opts []reqOpt
					if strings.HasSuffix(ep.path, "/live") { // a stream: stop it soon
						ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
						defer cancel()
						opts = append(opts, withContext(ctx))
					}
					r := call(t, ep.method, path, tok, body, opts...)
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
