package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/auth/totp"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// errTOTPRequired answers a login whose password matched a user with a
// second factor but that carried no code.
var errTOTPRequired = &Error{Status: http.StatusUnauthorized, Msg: "totp code required",
	Fields: map[string]any{"totp_required": true}}

var errInvalidCode = publicf(http.StatusBadRequest, "invalid totp code")

// totpUserStore is what the second factor needs.
type totpUserStore interface {
	User(ctx context.Context, t tenant.ID, name string) (store.User, error)
	PutUser(ctx context.Context, t tenant.ID, v store.User) error
	sessionStore
}

// totpGuard checks codes against users' secrets and records the step of
// each accepted code, so that it is not accepted again. The check and the
// write happen under one lock: two logins racing with one code cannot
// both win (within this process; across collectors the stored last step
// still bounds a replay to the race window).
type totpGuard struct {
	store  totpUserStore
	sealer *sealer
	now    func() time.Time
	mu     sync.Mutex
}

func sealOwner(t tenant.ID, user string) string { return string(t) + "/" + user }

// check verifies code against the enabled secret of user (t, name) and
// records its step. It returns false for a wrong or replayed code.
func (g *totpGuard) check(ctx context.Context, t tenant.ID, name, code string) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	u, err := g.store.User(ctx, t, name) // fresh: the last step may have moved
	if err != nil {
		return false, fmt.Errorf("cannot read user for totp: %w", err)
	}
	if !u.TOTPEnabled {
		return false, nil
	}
	secret, err := g.sealer.open(u.TOTPSecret, sealOwner(t, name))
	if err != nil {
		return false, fmt.Errorf("cannot open the totp secret of %s: %w", sealOwner(t, name), err)
	}
	step, ok := totp.Verify(secret, code, g.now(), u.TOTPLastStep)
	if !ok {
		return false, nil
	}
	u.TOTPLastStep = step
	if err := g.store.PutUser(ctx, t, u); err != nil {
		return false, fmt.Errorf("cannot record the totp step: %w", err)
	}
	return true, nil
}

// totpHandler serves /auth/totp: a user sets up, enables and disables
// their own second factor.
type totpHandler struct {
	guard   *totpGuard
	store   totpUserStore
	sealer  *sealer
	audit   auditor
	lockout *lockout
	issuer  string
	now     func() time.Time
}

type totpCodeRequest struct {
	Code string `json:"code"`
}

// self reads the caller's user record.
func (h *totpHandler) self(c *gin.Context) (Principal, store.User, bool) {
	p := principalOf(c)
	u, err := h.store.User(c.Request.Context(), p.Tenant, p.User)
	if err != nil {
		fail(c, storeErr(err, "user"))
		return p, u, false
	}
	return p, u, true
}

// setup answers POST /auth/totp/setup: a new pending secret, shown once.
func (h *totpHandler) setup(c *gin.Context) {
	p, u, ok := h.self(c)
	if !ok {
		return
	}
	if u.TOTPEnabled {
		fail(c, publicf(http.StatusConflict, "totp is already enabled; disable it first"))
		return
	}
	secret := totp.NewSecret()
	u.TOTPPending = h.sealer.seal(secret, sealOwner(p.Tenant, p.User))
	if err := h.store.PutUser(c.Request.Context(), p.Tenant, u); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"secret": secret, "otpauth_url": totp.URI(h.issuer, sealOwner(p.Tenant, p.User), secret)})
}

// codeOf binds the body and refuses callers locked out for failed codes.
func (h *totpHandler) codeOf(c *gin.Context, p Principal) (string, bool) {
	var req totpCodeRequest
	if !bindJSON(c, &req) {
		return "", false
	}
	if wait := h.lockout.locked(c.Request.Context(), p.User, c.ClientIP()); wait > 0 {
		fail(c, &Error{Status: http.StatusTooManyRequests, Msg: "too many failed attempts; try again later", RetryAfter: wait})
		return "", false
	}
	return req.Code, true
}

// wrongCode counts a failed code like a failed login: a stolen access
// token must not become an unlimited guessing oracle.
func (h *totpHandler) wrongCode(c *gin.Context, p Principal, failed string) {
	h.lockout.fail(p.User, c.ClientIP())
	// The address goes in the detail: the login log counts it for every
	// replica (store.LoginRecords).
	h.audit.record(c.Request.Context(), p.Tenant, actor(p), failed, p.User, c.ClientIP())
	fail(c, errInvalidCode)
}

// enable answers POST /auth/totp/enable: the pending secret becomes the
// user's second factor once a code from it is shown.
func (h *totpHandler) enable(c *gin.Context) {
	p, u, ok := h.self(c)
	if !ok {
		return
	}
	code, ok := h.codeOf(c, p)
	if !ok {
		return
	}
	if u.TOTPEnabled {
		fail(c, publicf(http.StatusConflict, "totp is already enabled"))
		return
	}
	if u.TOTPPending == "" {
		fail(c, publicf(http.StatusConflict, "no totp setup is pending; call setup first"))
		return
	}
	owner := sealOwner(p.Tenant, p.User)
	secret, err := h.sealer.open(u.TOTPPending, owner)
	if err != nil {
		fail(c, fmt.Errorf("cannot open the pending totp secret of %s: %w", owner, err))
		return
	}
	step, valid := totp.Verify(secret, code, h.now(), 0)
	if !valid {
		h.wrongCode(c, p, store.ActionTOTPEnableFailed)
		return
	}
	u.TOTPSecret, u.TOTPPending, u.TOTPEnabled, u.TOTPLastStep = u.TOTPPending, "", true, step
	ctx := c.Request.Context()
	if err := h.store.PutUser(ctx, p.Tenant, u); err != nil {
		fail(c, err)
		return
	}
	if !h.endOtherSessions(c, p) {
		return
	}
	h.audit.record(ctx, p.Tenant, actor(p), "totp.enable", p.User, "")
	c.Status(http.StatusNoContent)
}

// disable answers POST /auth/totp/disable, with a current code.
func (h *totpHandler) disable(c *gin.Context) {
	p, u, ok := h.self(c)
	if !ok {
		return
	}
	code, ok := h.codeOf(c, p)
	if !ok {
		return
	}
	if !u.TOTPEnabled {
		fail(c, publicf(http.StatusConflict, "totp is not enabled"))
		return
	}
	ctx := c.Request.Context()
	valid, err := h.guard.check(ctx, p.Tenant, p.User, code)
	if err != nil {
		fail(c, err)
		return
	}
	if !valid {
		h.wrongCode(c, p, store.ActionTOTPDisableFailed)
		return
	}
	// Re-read: check recorded the step in a newer version of the row.
	if u, err = h.store.User(ctx, p.Tenant, p.User); err != nil {
		fail(c, err)
		return
	}
	clearTOTP(&u)
	if err := h.store.PutUser(ctx, p.Tenant, u); err != nil {
		fail(c, err)
		return
	}
	if !h.endOtherSessions(c, p) {
		return
	}
	h.audit.record(ctx, p.Tenant, actor(p), "totp.disable", p.User, "")
	c.Status(http.StatusNoContent)
}

// clearTOTP removes a user's second factor. The last step stays: should
// the same secret come back, its old codes remain spent.
func clearTOTP(u *store.User) {
	u.TOTPSecret, u.TOTPPending, u.TOTPEnabled = "", "", false
}

// meHandler answers GET /auth/me: who the caller is.
type meHandler struct {
	store totpUserStore
}

func (h meHandler) me(c *gin.Context) {
	p := principalOf(c)
	u, err := h.store.User(c.Request.Context(), p.Tenant, p.User)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		fail(c, err)
		return
	}
	// A token outlives a deleted user by at most its lifetime; it still
	// says who the caller was.
	c.JSON(http.StatusOK, gin.H{"username": p.User, "tenant": string(p.Tenant), "role": string(p.Role), "totp_enabled": u.TOTPEnabled})
}

// endOtherSessions ends p's sessions but the calling one: a second factor
// turned on (or off) must not leave a session opened without it (or by
// whoever made the change necessary) running.
func (h *totpHandler) endOtherSessions(c *gin.Context, p Principal) bool {
	if _, err := endSessions(c.Request.Context(), h.store, p.Tenant, p.User, p.Session); err != nil {
		fail(c, err)
		return false
	}
	return true
}
