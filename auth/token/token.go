// Package token makes and checks Spoor's secret credentials: bearer tokens
// (sensor ingest tokens, API tokens), the UDP keys sensors sign datagrams
// with, and random record IDs.
//
// A bearer token is a kind prefix followed by 43 characters of unpadded
// base64url: 32 bytes from crypto/rand, e.g.
//
//	spoor_s_3q2-7wEcJm6AfV0nEo5Ym5o3bx8c1cWcFQdnvHpY2kQ   (sensor)
//	spoor_a_...                                          (API)
//
// Only Hash(token) is ever stored (store.Sensor.TokenHash,
// store.APIToken.TokenHash). The hash is a plain SHA-256, hex: a token
// carries 256 random bits, so unlike a password it cannot be guessed and
// needs no slow, salted hash; a deterministic hash lets the collector and
// the API find the credential by its hash with one indexed lookup.
// Check rejects malformed tokens before any lookup, so garbage never costs
// a database query.
//
// A UDP key is stored as given (the collector must verify HMACs with it);
// its text is 43 characters of unpadded base64url (32 random bytes) and
// DecodeUDPKey turns it into the HMAC-SHA256 key.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Kind is a token's prefix: it says what the token is for, so a token
// pasted in the wrong place is refused at once (and secret scanners can
// recognise it).
type Kind string

// Token kinds.
const (
	Sensor Kind = "spoor_s_"
	API    Kind = "spoor_a_"
)

// secretBytes is the randomness in every token and key.
const secretBytes = 32

// secretLen is the base64url length of secretBytes.
var secretLen = base64.RawURLEncoding.EncodedLen(secretBytes)

// ErrMalformed is wrapped by Check and DecodeUDPKey.
var ErrMalformed = errors.New("token: malformed")

// New returns a fresh random token of kind k.
func New(k Kind) (string, error) {
	s, err := secret()
	if err != nil {
		return "", err
	}
	return string(k) + s, nil
}

// Hash returns the stored form of tok: hex SHA-256.
func Hash(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// Check reports whether tok is syntactically a token of kind k.
func Check(k Kind, tok string) error {
	rest, ok := strings.CutPrefix(tok, string(k))
	if !ok {
		return fmt.Errorf("%w: not a %s token", ErrMalformed, strings.TrimSuffix(string(k), "_"))
	}
	if len(rest) != secretLen || !isBase64URL(rest) {
		return fmt.Errorf("%w: want %d base64url characters after %q", ErrMalformed, secretLen, string(k))
	}
	return nil
}

// NewUDPKey returns a fresh UDP key: its public ID (sent in every
// datagram, "k" and 16 hex digits) and its secret text.
func NewUDPKey() (id, key string, err error) {
	if id, err = NewID("k"); err != nil {
		return "", "", err
	}
	if key, err = secret(); err != nil {
		return "", "", err
	}
	return id, key, nil
}

// DecodeUDPKey returns the HMAC key of a UDP key's text.
func DecodeUDPKey(key string) ([]byte, error) {
	if len(key) != secretLen {
		return nil, fmt.Errorf("%w: UDP key must be %d base64url characters", ErrMalformed, secretLen)
	}
	b, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil {
		return nil, fmt.Errorf("%w: UDP key: %v", ErrMalformed, err)
	}
	return b, nil
}

// NewID returns prefix followed by 16 random hex digits: an identifier
// for records such as sensors and API tokens (64 random bits make
// collisions negligible at any realistic number of records).
func NewID(prefix string) (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("token: cannot read randomness: %w", err)
	}
	return prefix + hex.EncodeToString(b[:]), nil
}

func secret() (string, error) {
	var b [secretBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("token: cannot read randomness: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}
