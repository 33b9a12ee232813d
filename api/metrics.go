package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// apiMetrics are the API's Prometheus series (names spoor_api_*).
type apiMetrics struct {
	requests *prometheus.CounterVec   // route, method, code
	latency  *prometheus.HistogramVec // route
	streamed *prometheus.CounterVec   // stream: day, live
	sql      *prometheus.CounterVec   // result: ok, refused, failed
	logins   *prometheus.CounterVec   // result: ok, failed, locked, totp_required

	dayStreams                           *prometheus.GaugeVec // state: running, waiting
	dayStreamsRunning, dayStreamsWaiting prometheus.Gauge
}

// Results of the sql and logins series.
const (
	resultOK           = "ok"
	resultRefused      = "refused"
	resultFailed       = "failed"
	resultLocked       = "locked"
	resultTOTPRequired = "totp_required"
)

func newAPIMetrics(reg prometheus.Registerer) (*apiMetrics, error) {
	m := &apiMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoor_api_requests_total", Help: "API requests answered, by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "spoor_api_request_duration_seconds",
			Help: "API request latency by route, to the end of the response (streams included).",
			// 1 ms to ~33 s.
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}, []string{"route"}),
		streamed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoor_api_events_streamed_total", Help: "Events sent to clients, by stream (day: /events chunks, live: the live tail).",
		}, []string{"stream"}),
		sql: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoor_api_sql_queries_total", Help: "SQL queries by result: ok, refused (the query or request was refused), failed (engine error).",
		}, []string{"result"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoor_api_logins_total", Help: "Login attempts by result: ok, failed, locked, totp_required (password right, code not sent).",
		}, []string{"result"}),
		dayStreams: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "spoor_api_day_streams", Help: "Day streams (/events?day=) running, and waiting for a turn (api.day_streams).",
		}, []string{"state"}),
	}
	m.dayStreamsRunning, m.dayStreamsWaiting = m.dayStreams.WithLabelValues("running"), m.dayStreams.WithLabelValues("waiting")
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.streamed, m.sql, m.logins, m.dayStreams} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	// Series that exist from the start read 0 rather than missing.
	for _, r := range []string{resultOK, resultRefused, resultFailed} {
		m.sql.WithLabelValues(r)
	}
	for _, r := range []string{resultOK, resultFailed, resultLocked, resultTOTPRequired} {
		m.logins.WithLabelValues(r)
	}
	for _, s := range []string{"day", "live"} {
		m.streamed.WithLabelValues(s)
	}
	return m, nil
}

// The recording methods accept a nil *apiMetrics (handlers built bare,
// in tests) and then record nothing.

// observe records a finished request.
func (m *apiMetrics) observe(c *gin.Context, took time.Duration) {
	if m == nil {
		return
	}
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

// sqlResult classifies a finished SQL request by the error it carries.
func (m *apiMetrics) sqlResult(c *gin.Context) {
	if m == nil {
		return
	}
	result := resultOK
	if len(c.Errors) > 0 {
		result = resultFailed
		var pub *Error
		if errors.As(c.Errors.Last().Err, &pub) && pub.Status < http.StatusInternalServerError {
			result = resultRefused
		}
	}
	m.sql.WithLabelValues(result).Inc()
}

// login records a login attempt's result.
func (m *apiMetrics) login(result string) {
	if m != nil {
		m.logins.WithLabelValues(result).Inc()
	}
}

// streamedEvents adds n events sent on stream ("day" or "live").
func (m *apiMetrics) streamedEvents(stream string, n int) {
	if m != nil {
		m.streamed.WithLabelValues(stream).Add(float64(n))
	}
}
