package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// tenantsHandler serves /tenants (MSSP admins) and /tenants/{tenant}.
type tenantsHandler struct {
	store    Store
	audit    auditor
	operator tenant.ID
}

type tenantJSON struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	RetentionDays uint16    `json:"retention_days"`
	TimeZone      string    `json:"time_zone"`
	CreatedAt     time.Time `json:"created_at"`
}

func toTenantJSON(t store.Tenant) tenantJSON {
	tz := t.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	return tenantJSON{ID: string(t.ID), Name: t.Name, RetentionDays: t.RetentionDays, TimeZone: tz, CreatedAt: t.CreatedAt}
}

type createTenantRequest struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	RetentionDays uint16 `json:"retention_days"`
	TimeZone      string `json:"time_zone"`
}

// updateTenantRequest changes the fields it carries; absent ones stay.
type updateTenantRequest struct {
	Name          *string `json:"name"`
	RetentionDays *uint16 `json:"retention_days"`
	TimeZone      *string `json:"time_zone"`
}

// errBadTimeZone answers a time_zone that is not an IANA zone name.
var errBadTimeZone = publicf(http.StatusBadRequest, "time_zone must be an IANA time zone name such as Europe/Berlin")

func (h tenantsHandler) create(c *gin.Context) {
	var req createTenantRequest
	if !bindJSON(c, &req) {
		return
	}
	id, err := tenant.New(req.ID)
	if err != nil {
		fail(c, publicf(http.StatusBadRequest, "tenant id must be 1 to %d characters of a-z 0-9 - _", tenant.MaxLen))
		return
	}
	if !validName(req.Name) {
		fail(c, publicf(http.StatusBadRequest, "name must be 1 to %d printable characters", maxNameLen))
		return
	}
	if req.RetentionDays > store.MaxRetentionDays {
		fail(c, publicf(http.StatusBadRequest, "retention_days must be at most %d", store.MaxRetentionDays))
		return
	}
	if req.TimeZone == "" {
		req.TimeZone = "UTC"
	}
	if _, err := loadZone(req.TimeZone); err != nil {
		fail(c, errBadTimeZone)
		return
	}
	ctx := c.Request.Context()
	if _, err := h.store.Tenant(ctx, id); err == nil {
		fail(c, publicf(http.StatusConflict, "tenant %s already exists", id))
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		fail(c, err)
		return
	}
	v := store.Tenant{ID: id, Name: req.Name, RetentionDays: req.RetentionDays, TimeZone: req.TimeZone}
	if err := h.store.PutTenant(ctx, v); err != nil {
		fail(c, err)
		return
	}
	v, err = h.store.Tenant(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	p := principalOf(c)
	h.audit.record(ctx, p.Tenant, actor(p), "tenant.create", string(id), req.Name)
	h.audit.record(ctx, id, actor(p), "tenant.create", string(id), req.Name)
	c.JSON(http.StatusCreated, toTenantJSON(v))
}

func (h tenantsHandler) list(c *gin.Context) {
	list, err := h.store.Tenants(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]tenantJSON, len(list))
	for i, t := range list {
		out[i] = toTenantJSON(t)
	}
	c.JSON(http.StatusOK, gin.H{"tenants": out})
}

func (h tenantsHandler) get(c *gin.Context) {
	v, err := h.store.Tenant(c.Request.Context(), tenantOf(c))
	if err != nil {
		fail(c, storeErr(err, "tenant"))
		return
	}
	c.JSON(http.StatusOK, toTenantJSON(v))
}

// update answers PUT /tenants/{tenant} (MSSP admins): name, retention
// and time zone, each only if given.
func (h tenantsHandler) update(c *gin.Context) {
	var req updateTenantRequest
	if !bindJSON(c, &req) {
		return
	}
	t := tenantOf(c)
	ctx := c.Request.Context()
	v, err := h.store.Tenant(ctx, t)
	if err != nil {
		fail(c, storeErr(err, "tenant"))
		return
	}
	if req.Name != nil {
		if !validName(*req.Name) {
			fail(c, publicf(http.StatusBadRequest, "name must be 1 to %d printable characters", maxNameLen))
			return
		}
		v.Name = *req.Name
	}
	if req.RetentionDays != nil {
		if *req.RetentionDays == 0 || *req.RetentionDays > store.MaxRetentionDays {
			fail(c, publicf(http.StatusBadRequest, "retention_days must be 1 to %d", store.MaxRetentionDays))
			return
		}
		v.RetentionDays = *req.RetentionDays
	}
	if req.TimeZone != nil {
		if _, err := loadZone(*req.TimeZone); err != nil {
			fail(c, errBadTimeZone)
			return
		}
		v.TimeZone = *req.TimeZone
	}
	if err := h.store.PutTenant(ctx, v); err != nil {
		fail(c, err)
		return
	}
	if v, err = h.store.Tenant(ctx, t); err != nil {
		fail(c, err)
		return
	}
	p := principalOf(c)
	detail := fmt.Sprintf("name=%q retention_days=%d time_zone=%s", v.Name, v.RetentionDays, v.TimeZone)
	h.audit.record(ctx, p.Tenant, actor(p), "tenant.update", string(t), detail)
	if t != p.Tenant {
		h.audit.record(ctx, t, actor(p), "tenant.update", string(t), detail)
	}
	c.JSON(http.StatusOK, toTenantJSON(v))
}

func (h tenantsHandler) delete(c *gin.Context) {
	t := tenantOf(c)
	if t == h.operator {
		fail(c, publicf(http.StatusConflict, "the operator tenant cannot be deleted"))
		return
	}
	ctx := c.Request.Context()
	if err := h.store.DeleteTenant(ctx, t); err != nil {
		fail(c, err)
		return
	}
	p := principalOf(c)
	h.audit.record(ctx, p.Tenant, actor(p), "tenant.delete", string(t), "")
	c.Status(http.StatusNoContent)
}

// maxNameLen bounds display names (tenants, sensors).
const maxNameLen = 128

// validName accepts 1 to maxNameLen printable characters.
func validName(s string) bool {
	if s == "" || len(s) > maxNameLen {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return false
		}
	}
	return true
}
