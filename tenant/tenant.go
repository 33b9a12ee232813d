// Package tenant names a Spoor tenant and carries it through a request.
//
// The tenant is decided only at the edges — the collector's sensor
// credential check and the API's authentication middleware — and put on
// the context with WithTenant. From there it is an explicit argument to
// every store method, so code that touches tenant data cannot forget it.
package tenant

import (
	"context"
	"errors"
	"fmt"
)

// MaxLen is the longest tenant ID, in bytes.
const MaxLen = 64

// ID identifies a tenant. The zero value is not a valid ID; obtain one from
// New (untrusted input) or MustNew (constants, tests).
type ID string

// ErrNoTenant is returned by FromContext when the context carries no tenant.
var ErrNoTenant = errors.New("tenant: no tenant in context")

// ErrInvalid is wrapped by New's errors.
var ErrInvalid = errors.New("tenant: invalid id")

// New validates s as a tenant ID: 1 to MaxLen bytes from [a-z0-9-_]. The
// alphabet keeps IDs safe as path segments, metric labels, ClickHouse
// identifiers' suffixes and cache keys; it excludes '.', so "." and ".."
// (which would name a directory) are rejected as well.
func New(s string) (ID, error) {
	switch {
	case s == "":
		return "", fmt.Errorf("%w: empty", ErrInvalid)
	case len(s) > MaxLen:
		return "", fmt.Errorf("%w: %d bytes, at most %d allowed", ErrInvalid, len(s), MaxLen)
	case s == "." || s == "..":
		return "", fmt.Errorf("%w: %q", ErrInvalid, s)
	}
	for i := 0; i < len(s); i++ {
		if !allowed(s[i]) {
			return "", fmt.Errorf("%w: byte %q at %d (allowed: a-z 0-9 - _)", ErrInvalid, s[i], i)
		}
	}
	return ID(s), nil
}

// MustNew is New for IDs known to be valid; it panics otherwise. Use it for
// constants and tests, never for input.
func MustNew(s string) ID {
	id, err := New(s)
	if err != nil {
		panic(err)
	}
	return id
}

func allowed(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// String returns the ID as text.
func (id ID) String() string { return string(id) }

// Valid reports whether id would pass New; a zero ID is not valid.
func (id ID) Valid() bool {
	_, err := New(string(id))
	return err == nil
}

type ctxKey struct{}

// WithTenant returns a copy of ctx carrying id.
func WithTenant(ctx context.Context, id ID) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the tenant put on ctx by WithTenant, or ErrNoTenant.
func FromContext(ctx context.Context) (ID, error) {
	id, ok := ctx.Value(ctxKey{}).(ID)
	if !ok || id == "" {
		return "", ErrNoTenant
	}
	return id, nil
}
