package collector

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/spoorsec/spoor/store"
)

// Credential outcomes that are answered, not retried.
var (
	errUnknownCredential = errors.New("unknown credential")
	errRevokedCredential = errors.New("revoked credential")
	errAuthOverload      = errors.New("too many credential lookups")
)

const (
	// maxCachedCreds bounds the cache; past it, the cache starts over.
	maxCachedCreds = 100_000
	// lookupRate bounds store lookups of credentials not in the cache, so
	// a flood of made-up tokens cannot flood the store.
	lookupRate  = 200
	lookupBurst = 400
)

// credCache caches sensor lookups by token hash and by UDP key ID,
// answers included: a refusal is cached as long as a sensor, so unknown
// credentials cost one store lookup per TTL.
type credCache struct {
	st      store.Ingest
	ttl     time.Duration
	now     func() time.Time
	lookups *bucket

	mu sync.Mutex
	m  map[string]credEntry
}

type credEntry struct {
	sensor store.Sensor
	err    error
	until  time.Time
}

func newCredCache(st store.Ingest, ttl time.Duration, now func() time.Time) *credCache {
	return &credCache{st: st, ttl: ttl, now: now, lookups: newBucket(lookupRate, lookupBurst, now()), m: map[string]credEntry{}}
}

// byToken returns the sensor whose token hashes to hash.
func (c *credCache) byToken(ctx context.Context, hash string) (store.Sensor, error) {
	return c.get(ctx, "t"+hash, func() (store.Sensor, error) { return c.st.SensorByTokenHash(ctx, hash) })
}

// byUDPKey returns the sensor owning UDP key id.
func (c *credCache) byUDPKey(ctx context.Context, id string) (store.Sensor, error) {
	return c.get(ctx, "u"+id, func() (store.Sensor, error) { return c.st.SensorByUDPKeyID(ctx, id) })
}

func (c *credCache) get(ctx context.Context, key string, lookup func() (store.Sensor, error)) (store.Sensor, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.m[key]
	if ok && now.Before(e.until) {
		c.mu.Unlock()
		return e.sensor, e.err
	}
	if !c.lookups.take(1, now) {
		c.mu.Unlock()
		return store.Sensor{}, errAuthOverload
	}
	c.mu.Unlock()
	s, err := lookup()
	switch {
	case err == nil:
	case errors.Is(err, store.ErrRevoked):
		err = errRevokedCredential
	case errors.Is(err, store.ErrNotFound):
		err = errUnknownCredential
	default:
		return s, err // the store is failing: do not cache
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedCreds {
		clear(c.m)
	}
	c.m[key] = credEntry{sensor: s, err: err, until: now.Add(c.ttl)}
	c.mu.Unlock()
	return s, err
}
