package collector

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
	"github.com/spoorsec/spoor/trails"
)

// Trail resources, the "resource" label of the delivery metrics.
const (
	resourceGlobal  = "global"
	resourceOverlay = "overlay"
)

// trailMetrics are the trail delivery series (spoor_trails_*).
type trailMetrics struct {
	requests     *prometheus.CounterVec // resource, code
	globalTrails prometheus.Gauge
	globalBytes  prometheus.Gauge
	globalLoaded prometheus.Gauge
	reloadErrors prometheus.Counter
}

func newTrailMetrics(reg prometheus.Registerer) (*trailMetrics, error) {
	m := &trailMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoor_trails_requests_total", Help: "Trail requests from sensors, by resource (global, overlay) and HTTP status (304: unchanged).",
		}, []string{"resource", "code"}),
		globalTrails: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "spoor_trails_global_trails", Help: "Trails in the global set served to sensors.",
		}),
		globalBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "spoor_trails_global_bytes", Help: "Size of the global set as served (zstd), bytes.",
		}),
		globalLoaded: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "spoor_trails_global_loaded_timestamp_seconds", Help: "When the global set served was loaded.",
		}),
		reloadErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "spoor_trails_global_reload_errors_total", Help: "Failed reloads of the global set (the previous one stays served).",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.globalTrails, m.globalBytes, m.globalLoaded, m.reloadErrors} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// handleGlobalTrails serves the global trail set to an authenticated
// sensor, or 304 when it has it already.
func (c *Collector) handleGlobalTrails(g *gin.Context) {
	if _, ok := c.trailSensor(g, resourceGlobal); !ok {
		return
	}
	var b *globalBundle
	if c.global != nil {
		b = c.global.current()
	}
	if b == nil {
		c.trailAnswer(g, resourceGlobal, http.StatusNotFound, "this collector serves no global trail set: give the sensor its own --trails")
		return
	}
	g.Header(TrailsCountHeader, strconv.Itoa(b.trails))
	c.serveVersioned(g, resourceGlobal, b.etag, GlobalTrailsType, b.body)
}

// handleTrailsOverlay serves the sensor's tenant's custom trails and
// whitelist; the tenant is the credential's, so a sensor can never read
// another tenant's overlay.
func (c *Collector) handleTrailsOverlay(g *gin.Context) {
	sensor, ok := c.trailSensor(g, resourceOverlay)
	if !ok {
		return
	}
	if c.overlays == nil {
		c.trailAnswer(g, resourceOverlay, http.StatusNotFound, "this collector serves no tenant trails")
		return
	}
	b, err := c.overlays.get(g.Request.Context(), sensor.Tenant)
	if err != nil {
		c.log.Error("cannot build a trail overlay", "tenant", sensor.Tenant, "err", err)
		g.Header("Retry-After", "5")
		c.trailAnswer(g, resourceOverlay, http.StatusServiceUnavailable, "cannot read the tenant's trails now, retry")
		return
	}
	c.serveVersioned(g, resourceOverlay, b.etag, TrailsOverlayType, b.body)
}

// serveVersioned answers 304 when If-None-Match names etag, else body.
func (c *Collector) serveVersioned(g *gin.Context, resource, etag, contentType string, body []byte) {
	g.Header("ETag", etag)
	g.Header("Cache-Control", "no-cache")
	if etagMatches(g.GetHeader("If-None-Match"), etag) {
		c.trailMet.requests.WithLabelValues(resource, "304").Inc()
		g.Status(http.StatusNotModified)
		return
	}
	c.trailMet.requests.WithLabelValues(resource, "200").Inc()
	g.Data(http.StatusOK, contentType, body)
}

// etagMatches is If-None-Match's weak comparison of a header (a list of
// entity tags, or "*") with etag.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// trailSensor authenticates the sensor of a trail request. Every refusal
// of the credential is 401: unlike ingest, there is nothing for a revoked
// sensor to distinguish.
func (c *Collector) trailSensor(g *gin.Context, resource string) (store.Sensor, bool) {
	tok, ok := strings.CutPrefix(g.GetHeader("Authorization"), "Bearer ")
	tok = strings.TrimSpace(tok)
	if !ok || tok == "" {
		g.Header("WWW-Authenticate", `Bearer realm="spoor trails"`)
		c.trailAnswer(g, resource, http.StatusUnauthorized, "missing bearer token")
		return store.Sensor{}, false
	}
	if err := token.Check(token.Sensor, tok); err != nil {
		g.Header("WWW-Authenticate", `Bearer realm="spoor trails", error="invalid_token"`)
		c.trailAnswer(g, resource, http.StatusUnauthorized, "malformed sensor token")
		return store.Sensor{}, false
	}
	sensor, err := c.creds.byToken(g.Request.Context(), token.Hash(tok))
	switch {
	case err == nil:
		return sensor, true
	case errors.Is(err, errUnknownCredential), errors.Is(err, errRevokedCredential):
		g.Header("WWW-Authenticate", `Bearer realm="spoor trails", error="invalid_token"`)
		c.trailAnswer(g, resource, http.StatusUnauthorized, "unknown or revoked sensor token")
	case errors.Is(err, errAuthOverload):
		g.Header("Retry-After", "1")
		c.trailAnswer(g, resource, http.StatusServiceUnavailable, "too many authentication attempts, retry")
	default:
		c.log.Error("cannot look up sensor token", "err", err)
		g.Header("Retry-After", "5")
		c.trailAnswer(g, resource, http.StatusServiceUnavailable, "cannot check credentials now, retry")
	}
	return store.Sensor{}, false
}

// trailAnswer ends a trail request with an error and counts it.
func (c *Collector) trailAnswer(g *gin.Context, resource string, status int, msg string) {
	c.trailMet.requests.WithLabelValues(resource, strconv.Itoa(status)).Inc()
	g.AbortWithStatusJSON(status, gin.H{"error": msg})
}

// GlobalTrails returns the global trail set served to sensors (nil without
// Config.Trails); the API looks indicators up in it for /check.
func (c *Collector) GlobalTrails() *trails.Set {
	if c.global == nil {
		return nil
	}
	return c.global.current().set
}

// TrailsChanged tells the collector that tenant t's custom trails or
// whitelist changed, so that its sensors get the new overlay on their next
// poll rather than after the overlay cache expires.
func (c *Collector) TrailsChanged(t tenant.ID) {
	if c.overlays != nil {
		c.overlays.invalidate(t)
	}
}
