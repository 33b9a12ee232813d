package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/auth/password"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// usersHandler serves /tenants/{tenant}/users (tenant admins).
type usersHandler struct {
	store    Store
	audit    auditor
	operator tenant.ID
	params   password.Params
}

type userJSON struct {
	Username  string    `json:"username"`
	Role      string    `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

type createUserRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Role     string `json:"role"`
}

// validUsername accepts 1 to 64 bytes of [A-Za-z0-9._@-].
func validUsername(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '@' || c == '-') {
			return false
		}
	}
	return true
}

func (h usersHandler) create(c *gin.Context) {
	var req createUserRequest
	if !bindJSON(c, &req) {
		return
	}
	t, p := tenantOf(c), principalOf(c)
	if !validUsername(req.Username) {
		fail(c, publicf(http.StatusBadRequest, "username must be 1 to 64 characters of A-Z a-z 0-9 . _ @ -"))
		return
	}
	role, err := ParseRole(req.Role)
	if err != nil {
		fail(c, publicf(http.StatusBadRequest, "role must be one of mssp-admin, tenant-admin, analyst, viewer"))
		return
	}
	// mssp-admin exists only in the operator tenant; no one grants a role
	// above their own.
	if role == RoleMSSPAdmin && t != h.operator {
		fail(c, publicf(http.StatusBadRequest, "role mssp-admin exists only in the operator tenant"))
		return
	}
	if !p.Role.atLeast(role) {
		fail(c, errForbidden)
		return
	}
	if len(req.Password) > 1024 {
		fail(c, publicf(http.StatusBadRequest, "password too long"))
		return
	}
	hash, err := password.Hash(req.Password, h.params)
	if errors.Is(err, password.ErrTooShort) {
		fail(c, publicf(http.StatusBadRequest, "%s", err.Error()))
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if _, err := h.store.User(ctx, t, req.Username); err == nil {
		fail(c, publicf(http.StatusConflict, "user %s already exists", req.Username))
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		fail(c, err)
		return
	}
	u := store.User{Name: req.Username, PasswordHash: hash, Role: string(role)}
	if err := h.store.PutUser(ctx, t, u); err != nil {
		fail(c, err)
		return
	}
	h.audit.record(ctx, t, actor(p), "user.create", req.Username, string(role))
	c.JSON(http.StatusCreated, userJSON{Username: u.Name, Role: u.Role})
}

func (h usersHandler) list(c *gin.Context) {
	list, err := h.store.Users(c.Request.Context(), tenantOf(c))
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]userJSON, len(list))
	for i, u := range list {
		out[i] = userJSON{Username: u.Name, Role: u.Role, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
	}
	c.JSON(http.StatusOK, gin.H{"users": out})
}

func (h usersHandler) delete(c *gin.Context) {
	t, p := tenantOf(c), principalOf(c)
	name := c.Param("user")
	ctx := c.Request.Context()
	u, err := h.store.User(ctx, t, name)
	if err != nil {
		fail(c, storeErr(err, "user"))
		return
	}
	if t == p.Tenant && name == p.User {
		fail(c, publicf(http.StatusConflict, "you cannot delete yourself"))
		return
	}
	if !p.Role.atLeast(Role(u.Role)) {
		fail(c, errForbidden)
		return
	}
	if err := h.store.DeleteUser(ctx, t, name); err != nil {
		fail(c, err)
		return
	}
	h.audit.record(ctx, t, actor(p), "user.delete", name, "")
	c.Status(http.StatusNoContent)
}
