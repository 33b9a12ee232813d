package jwt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

var (
	keyA = []byte("0123456789abcdef0123456789abcdef-key-a")
	keyB = []byte("0123456789abcdef0123456789abcdef-key-b")
	t0   = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func newRing(tb testing.TB, sign string, now time.Time, keys map[string][]byte) *Keyring {
	tb.Helper()
	k, err := NewKeyring(Config{Keys: keys, SigningKeyID: sign, Issuer: "spoor", Audience: "spoor-api",
		Now: func() time.Time { return now }})
	if err != nil {
		tb.Fatalf("NewKeyring: %v", err)
	}
	return k
}

// forge signs arbitrary claims and header with method and key.
func forge(tb testing.TB, m gojwt.SigningMethod, key any, kid string, c gojwt.Claims) string {
	tb.Helper()
	tok := gojwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		tb.Fatalf("forge: %v", err)
	}
	return s
}

func claims(now time.Time, ttl time.Duration, aud string) Claims {
	return Claims{Tenant: "acme", Role: "analyst", RegisteredClaims: gojwt.RegisteredClaims{
		Issuer: "spoor", Subject: "alice", Audience: gojwt.ClaimStrings{aud},
		ExpiresAt: gojwt.NewNumericDate(now.Add(ttl)), NotBefore: gojwt.NewNumericDate(now),
		IssuedAt: gojwt.NewNumericDate(now), ID: "j1"}}
}

func TestIssueVerify(t *testing.T) {
	k := newRing(t, "a", t0, map[string][]byte{"a": keyA})
	s, err := k.Issue("alice", "acme", "analyst", "j1", 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	c, err := k.Verify(s)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if c.Subject != "alice" || c.Tenant != "acme" || c.Role != "analyst" || c.ID != "j1" {
		t.Errorf("got claims %+v, want alice/acme/analyst/j1", c)
	}
}

func TestRotation(t *testing.T) {
	old := newRing(t, "a", t0, map[string][]byte{"a": keyA})
	tokA, _ := old.Issue("alice", "acme", "analyst", "j1", time.Hour)
	rotated := newRing(t, "b", t0, map[string][]byte{"a": keyA, "b": keyB})
	tokB, _ := rotated.Issue("alice", "acme", "analyst", "j2", time.Hour)
	if _, err := rotated.Verify(tokA); err != nil {
		t.Errorf("old-key token during rotation: got %v, want accepted", err)
	}
	if _, err := rotated.Verify(tokB); err != nil {
		t.Errorf("new-key token: got %v, want accepted", err)
	}
	retired := newRing(t, "b", t0, map[string][]byte{"b": keyB})
	if _, err := retired.Verify(tokA); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("token of a retired key: got %v, want ErrInvalidToken", err)
	}
}

func TestVerifyRejectsAttacks(t *testing.T) {
	k := newRing(t, "a", t0, map[string][]byte{"a": keyA})
	good, _ := k.Issue("alice", "acme", "analyst", "j1", time.Hour)
	parts := strings.Split(good, ".")
	b64 := base64.RawURLEncoding.EncodeToString
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

	noneTok := func() string {
		s, _ := gojwt.NewWithClaims(gojwt.SigningMethodNone, claims(t0, time.Hour, "spoor-api")).
			SignedString(gojwt.UnsafeAllowNoneSignatureType)
		return s
	}()
	tampered := func() string {
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		p := strings.Replace(string(payload), `"analyst"`, `"mssp-admin"`, 1)
		return parts[0] + "." + b64([]byte(p)) + "." + parts[2]
	}()
	noneHeaderKeepSig := b64([]byte(`{"alg":"none","kid":"a","typ":"JWT"}`)) + "." + parts[1] + "."

	cases := []struct {
		name, tok string
	}{
		{"alg none", noneTok},
		{"alg none header, signature stripped", noneHeaderKeepSig},
		{"HS512 with the right key", forge(t, gojwt.SigningMethodHS512, keyA, "a", claims(t0, time.Hour, "spoor-api"))},
		{"HS384 with the right key", forge(t, gojwt.SigningMethodHS384, keyA, "a", claims(t0, time.Hour, "spoor-api"))},
		{"ES256 own key", forge(t, gojwt.SigningMethodES256, ec, "a", claims(t0, time.Hour, "spoor-api"))},
		{"expired", forge(t, gojwt.SigningMethodHS256, keyA, "a", claims(t0.Add(-2*time.Hour), time.Hour, "spoor-api"))},
		{"not yet valid", forge(t, gojwt.SigningMethodHS256, keyA, "a", claims(t0.Add(time.Hour), time.Hour, "spoor-api"))},
		{"wrong audience", forge(t, gojwt.SigningMethodHS256, keyA, "a", claims(t0, time.Hour, "other-api"))},
		{"wrong issuer", forge(t, gojwt.SigningMethodHS256, keyA, "a", func() Claims {
			c := claims(t0, time.Hour, "spoor-api")
			c.Issuer = "evil"
			return c
		}())},
		{"no expiry", forge(t, gojwt.SigningMethodHS256, keyA, "a", func() Claims {
			c := claims(t0, time.Hour, "spoor-api")
			c.ExpiresAt = nil
			return c
		}())},
		{"no tenant", forge(t, gojwt.SigningMethodHS256, keyA, "a", func() Claims {
			c := claims(t0, time.Hour, "spoor-api")
			c.Tenant = ""
			return c
		}())},
		{"wrong key", forge(t, gojwt.SigningMethodHS256, keyB, "a", claims(t0, time.Hour, "spoor-api"))},
		{"unknown kid", forge(t, gojwt.SigningMethodHS256, keyA, "zz", claims(t0, time.Hour, "spoor-api"))},
		{"missing kid", forge(t, gojwt.SigningMethodHS256, keyA, "", claims(t0, time.Hour, "spoor-api"))},
		{"tampered payload", tampered},
		{"truncated signature", good[:len(good)-4]},
		{"garbage", "not.a.token"},
		{"empty", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if c, err := k.Verify(tc.tok); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("got claims %+v, error %v; want ErrInvalidToken", c, err)
			}
		})
	}
}

func TestNewKeyringRefusals(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
	}{
		{"no keys", Config{SigningKeyID: "a", Issuer: "i", Audience: "a"}},
		{"short key", Config{Keys: map[string][]byte{"a": []byte("short")}, SigningKeyID: "a", Issuer: "i", Audience: "a"}},
		{"unknown signing kid", Config{Keys: map[string][]byte{"a": keyA}, SigningKeyID: "b", Issuer: "i", Audience: "a"}},
		{"no audience", Config{Keys: map[string][]byte{"a": keyA}, SigningKeyID: "a", Issuer: "i"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewKeyring(tc.cfg); err == nil {
				t.Error("got nil error, want a refusal")
			}
		})
	}
}
