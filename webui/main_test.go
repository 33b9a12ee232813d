package webui

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/api"
	"github.com/spoorsec/spoor/collector"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/store/storetest"
)

const (
	adminPassword = "webui-admin-password-1"
	userPassword  = "webui-user-password-12"
)

var testStore *store.Store

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(storetest.Main(m, "webui", store.Options{}, func(s *store.Store) { testStore = s }))
}

// stack is the real collector with the API and this console mounted,
// over the test binary's embedded store.
type stack struct {
	base   string
	client *http.Client
	api    *api.API
}

var (
	stackOnce sync.Once
	theStack  *stack
	stackErr  error
)

// startStack starts the collector once per test binary (the engine is per
// process; tests isolate themselves by tenant).
func startStack(tb testing.TB) *stack {
	tb.Helper()
	stackOnce.Do(func() { theStack, stackErr = newStack() })
	if stackErr != nil {
		tb.Fatal(stackErr)
	}
	return theStack
}

func newStack() (*stack, error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("SPOOR_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	key := base64.StdEncoding.EncodeToString([]byte("webui-test-signing-key-0123456789abcdef"))
	a, err := api.New(api.Config{SigningKeys: map[string]string{"k1": key}, SigningKeyID: "k1",
		AdminPassword: adminPassword, AccessTTL: time.Hour}, api.Deps{Store: testStore, BootstrapOut: io.Discard}, log)
	if err != nil {
		return nil, fmt.Errorf("api.New: %w", err)
	}
	console, err := Embedded()
	if err != nil {
		return nil, err
	}
	if !console.Built() {
		return nil, fmt.Errorf("the web UI is not built: run webui/build.sh first")
	}
	c, err := collector.New(collector.Config{Listen: "127.0.0.1:0", UDPListen: "off"}, testStore, collector.Options{
		Mounts: []func(*gin.Engine){func(e *gin.Engine) {
			a.Register(e)
			console.Register(e)
			e.GET("/test/replay", serveReplay)
			e.GET("/test/cut", func(c *gin.Context) { serveCut(e, c) })
		}}, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("collector.New: %w", err)
	}
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("collector start: %w", err)
	}
	// The collector's certificate is self-signed and made for this run.
	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	return &stack{base: "https://" + c.Addr().String(), client: client, api: a}, nil
}

// replay is a recorded day stream (gzip) that /test/replay serves from
// memory, so that a benchmark can time the browser without the store.
var replay atomic.Pointer[[]byte]

func serveReplay(c *gin.Context) {
	body := replay.Load()
	if body == nil {
		c.Status(http.StatusNotFound)
		return
	}
	c.Header("Content-Encoding", "gzip")
	c.Data(http.StatusOK, "application/vnd.spoor.frames", *body)
}

// call sends a JSON request to the API and decodes the answer into out.
func (s *stack) call(tb testing.TB, method, path, token string, body, out any) int {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+"/api/v1"+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			tb.Fatalf("%s %s: cannot decode %s: %v", method, path, data, err)
		}
	}
	if res.StatusCode >= 300 && out != nil {
		tb.Fatalf("%s %s: got %d %s", method, path, res.StatusCode, data)
	}
	return res.StatusCode
}

func (s *stack) login(tb testing.TB, user, pw string) string {
	tb.Helper()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	s.call(tb, "POST", "/auth/login", "", map[string]string{"username": user, "password": pw}, &tok)
	return tok.AccessToken
}

// sql runs a query through the API's SQL endpoint and returns its rows.
func (s *stack) sql(tb testing.TB, token, tenant, q string) [][]any {
	tb.Helper()
	var res struct {
		Rows [][]any `json:"rows"`
	}
	s.call(tb, "POST", "/tenants/"+tenant+"/sql", token, map[string]string{"query": q}, &res)
	return res.Rows
}

// chromiumPath finds the browser, or skips the test.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	tb.Skip("chromium is not installed (apt-get install -y chromium): skipping the browser tests")
	return ""
}

// browser starts a fresh headless Chromium and returns a tab's context.
func browser(tb testing.TB, timeout time.Duration) context.Context {
	tb.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(tb)),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-default-browser-check", true),
		// The collector's certificate is self-signed, made for this run.
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.UserDataDir(tb.TempDir()), chromedp.WindowSize(1600, 1000),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, timeout)
	tb.Cleanup(func() { cancelC(); cancelB(); cancelA() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1600, 1000)); err != nil {
		tb.Fatalf("cannot start chromium: %v", err)
	}
	return ctx
}

// artifactDir is where screenshots go: $SPOOR_ARTIFACTS, else
// webui/testdata/artifacts (git-ignored).
func artifactDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("SPOOR_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func screenshot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	if err := chromedp.Do(ctx, chromedp.Sleep(150*time.Millisecond)); err != nil {
		tb.Fatal(err)
	}
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(artifactDir(tb), name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("screenshot: %s", p)
}
