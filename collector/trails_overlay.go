package collector

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
	"github.com/spoorsec/spoor/trails"
)

// TrailStore is what trail delivery reads from the store: a tenant's custom
// trails and whitelist (*store.Store implements it).
type TrailStore interface {
	CustomTrails(ctx context.Context, t tenant.ID) ([]store.CustomTrail, error)
	Whitelist(ctx context.Context, t tenant.ID) ([]store.WhitelistEntry, error)
}

// overlayBundle is one version of a tenant's overlay as served.
type overlayBundle struct {
	etag      string // quoted
	body      []byte // zstd frame of the encoded overlay
	trails    int
	whitelist int
}

// overlayCache builds tenants' overlays from the store and keeps each for
// ttl, so that sensors polling every minute cost the store two small reads
// per tenant and ttl, not per sensor.
type overlayCache struct {
	st  TrailStore
	ttl time.Duration
	now func() time.Time
	enc *zstd.Encoder // EncodeAll is safe for concurrent use

	mu sync.Mutex
	m  map[tenant.ID]*overlayEntry
}

type overlayEntry struct {
	mu    sync.Mutex // one build per tenant at a time; others wait for it
	b     *overlayBundle
	built time.Time
}

func newOverlayCache(st TrailStore, ttl time.Duration, now func() time.Time) (*overlayCache, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, fmt.Errorf("cannot set up overlay compression: %w", err)
	}
	return &overlayCache{st: st, ttl: ttl, now: now, enc: enc, m: map[tenant.ID]*overlayEntry{}}, nil
}

// get returns tenant t's overlay, built at most ttl ago.
func (c *overlayCache) get(ctx context.Context, t tenant.ID) (*overlayBundle, error) {
	c.mu.Lock()
	e := c.m[t]
	if e == nil {
		e = &overlayEntry{}
		c.m[t] = e
	}
	c.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if now := c.now(); e.b != nil && now.Sub(e.built) < c.ttl {
		return e.b, nil
	}
	b, err := c.build(ctx, t)
	if err != nil {
		return nil, err
	}
	e.b, e.built = b, c.now()
	return b, nil
}

// invalidate drops tenant t's cached overlay, so that the next poll of
// its sensors sees a change made through the API at once.
func (c *overlayCache) invalidate(t tenant.ID) {
	c.mu.Lock()
	e := c.m[t]
	c.mu.Unlock()
	if e != nil {
		e.mu.Lock()
		e.b = nil
		e.mu.Unlock()
	}
}

func (c *overlayCache) build(ctx context.Context, t tenant.ID) (*overlayBundle, error) {
	custom, err := c.st.CustomTrails(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("cannot read the custom trails of tenant %s: %w", t, err)
	}
	wl, err := c.st.Whitelist(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("cannot read the whitelist of tenant %s: %w", t, err)
	}
	o := &trails.Overlay{
		Trails:    make([]trails.OverlayTrail, 0, len(custom)),
		Whitelist: make([]string, 0, len(wl)),
	}
	for _, v := range custom {
		o.Trails = append(o.Trails, trails.OverlayTrail{Key: v.Trail, Info: v.Info, Reference: v.Reference})
	}
	for _, v := range wl {
		o.Whitelist = append(o.Whitelist, v.Entry)
	}
	raw := trails.EncodeOverlay(o)
	sum := sha256.Sum256(raw)
	return &overlayBundle{
		etag:      `"` + hex.EncodeToString(sum[:16]) + `"`,
		body:      c.enc.EncodeAll(raw, nil),
		trails:    len(o.Trails),
		whitelist: len(o.Whitelist),
	}, nil
}
