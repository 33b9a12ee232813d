package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// auditor appends to a tenant's audit log. A failed append is logged and
// does not fail the request it describes: the action already happened.
type auditor struct {
	store interface {
		AppendAudit(ctx context.Context, t tenant.ID, e store.AuditEntry) error
	}
	log *slog.Logger
}

func (a auditor) record(ctx context.Context, t tenant.ID, actor, action, target, detail string) {
	// Detach from the request so a client hanging up cannot drop the entry.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := a.store.AppendAudit(ctx, t, store.AuditEntry{Actor: actor, Action: action, Target: target, Detail: detail})
	if err != nil {
		a.log.Error("cannot append audit entry", "tenant", t, "action", action, "err", err)
	}
}

// actor names the caller in audit entries: tenant/user.
func actor(p Principal) string { return string(p.Tenant) + "/" + p.User }

// auditHandler serves a tenant's audit log.
type auditHandler struct {
	store interface {
		AuditLog(ctx context.Context, t tenant.ID, from, to time.Time, limit int) ([]store.AuditEntry, error)
	}
	now func() time.Time
}

type auditJSON struct {
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Detail string    `json:"detail,omitempty"`
}

// list answers GET /tenants/{tenant}/audit: the last 30 days, newest
// first, at most 1000 entries.
func (h auditHandler) list(c *gin.Context) {
	now := h.now()
	entries, err := h.store.AuditLog(c.Request.Context(), tenantOf(c), now.Add(-30*24*time.Hour), now.Add(time.Minute), 1000)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]auditJSON, len(entries))
	for i, e := range entries {
		out[i] = auditJSON{Time: e.Time, Actor: e.Actor, Action: e.Action, Target: e.Target, Detail: e.Detail}
	}
	c.JSON(http.StatusOK, gin.H{"entries": out})
}
