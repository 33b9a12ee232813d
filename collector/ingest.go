package collector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/ingest"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// Reasons the collector refuses input for, beyond ingest's decoding
// reasons; they label spoor_ingest_rejected_total and appear in answers
// as {"error": message, "reason": reason}.
const (
	ReasonUnauthenticated  = "unauthenticated"        // 401: no, malformed or unknown token
	ReasonRevoked          = "revoked"                // 403: the sensor was revoked
	ReasonTenantMismatch   = "tenant_mismatch"        // 403: batch names another tenant
	ReasonUnknownTenant    = "unknown_tenant"         // 403: the sensor's tenant was deleted
	ReasonMediaType        = "unsupported_media_type" // 415
	ReasonUnsupportedEnc   = "unsupported_encoding"   // 415
	ReasonTimeRange        = "time_range"             // 422: event time too far from now
	ReasonRateLimited      = "rate_limited"           // 429
	ReasonOverloaded       = "overloaded"             // 503: too many credential lookups
	ReasonStoreUnavailable = "store_unavailable"      // 503: the store failed; retry
)

// scratch is one in-flight batch's reusable memory.
type scratch struct {
	body, plain []byte
	batch       ingest.Batch
}

// insertTimeout bounds one store insert.
const insertTimeout = 2 * time.Minute

func (c *Collector) handleIngest(g *gin.Context) {
	r := g.Request
	ctx := r.Context()
	sensor, ok := c.authenticate(g)
	if !ok {
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != ingest.ContentType {
		c.reject(g, http.StatusUnsupportedMediaType, ReasonMediaType, fmt.Sprintf("Content-Type must be %s", ingest.ContentType))
		return
	}
	enc, err := ingest.ParseEncoding(r.Header.Get("Content-Encoding"))
	if err != nil {
		c.reject(g, http.StatusUnsupportedMediaType, ReasonUnsupportedEnc, err.Error())
		return
	}
	if r.ContentLength > c.cfg.MaxBodyBytes {
		c.reject(g, http.StatusRequestEntityTooLarge, string(ingest.ReasonTooLarge),
			fmt.Sprintf("body of %d bytes, at most %d allowed", r.ContentLength, c.cfg.MaxBodyBytes))
		return
	}
	key := sensorKey{string(sensor.Tenant), sensor.ID}
	if ok, wait := c.limits.allow(key, 0); !ok {
		c.rateLimited(g, wait)
		return
	}

	var sc *scratch
	select {
	case sc = <-c.slots:
	case <-ctx.Done():
		c.reject(g, http.StatusServiceUnavailable, ReasonOverloaded, "gave up waiting for an ingest slot")
		return
	}
	defer func() { c.slots <- sc }()
	c.met.inFlight.Inc()
	defer c.met.inFlight.Dec()

	body, err := readBody(r, sc.body[:0], c.cfg.MaxBodyBytes)
	sc.body = body[:0]
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			c.reject(g, http.StatusRequestEntityTooLarge, string(ingest.ReasonTooLarge), err.Error())
		} else {
			c.reject(g, http.StatusBadRequest, string(ingest.ReasonTruncated), err.Error())
		}
		return
	}
	plain, err := c.decomp.Decode(sc.plain[:0], enc, body)
	if enc != ingest.Identity && plain != nil {
		sc.plain = plain[:0]
	}
	if err == nil {
		err = ingest.DecodeBatch(plain, c.cfg.MaxEvents, &sc.batch)
	}
	if err != nil {
		status := http.StatusBadRequest
		if ingest.ReasonOf(err) == ingest.ReasonTooLarge {
			status = http.StatusRequestEntityTooLarge
		}
		c.reject(g, status, string(ingest.ReasonOf(err)), err.Error())
		return
	}
	b := &sc.batch
	defer clear(b.Events) // drop references to this request's buffers
	if b.Tenant != "" && b.Tenant != string(sensor.Tenant) {
		c.reject(g, http.StatusForbidden, ReasonTenantMismatch,
			fmt.Sprintf("batch names tenant %q but the token belongs to another tenant", b.Tenant))
		return
	}
	if msg := c.checkTimes(b.Events); msg != "" {
		c.reject(g, http.StatusUnprocessableEntity, ReasonTimeRange, msg)
		return
	}
	if ok, wait := c.limits.allow(key, len(b.Events)); !ok {
		c.rateLimited(g, wait)
		return
	}
	if !c.storeBatch(g, sensor, b, len(body)) {
		return
	}
	g.JSON(http.StatusOK, gin.H{"batch_id": b.ID, "events": len(b.Events)})
}

// authenticate finds the sensor of the request's bearer token, or answers.
func (c *Collector) authenticate(g *gin.Context) (store.Sensor, bool) {
	tok, ok := strings.CutPrefix(g.GetHeader("Authorization"), "Bearer ")
	if !ok || tok == "" {
		g.Header("WWW-Authenticate", `Bearer realm="spoor ingest"`)
		c.reject(g, http.StatusUnauthorized, ReasonUnauthenticated, "missing bearer token")
		return store.Sensor{}, false
	}
	if err := token.Check(token.Sensor, strings.TrimSpace(tok)); err != nil {
		g.Header("WWW-Authenticate", `Bearer realm="spoor ingest", error="invalid_token"`)
		c.reject(g, http.StatusUnauthorized, ReasonUnauthenticated, "malformed sensor token")
		return store.Sensor{}, false
	}
	sensor, err := c.creds.byToken(g.Request.Context(), token.Hash(strings.TrimSpace(tok)))
	switch {
	case err == nil:
		return sensor, true
	case errors.Is(err, errUnknownCredential):
		g.Header("WWW-Authenticate", `Bearer realm="spoor ingest", error="invalid_token"`)
		c.reject(g, http.StatusUnauthorized, ReasonUnauthenticated, "unknown sensor token")
	case errors.Is(err, errRevokedCredential):
		c.reject(g, http.StatusForbidden, ReasonRevoked, "sensor revoked")
	case errors.Is(err, errAuthOverload):
		g.Header("Retry-After", "1")
		c.reject(g, http.StatusServiceUnavailable, ReasonOverloaded, "too many authentication attempts, retry")
	default:
		c.log.Error("cannot look up sensor token", "err", err)
		g.Header("Retry-After", "5")
		c.reject(g, http.StatusServiceUnavailable, ReasonStoreUnavailable, "cannot check credentials now, retry")
	}
	return store.Sensor{}, false
}

// checkTimes returns why an event's time is refused, or "".
func (c *Collector) checkTimes(events []event.Event) string {
	now := c.now()
	earliest, latest := now.Add(-c.cfg.MaxAge), now.Add(c.cfg.MaxFuture)
	for i := range events {
		t := events[i].Time
		if t.Before(earliest) {
			return fmt.Sprintf("event %d: time %s is more than %s in the past", i, t.Format(time.RFC3339Nano), c.cfg.MaxAge)
		}
		if t.After(latest) {
			return fmt.Sprintf("event %d: time %s is more than %s in the future", i, t.Format(time.RFC3339Nano), c.cfg.MaxFuture)
		}
	}
	return ""
}

// storeBatch inserts the batch and records it; false means it answered an
// error.
func (c *Collector) storeBatch(g *gin.Context, sensor store.Sensor, b *ingest.Batch, wireBytes int) bool {
	// Not the request's context: a sensor hanging up must not cut an insert
	// half-way (its retry is deduplicated anyway); a forced shutdown does.
	ctx, cancel := context.WithTimeout(c.bg, insertTimeout)
	defer cancel()
	start := time.Now()
	var err error
	if attempt, _ := strconv.Atoi(g.GetHeader(AttemptHeader)); attempt > 1 {
		err = c.insertRetry(ctx, sensor, b.ID, attempt, b.Events)
	} else {
		err = c.store.InsertEvents(ctx, sensor.Tenant, sensor.ID, b.ID, b.Events)
	}
	c.met.insert.Observe(time.Since(start).Seconds())
	switch {
	case err == nil:
	case errors.Is(err, store.ErrNotFound):
		c.reject(g, http.StatusForbidden, ReasonUnknownTenant, "the sensor's tenant does not exist")
		return false
	case errors.Is(err, store.ErrBadBatch):
		c.reject(g, http.StatusBadRequest, string(ingest.ReasonBadValue), "batch refused by the store")
		c.log.Warn("store refused batch", "tenant", sensor.Tenant, "sensor", sensor.ID, "batch", b.ID, "err", err)
		return false
	default:
		c.log.Error("cannot store batch", "tenant", sensor.Tenant, "sensor", sensor.ID, "batch", b.ID, "events", len(b.Events), "err", err)
		g.Header("Retry-After", "5")
		c.reject(g, http.StatusServiceUnavailable, ReasonStoreUnavailable, "cannot store the batch now, retry")
		return false
	}
	now := c.now()
	c.met.events.WithLabelValues(transportHTTPS).Add(float64(len(b.Events)))
	c.met.batches.WithLabelValues(transportHTTPS).Inc()
	c.met.bytes.WithLabelValues(transportHTTPS).Add(float64(wireBytes))
	if !b.Created.IsZero() {
		c.met.lag.WithLabelValues(transportHTTPS).Observe(max(now.Sub(b.Created).Seconds(), 0))
	}
	c.sensorHealth(sensor.Tenant, sensor.ID, b.Header)
	if err := c.store.TouchSensor(ctx, sensor.Tenant, sensor.ID, now); err != nil {
		c.log.Warn("cannot record sensor contact", "tenant", sensor.Tenant, "sensor", sensor.ID, "err", err)
	}
	return true
}

// sensorHealth exports what a sensor reports about its spool.
func (c *Collector) sensorHealth(t tenant.ID, sensorID string, h ingest.Header) {
	c.met.spoolB.WithLabelValues(string(t), sensorID).Set(float64(h.SpoolBytes))
	c.met.spoolN.WithLabelValues(string(t), sensorID).Set(float64(h.SpoolBatches))
	c.met.sensorDrp.WithLabelValues(string(t), sensorID).Set(float64(h.Dropped))
}

func (c *Collector) rateLimited(g *gin.Context, wait time.Duration) {
	g.Header("Retry-After", strconv.Itoa(max(1, int((wait+time.Second-1)/time.Second))))
	c.reject(g, http.StatusTooManyRequests, ReasonRateLimited, "sensor over its event rate limit, retry later")
}

// reject answers an HTTPS ingest request with an error and counts it.
func (c *Collector) reject(g *gin.Context, status int, reason, msg string) {
	c.met.rejects.WithLabelValues(transportHTTPS, reason).Inc()
	c.log.Debug("ingest refused", "status", status, "reason", reason, "msg", msg, "remote", g.ClientIP())
	g.AbortWithStatusJSON(status, gin.H{"error": msg, "reason": reason})
}

var errBodyTooLarge = errors.New("body too large")

// readBody reads the request body onto buf, refusing more than limit
// bytes.
func readBody(r *http.Request, buf []byte, limit int64) ([]byte, error) {
	if n := r.ContentLength; n >= 0 {
		if int64(cap(buf)) < n {
			buf = make([]byte, 0, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			return buf[:0], fmt.Errorf("body ends after fewer than its %d bytes: %w", n, err)
		}
		return buf, nil
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return buf[:0], fmt.Errorf("%w: more than %d bytes", errBodyTooLarge, limit)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf[:0], fmt.Errorf("cannot read body: %w", err)
		}
	}
}
