package store

import (
	"context"
	"fmt"
	"time"

	"github.com/spoorsec/spoor/tenant"
)

// User is a person who logs in to the API. Name is unique within its
// tenant; hashing the password is the API's job.
type User struct {
	Tenant       tenant.ID
	Name         string
	PasswordHash string
	Role         string
	Disabled     bool
	// TOTPSecret is the sealed second-factor secret, in force when
	// TOTPEnabled; TOTPPending is a sealed secret set up but not yet
	// confirmed. Sealing is the API's job: the store never sees them
	// plain.
	TOTPSecret  string
	TOTPPending string
	TOTPEnabled bool
	// TOTPLastStep is the time step of the last accepted code, refused
	// from then on (replay).
	TOTPLastStep uint64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

var usersTable = table[User]{
	name: "users",
	cols: []col{{"name", kStr}, {"password_hash", kStr}, {"role", kStr}, {"disabled", kBool},
		{"totp_secret", kStr}, {"totp_pending", kStr}, {"totp_enabled", kBool}, {"totp_last_step", kU64},
		{"created_at", kMilli}, {"updated_at", kMilli}},
	nkey: 1,
	fields: func(v *User) []any {
		return []any{&v.Name, &v.PasswordHash, &v.Role, &v.Disabled,
			&v.TOTPSecret, &v.TOTPPending, &v.TOTPEnabled, &v.TOTPLastStep, &v.CreatedAt, &v.UpdatedAt}
	},
	setTenant: func(v *User, t tenant.ID) { v.Tenant = t },
}

// PutUser creates or replaces user v.Name of tenant t.
func (s *Store) PutUser(ctx context.Context, t tenant.ID, v User) error {
	if v.Name == "" {
		return fmt.Errorf("%w: user without a name", ErrInvalid)
	}
	stamp(s, &v.CreatedAt, &v.UpdatedAt)
	return usersTable.put(ctx, s, t, &v)
}

// User returns user name of tenant t, or ErrNotFound.
func (s *Store) User(ctx context.Context, t tenant.ID, name string) (User, error) {
	return usersTable.get(ctx, s, t, name)
}

// Users lists tenant t's users by name.
func (s *Store) Users(ctx context.Context, t tenant.ID) ([]User, error) {
	return usersTable.list(ctx, s, t)
}

// DeleteUser removes user name of tenant t.
func (s *Store) DeleteUser(ctx context.Context, t tenant.ID, name string) error {
	return usersTable.del(ctx, s, t, name)
}

// UsersByName finds the users called name in every tenant, for login
// before the tenant is known. It is a cross-tenant lookup: use it only to
// authenticate.
func (s *Store) UsersByName(ctx context.Context, name string) ([]User, error) {
	return usersTable.selectRows(ctx, s, "name = {name:String}", []param{strParam("name", name)}, "", 0)
}

// stamp sets a zero created time and the updated time to now.
func stamp(s *Store, created, updated *time.Time) {
	now := s.now().UTC()
	if created.IsZero() {
		*created = now
	}
	*updated = now
}
