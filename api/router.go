package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/auth/password"
	"github.com/spoorsec/spoor/store"
)

// maxBodyBytes bounds every request body (the SQL endpoint bounds its own
// further).
const maxBodyBytes = 1 << 20

// Register mounts the API under /api/v1 on r. Middleware order, outermost
// first: request id and access log → recovery → error renderer → body
// limit → authentication → tenant scope → role, so that a panic or an
// auth failure still leaves as a logged {"error": ...}. Only /api/v1
// paths are registered (the collector owns /healthz and /metrics).
func (a *API) Register(r gin.IRouter) {
	audit := auditor{store: a.store, log: a.log}
	guard := &totpGuard{store: a.store, sealer: a.sealer, now: a.now}
	auth := &authHandler{store: a.store, keys: a.keys, lockout: a.lockout, totp: guard, audit: audit, operator: a.operator, metrics: a.metrics,
		accessTTL: a.cfg.AccessTTL, refreshTTL: a.cfg.RefreshTTL, now: a.now, dummyHash: a.dummyHash()}
	tenants := tenantsHandler{store: a.store, audit: audit, operator: a.operator}
	users := usersHandler{store: a.store, audit: audit, operator: a.operator, params: password.Default}
	totpH := &totpHandler{guard: guard, store: a.store, sealer: a.sealer, audit: audit, lockout: a.lockout,
		issuer: a.cfg.TOTPIssuer, now: a.now}
	me := meHandler{store: a.store}
	sensors := sensorsHandler{store: a.store, audit: audit}
	audits := auditHandler{store: a.store, now: a.now}
	sql := sqlHandler{store: a.store, metrics: a.metrics, maxBytes: a.cfg.SQLMaxQueryBytes, limits: store.Limits{
		MaxRows: a.cfg.SQLMaxRows, MaxExecutionTime: a.cfg.SQLTimeout, MaxMemoryBytes: a.cfg.SQLMaxMemoryBytes}}
	events := &eventsHandler{store: a.store, zone: a.tenantZone, now: a.now, chunk: a.cfg.ChunkEvents,
		closedAfter: a.cfg.ClosedDayAfter, poll: a.cfg.LivePoll, log: a.log, metrics: a.metrics,
		slots: a.dayStreams, slotWait: a.cfg.DayStreamWait}
	triage := triageHandler{store: a.store, audit: audit}
	customTrails := indicatorsHandler{kind: trailKind, store: a.store, audit: audit, changed: a.changed}
	whitelist := indicatorsHandler{kind: whitelistKind, store: a.store, audit: audit, changed: a.changed}
	check := checkHandler{store: a.store, trails: a.trails}
	live := liveHandler{live: a.live, metrics: a.metrics}
	overview := overviewHandler{store: a.store, now: a.now, log: a.log}
	webhooks := webhooksHandler{store: a.store, audit: audit, policy: a.cfg.Webhooks}

	v1 := r.Group("/api/v1", a.requestLog, gin.CustomRecovery(a.recovered), a.renderErrors, limitBody)
	v1.GET("/openapi.json", serveOpenAPI)
	v1.GET("/readyz", a.ready)

	v1.POST("/auth/login", auth.login)
	v1.POST("/auth/refresh", auth.refresh)
	v1.POST("/auth/logout", auth.logout)

	authed := v1.Group("", a.authenticate)
	authed.GET("/auth/me", me.me)
	authed.POST("/auth/totp/setup", totpH.setup)
	authed.POST("/auth/totp/enable", totpH.enable)
	authed.POST("/auth/totp/disable", totpH.disable)
	authed.GET("/tenants", requireRole(RoleMSSPAdmin), tenants.list)
	authed.POST("/tenants", requireRole(RoleMSSPAdmin), tenants.create)
	authed.GET("/check", requireRole(RoleViewer), check.check)
	authed.GET("/overview", requireRole(RoleMSSPAdmin), overview.overview)

	t := authed.Group("/tenants/:tenant", a.scopeTenant)
	read := t.Group("", requireRole(RoleViewer))
	triager := t.Group("", requireRole(RoleAnalyst))
	admin := t.Group("", requireRole(RoleTenantAdmin))
	operator := t.Group("", requireRole(RoleMSSPAdmin))

	read.GET("", tenants.get)
	operator.PUT("", tenants.update)
	operator.DELETE("", tenants.delete)

	admin.GET("/users", users.list)
	admin.POST("/users", users.create)
	admin.PUT("/users/:user", users.update)
	admin.DELETE("/users/:user", users.delete)

	read.GET("/sensors", sensors.list)
	read.GET("/sensors/:sensor", sensors.get)
	admin.POST("/sensors", sensors.enroll)
	admin.POST("/sensors/:sensor/revoke", sensors.revoke)
	admin.POST("/sensors/:sensor/rotate", sensors.rotate)
	admin.DELETE("/sensors/:sensor", sensors.delete)

	admin.GET("/audit", audits.list)

	read.POST("/sql", sql.query)
	read.GET("/events", events.day)
	read.GET("/counts", events.counts)
	read.GET("/live", live.tail)

	read.GET("/triage", triage.list)
	read.GET("/triage/:threat", triage.get)
	triager.PUT("/triage/:threat", triage.put)
	triager.DELETE("/triage/:threat", triage.delete)

	read.GET("/trails", customTrails.list)
	admin.POST("/trails", customTrails.add)
	admin.DELETE("/trails", customTrails.remove)
	read.GET("/whitelist", whitelist.list)
	admin.POST("/whitelist", whitelist.add)
	admin.DELETE("/whitelist", whitelist.remove)

	admin.GET("/webhooks", webhooks.list)
	admin.POST("/webhooks", webhooks.create)
	admin.GET("/webhooks/:webhook", webhooks.get)
	admin.PUT("/webhooks/:webhook", webhooks.update)
	admin.DELETE("/webhooks/:webhook", webhooks.delete)
}

// requestLog assigns a request id and logs each request once it is done.
func (a *API) requestLog(c *gin.Context) {
	id := newID()
	c.Set(ctxRequestID, id)
	c.Header("X-Request-Id", id)
	start := time.Now()
	c.Next()
	a.metrics.observe(c, time.Since(start))
	a.log.Info("request", "request_id", id, "method", c.Request.Method, "route", c.FullPath(),
		"status", c.Writer.Status(), "bytes", c.Writer.Size(), "duration", time.Since(start), "client", c.ClientIP())
}

// recovered turns a handler panic into a logged 500.
func (a *API) recovered(c *gin.Context, err any) {
	a.log.Error("handler panic", "request_id", c.GetString(ctxRequestID), "route", c.FullPath(), "panic", err)
	c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": "internal error"})
}

func limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes)
	}
	c.Next()
}

// ready answers whether the store can be reached.
func (a *API) ready(c *gin.Context) {
	if _, err := a.store.Tenant(c.Request.Context(), a.operator); err != nil {
		a.log.Warn("not ready", "err", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"error": "store unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// dummyHash is a valid hash no password matches, for timing-safe logins.
func (a *API) dummyHash() string {
	h, err := password.Hash(newSecret(""), password.Default)
	if err != nil {
		panic("BUG: cannot hash a random password: " + err.Error())
	}
	return h
}
