package feeds

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestConditionalRequests(t *testing.T) {
	const body = "# ATIF feed\n45.9.20.7\n"
	tests := []struct {
		name      string
		validator string // response header
		value     string
		request   string // request header it comes back as
	}{
		{"etag", "ETag", `"v1"`, "If-None-Match"},
		{"last-modified", "Last-Modified", "Thu, 11 Jan 2024 10:00:00 GMT", "If-Modified-Since"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var requests, notModified atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				if r.Header.Get(tt.request) == tt.value {
					notModified.Add(1)
					w.WriteHeader(http.StatusNotModified)
					return
				}
				w.Header().Set(tt.validator, tt.value)
				fmt.Fprint(w, body)
			}))
			defer srv.Close()
			c := newTestClient(t, Config{CacheDir: t.TempDir()})
			for i, wantNotModified := range []bool{false, true, true} {
				resp, err := c.Get(context.Background(), srv.URL+"/list")
				if err != nil {
					t.Fatal(err)
				}
				if string(resp.Body) != body || resp.NotModified != wantNotModified {
					t.Errorf("request %d: body %q, NotModified %v; want %q, %v", i, resp.Body, resp.NotModified, body, wantNotModified)
				}
			}
			if requests.Load() != 3 || notModified.Load() != 2 {
				t.Errorf("server saw %d requests, %d conditional hits; want 3, 2", requests.Load(), notModified.Load())
			}
		})
	}
}

// A 304 for a body the cache no longer holds is asked again without validators.
func TestCacheLostBody(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, "fresh")
	}))
	defer srv.Close()
	dir := t.TempDir()
	c := newTestClient(t, Config{CacheDir: dir})
	if _, err := c.Get(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	bodies, _ := filepath.Glob(filepath.Join(dir, "*.body"))
	if len(bodies) != 1 {
		t.Fatalf("cache holds %d bodies, want 1", len(bodies))
	}
	if err := os.WriteFile(bodies[0], []byte("tampered"), 0o600); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "fresh" || resp.NotModified || requests.Load() != 3 {
		t.Errorf("body %q, NotModified %v after %d requests; want fresh, false after 3", resp.Body, resp.NotModified, requests.Load())
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name     string
		retries  int
		statuses []int // answers in turn; the last repeats
		wantReqs int32
		wantErr  bool
	}{
		{"recovers", 2, []int{503, 502, 200}, 3, false},
		{"gives up", 2, []int{503}, 3, true},
		{"too many requests", 1, []int{429, 200}, 2, false},
		{"not found is final", 2, []int{404}, 1, true},
		{"no retries", -1, []int{503, 200}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				code := tt.statuses[min(i, len(tt.statuses)-1)]
				if code == 429 {
					w.Header().Set("Retry-After", "0")
				}
				w.WriteHeader(code)
				fmt.Fprint(w, "body")
			}))
			defer srv.Close()
			c := newTestClient(t, Config{Retries: tt.retries})
			_, err := c.Get(context.Background(), srv.URL)
			if (err != nil) != tt.wantErr || n.Load() != tt.wantReqs {
				t.Errorf("err = %v after %d requests; want error %v after %d", err, n.Load(), tt.wantErr, tt.wantReqs)
			}
		})
	}
}

func TestConnectionRefusedIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c := newTestClient(t, Config{Retries: 1})
	start := time.Now()
	_, err = c.Get(context.Background(), "http://"+addr+"/")
	if err == nil || !retryable(context.Background(), errors.Unwrap(err)) {
		t.Errorf("err = %v, want a retryable connection error", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v, want a prompt failure", time.Since(start))
	}
}

func TestTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(300 * time.Millisecond):
		case <-r.Context().Done():
		}
		fmt.Fprint(w, "# ATIF feed\n45.9.20.7\n")
	}))
	defer srv.Close()
	c := newTestClient(t, Config{Timeout: 50 * time.Millisecond, Retries: -1})
	start := time.Now()
	if _, err := c.Get(context.Background(), srv.URL); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("failed after %v, want about the 50ms timeout", d)
	}
	// A source's own timeout replaces the default.
	s := Maltrail()[4] // binarydefense
	s.URLs = []string{srv.URL}
	s.Timeout = 5 * time.Second
	if r := c.Fetch(context.Background(), &s); r.Err != nil {
		t.Errorf("with a 5s source timeout: Err = %v, want nil", r.Err)
	}
}

func TestCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := newTestClient(t, Config{Retries: 5, Backoff: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.Get(ctx, srv.URL); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("backoff ignored cancellation: returned after %v", d)
	}
}

func TestMaxBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 2048))
	}))
	defer srv.Close()
	c := newTestClient(t, Config{MaxBody: 1024, Retries: -1})
	if _, err := c.Get(context.Background(), srv.URL); err == nil || !strings.Contains(err.Error(), "larger than 1024") {
		t.Errorf("err = %v, want a body size error", err)
	}
}

func TestGzip(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("Accept-Encoding = %q, want gzip offered", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, "compressed body")
		zw.Close()
	}))
	defer srv.Close()
	resp, err := newTestClient(t, Config{}).Get(context.Background(), srv.URL)
	if err != nil || string(resp.Body) != "compressed body" {
		t.Errorf("Get = %q, %v; want the decompressed body", resp.Body, err)
	}
}

func TestStaleCache(t *testing.T) {
	var failing atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "# ATIF feed\n45.9.20.7\n")
	}))
	defer srv.Close()
	dir := t.TempDir()
	now := time.Date(2024, 1, 11, 12, 0, 0, 0, time.UTC)
	c := newTestClient(t, Config{CacheDir: dir, MaxStale: 24 * time.Hour, Retries: -1})
	c.now = func() time.Time { return now }
	s := Maltrail()[4] // binarydefense
	s.URLs = []string{srv.URL}
	if r := c.Fetch(context.Background(), &s); r.Err != nil || r.Stale {
		t.Fatalf("first fetch: Err %v, Stale %v; want nil, false", r.Err, r.Stale)
	}
	failing.Store(true)
	now = now.Add(3 * time.Hour)
	r := c.Fetch(context.Background(), &s)
	if !r.Stale || r.Err == nil || len(r.Feed.Trails) != 1 || !strings.Contains(r.Err.Error(), "3h0m0s old") {
		t.Errorf("source down: Stale %v, Err %v, %d trails; want the 3h old copy used and the failure reported", r.Stale, r.Err, len(r.Feed.Trails))
	}
	now = now.Add(24 * time.Hour)
	if r := c.Fetch(context.Background(), &s); r.Stale || r.Err == nil || len(r.Feed.Trails) != 0 {
		t.Errorf("copy older than MaxStale: Stale %v, Err %v, %d trails; want a plain failure", r.Stale, r.Err, len(r.Feed.Trails))
	}
}

// recordingProxy is a forward proxy: plain HTTP requests are answered directly with the
// URL they asked for; CONNECT tunnels go to target whatever host they name.
type recordingProxy struct {
	*httptest.Server
	mu     sync.Mutex
	seen   []string
	target string
}

func newRecordingProxy(t *testing.T, target string) *recordingProxy {
	p := &recordingProxy{target: target}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.seen = append(p.seen, r.Method+" "+r.RequestURI)
		p.mu.Unlock()
		if r.Method != http.MethodConnect {
			fmt.Fprintf(w, "via proxy: %s", r.URL)
			return
		}
		upstream, err := net.Dial("tcp", p.target)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		go func() { io.Copy(upstream, conn); upstream.Close() }()
		go func() { io.Copy(conn, upstream); conn.Close() }()
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *recordingProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

func TestProxy(t *testing.T) {
	// feeds.invalid cannot resolve: only a proxy can answer for it.
	const target = "http://feeds.invalid/list.txt"
	p := newRecordingProxy(t, "")
	c := newTestClient(t, Config{Proxy: p.URL, Retries: -1})
	resp, err := c.Get(context.Background(), target)
	if err != nil || string(resp.Body) != "via proxy: "+target {
		t.Fatalf("Get through the proxy = %q, %v; want the proxy's answer", resp.Body, err)
	}
	if got := p.requests(); len(got) != 1 || got[0] != "GET "+target {
		t.Errorf("proxy saw %q, want one GET %s", got, target)
	}
}

func TestProxyFromEnvironment(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "tls origin: %s", r.Host)
	}))
	defer tlsSrv.Close()
	p := newRecordingProxy(t, tlsSrv.Listener.Addr().String())
	t.Setenv("HTTP_PROXY", p.URL)
	t.Setenv("HTTPS_PROXY", p.URL)
	t.Setenv("NO_PROXY", "")
	t.Setenv("http_proxy", "")
	t.Setenv("https_proxy", "")
	t.Setenv("no_proxy", "")
	pool := x509.NewCertPool()
	pool.AddCert(tlsSrv.Certificate())
	// httptest's certificate is valid for example.com.
	c := newTestClient(t, Config{Retries: -1, TLSConfig: &tls.Config{RootCAs: pool}})

	resp, err := c.Get(context.Background(), "http://feeds.invalid/a")
	if err != nil || string(resp.Body) != "via proxy: http://feeds.invalid/a" {
		t.Errorf("HTTP_PROXY: Get = %q, %v; want the proxy's answer", resp.Body, err)
	}
	resp, err = c.Get(context.Background(), "https://example.com/b")
	if err != nil || string(resp.Body) != "tls origin: example.com" {
		t.Errorf("HTTPS_PROXY: Get = %q, %v; want the origin's answer through the tunnel", resp.Body, err)
	}
	want := []string{"GET http://feeds.invalid/a", "CONNECT example.com:443"}
	if got := p.requests(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("proxy saw %q, want %q", got, want)
	}
}

func TestFetchAllOffline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ln.Close()
	c := newTestClient(t, Config{Retries: 1})
	src := localSources(t, base)
	start := time.Now()
	results := c.FetchAll(context.Background(), src)
	for i, r := range results {
		if r.Err == nil || len(r.Feed.Trails) != 0 {
			t.Errorf("%s: Err %v, %d trails; want a failure and no trails", src[i].Name, r.Err, len(r.Feed.Trails))
		}
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("offline fetch of %d sources took %v", len(src), d)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		cfg Config
		ok  bool
	}{
		{Config{}, true},
		{Config{Proxy: "http://proxy.example:3128"}, true},
		{Config{Proxy: "socks5://127.0.0.1:1080"}, true},
		{Config{Proxy: "ftp://proxy.example"}, false},
		{Config{Proxy: "http://"}, false},
		{Config{Proxy: "://bad"}, false},
		{Config{Timeout: -1}, false},
		{Config{Retries: -2}, false},
		{Config{Retries: -1}, true},
		{Config{Backoff: -1}, false},
		{Config{MaxStale: -1}, false},
		{Config{MaxBody: -1}, false},
		{Config{Parallel: -1}, false},
	}
	for _, tt := range tests {
		if err := tt.cfg.Validate(); (err == nil) != tt.ok {
			t.Errorf("Validate(%+v) = %v, want ok %v", tt.cfg, err, tt.ok)
		}
		if _, err := New(tt.cfg, nil); (err == nil) != tt.ok {
			t.Errorf("New(%+v) = %v, want ok %v", tt.cfg, err, tt.ok)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 1, 11, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{"-3", 0},
		{"Thu, 11 Jan 2024 10:00:30 GMT", 30 * time.Second},
		{"Thu, 11 Jan 2024 09:00:00 GMT", 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.in, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	c := newTestClient(t, Config{Backoff: time.Second, MaxBackoff: 5 * time.Second})
	if d := c.backoff(0, &statusError{code: 503, retryAfter: time.Hour}); d != 5*time.Second {
		t.Errorf("backoff with Retry-After 1h = %v, want MaxBackoff 5s", d)
	}
	for attempt, lo := range []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 5 * time.Second} {
		if d := c.backoff(attempt, errors.New("x")); d < lo || d > 5*time.Second {
			t.Errorf("backoff(%d) = %v, want in [%v, 5s]", attempt, d, lo)
		}
	}
}
