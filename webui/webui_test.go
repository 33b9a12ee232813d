package webui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
)

func serveFrom(t *testing.T, fsys fstest.MapFS) *gin.Engine {
	t.Helper()
	c, err := New(fsys)
	if err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.TestMode)
	e := gin.New()
	c.Register(e)
	return e
}

func get(e http.Handler, target string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	return w
}

func TestConsoleRoutes(t *testing.T) {
	built := fstest.MapFS{
		"index.html": {Data: []byte("<!doctype html><title>Spoor</title>")},
		"app.js":     {Data: []byte("console.log(1)")},
		".stamp":     {Data: []byte("x")},
	}
	e := serveFrom(t, built)
	tests := []struct {
		name, path string
		code       int
		ctype      string
		body       string
	}{
		{"root redirects", "/", http.StatusFound, "", ""},
		{"index", "/ui/", http.StatusOK, "text/html", "<title>Spoor</title>"},
		{"script", "/ui/app.js", http.StatusOK, "javascript", "console.log"},
		{"dot files are not served", "/ui/.stamp", http.StatusNotFound, "", ""},
		{"missing file", "/ui/nope.js", http.StatusNotFound, "", ""},
		{"traversal stays inside", "/ui/../../etc/passwd", http.StatusNotFound, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := get(e, tc.path)
			if w.Code != tc.code {
				t.Fatalf("GET %s: got %d, want %d", tc.path, w.Code, tc.code)
			}
			if ct := w.Header().Get("Content-Type"); !strings.Contains(ct, tc.ctype) {
				t.Errorf("GET %s: got Content-Type %q, want it to contain %q", tc.path, ct, tc.ctype)
			}
			if !strings.Contains(w.Body.String(), tc.body) {
				t.Errorf("GET %s: got body %q, want it to contain %q", tc.path, w.Body.String(), tc.body)
			}
		})
	}
	t.Run("index carries the CSP", func(t *testing.T) {
		csp := get(e, "/ui/").Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("got CSP %q, want self-only with frame-ancestors 'none'", csp)
		}
	})
	t.Run("ETag revalidation", func(t *testing.T) {
		etag := get(e, "/ui/app.js").Header().Get("ETag")
		if etag == "" {
			t.Fatal("got no ETag")
		}
		if w := get(e, "/ui/app.js", "If-None-Match", etag); w.Code != http.StatusNotModified {
			t.Errorf("got %d with If-None-Match, want 304", w.Code)
		}
	})
}

func TestConsoleNotBuilt(t *testing.T) {
	e := serveFrom(t, fstest.MapFS{".keep": {Data: nil}})
	w := get(e, "/ui/")
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("got %d, want 503", w.Code)
	}
	if !strings.Contains(w.Body.String(), "run scripts/setup.sh") {
		t.Errorf("got body %q, want the set-up hint", w.Body.String())
	}
}

func TestEmbeddedLoads(t *testing.T) {
	c, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("embedded console built: %v", c.Built())
}
