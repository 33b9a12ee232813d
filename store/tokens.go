package store

import (
	"context"
	"fmt"
	"time"

	"github.com/spoorsec/spoor/tenant"
)

// APIToken is a long-lived API credential (automation, Terraform). Only
// its hash is stored.
type APIToken struct {
	Tenant    tenant.ID
	ID        string
	Name      string
	TokenHash string
	Role      string
	// ExpiresAt is when the token stops working; zero means never.
	ExpiresAt time.Time
	Revoked   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

var tokensTable = table[APIToken]{
	name: "api_tokens",
	cols: []col{{"id", kStr}, {"name", kStr}, {"token_hash", kStr}, {"role", kStr}, {"expires_at", kMilli},
		{"revoked", kBool}, {"created_at", kMilli}, {"updated_at", kMilli}},
	nkey: 1,
	fields: func(v *APIToken) []any {
		return []any{&v.ID, &v.Name, &v.TokenHash, &v.Role, &v.ExpiresAt, &v.Revoked, &v.CreatedAt, &v.UpdatedAt}
	},
	setTenant: func(v *APIToken, t tenant.ID) { v.Tenant = t },
}

// PutAPIToken creates or replaces token v.ID of tenant t.
func (s *Store) PutAPIToken(ctx context.Context, t tenant.ID, v APIToken) error {
	if v.ID == "" || v.TokenHash == "" {
		return fmt.Errorf("%w: API token needs an ID and a hash", ErrInvalid)
	}
	stamp(s, &v.CreatedAt, &v.UpdatedAt)
	return tokensTable.put(ctx, s, t, &v)
}

// APIToken returns token id of tenant t, or ErrNotFound.
func (s *Store) APIToken(ctx context.Context, t tenant.ID, id string) (APIToken, error) {
	return tokensTable.get(ctx, s, t, id)
}

// APITokens lists tenant t's tokens by ID.
func (s *Store) APITokens(ctx context.Context, t tenant.ID) ([]APIToken, error) {
	return tokensTable.list(ctx, s, t)
}

// DeleteAPIToken removes token id of tenant t.
func (s *Store) DeleteAPIToken(ctx context.Context, t tenant.ID, id string) error {
	return tokensTable.del(ctx, s, t, id)
}

// APITokenByHash finds the token with hash in any tenant, for
// authentication. A revoked or expired token is returned with ErrRevoked
// or ErrExpired; no match is ErrNotFound.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (APIToken, error) {
	if hash == "" {
		return APIToken{}, fmt.Errorf("%w: empty token", ErrNotFound)
	}
	list, err := tokensTable.selectRows(ctx, s, "token_hash = {h:String}", []param{strParam("h", hash)}, "", 2)
	if err != nil {
		return APIToken{}, err
	}
	switch {
	case len(list) == 0:
		return APIToken{}, fmt.Errorf("%w: no API token with that hash", ErrNotFound)
	case len(list) > 1:
		return APIToken{}, fmt.Errorf("store: API token hash shared by %s/%s and %s/%s: refusing it",
			list[0].Tenant, list[0].ID, list[1].Tenant, list[1].ID)
	case list[0].Revoked:
		return list[0], fmt.Errorf("%w: API token %s of tenant %s", ErrRevoked, list[0].ID, list[0].Tenant)
	case !list[0].ExpiresAt.IsZero() && !s.now().Before(list[0].ExpiresAt):
		return list[0], fmt.Errorf("%w: API token %s of tenant %s", ErrExpired, list[0].ID, list[0].Tenant)
	}
	return list[0], nil
}
