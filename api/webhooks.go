package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/store"
)

// Webhook throttle bounds and default, in seconds.
const (
	maxThrottleSeconds     = 86_400
	defaultThrottleSeconds = 300
	maxWebhooksPerTenant   = 20
)

// legacyWebhookSettings is how the secret column held the signing secret
// and the throttle together before migration 0004 gave the throttle a
// column of its own.
type legacyWebhookSettings struct {
	Secret          string `json:"secret"`
	ThrottleSeconds uint32 `json:"throttle_seconds"`
}

// unpackWebhook returns w with a packed legacy secret unpacked. Migration
// 0004 unpacks stored rows in the background; until it has, rows may
// still be packed. Secrets this API makes start "whsec_", never "{".
func unpackWebhook(w store.Webhook) store.Webhook {
	if !strings.HasPrefix(w.Secret, "{") {
		return w
	}
	var v legacyWebhookSettings
	if err := json.Unmarshal([]byte(w.Secret), &v); err == nil && v.Secret != "" {
		w.Secret, w.ThrottleSeconds = v.Secret, v.ThrottleSeconds
	}
	return w
}

func parseSeverity(s string) (event.Severity, bool) {
	for _, v := range []event.Severity{event.Low, event.Medium, event.High} {
		if v.String() == s {
			return v, true
		}
	}
	return 0, false
}

type webhookJSON struct {
	ID              string    `json:"id"`
	URL             string    `json:"url"`
	MinSeverity     string    `json:"min_severity"`
	ThrottleSeconds int       `json:"throttle_seconds"`
	Enabled         bool      `json:"enabled"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	// Secret signs deliveries; shown only when the webhook is created.
	Secret string `json:"secret,omitempty"`
}

func toWebhookJSON(w store.Webhook) webhookJSON {
	w = unpackWebhook(w)
	return webhookJSON{ID: w.ID, URL: w.URL, MinSeverity: w.MinSeverity.String(), ThrottleSeconds: int(w.ThrottleSeconds),
		Enabled: w.Enabled, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
}

// webhookRequest creates or replaces a webhook; absent fields take their
// defaults (min_severity high, throttle 300 s, enabled).
type webhookRequest struct {
	URL             string `json:"url"`
	MinSeverity     string `json:"min_severity"`
	ThrottleSeconds *int   `json:"throttle_seconds"`
	Enabled         *bool  `json:"enabled"`
}

// webhooksHandler serves /tenants/{tenant}/webhooks (tenant admins: the
// URLs often carry a token).
type webhooksHandler struct {
	store  Store
	audit  auditor
	policy WebhookPolicy
}

// apply checks req and writes it over w, answering 400 itself.
func (h webhooksHandler) apply(c *gin.Context, req webhookRequest, w *store.Webhook) bool {
	u, err := h.policy.Check(req.URL)
	if err != nil {
		fail(c, publicf(http.StatusBadRequest, "url %s", err.Error()))
		return false
	}
	sev := event.High
	if req.MinSeverity != "" {
		var ok bool
		if sev, ok = parseSeverity(req.MinSeverity); !ok {
			fail(c, publicf(http.StatusBadRequest, "min_severity must be low, medium or high"))
			return false
		}
	}
	throttle := defaultThrottleSeconds
	if req.ThrottleSeconds != nil {
		if *req.ThrottleSeconds < 0 || *req.ThrottleSeconds > maxThrottleSeconds {
			fail(c, publicf(http.StatusBadRequest, "throttle_seconds must be 0 to %d", maxThrottleSeconds))
			return false
		}
		throttle = *req.ThrottleSeconds
	}
	w.URL, w.MinSeverity, w.Enabled, w.ThrottleSeconds = u.String(), sev, req.Enabled == nil || *req.Enabled, uint32(throttle)
	return true
}

func (h webhooksHandler) create(c *gin.Context) {
	var req webhookRequest
	if !bindJSON(c, &req) {
		return
	}
	t, p := tenantOf(c), principalOf(c)
	ctx := c.Request.Context()
	existing, err := h.store.Webhooks(ctx, t)
	if err != nil {
		fail(c, err)
		return
	}
	if len(existing) >= maxWebhooksPerTenant {
		fail(c, publicf(http.StatusConflict, "at most %d webhooks per tenant", maxWebhooksPerTenant))
		return
	}
	id, err := token.NewID("w")
	if err != nil {
		fail(c, err)
		return
	}
	secret := newSecret("whsec_")
	w := store.Webhook{ID: id, Secret: secret}
	if !h.apply(c, req, &w) {
		return
	}
	if err := h.store.PutWebhook(ctx, t, w); err != nil {
		fail(c, err)
		return
	}
	if w, err = h.store.Webhook(ctx, t, id); err != nil {
		fail(c, err)
		return
	}
	h.audit.record(ctx, t, actor(p), "webhook.create", id, w.URL)
	out := toWebhookJSON(w)
	out.Secret = secret
	c.JSON(http.StatusCreated, out)
}

func (h webhooksHandler) list(c *gin.Context) {
	list, err := h.store.Webhooks(c.Request.Context(), tenantOf(c))
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]webhookJSON, len(list))
	for i, w := range list {
		out[i] = toWebhookJSON(w)
	}
	c.JSON(http.StatusOK, gin.H{"webhooks": out})
}

func (h webhooksHandler) get(c *gin.Context) {
	w, err := h.store.Webhook(c.Request.Context(), tenantOf(c), c.Param("webhook"))
	if err != nil {
		fail(c, storeErr(err, "webhook"))
		return
	}
	c.JSON(http.StatusOK, toWebhookJSON(w))
}

// update answers PUT: replaces URL, severity, throttle and enabled; the
// secret stays.
func (h webhooksHandler) update(c *gin.Context) {
	var req webhookRequest
	if !bindJSON(c, &req) {
		return
	}
	t, p := tenantOf(c), principalOf(c)
	ctx := c.Request.Context()
	w, err := h.store.Webhook(ctx, t, c.Param("webhook"))
	if err != nil {
		fail(c, storeErr(err, "webhook"))
		return
	}
	w = unpackWebhook(w)
	if !h.apply(c, req, &w) {
		return
	}
	if err := h.store.PutWebhook(ctx, t, w); err != nil {
		fail(c, err)
		return
	}
	if w, err = h.store.Webhook(ctx, t, w.ID); err != nil {
		fail(c, err)
		return
	}
	h.audit.record(ctx, t, actor(p), "webhook.update", w.ID, w.URL)
	c.JSON(http.StatusOK, toWebhookJSON(w))
}

func (h webhooksHandler) delete(c *gin.Context) {
	t, p := tenantOf(c), principalOf(c)
	ctx := c.Request.Context()
	id := c.Param("webhook")
	if _, err := h.store.Webhook(ctx, t, id); err != nil {
		fail(c, storeErr(err, "webhook"))
		return
	}
	if err := h.store.DeleteWebhook(ctx, t, id); err != nil {
		fail(c, err)
		return
	}
	h.audit.record(ctx, t, actor(p), "webhook.delete", id, "")
	c.Status(http.StatusNoContent)
}
