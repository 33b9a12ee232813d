package api

import (
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/tenant"
)

// Role is a user's role.
type Role string

// Roles, from most to least powerful.
const (
	// RoleMSSPAdmin manages tenants and acts on any tenant through the URL;
	// it exists only in the operator tenant.
	RoleMSSPAdmin Role = "mssp-admin"
	// RoleTenantAdmin manages users, sensors, trails and webhooks of its
	// tenant, and reads and triages.
	RoleTenantAdmin Role = "tenant-admin"
	// RoleAnalyst reads and triages.
	RoleAnalyst Role = "analyst"
	// RoleViewer reads.
	RoleViewer Role = "viewer"
)

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleMSSPAdmin, RoleTenantAdmin, RoleAnalyst, RoleViewer:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q", s)
}

func (r Role) rank() int {
	switch r {
	case RoleMSSPAdmin:
		return 4
	case RoleTenantAdmin:
		return 3
	case RoleAnalyst:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// atLeast reports whether r includes the rights of min.
func (r Role) atLeast(min Role) bool { return r.rank() >= min.rank() }

// Principal is the authenticated caller, from a verified access token.
type Principal struct {
	User   string
	Tenant tenant.ID
	Role   Role
	// Session is the access token's ID, shared with the refresh token
	// issued with it ("refresh-" + Session), so that a user's own session
	// can be told from the others.
	Session string
}

// Gin context keys; read them through the accessors below.
const (
	ctxPrincipal = "spoor.principal"
	ctxTenant    = "spoor.tenant"
	ctxRequestID = "spoor.request_id"
)

// principalOf returns the caller set by the authentication middleware.
func principalOf(c *gin.Context) Principal {
	p, ok := c.Get(ctxPrincipal)
	if !ok {
		panic("BUG: handler behind no authentication middleware")
	}
	return p.(Principal)
}

// tenantOf returns the tenant a tenant-scoped request acts on, set by the
// tenant middleware after checking the caller may act on it.
func tenantOf(c *gin.Context) tenant.ID {
	t, ok := c.Get(ctxTenant)
	if !ok {
		panic("BUG: tenant-scoped handler behind no tenant middleware")
	}
	return t.(tenant.ID)
}
