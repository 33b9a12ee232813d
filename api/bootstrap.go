package api

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spoorsec/spoor/auth/password"
	"github.com/spoorsec/spoor/store"
)

// bootstrap creates the operator tenant and, if it has no users yet, the
// first MSSP admin: with the configured password, or a random one printed
// once to out (it is never logged or stored in clear).
func (a *API) bootstrap(ctx context.Context, out io.Writer) error {
	if _, err := a.store.Tenant(ctx, a.operator); errors.Is(err, store.ErrNotFound) {
		if err := a.store.PutTenant(ctx, store.Tenant{ID: a.operator, Name: "MSSP operators"}); err != nil {
			return fmt.Errorf("api: cannot create operator tenant: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("api: cannot read operator tenant: %w", err)
	}
	users, err := a.store.Users(ctx, a.operator)
	if err != nil {
		return fmt.Errorf("api: cannot list operators: %w", err)
	}
	if len(users) > 0 {
		return nil
	}
	pw, generated := a.cfg.AdminPassword, false
	if pw == "" {
		pw, generated = newSecret("")[:24], true
	}
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		return fmt.Errorf("api: cannot hash admin password: %w", err)
	}
	if err := a.store.PutUser(ctx, a.operator, store.User{Name: a.cfg.AdminUser, PasswordHash: hash, Role: string(RoleMSSPAdmin)}); err != nil {
		return fmt.Errorf("api: cannot create admin user: %w", err)
	}
	auditor{store: a.store, log: a.log}.record(ctx, a.operator, "spoor", "user.create", a.cfg.AdminUser, "first start")
	if generated {
		fmt.Fprintf(out, "spoor: created MSSP admin %q (tenant %q) with password %s\n"+
			"spoor: this password is shown only once; change it after logging in\n", a.cfg.AdminUser, a.operator, pw)
	}
	a.log.Info("created first MSSP admin", "user", a.cfg.AdminUser, "tenant", a.operator)
	return nil
}
