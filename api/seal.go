package api

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// sealer encrypts the small secrets the API keeps in the store (TOTP
// secrets) with AES-256-GCM. A sealed value is "v1:KID:BASE64URL(nonce |
// ciphertext)"; the key id lets old values be opened after the sealing
// key is rotated. The additional data binds a value to its owner, so that
// a sealed secret copied onto another row does not open.
type sealer struct {
	keys    map[string]cipher.AEAD
	current string
}

const sealVersion = "v1"

// newSealer builds the sealer from the configured sealing keys, or, when
// none are configured, from keys derived (HKDF-SHA-256) from the token
// signing keys: values sealed that way stay readable only while their
// signing key is configured.
func newSealer(cfg Config) (*sealer, error) {
	raw := map[string][]byte{}
	current := cfg.SealingKeyID
	if len(cfg.SealingKeys) > 0 {
		for kid, b64 := range cfg.SealingKeys {
			k, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				return nil, fmt.Errorf("sealing key %q is not base64: %w", kid, err)
			}
			if len(k) != 32 {
				return nil, fmt.Errorf("sealing key %q has %d bytes, want 32", kid, len(k))
			}
			raw[kid] = k
		}
		if current == "" && len(raw) == 1 {
			for kid := range raw {
				current = kid
			}
		}
	} else {
		for kid, b64 := range cfg.SigningKeys {
			k, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				return nil, fmt.Errorf("signing key %q is not base64: %w", kid, err)
			}
			d, err := hkdf.Key(sha256.New, k, nil, "spoor api secret sealing v1", 32)
			if err != nil {
				return nil, fmt.Errorf("cannot derive a sealing key: %w", err)
			}
			raw["jwt-"+kid] = d
		}
		current = "jwt-" + cfg.SigningKeyID
	}
	s := &sealer{keys: map[string]cipher.AEAD{}, current: current}
	for kid, k := range raw {
		if kid == "" || strings.Contains(kid, ":") {
			return nil, fmt.Errorf("sealing key id %q is empty or has a colon", kid)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("sealing key %q: %w", kid, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("sealing key %q: %w", kid, err)
		}
		s.keys[kid] = aead
	}
	if _, ok := s.keys[current]; !ok {
		ids := make([]string, 0, len(s.keys))
		for kid := range s.keys {
			ids = append(ids, kid)
		}
		sort.Strings(ids)
		return nil, fmt.Errorf("sealing_key_id %q is not one of the sealing keys %v", current, ids)
	}
	return s, nil
}

var errUnsealable = errors.New("sealed value cannot be opened")

// seal encrypts plain for owner.
func (s *sealer) seal(plain, owner string) string {
	aead := s.keys[s.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	rand.Read(nonce) // never fails (crypto/rand contract since Go 1.24)
	out := aead.Seal(nonce, nonce, []byte(plain), []byte(owner))
	return sealVersion + ":" + s.current + ":" + base64.RawURLEncoding.EncodeToString(out)
}

// open decrypts a value sealed for owner.
func (s *sealer) open(sealed, owner string) (string, error) {
	ver, rest, ok1 := strings.Cut(sealed, ":")
	kid, b64, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || ver != sealVersion {
		return "", fmt.Errorf("%w: unknown format", errUnsealable)
	}
	aead, ok := s.keys[kid]
	if !ok {
		return "", fmt.Errorf("%w: key %q is not configured", errUnsealable, kid)
	}
	b, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil || len(b) < aead.NonceSize() {
		return "", fmt.Errorf("%w: malformed", errUnsealable)
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], []byte(owner))
	if err != nil {
		return "", fmt.Errorf("%w: %v", errUnsealable, err)
	}
	return string(plain), nil
}
