package api

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // zone names resolve even on hosts without a zoneinfo database

	"github.com/spoorsec/spoor/tenant"
)

// tenantZone returns tenant t's time zone. A zone this binary cannot load
// (a row from a newer zone database) falls back to UTC, logged, rather
// than failing every day request.
func (a *API) tenantZone(ctx context.Context, t tenant.ID) (*time.Location, error) {
	v, err := a.store.Tenant(ctx, t)
	if err != nil {
		return nil, storeErr(fmt.Errorf("cannot read the time zone of tenant %s: %w", t, err), "tenant")
	}
	if v.TimeZone == "" || v.TimeZone == "UTC" {
		return time.UTC, nil
	}
	loc, err := loadZone(v.TimeZone)
	if err != nil {
		a.log.Warn("tenant time zone unknown; using UTC", "tenant", t, "time_zone", v.TimeZone, "err", err)
		return time.UTC, nil
	}
	return loc, nil
}

// zones caches loaded locations: LoadLocation parses a zoneinfo file on
// every call.
var zones sync.Map // string → *time.Location

// loadZone resolves an IANA zone name. "Local" and "" are refused: a
// tenant's days must not depend on the server's settings.
func loadZone(name string) (*time.Location, error) {
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location), nil
	}
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, errors.New("not an IANA time zone name")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
