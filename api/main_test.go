package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/store/chdb"
	"github.com/spoorsec/spoor/tenant"
	"github.com/spoorsec/spoor/trails"
)

const (
	adminPassword = "correct-horse-battery"
	testKeyID     = "k1"
)

// globalTrailsCSV is the global trail set /check consults in tests.
const globalTrailsCSV = "evil.example,zeus (malware),(static)\n" +
	"198.51.100.66,known attacker,blocklist.example\n" +
	"bad.example/gate.php,phishing (malicious),(static)\n"

var testKey = []byte("test-signing-key-0123456789abcdef-0123456789")

// env is the one engine, store and API of the test binary (libchdb runs
// one engine per process); tests isolate themselves by tenant.
var env struct {
	store *store.Store
	api   *API
	h     http.Handler
	// skew shifts the API's clock, for expiry and lockout tests.
	skew atomic.Int64
}

var seq atomic.Int64

func testNow() time.Time { return time.Now().Add(time.Duration(env.skew.Load())) }

func testConfig() Config {
	return Config{
		SigningKeys:   map[string]string{testKeyID: base64.StdEncoding.EncodeToString(testKey)},
		SigningKeyID:  testKeyID,
		AdminPassword: adminPassword,
		ChunkEvents:   1000,
	}
}

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(func() int {
		lib, err := chdb.FindLibrary()
		if err != nil {
			fmt.Fprintln(os.Stderr, "api tests:", err)
			return 1
		}
		dir, err := os.MkdirTemp("", "spoor-api-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		s, err := store.OpenEmbedded(dir, store.Options{LibPath: lib, Now: testNow})
		if err != nil {
			fmt.Fprintln(os.Stderr, "api tests: run `bash scripts/chdb.sh` first:", err)
			return 1
		}
		defer store.ShutdownEmbedded()
		defer s.Close()
		if err := s.Migrate(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		if os.Getenv("SPOOR_TEST_LOG") != "" {
			log = slog.New(slog.NewTextHandler(os.Stderr, nil))
		}
		global, err := trails.LoadCSV(strings.NewReader(globalTrailsCSV), trails.LoadOptions{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		a, err := New(testConfig(), Deps{Store: s, Now: testNow, BootstrapOut: io.Discard,
			Trails: func() *trails.Set { return global }}, log)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		h, err := a.Handler()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		env.store, env.api, env.h = s, a, h
		return m.Run()
	}())
}

// newReplica starts another API on the test store, as a second collector
// behind a load balancer would run, and returns it with its handler.
func newReplica(tb testing.TB, cfg Config) (*API, http.Handler) {
	tb.Helper()
	a, err := New(cfg, Deps{Store: env.store, Now: testNow, BootstrapOut: io.Discard}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	h, err := a.Handler()
	if err != nil {
		tb.Fatal(err)
	}
	return a, h
}

// resp is a recorded answer.
type resp struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (r resp) json(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("cannot decode %s: %v", r.Body, err)
	}
}

// errMsg returns the {"error": ...} message, failing if the body is not one.
func (r resp) errMsg(tb testing.TB) string {
	tb.Helper()
	var e struct {
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Error == nil {
		tb.Fatalf("got body %q, want {\"error\": ...}", r.Body)
	}
	return *e.Error
}

type reqOpt func(*http.Request)

func withHeader(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }
func fromAddr(a string) reqOpt      { return func(r *http.Request) { r.RemoteAddr = a + ":40000" } }

func withContext(ctx context.Context) reqOpt {
	return func(r *http.Request) { *r = *r.WithContext(ctx) }
}

// call sends a request through the real router; body is JSON-encoded
// unless it is a string.
func call(tb testing.TB, method, path, token string, body any, opts ...reqOpt) resp {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, o := range opts {
		o(req)
	}
	w := httptest.NewRecorder()
	env.h.ServeHTTP(w, req)
	return resp{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
}

func login(tb testing.TB, user, pw string, opts ...reqOpt) tokens {
	tb.Helper()
	r := call(tb, "POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": pw}, opts...)
	if r.Code != http.StatusOK {
		tb.Fatalf("login %s: got %d %s, want 200", user, r.Code, r.Body)
	}
	var t tokens
	r.json(tb, &t)
	return t
}

var adminTok atomic.Pointer[string]

// adminToken is an MSSP admin's access token.
func adminToken(tb testing.TB) string {
	tb.Helper()
	if p := adminTok.Load(); p != nil {
		return *p
	}
	t := login(tb, "admin", adminPassword, fromAddr("198.51.100.1")).AccessToken
	adminTok.Store(&t)
	return t
}

// newTenant creates a tenant with a unique id starting with prefix.
func newTenant(tb testing.TB, prefix string) tenant.ID {
	tb.Helper()
	id := fmt.Sprintf("%s-%d", prefix, seq.Add(1))
	r := call(tb, "POST", "/api/v1/tenants", adminToken(tb), map[string]string{"id": id, "name": "Tenant " + id})
	if r.Code != http.StatusCreated {
		tb.Fatalf("create tenant %s: got %d %s, want 201", id, r.Code, r.Body)
	}
	return tenant.MustNew(id)
}

const userPassword = "user-password-long-enough"

// newUser creates a user with role in tenant t and returns its access token.
func newUser(tb testing.TB, t tenant.ID, role Role) (name, token string) {
	tb.Helper()
	name = fmt.Sprintf("%s-%d", role, seq.Add(1))
	r := call(tb, "POST", "/api/v1/tenants/"+string(t)+"/users", adminToken(tb),
		map[string]string{"username": name, "password": userPassword, "role": string(role)})
	if r.Code != http.StatusCreated {
		tb.Fatalf("create user %s: got %d %s, want 201", name, r.Code, r.Body)
	}
	return name, login(tb, name, userPassword, fromAddr("198.51.100.2")).AccessToken
}
