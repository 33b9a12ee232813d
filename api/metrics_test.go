package api

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
)

// TestMetrics builds an API on its own registry (as the collector does)
// and checks that requests move its series.
func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, err := New(testConfig(), Deps{Store: env.store, Now: testNow, BootstrapOut: io.Discard, Registerer: reg},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h, err := a.Handler()
	if err != nil {
		t.Fatal(err)
	}
	send := func(method, path, tok, body string) int {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = "198.51.100.201:5000"
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	tn := newTenant(t, "metrics")
	seedDay(t, tn, time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -3), 1500)
	tok := adminToken(t)

	send("POST", "/api/v1/auth/login", "", `{"username":"admin","password":"wrong-password-123"}`)
	send("POST", "/api/v1/auth/login", "", `{"username":"admin","password":"`+adminPassword+`"}`)
	send("GET", "/api/v1/tenants", tok, "")
	send("GET", "/api/v1/tenants/"+string(tn)+"/events?day="+time.Now().UTC().AddDate(0, 0, -3).Format(time.DateOnly), tok, "")
	send("POST", "/api/v1/tenants/"+string(tn)+"/sql", tok, `{"query":"SELECT count() FROM events"}`)
	send("POST", "/api/v1/tenants/"+string(tn)+"/sql", tok, `{"query":"SELECT * FROM system.users"}`)

	tests := []struct {
		name string
		c    prometheus.Collector
		want float64
	}{
		{"login ok", a.metrics.logins.WithLabelValues("ok"), 1},
		{"login failed", a.metrics.logins.WithLabelValues("failed"), 1},
		{"GET /tenants 200", a.metrics.requests.WithLabelValues("/api/v1/tenants", "GET", "200"), 1},
		{"login 401", a.metrics.requests.WithLabelValues("/api/v1/auth/login", "POST", "401"), 1},
		{"events streamed", a.metrics.streamed.WithLabelValues("day"), 1500},
		{"sql ok", a.metrics.sql.WithLabelValues("ok"), 1},
		{"sql refused", a.metrics.sql.WithLabelValues("refused"), 1},
		{"sql failed", a.metrics.sql.WithLabelValues("failed"), 0},
	}
	for _, tt := range tests {
		if got := testutil.ToFloat64(tt.c); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	if n := testutil.CollectAndCount(reg, "spoor_api_request_duration_seconds"); n < 4 {
		t.Errorf("latency histogram: %d routes, want at least 4", n)
	}
	// The collector's registry serves them.
	body, err := testutil.CollectAndFormat(reg, expfmt.TypeTextPlain, "spoor_api_logins_total")
	if err != nil || !strings.Contains(string(body), `spoor_api_logins_total{result="ok"} 1`) {
		t.Errorf("exposition: %s, %v", body, err)
	}
	// A second API on the same registry is refused, not double-counted.
	if _, err := New(testConfig(), Deps{Store: env.store, BootstrapOut: io.Discard, Registerer: reg}, nil); err == nil {
		t.Error("second API on one registry: got no error")
	}
}
