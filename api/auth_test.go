package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/spoorsec/spoor/auth/jwt"
)

func TestLoginContract(t *testing.T) {
	r := call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": adminPassword}, fromAddr("203.0.113.10"))
	if r.Code != http.StatusOK {
		t.Fatalf("got %d %s, want 200", r.Code, r.Body)
	}
	var tok tokens
	r.json(t, &tok)
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.ExpiresIn != 900 {
		t.Errorf("got %+v, want both tokens and expires_in 900", tok)
	}
	if r := call(t, "GET", "/api/v1/tenants", tok.AccessToken, nil); r.Code != http.StatusOK {
		t.Errorf("using the access token: got %d %s, want 200", r.Code, r.Body)
	}
}

func TestLoginRefusals(t *testing.T) {
	cases := []struct {
		name string
		body any
		want int
	}{
		{"wrong password", map[string]string{"username": "admin", "password": "not-the-password"}, 401},
		{"unknown user", map[string]string{"username": "nobody-here", "password": "whatever-password"}, 401},
		{"missing password", map[string]string{"username": "admin"}, 400},
		{"malformed JSON", `{"username":`, 400},
		{"huge body", `{"username":"` + strings.Repeat("a", 2<<20) + `"}`, 413},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "POST", "/api/v1/auth/login", "", tc.body, fromAddr("203.0.113."+string(rune('a'+i))))
			if r.Code != tc.want {
				t.Fatalf("got %d %s, want %d", r.Code, r.Body, tc.want)
			}
			r.errMsg(t)
		})
	}
}

func TestRefreshRotatesAndLogoutRevokes(t *testing.T) {
	tn := newTenant(t, "refresh")
	name, _ := newUser(t, tn, RoleAnalyst)
	first := login(t, name, userPassword, fromAddr("203.0.113.20"))

	r := call(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken})
	if r.Code != http.StatusOK {
		t.Fatalf("refresh: got %d %s, want 200", r.Code, r.Body)
	}
	var second tokens
	r.json(t, &second)
	if second.RefreshToken == first.RefreshToken || second.AccessToken == "" {
		t.Fatalf("refresh returned the same refresh token or no access token: %+v", second)
	}
	if r := call(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken}); r.Code != 401 {
		t.Errorf("spent refresh token reused: got %d, want 401", r.Code)
	}
	if r := call(t, "POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": second.RefreshToken}); r.Code != 204 {
		t.Fatalf("logout: got %d %s, want 204", r.Code, r.Body)
	}
	if r := call(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": second.RefreshToken}); r.Code != 401 {
		t.Errorf("refresh after logout: got %d, want 401", r.Code)
	}
	if r := call(t, "POST", "/api/v1/auth/logout", "", map[string]string{"refresh_token": second.RefreshToken}); r.Code != 204 {
		t.Errorf("second logout: got %d, want 204 (idempotent)", r.Code)
	}
	for _, bad := range []string{"", "spr_forged", strings.Repeat("x", 300)} {
		if r := call(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": bad}); r.Code != 401 {
			t.Errorf("refresh with %.10q: got %d, want 401", bad, r.Code)
		}
	}
	// A refresh token is not an access token.
	if r := call(t, "GET", "/api/v1/tenants/"+string(tn), second.RefreshToken, nil); r.Code != 401 {
		t.Errorf("refresh token as bearer: got %d, want 401", r.Code)
	}
}

// forgeToken signs claims with the test key (or key) and method.
func forgeToken(t *testing.T, m gojwt.SigningMethod, key any, kid string, mutate func(*jwt.Claims)) string {
	t.Helper()
	now := testNow()
	c := jwt.Claims{Tenant: "mssp", Role: "mssp-admin", RegisteredClaims: gojwt.RegisteredClaims{
		Issuer: "spoor", Subject: "admin", Audience: gojwt.ClaimStrings{"spoor-api"},
		ExpiresAt: gojwt.NewNumericDate(now.Add(time.Hour)), NotBefore: gojwt.NewNumericDate(now),
		IssuedAt: gojwt.NewNumericDate(now), ID: "x"}}
	if mutate != nil {
		mutate(&c)
	}
	tok := gojwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenAttacks(t *testing.T) {
	valid := forgeToken(t, gojwt.SigningMethodHS256, testKey, testKeyID, nil)
	if r := call(t, "GET", "/api/v1/tenants", valid, nil); r.Code != 200 {
		t.Fatalf("control: a correctly signed token got %d %s, want 200", r.Code, r.Body)
	}
	none, _ := gojwt.NewWithClaims(gojwt.SigningMethodNone, gojwt.MapClaims{"tid": "mssp", "role": "mssp-admin", "sub": "admin",
		"iss": "spoor", "aud": "spoor-api", "exp": testNow().Add(time.Hour).Unix(), "nbf": testNow().Unix()}).
		SignedString(gojwt.UnsafeAllowNoneSignatureType)
	parts := strings.Split(valid, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"admin"`, `"root"`, 1))) + "." + parts[2]
	cases := map[string]string{
		"alg none":                     none,
		"HS512":                        forgeToken(t, gojwt.SigningMethodHS512, testKey, testKeyID, nil),
		"expired":                      forgeToken(t, gojwt.SigningMethodHS256, testKey, testKeyID, func(c *jwt.Claims) { c.ExpiresAt = gojwt.NewNumericDate(testNow().Add(-time.Minute)) }),
		"not yet valid":                forgeToken(t, gojwt.SigningMethodHS256, testKey, testKeyID, func(c *jwt.Claims) { c.NotBefore = gojwt.NewNumericDate(testNow().Add(time.Minute)) }),
		"wrong audience":               forgeToken(t, gojwt.SigningMethodHS256, testKey, testKeyID, func(c *jwt.Claims) { c.Audience = gojwt.ClaimStrings{"grafana"} }),
		"wrong key":                    forgeToken(t, gojwt.SigningMethodHS256, []byte("another-key-0123456789abcdef-0123456789"), testKeyID, nil),
		"unknown kid":                  forgeToken(t, gojwt.SigningMethodHS256, testKey, "k9", nil),
		"mssp-admin of another tenant": forgeToken(t, gojwt.SigningMethodHS256, testKey, testKeyID, func(c *jwt.Claims) { c.Tenant = "acme" }),
		"unknown role":                 forgeToken(t, gojwt.SigningMethodHS256, testKey, testKeyID, func(c *jwt.Claims) { c.Role = "root" }),
		"tampered":                     tampered,
		"garbage":                      "abc.def.ghi",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			r := call(t, "GET", "/api/v1/tenants", tok, nil)
			if r.Code != http.StatusUnauthorized {
				t.Fatalf("got %d %s, want 401", r.Code, r.Body)
			}
			r.errMsg(t)
		})
	}
	t.Run("no token", func(t *testing.T) {
		if r := call(t, "GET", "/api/v1/tenants", "", nil); r.Code != 401 || r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("got %d with WWW-Authenticate %q, want 401 with the header", r.Code, r.Header.Get("WWW-Authenticate"))
		}
	})
	t.Run("expires with the clock", func(t *testing.T) {
		tok := login(t, "admin", adminPassword, fromAddr("203.0.113.30")).AccessToken
		env.skew.Add(int64(16 * time.Minute))
		defer env.skew.Add(-int64(16 * time.Minute))
		if r := call(t, "GET", "/api/v1/tenants", tok, nil); r.Code != 401 {
			t.Errorf("token after its 15 minutes: got %d, want 401", r.Code)
		}
	})
}

func TestLockout(t *testing.T) {
	tn := newTenant(t, "lock")
	name, _ := newUser(t, tn, RoleViewer)
	bad := map[string]string{"username": name, "password": "wrong-password-123"}

	t.Run("per user", func(t *testing.T) {
		for i := range 5 {
			// Different addresses: the user's own counter must trip.
			if r := call(t, "POST", "/api/v1/auth/login", "", bad, fromAddr("192.0.2."+string(rune('1'+i)))); r.Code != 401 {
				t.Fatalf("attempt %d: got %d, want 401", i+1, r.Code)
			}
		}
		good := map[string]string{"username": name, "password": userPassword}
		r := call(t, "POST", "/api/v1/auth/login", "", good, fromAddr("192.0.2.99"))
		if r.Code != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
			t.Fatalf("right password while locked: got %d (Retry-After %q), want 429 with Retry-After", r.Code, r.Header.Get("Retry-After"))
		}
		env.skew.Add(int64(16 * time.Minute))
		defer env.skew.Add(-int64(16 * time.Minute))
		if r := call(t, "POST", "/api/v1/auth/login", "", good, fromAddr("192.0.2.99")); r.Code != 200 {
			t.Errorf("after the lockout: got %d %s, want 200", r.Code, r.Body)
		}
	})
	t.Run("per address", func(t *testing.T) {
		const addr = "192.0.2.200"
		for i := range 20 {
			spray := map[string]string{"username": "spray-" + string(rune('a'+i)), "password": "wrong-password-123"}
			if r := call(t, "POST", "/api/v1/auth/login", "", spray, fromAddr(addr)); r.Code != 401 {
				t.Fatalf("attempt %d: got %d, want 401", i+1, r.Code)
			}
		}
		r := call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": adminPassword}, fromAddr(addr))
		if r.Code != http.StatusTooManyRequests {
			t.Errorf("from a locked address: got %d, want 429", r.Code)
		}
		if r := call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": adminPassword}, fromAddr("192.0.2.201")); r.Code != 200 {
			t.Errorf("from another address: got %d, want 200", r.Code)
		}
	})
}

func TestAuditRecordsLoginsAndAdminActions(t *testing.T) {
	tn := newTenant(t, "audit")
	name, _ := newUser(t, tn, RoleAnalyst)
	call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": name, "password": "wrong-password-123"}, fromAddr("192.0.2.150"))
	call(t, "POST", "/api/v1/tenants/"+string(tn)+"/sensors", adminToken(t), map[string]string{"name": "edge"})
	entries, err := env.store.AuditLog(context.Background(), tn, testNow().Add(-time.Hour), testNow().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range entries {
		got[e.Action] = true
	}
	for _, want := range []string{"tenant.create", "user.create", "login", "login.failed", "sensor.enroll"} {
		if !got[want] {
			t.Errorf("audit log of %s lacks %q; got %v", tn, want, got)
		}
	}
	r := call(t, "GET", "/api/v1/tenants/"+string(tn)+"/audit", adminToken(t), nil)
	if r.Code != 200 || !strings.Contains(string(r.Body), "sensor.enroll") {
		t.Errorf("GET audit: got %d %s, want 200 listing sensor.enroll", r.Code, r.Body)
	}
}

// TestLockoutAcrossReplicas runs a second API on the same store, as a
// second collector behind a load balancer: the limits hold for both
// together, not for each.
func TestLockoutAcrossReplicas(t *testing.T) {
	_, h2 := newReplica(t, testConfig())
	replicas := []http.Handler{env.h, h2}
	// try logs in through replica i%2 from addr.
	try := func(i int, user, pw, addr string) int {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"username": user, "password": pw})
		req := httptest.NewRequest("POST", "/api/v1/auth/login", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = addr + ":40000"
		w := httptest.NewRecorder()
		replicas[i%2].ServeHTTP(w, req)
		return w.Code
	}
	tn := newTenant(t, "lock-replicas")

	t.Run("per user", func(t *testing.T) {
		name, _ := newUser(t, tn, RoleViewer)
		for i := range 5 { // three on one replica, two on the other
			if code := try(i, name, "wrong-password-123", fmt.Sprintf("198.18.1.%d", i)); code != 401 {
				t.Fatalf("attempt %d: got %d, want 401", i+1, code)
			}
		}
		for i := range 2 {
			if code := try(i, name, userPassword, "198.18.1.99"); code != http.StatusTooManyRequests {
				t.Errorf("right password on replica %d: got %d, want 429", i, code)
			}
		}
	})
	t.Run("a success starts the count again", func(t *testing.T) {
		name, _ := newUser(t, tn, RoleViewer)
		for i := range 4 {
			try(i, name, "wrong-password-123", "198.18.2.1")
		}
		if code := try(1, name, userPassword, "198.18.2.1"); code != 200 {
			t.Fatalf("right password: got %d, want 200", code)
		}
		try(0, name, "wrong-password-123", "198.18.2.1")
		if code := try(0, name, userPassword, "198.18.2.1"); code != 200 {
			t.Errorf("after one more failure: got %d, want 200", code)
		}
	})
	t.Run("per address", func(t *testing.T) {
		const addr = "198.18.3.1"
		for i := range 20 {
			if code := try(i, fmt.Sprint("spray-replica-", i), "wrong-password-123", addr); code != 401 {
				t.Fatalf("attempt %d: got %d, want 401", i+1, code)
			}
		}
		for i := range 2 {
			if code := try(i, "admin", adminPassword, addr); code != http.StatusTooManyRequests {
				t.Errorf("from the address on replica %d: got %d, want 429", i, code)
			}
		}
	})
}
