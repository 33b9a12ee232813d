package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/auth/jwt"
	"github.com/spoorsec/spoor/auth/password"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// refreshRole marks an api_tokens row as a refresh token, so it can never
// pass for another kind of credential.
const refreshRole = "refresh"

// maxLoginCandidates bounds the password checks of one login when a user
// name exists in several tenants and no tenant was given.
const maxLoginCandidates = 4

// authStore is what login needs.
type authStore interface {
	UsersByName(ctx context.Context, name string) ([]store.User, error)
	User(ctx context.Context, t tenant.ID, name string) (store.User, error)
	PutAPIToken(ctx context.Context, t tenant.ID, v store.APIToken) error
	APITokenByHash(ctx context.Context, hash string) (store.APIToken, error)
}

// authHandler serves /auth: login, refresh, logout.
type authHandler struct {
	store      authStore
	keys       *jwt.Keyring
	lockout    *lockout
	metrics    *apiMetrics
	totp       *totpGuard
	audit      auditor
	operator   tenant.ID
	accessTTL  time.Duration
	refreshTTL time.Duration
	now        func() time.Time
	// dummyHash is verified when no user matches, so that a login for an
	// unknown name costs as much as one for a known name.
	dummyHash string
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	// Tenant picks the user when its name exists in several tenants.
	Tenant string `json:"tenant"`
	// TOTP is the second factor's code, for users who enabled one.
	TOTP string `json:"totp"`
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Tenant       string `json:"tenant"`
	Role         string `json:"role"`
}

// login answers POST /auth/login.
func (h *authHandler) login(c *gin.Context) {
	var req loginRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Username == "" || req.Password == "" || len(req.Username) > 256 || len(req.Password) > 1024 {
		fail(c, publicf(http.StatusBadRequest, "username and password are required"))
		return
	}
	ctx := c.Request.Context()
	addr := c.ClientIP()
	if wait := h.lockout.locked(ctx, req.Username, addr); wait > 0 {
		h.metrics.login(resultLocked)
		h.audit.record(ctx, h.operator, req.Username, "login.locked", addr, "")
		fail(c, &Error{Status: http.StatusTooManyRequests, Msg: "too many failed logins; try again later", RetryAfter: wait})
		return
	}
	u, err := h.check(ctx, req)
	if errors.Is(err, errBadCredentials) {
		h.metrics.login(resultFailed)
		h.lockout.fail(req.Username, addr)
		at := h.operator
		if u.Tenant != "" {
			at = u.Tenant
		}
		h.audit.record(ctx, at, req.Username, store.ActionLoginFailed, addr, "")
		fail(c, err)
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	if u.TOTPEnabled {
		// The password matched. A missing code is a prompt, not a failure;
		// a wrong or replayed one is a failed login.
		if req.TOTP == "" {
			h.metrics.login(resultTOTPRequired)
			fail(c, errTOTPRequired)
			return
		}
		ok, err := h.totp.check(ctx, u.Tenant, u.Name, req.TOTP)
		if err != nil {
			fail(c, err)
			return
		}
		if !ok {
			h.metrics.login(resultFailed)
			h.lockout.fail(req.Username, addr)
			h.audit.record(ctx, u.Tenant, req.Username, store.ActionLoginFailed, addr, "totp")
			fail(c, errBadCredentials)
			return
		}
	}
	h.lockout.succeed(req.Username)
	resp, err := h.issue(ctx, u)
	if err != nil {
		fail(c, err)
		return
	}
	h.metrics.login(resultOK)
	h.audit.record(ctx, u.Tenant, string(u.Tenant)+"/"+u.Name, store.ActionLogin, addr, "")
	c.JSON(http.StatusOK, resp)
}

// check finds the user req names whose password matches. On
// errBadCredentials, the returned user carries the tenant of a single
// candidate, for the audit log.
func (h *authHandler) check(ctx context.Context, req loginRequest) (store.User, error) {
	users, err := h.store.UsersByName(ctx, req.Username)
	if err != nil {
		return store.User{}, fmt.Errorf("cannot look up user: %w", err)
	}
	var cands []store.User
	for _, u := range users {
		if !u.Disabled && (req.Tenant == "" || string(u.Tenant) == req.Tenant) {
			cands = append(cands, u)
		}
	}
	if len(cands) == 0 {
		_ = password.Verify(req.Password, h.dummyHash)
		return store.User{}, errBadCredentials
	}
	for _, u := range cands[:min(len(cands), maxLoginCandidates)] {
		if password.Verify(req.Password, u.PasswordHash) == nil {
			return u, nil
		}
	}
	if len(cands) == 1 {
		return store.User{Tenant: cands[0].Tenant}, errBadCredentials
	}
	return store.User{}, errBadCredentials
}

// issue makes a new access token and refresh token for u.
func (h *authHandler) issue(ctx context.Context, u store.User) (tokenResponse, error) {
	session := newID()
	access, err := h.keys.Issue(u.Name, string(u.Tenant), u.Role, session, h.accessTTL)
	if err != nil {
		return tokenResponse{}, err
	}
	refresh := newSecret("spr_")
	err = h.store.PutAPIToken(ctx, u.Tenant, store.APIToken{
		ID: refreshID(session), Name: u.Name, TokenHash: hashSecret(refresh), Role: refreshRole,
		ExpiresAt: h.now().Add(h.refreshTTL),
	})
	if err != nil {
		return tokenResponse{}, fmt.Errorf("cannot store refresh token: %w", err)
	}
	return tokenResponse{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
		ExpiresIn: int(h.accessTTL.Seconds()), Tenant: string(u.Tenant), Role: u.Role}, nil
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// findRefresh returns the live refresh token req names.
func (h *authHandler) findRefresh(ctx context.Context, raw string) (store.APIToken, error) {
	if raw == "" || len(raw) > 256 {
		return store.APIToken{}, errBadCredentials
	}
	tok, err := h.store.APITokenByHash(ctx, hashSecret(raw))
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrRevoked), errors.Is(err, store.ErrExpired):
		return store.APIToken{}, errBadCredentials
	case err != nil:
		return store.APIToken{}, fmt.Errorf("cannot look up refresh token: %w", err)
	case tok.Role != refreshRole:
		return store.APIToken{}, errBadCredentials
	}
	return tok, nil
}

// refresh answers POST /auth/refresh: the refresh token is spent and a new
// pair issued, with the user's current role.
func (h *authHandler) refresh(c *gin.Context) {
	var req refreshRequest
	if !bindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	tok, err := h.findRefresh(ctx, req.RefreshToken)
	if err != nil {
		fail(c, err)
		return
	}
	tok.Revoked = true
	if err := h.store.PutAPIToken(ctx, tok.Tenant, tok); err != nil {
		fail(c, fmt.Errorf("cannot revoke refresh token: %w", err))
		return
	}
	u, err := h.store.User(ctx, tok.Tenant, tok.Name)
	if errors.Is(err, store.ErrNotFound) || err == nil && u.Disabled {
		fail(c, errBadCredentials)
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	resp, err := h.issue(ctx, u)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, resp)
}

// sessionStore is what ending sessions needs of the store.
type sessionStore interface {
	APITokens(ctx context.Context, t tenant.ID) ([]store.APIToken, error)
	PutAPIToken(ctx context.Context, t tenant.ID, v store.APIToken) error
}

// refreshID is the store ID of the refresh token of session (the access
// token's ID it was issued with).
func refreshID(session string) string { return "refresh-" + session }

// endSessions revokes every live refresh token of user name of tenant t
// but keep's (a session ID, or ""), so that a changed password or second
// factor or a disabled account ends the user's other sessions at their
// next refresh (access tokens live out their minutes). It returns how many
// were revoked.
func endSessions(ctx context.Context, s sessionStore, t tenant.ID, name, keep string) (int, error) {
	toks, err := s.APITokens(ctx, t)
	if err != nil {
		return 0, fmt.Errorf("cannot list the sessions of %s/%s: %w", t, name, err)
	}
	n := 0
	for _, tok := range toks {
		if tok.Role != refreshRole || tok.Name != name || tok.Revoked || keep != "" && tok.ID == refreshID(keep) {
			continue
		}
		tok.Revoked = true
		if err := s.PutAPIToken(ctx, t, tok); err != nil {
			return n, fmt.Errorf("cannot revoke a session of %s/%s: %w", t, name, err)
		}
		n++
	}
	return n, nil
}

// logout answers POST /auth/logout: the refresh token is revoked. Unknown
// or spent tokens are not an error (logout is idempotent).
func (h *authHandler) logout(c *gin.Context) {
	var req refreshRequest
	if !bindJSON(c, &req) {
		return
	}
	ctx := c.Request.Context()
	tok, err := h.findRefresh(ctx, req.RefreshToken)
	if errors.Is(err, errBadCredentials) {
		c.Status(http.StatusNoContent)
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	tok.Revoked = true
	if err := h.store.PutAPIToken(ctx, tok.Tenant, tok); err != nil {
		fail(c, fmt.Errorf("cannot revoke refresh token: %w", err))
		return
	}
	h.audit.record(ctx, tok.Tenant, string(tok.Tenant)+"/"+tok.Name, "logout", c.ClientIP(), "")
	c.Status(http.StatusNoContent)
}
