package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/spoorsec/spoor/auth/totp"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// codeAt is the TOTP code of secret at the API's clock shifted by d.
func codeAt(tb testing.TB, secret string, d time.Duration) string {
	tb.Helper()
	c, err := totp.Code(secret, testNow().Add(d))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// enableTOTP runs setup and enable for the caller and returns the secret.
func enableTOTP(tb testing.TB, tok string) string {
	tb.Helper()
	r := call(tb, "POST", "/api/v1/auth/totp/setup", tok, nil)
	if r.Code != http.StatusOK {
		tb.Fatalf("setup: got %d %s, want 200", r.Code, r.Body)
	}
	var setup struct {
		Secret     string `json:"secret"`
		OTPAuthURL string `json:"otpauth_url"`
	}
	r.json(tb, &setup)
	if setup.Secret == "" || !strings.HasPrefix(setup.OTPAuthURL, "otpauth://totp/Spoor:") || !strings.Contains(setup.OTPAuthURL, "secret="+setup.Secret) {
		tb.Fatalf("setup: got %+v, want a secret and its otpauth URL", setup)
	}
	if r := call(tb, "POST", "/api/v1/auth/totp/enable", tok, map[string]string{"code": codeAt(tb, setup.Secret, 0)}); r.Code != http.StatusNoContent {
		tb.Fatalf("enable: got %d %s, want 204", r.Code, r.Body)
	}
	return setup.Secret
}

func loginBody(name, pw, code string) map[string]string {
	b := map[string]string{"username": name, "password": pw}
	if code != "" {
		b["totp"] = code
	}
	return b
}

// totpUser makes a user with TOTP enabled.
func totpUser(t *testing.T, prefix string) (tenant.ID, string, string) {
	t.Helper()
	tn := newTenant(t, prefix)
	name, tok := newUser(t, tn, RoleAnalyst)
	return tn, name, enableTOTP(t, tok)
}

func TestTOTPLogin(t *testing.T) {
	_, name, secret := totpUser(t, "totp-login")
	const addr = "198.51.100.70"
	// Two steps on, the code that enabled TOTP is out of the window.
	env.skew.Add(int64(2 * totp.Period))
	defer env.skew.Add(-int64(2 * totp.Period))
	post := func(t *testing.T, body any) resp {
		t.Helper()
		return call(t, "POST", "/api/v1/auth/login", "", body, fromAddr(addr))
	}

	t.Run("no code", func(t *testing.T) {
		r := post(t, loginBody(name, userPassword, ""))
		var body struct {
			Error        string `json:"error"`
			TOTPRequired bool   `json:"totp_required"`
		}
		r.json(t, &body)
		if r.Code != http.StatusUnauthorized || body.Error != "totp code required" || !body.TOTPRequired {
			t.Fatalf("got %d %s, want 401 totp code required with totp_required", r.Code, r.Body)
		}
	})
	t.Run("no code and a wrong password", func(t *testing.T) {
		r := post(t, loginBody(name, "wrong-password-123", ""))
		if r.Code != http.StatusUnauthorized || strings.Contains(string(r.Body), "totp") {
			t.Fatalf("got %d %s, want 401 invalid credentials without a totp hint", r.Code, r.Body)
		}
	})
	t.Run("wrong code", func(t *testing.T) {
		wrong := codeAt(t, secret, 5*time.Minute)
		r := post(t, loginBody(name, userPassword, wrong))
		if r.Code != http.StatusUnauthorized || r.errMsg(t) != "invalid credentials" {
			t.Fatalf("got %d %s, want 401 invalid credentials", r.Code, r.Body)
		}
	})
	code := codeAt(t, secret, 0)
	t.Run("right code", func(t *testing.T) {
		if r := post(t, loginBody(name, userPassword, code)); r.Code != http.StatusOK {
			t.Fatalf("got %d %s, want 200", r.Code, r.Body)
		}
	})
	t.Run("replayed code", func(t *testing.T) {
		r := post(t, loginBody(name, userPassword, code))
		if r.Code != http.StatusUnauthorized || r.errMsg(t) != "invalid credentials" {
			t.Fatalf("got %d %s, want 401 invalid credentials", r.Code, r.Body)
		}
	})
	t.Run("next step's code", func(t *testing.T) {
		// The step after the one used is still within the ±1 window.
		r := post(t, loginBody(name, userPassword, codeAt(t, secret, totp.Period)))
		if r.Code != http.StatusOK {
			t.Fatalf("got %d %s, want 200", r.Code, r.Body)
		}
	})
	t.Run("wrong password with a right code", func(t *testing.T) {
		r := post(t, loginBody(name, "wrong-password-123", codeAt(t, secret, 0)))
		if r.Code != http.StatusUnauthorized {
			t.Fatalf("got %d %s, want 401", r.Code, r.Body)
		}
	})
}

func TestTOTPLockout(t *testing.T) {
	_, name, secret := totpUser(t, "totp-lock")
	// Prompts for a code are not failures: many of them lock nothing.
	for i := range 8 {
		r := call(t, "POST", "/api/v1/auth/login", "", loginBody(name, userPassword, ""), fromAddr("198.51.100.80"))
		if r.Code != http.StatusUnauthorized {
			t.Fatalf("prompt %d: got %d %s, want 401", i+1, r.Code, r.Body)
		}
	}
	// Wrong codes are: the fifth locks the user out.
	wrong := codeAt(t, secret, 10*time.Minute)
	for i := range 5 {
		r := call(t, "POST", "/api/v1/auth/login", "", loginBody(name, userPassword, wrong), fromAddr("198.51.100.81"))
		if r.Code != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: got %d %s, want 401", i+1, r.Code, r.Body)
		}
	}
	r := call(t, "POST", "/api/v1/auth/login", "", loginBody(name, userPassword, codeAt(t, secret, 0)), fromAddr("198.51.100.82"))
	if r.Code != http.StatusTooManyRequests {
		t.Fatalf("right code while locked: got %d %s, want 429", r.Code, r.Body)
	}
	env.skew.Add(int64(16 * time.Minute))
	defer env.skew.Add(-int64(16 * time.Minute))
	r = call(t, "POST", "/api/v1/auth/login", "", loginBody(name, userPassword, codeAt(t, secret, 0)), fromAddr("198.51.100.82"))
	if r.Code != http.StatusOK {
		t.Fatalf("after the lockout: got %d %s, want 200", r.Code, r.Body)
	}
}

func TestTOTPSetupEnableDisable(t *testing.T) {
	tn := newTenant(t, "totp-flow")
	name, tok := newUser(t, tn, RoleViewer)
	me := func() bool {
		t.Helper()
		r := call(t, "GET", "/api/v1/auth/me", tok, nil)
		var body struct {
			Username    string `json:"username"`
			Tenant      string `json:"tenant"`
			Role        string `json:"role"`
			TOTPEnabled bool   `json:"totp_enabled"`
		}
		r.json(t, &body)
		if r.Code != http.StatusOK || body.Username != name || body.Tenant != string(tn) || body.Role != "viewer" {
			t.Fatalf("me: got %d %s, want 200 naming %s/%s viewer", r.Code, r.Body, tn, name)
		}
		return body.TOTPEnabled
	}
	if me() {
		t.Fatal("totp_enabled before setup: got true, want false")
	}
	if r := call(t, "POST", "/api/v1/auth/totp/enable", tok, map[string]string{"code": "123456"}); r.Code != http.StatusConflict {
		t.Errorf("enable before setup: got %d %s, want 409", r.Code, r.Body)
	}

	r := call(t, "POST", "/api/v1/auth/totp/setup", tok, nil)
	var setup struct{ Secret string }
	r.json(t, &setup)
	if me() {
		t.Error("totp_enabled after setup alone: got true, want false")
	}
	// Login still needs no code while setup is pending.
	login(t, name, userPassword, fromAddr("198.51.100.90"))

	stored, err := env.store.User(context.Background(), tn, name)
	if err != nil {
		t.Fatal(err)
	}
	if stored.TOTPPending == "" || strings.Contains(stored.TOTPPending, setup.Secret) {
		t.Errorf("stored pending secret %q: want it sealed, not containing %s", stored.TOTPPending, setup.Secret)
	}

	if r := call(t, "POST", "/api/v1/auth/totp/enable", tok, map[string]string{"code": codeAt(t, setup.Secret, 3*time.Minute)}); r.Code != http.StatusBadRequest {
		t.Errorf("enable with a wrong code: got %d %s, want 400", r.Code, r.Body)
	}
	if r := call(t, "POST", "/api/v1/auth/totp/enable", tok, map[string]string{"code": codeAt(t, setup.Secret, 0)}); r.Code != http.StatusNoContent {
		t.Fatalf("enable: got %d %s, want 204", r.Code, r.Body)
	}
	if !me() {
		t.Error("totp_enabled after enable: got false, want true")
	}
	if r := call(t, "POST", "/api/v1/auth/totp/setup", tok, nil); r.Code != http.StatusConflict {
		t.Errorf("setup while enabled: got %d %s, want 409", r.Code, r.Body)
	}
	stored, _ = env.store.User(context.Background(), tn, name)
	if !stored.TOTPEnabled || stored.TOTPPending != "" || stored.TOTPSecret == "" || strings.Contains(stored.TOTPSecret, setup.Secret) {
		t.Errorf("stored after enable: enabled %v pending %q secret %q; want enabled, nothing pending, sealed secret",
			stored.TOTPEnabled, stored.TOTPPending, stored.TOTPSecret)
	}
	if r := call(t, "GET", "/api/v1/tenants/"+string(tn)+"/users", adminToken(t), nil); strings.Contains(string(r.Body), "v1:") {
		t.Errorf("user list shows a sealed secret: %s", r.Body)
	}

	// The code that enabled it is spent; the next step's is not.
	if r := call(t, "POST", "/api/v1/auth/totp/disable", tok, map[string]string{"code": codeAt(t, setup.Secret, 0)}); r.Code != http.StatusBadRequest {
		t.Errorf("disable with the spent code: got %d %s, want 400", r.Code, r.Body)
	}
	if r := call(t, "POST", "/api/v1/auth/totp/disable", tok, map[string]string{"code": codeAt(t, setup.Secret, totp.Period)}); r.Code != http.StatusNoContent {
		t.Fatalf("disable: got %d %s, want 204", r.Code, r.Body)
	}
	if me() {
		t.Error("totp_enabled after disable: got true, want false")
	}
	login(t, name, userPassword, fromAddr("198.51.100.91"))

	entries, err := env.store.AuditLog(context.Background(), tn, testNow().Add(-time.Hour), testNow().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range entries {
		got[e.Action] = true
		// Wrong codes carry the client address for the lockout of every
		// replica (store.LoginRecords).
		if strings.HasSuffix(e.Action, ".failed") && e.Detail != "192.0.2.1" {
			t.Errorf("%s: detail %q, want the client address", e.Action, e.Detail)
		}
	}
	for _, want := range []string{"totp.enable", "totp.disable", store.ActionTOTPEnableFailed, store.ActionTOTPDisableFailed} {
		if !got[want] {
			t.Errorf("audit log lacks %q; got %v", want, got)
		}
	}
}

func TestAdminResetsTOTP(t *testing.T) {
	tn, name, _ := totpUser(t, "totp-reset")
	path := "/api/v1/tenants/" + string(tn) + "/users/" + name
	r := call(t, "PUT", path, adminToken(t), map[string]any{"totp_enabled": false})
	if r.Code != http.StatusOK || !strings.Contains(string(r.Body), `"totp_enabled":false`) {
		t.Fatalf("reset: got %d %s, want 200 with totp_enabled false", r.Code, r.Body)
	}
	login(t, name, userPassword, fromAddr("198.51.100.95"))
	if r := call(t, "PUT", path, adminToken(t), map[string]any{"totp_enabled": true}); r.Code != http.StatusBadRequest {
		t.Errorf("admin enabling totp: got %d %s, want 400", r.Code, r.Body)
	}
}

func TestSealer(t *testing.T) {
	cfg := testConfig()
	s, err := newSealer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.seal("JBSWY3DPEHPK3PXP", "acme/alice")
	if got, err := s.open(sealed, "acme/alice"); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Errorf("open = %q, %v; want the secret", got, err)
	}
	if _, err := s.open(sealed, "acme/bob"); err == nil {
		t.Error("a value sealed for alice opened for bob")
	}
	if s.seal("x", "o") == s.seal("x", "o") {
		t.Error("two seals of one value are equal: nonce reused")
	}
	// Configured sealing keys take over; old values need their key kept.
	cfg.SealingKeys = map[string]string{"s1": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}
	s2, err := newSealer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.open(sealed, "acme/alice"); err == nil {
		t.Error("a value sealed with a derived key opened without that key")
	}
	if got, err := s2.open(s2.seal("y", "o"), "o"); err != nil || got != "y" {
		t.Errorf("round trip with a configured key = %q, %v", got, err)
	}
	for _, bad := range []map[string]string{{"s1": "not base64!"}, {"s1": "c2hvcnQ="}} {
		cfg.SealingKeys = bad
		if _, err := newSealer(cfg); err == nil {
			t.Errorf("sealing keys %v: got no error", bad)
		}
	}
}

// TestTOTPEnableEndsOtherSessions: turning the second factor on ends the
// user's other sessions (opened with the password alone) at their next
// refresh, and keeps the session that turned it on.
func TestTOTPEnableEndsOtherSessions(t *testing.T) {
	tn := newTenant(t, "totp-sessions")
	name, _ := newUser(t, tn, RoleAnalyst)
	mine := login(t, name, userPassword, fromAddr("198.51.100.150"))
	other := login(t, name, userPassword, fromAddr("198.51.100.151"))
	enableTOTP(t, mine.AccessToken)
	if r := call(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": other.RefreshToken}); r.Code != http.StatusUnauthorized {
		t.Errorf("refresh of the other session: got %d %s, want 401", r.Code, r.Body)
	}
	if r := call(t, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": mine.RefreshToken}); r.Code != http.StatusOK {
		t.Errorf("refresh of the session that enabled totp: got %d %s, want 200", r.Code, r.Body)
	}
}
