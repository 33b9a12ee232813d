package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// newSecret returns a random token with a prefix naming its kind
// ("spr_" refresh tokens), 256 bits of entropy in base64url.
func newSecret(prefix string) string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand contract since Go 1.24)
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// newID returns a random 16-hex-digit identifier.
func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// hashSecret is how tokens are stored and looked up: SHA-256 in hex. A
// fast hash is right here: the tokens are 256-bit random, not passwords.
func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
