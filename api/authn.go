package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/tenant"
)

// authenticate verifies the bearer access token and puts its Principal on
// the context. Nothing else decides who the caller is.
func (a *API) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || raw == "" {
		c.Header("WWW-Authenticate", `Bearer realm="spoor"`)
		fail(c, errUnauthenticated)
		return
	}
	claims, err := a.keys.Verify(raw)
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="spoor", error="invalid_token"`)
		fail(c, &Error{Status: http.StatusUnauthorized, Msg: "invalid or expired access token"})
		return
	}
	t, terr := tenant.New(claims.Tenant)
	role, rerr := ParseRole(claims.Role)
	// A signed token with an impossible role/tenant pair is refused, not
	// trusted: mssp-admin only ever comes from the operator tenant.
	if terr != nil || rerr != nil || (role == RoleMSSPAdmin && t != a.operator) {
		fail(c, &Error{Status: http.StatusUnauthorized, Msg: "invalid or expired access token"})
		return
	}
	c.Set(ctxPrincipal, Principal{User: claims.Subject, Tenant: t, Role: role, Session: claims.ID})
	c.Next()
}

// requireRole lets through callers with at least role min.
func requireRole(min Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !principalOf(c).Role.atLeast(min) {
			fail(c, errForbidden)
			return
		}
		c.Next()
	}
}

// scopeTenant resolves the URL's {tenant}: a tenant's own users may act on
// their own tenant only; an MSSP admin on any existing tenant. The tenant
// is then put on the context (gin's and the request's).
func (a *API) scopeTenant(c *gin.Context) {
	p := principalOf(c)
	t, err := tenant.New(c.Param("tenant"))
	if err != nil {
		fail(c, errNotFound("tenant"))
		return
	}
	if p.Role != RoleMSSPAdmin && t != p.Tenant {
		fail(c, errForbidden)
		return
	}
	if p.Role == RoleMSSPAdmin && t != p.Tenant {
		if _, err := a.store.Tenant(c.Request.Context(), t); err != nil {
			fail(c, storeErr(err, "tenant"))
			return
		}
	}
	c.Set(ctxTenant, t)
	c.Request = c.Request.WithContext(tenant.WithTenant(c.Request.Context(), t))
	c.Next()
}
