package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
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
	Username    string    `json:"username"`
	Role        string    `json:"role"`
	Disabled    bool      `json:"disabled"`
	TOTPEnabled bool      `json:"totp_enabled"`
	CreatedAt   time.Time `json:"created_at"`
}

func toUserJSON(u store.User) userJSON {
	return userJSON{Username: u.Name, Role: u.Role, Disabled: u.Disabled, TOTPEnabled: u.TOTPEnabled, CreatedAt: u.CreatedAt}
}

// updateUserRequest changes the fields it carries. TOTPEnabled may only
// be false: an admin resets a user's lost second factor; only the user
// can enable one.
type updateUserRequest struct {
	Password    *string `json:"password"`
	Role        *string `json:"role"`
	Disabled    *bool   `json:"disabled"`
	TOTPEnabled *bool   `json:"totp_enabled"`
}

type createUserRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Role     string `json:"role"`
}

// ValidUsername accepts 1 to 64 bytes of [A-Za-z0-9._@-], the user names
// the API (and `spoor admin user create`) accepts.
func ValidUsername(s string) bool {
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
	if !ValidUsername(req.Username) {
		fail(c, publicf(http.StatusBadRequest, "username must be 1 to 64 characters of A-Z a-z 0-9 . _ @ -"))
		return
	}
	role, ok := h.checkRole(c, t, p, req.Role)
	if !ok {
		return
	}
	hash, ok := h.hash(c, req.Password)
	if !ok {
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
		out[i] = toUserJSON(u)
	}
	c.JSON(http.StatusOK, gin.H{"users": out})
}

// checkRole parses a role the caller wants to grant in tenant t: it must
// exist there and not be above the caller's own. It answers itself.
func (h usersHandler) checkRole(c *gin.Context, t tenant.ID, p Principal, s string) (Role, bool) {
	role, err := ParseRole(s)
	if err != nil {
		fail(c, publicf(http.StatusBadRequest, "role must be one of mssp-admin, tenant-admin, analyst, viewer"))
		return "", false
	}
	// mssp-admin exists only in the operator tenant; no one grants a role
	// above their own.
	if role == RoleMSSPAdmin && t != h.operator {
		fail(c, publicf(http.StatusBadRequest, "role mssp-admin exists only in the operator tenant"))
		return "", false
	}
	if !p.Role.atLeast(role) {
		fail(c, errForbidden)
		return "", false
	}
	return role, true
}

// hash hashes a new password, answering 400 itself for a bad one.
func (h usersHandler) hash(c *gin.Context, pw string) (string, bool) {
	if len(pw) > 1024 {
		fail(c, publicf(http.StatusBadRequest, "password too long"))
		return "", false
	}
	hash, err := password.Hash(pw, h.params)
	if errors.Is(err, password.ErrTooShort) {
		fail(c, publicf(http.StatusBadRequest, "%s", err.Error()))
		return "", false
	}
	if err != nil {
		fail(c, err)
		return "", false
	}
	return hash, true
}

// update answers PUT /tenants/{tenant}/users/{user}: password, role,
// disabled, each only if given; totp_enabled false resets the user's
// second factor. The caller must rank at least as high as the user, and
// cannot disable or demote themselves.
func (h usersHandler) update(c *gin.Context) {
	var req updateUserRequest
	if !bindJSON(c, &req) {
		return
	}
	t, p := tenantOf(c), principalOf(c)
	name := c.Param("user")
	ctx := c.Request.Context()
	u, err := h.store.User(ctx, t, name)
	if err != nil {
		fail(c, storeErr(err, "user"))
		return
	}
	if !p.Role.atLeast(Role(u.Role)) {
		fail(c, errForbidden)
		return
	}
	self := t == p.Tenant && name == p.User
	var changed []string
	if req.Role != nil {
		role, ok := h.checkRole(c, t, p, *req.Role)
		if !ok {
			return
		}
		if self && role != Role(u.Role) {
			fail(c, publicf(http.StatusConflict, "you cannot change your own role"))
			return
		}
		u.Role = string(role)
		changed = append(changed, "role="+string(role))
	}
	if req.Disabled != nil {
		if self && *req.Disabled {
			fail(c, publicf(http.StatusConflict, "you cannot disable yourself"))
			return
		}
		u.Disabled = *req.Disabled
		changed = append(changed, fmt.Sprintf("disabled=%t", u.Disabled))
	}
	if req.TOTPEnabled != nil {
		if *req.TOTPEnabled && !u.TOTPEnabled {
			fail(c, publicf(http.StatusBadRequest, "only the user can enable totp (POST /auth/totp/setup)"))
			return
		}
		if !*req.TOTPEnabled && u.TOTPEnabled {
			clearTOTP(&u)
			changed = append(changed, "totp=reset")
		}
	}
	if req.Password != nil {
		hash, ok := h.hash(c, *req.Password)
		if !ok {
			return
		}
		u.PasswordHash = hash
		changed = append(changed, "password")
	}
	if err := h.store.PutUser(ctx, t, u); err != nil {
		fail(c, err)
		return
	}
	if req.Password != nil || u.Disabled || req.TOTPEnabled != nil && !*req.TOTPEnabled {
		n, err := endSessions(ctx, h.store, t, name, "")
		if err != nil {
			fail(c, err)
			return
		}
		changed = append(changed, fmt.Sprintf("sessions_ended=%d", n))
	}
	if u, err = h.store.User(ctx, t, name); err != nil {
		fail(c, err)
		return
	}
	h.audit.record(ctx, t, actor(p), "user.update", name, strings.Join(changed, " "))
	c.JSON(http.StatusOK, toUserJSON(u))
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
