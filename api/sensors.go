package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/store"
)

// sensorsHandler serves /tenants/{tenant}/sensors.
type sensorsHandler struct {
	store Store
	audit auditor
}

type sensorJSON struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	UDPKeyID  string     `json:"udp_key_id"`
	Revoked   bool       `json:"revoked"`
	LastSeen  *time.Time `json:"last_seen"`
	CreatedAt time.Time  `json:"created_at"`
}

func toSensorJSON(s store.Sensor) sensorJSON {
	v := sensorJSON{ID: s.ID, Name: s.Name, UDPKeyID: s.UDPKeyID, Revoked: s.Revoked, CreatedAt: s.CreatedAt}
	if !s.LastSeen.IsZero() {
		v.LastSeen = &s.LastSeen
	}
	return v
}

// credentialsJSON is shown once, at enrollment and rotation.
type credentialsJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Token    string `json:"token"`
	UDPKeyID string `json:"udp_key_id"`
	UDPKey   string `json:"udp_key"`
}

// newCredentials gives s a fresh bearer token (stored hashed) and UDP HMAC
// key (stored as is: the collector verifies with it), in package token's
// formats, and returns them in clear.
func newCredentials(s *store.Sensor) (credentialsJSON, error) {
	tok, err := token.New(token.Sensor)
	if err != nil {
		return credentialsJSON{}, fmt.Errorf("cannot make sensor token: %w", err)
	}
	keyID, key, err := token.NewUDPKey()
	if err != nil {
		return credentialsJSON{}, fmt.Errorf("cannot make UDP key: %w", err)
	}
	s.TokenHash, s.UDPKeyID, s.UDPKey = token.Hash(tok), keyID, key
	return credentialsJSON{ID: s.ID, Name: s.Name, Token: tok, UDPKeyID: keyID, UDPKey: key}, nil
}

type enrollRequest struct {
	Name string `json:"name"`
}

// enroll answers POST: a new sensor and its credentials, shown only now.
func (h sensorsHandler) enroll(c *gin.Context) {
	var req enrollRequest
	if !bindJSON(c, &req) {
		return
	}
	if !validName(req.Name) {
		fail(c, publicf(http.StatusBadRequest, "name must be 1 to %d printable characters", maxNameLen))
		return
	}
	t, p := tenantOf(c), principalOf(c)
	id, err := token.NewID("s")
	if err != nil {
		fail(c, err)
		return
	}
	s := store.Sensor{ID: id, Name: req.Name}
	creds, err := newCredentials(&s)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if err := h.store.PutSensor(ctx, t, s); err != nil {
		fail(c, err)
		return
	}
	h.audit.record(ctx, t, actor(p), "sensor.enroll", s.ID, req.Name)
	c.JSON(http.StatusCreated, creds)
}

func (h sensorsHandler) list(c *gin.Context) {
	list, err := h.store.Sensors(c.Request.Context(), tenantOf(c))
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]sensorJSON, len(list))
	for i, s := range list {
		out[i] = toSensorJSON(s)
	}
	c.JSON(http.StatusOK, gin.H{"sensors": out})
}

func (h sensorsHandler) get(c *gin.Context) {
	s, err := h.store.Sensor(c.Request.Context(), tenantOf(c), c.Param("sensor"))
	if err != nil {
		fail(c, storeErr(err, "sensor"))
		return
	}
	c.JSON(http.StatusOK, toSensorJSON(s))
}

// revoke answers POST .../revoke: the sensor's credentials stop working.
func (h sensorsHandler) revoke(c *gin.Context) {
	t, p := tenantOf(c), principalOf(c)
	ctx := c.Request.Context()
	s, err := h.store.Sensor(ctx, t, c.Param("sensor"))
	if err != nil {
		fail(c, storeErr(err, "sensor"))
		return
	}
	s.Revoked = true
	if err := h.store.PutSensor(ctx, t, s); err != nil {
		fail(c, err)
		return
	}
	h.audit.record(ctx, t, actor(p), "sensor.revoke", s.ID, "")
	c.JSON(http.StatusOK, toSensorJSON(s))
}

// rotate answers POST .../rotate: new credentials replace the old ones,
// which stop working at once. A revoked sensor stays revoked.
func (h sensorsHandler) rotate(c *gin.Context) {
	t, p := tenantOf(c), principalOf(c)
	ctx := c.Request.Context()
	s, err := h.store.Sensor(ctx, t, c.Param("sensor"))
	if err != nil {
		fail(c, storeErr(err, "sensor"))
		return
	}
	if s.Revoked {
		fail(c, publicf(http.StatusConflict, "sensor %s is revoked; enroll a new one", s.ID))
		return
	}
	creds, err := newCredentials(&s)
	if err != nil {
		fail(c, err)
		return
	}
	if err := h.store.PutSensor(ctx, t, s); err != nil {
		fail(c, err)
		return
	}
	h.audit.record(ctx, t, actor(p), "sensor.rotate", s.ID, "")
	c.JSON(http.StatusOK, creds)
}

func (h sensorsHandler) delete(c *gin.Context) {
	t, p := tenantOf(c), principalOf(c)
	ctx := c.Request.Context()
	id := c.Param("sensor")
	if _, err := h.store.Sensor(ctx, t, id); err != nil {
		fail(c, storeErr(err, "sensor"))
		return
	}
	if err := h.store.DeleteSensor(ctx, t, id); err != nil {
		fail(c, err)
		return
	}
	h.audit.record(ctx, t, actor(p), "sensor.delete", id, "")
	c.Status(http.StatusNoContent)
}
