// Package jwt issues and verifies Spoor's short-lived API access tokens:
// HMAC-SHA256 JSON Web Tokens with a key id, so keys can be rotated (sign
// with the new key, keep verifying with the old one until its tokens have
// expired).
//
// Verification is deliberately narrow: the algorithm allowlist is exactly
// HS256 (so "none", RS*/ES* confusion and HS384/512 are refused), the key is
// chosen by the token's kid among configured keys only, and issuer,
// audience, expiry and not-before are all required and checked.
package jwt

import (
	"errors"
	"fmt"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// Algorithm is the only signing algorithm issued and accepted.
const Algorithm = "HS256"

// MinKeyLen is the shortest HMAC key accepted, in bytes.
const MinKeyLen = 32

// ErrInvalidToken is wrapped by every verification failure.
var ErrInvalidToken = errors.New("jwt: invalid token")

// Claims are the access token's contents.
type Claims struct {
	// Tenant is the user's tenant; Role its role there.
	Tenant string `json:"tid"`
	Role   string `json:"role"`
	gojwt.RegisteredClaims
}

// Keyring holds the verification keys by id and the id used to sign.
type Keyring struct {
	keys     map[string][]byte
	signKID  string
	issuer   string
	audience string
	leeway   time.Duration
	now      func() time.Time
}

// Config configures a Keyring.
type Config struct {
	// Keys maps key id to HMAC key (at least MinKeyLen bytes each).
	Keys map[string][]byte
	// SigningKeyID names the key new tokens are signed with.
	SigningKeyID string
	Issuer       string
	Audience     string
	// Leeway tolerates clock skew on exp/nbf/iat (default 0).
	Leeway time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// NewKeyring validates cfg and returns a Keyring.
func NewKeyring(cfg Config) (*Keyring, error) {
	if len(cfg.Keys) == 0 {
		return nil, errors.New("jwt: no signing keys")
	}
	keys := make(map[string][]byte, len(cfg.Keys))
	for kid, k := range cfg.Keys {
		if kid == "" {
			return nil, errors.New("jwt: empty key id")
		}
		if len(k) < MinKeyLen {
			return nil, fmt.Errorf("jwt: key %q has %d bytes, at least %d required", kid, len(k), MinKeyLen)
		}
		keys[kid] = append([]byte(nil), k...)
	}
	if _, ok := keys[cfg.SigningKeyID]; !ok {
		return nil, fmt.Errorf("jwt: signing key id %q is not among the keys", cfg.SigningKeyID)
	}
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("jwt: issuer and audience are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Keyring{keys: keys, signKID: cfg.SigningKeyID, issuer: cfg.Issuer, audience: cfg.Audience,
		leeway: cfg.Leeway, now: cfg.Now}, nil
}

// Issue signs a token for subject (user name) valid for ttl from now. The
// token's jti is id (a random string chosen by the caller).
func (k *Keyring) Issue(subject, tenant, role, id string, ttl time.Duration) (string, error) {
	now := k.now()
	c := Claims{
		Tenant: tenant,
		Role:   role,
		RegisteredClaims: gojwt.RegisteredClaims{
			Issuer:    k.issuer,
			Subject:   subject,
			Audience:  gojwt.ClaimStrings{k.audience},
			ExpiresAt: gojwt.NewNumericDate(now.Add(ttl)),
			NotBefore: gojwt.NewNumericDate(now),
			IssuedAt:  gojwt.NewNumericDate(now),
			ID:        id,
		},
	}
	t := gojwt.NewWithClaims(gojwt.SigningMethodHS256, c)
	t.Header["kid"] = k.signKID
	s, err := t.SignedString(k.keys[k.signKID])
	if err != nil {
		return "", fmt.Errorf("jwt: cannot sign token: %w", err)
	}
	return s, nil
}

// Verify checks token and returns its claims; every failure wraps
// ErrInvalidToken.
func (k *Keyring) Verify(token string) (*Claims, error) {
	var c Claims
	p := gojwt.NewParser(
		gojwt.WithValidMethods([]string{Algorithm}),
		gojwt.WithIssuer(k.issuer),
		gojwt.WithAudience(k.audience),
		gojwt.WithExpirationRequired(),
		gojwt.WithIssuedAt(),
		gojwt.WithLeeway(k.leeway),
		gojwt.WithTimeFunc(k.now),
		gojwt.WithStrictDecoding(),
	)
	_, err := p.ParseWithClaims(token, &c, func(t *gojwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		key, ok := k.keys[kid]
		if !ok {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		return key, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	// nbf is optional in the library; Spoor always sets it, so demand it.
	if c.NotBefore == nil || c.Subject == "" || c.Tenant == "" || c.Role == "" {
		return nil, fmt.Errorf("%w: missing claims", ErrInvalidToken)
	}
	return &c, nil
}
