// Package totp implements time-based one-time passwords (RFC 6238) as
// authenticator apps use them: HMAC-SHA-1, 6 digits, 30-second steps.
//
// Secrets are 160 random bits, written as unpadded base32 (RFC 4648) for
// the user to type or scan from an otpauth:// URI. Verify accepts the
// current step and one either side (clock drift and typing time) and
// returns the step it matched, which the caller records: a code whose step
// is not after the last accepted one is refused, so a code works once.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // RFC 6238's default, what authenticator apps compute
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Parameters every authenticator app supports.
const (
	Digits = 6
	Period = 30 * time.Second
	// Skew is how many steps either side of now a code may be from.
	Skew = 1
	// SecretBytes is the secret's length (RFC 4226 recommends 160 bits).
	SecretBytes = 20
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// ErrBadSecret is returned for a secret that is not base32 of at least
// 80 bits.
var ErrBadSecret = errors.New("totp: secret is not base32 of at least 10 bytes")

// NewSecret returns a random secret in unpadded base32.
func NewSecret() string {
	var b [SecretBytes]byte
	rand.Read(b[:]) // never fails (crypto/rand contract since Go 1.24)
	return b32.EncodeToString(b[:])
}

// decode parses a base32 secret, tolerating lower case, spaces and
// padding as apps and people write them.
func decode(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.ReplaceAll(secret, " ", ""))
	s = strings.TrimRight(s, "=")
	key, err := b32.DecodeString(s)
	if err != nil || len(key) < 10 {
		return nil, ErrBadSecret
	}
	return key, nil
}

// Step is the time step t falls in.
func Step(t time.Time) uint64 {
	return uint64(t.Unix()) / uint64(Period/time.Second)
}

// hotp is RFC 4226's HOTP with HMAC-SHA-1: the dynamically truncated
// HMAC of the counter, modulo 10^digits, zero-padded.
func hotp(key []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// Code returns the code for secret at time t.
func Code(secret string, t time.Time) (string, error) {
	key, err := decode(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, Step(t), Digits), nil
}

// Verify checks code against secret at time now, within Skew steps.
// Steps at or before lastStep (the last accepted one, 0 for none) are not
// accepted. It returns the matched step, to be recorded as the new
// lastStep.
func Verify(secret, code string, now time.Time, lastStep uint64) (uint64, bool) {
	if len(code) != Digits {
		return 0, false
	}
	key, err := decode(secret)
	if err != nil {
		return 0, false
	}
	cur := Step(now)
	matched, ok := uint64(0), false
	// Every candidate is computed and compared in constant time, so the
	// response time does not tell which step matched.
	for d := -Skew; d <= Skew; d++ {
		step := cur + uint64(d)
		if d < 0 && cur < uint64(-d) {
			continue
		}
		want := hotp(key, step, Digits)
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > lastStep && !ok {
			matched, ok = step, true
		}
	}
	return matched, ok
}

// URI returns the otpauth:// URI authenticator apps import (as a QR
// code): otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…
func URI(issuer, account, secret string) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(Digits))
	q.Set("period", fmt.Sprint(int(Period/time.Second)))
	return "otpauth://totp/" + label + "?" + q.Encode()
}
