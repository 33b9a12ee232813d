// Package trailsync keeps a sensor's trails in step with its collector: the
// global trail set (a compiled trails.bin) and the sensor's tenant overlay
// (custom trails and whitelist), fetched with the sensor's bearer token on
// start and every poll interval, conditionally (If-None-Match, 304), and
// swapped into the engine atomically, so capture never pauses.
//
// The two resources are fetched separately because the global set is large
// and changes rarely while the overlay is small and changes often (see
// collector/trails_global.go); the sensor layers the overlay over the
// global set (trails.Set.Layer) in well under a millisecond.
//
// The last good global set and overlay are kept in a cache directory, so a
// sensor restarted while its collector is unreachable starts with them.
// When the collector cannot be reached, the sensor keeps what it has. A
// global set less than half the size of the current one is refused (logged,
// counted, the old one kept): far more often a broken build than a real
// change. Overlay changes are never refused: a tenant deleting its own
// custom trails is deliberate.
package trailsync

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spoorsec/spoor/trails"
)

// Collector paths and media types (the collector package defines the same;
// a sensor does not import the collector).
const (
	globalPath   = "/api/v1/sensor/trails"
	overlayPath  = "/api/v1/sensor/overlay"
	countHeader  = "X-Spoor-Trails"
	globalType   = "application/vnd.spoor.trails+zstd"
	overlayType  = "application/vnd.spoor.overlay+zstd"
	defaultPoll  = time.Minute
	maxOverlayMB = 64
)

// Target is the engine whose trails are kept current (*sensor.Engine).
type Target interface {
	// ReplaceTrails swaps the trail set atomically.
	ReplaceTrails(s *trails.Set)
	// SetWhitelist swaps the whitelist atomically.
	SetWhitelist(w *trails.Whitelist)
}

// Options configure a Syncer.
type Options struct {
	// URL is the collector, https://host:port.
	URL string
	// Token is the sensor's bearer token.
	Token string
	// TLS verifies the collector (nil: the system roots).
	TLS *tls.Config
	// CacheDir keeps the last good global set and overlay ("" = none).
	CacheDir string
	// Poll is the interval between fetches (default 1 min).
	Poll time.Duration
	// Timeout bounds one request, body included (default 2 min: the global
	// set is tens of MB).
	Timeout time.Duration
	// LocalTrails, when set, is the global set (the sensor's --trails) and
	// the collector's is not fetched; only the overlay is.
	LocalTrails *trails.Set
	// WhitelistFiles are the sensor's own whitelist files; the tenant's
	// entries are added to them.
	WhitelistFiles []string
	// MaxGlobalBytes bounds a decompressed global set (default 1 GiB).
	MaxGlobalBytes int64
	Logger         *slog.Logger
}

// Syncer fetches and applies trail updates. Bootstrap, then Run; both on
// one goroutine.
type Syncer struct {
	o       Options
	log     *slog.Logger
	client  *http.Client
	base    *url.URL
	localWL *trails.Whitelist
	met     *metrics

	global        *trails.Set
	globalETag    string
	refusedGlobal string // ETag of the last global set refused as too small
	overlay       *trails.Overlay
	overlayETag   string
}

// New checks the options; nothing is fetched yet.
func New(o Options) (*Syncer, error) {
	u, err := url.Parse(o.URL)
	if err != nil {
		return nil, fmt.Errorf("trailsync: bad collector URL: %w", err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("trailsync: collector URL %q: want https://host:port", o.URL)
	}
	if o.Token == "" {
		return nil, errors.New("trailsync: no sensor token")
	}
	if o.Poll <= 0 {
		o.Poll = defaultPoll
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.MaxGlobalBytes <= 0 {
		o.MaxGlobalBytes = 1 << 30
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	localWL, err := trails.LoadWhitelist(o.WhitelistFiles...)
	if err != nil {
		return nil, fmt.Errorf("trailsync: %w", err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = o.TLS
	return &Syncer{
		o: o, log: o.Logger.With("component", "trailsync"),
		client:  &http.Client{Transport: tr, Timeout: o.Timeout},
		base:    &url.URL{Scheme: u.Scheme, Host: u.Host},
		localWL: localWL,
		met:     newMetrics(),
		global:  o.LocalTrails,
	}, nil
}

// Bootstrap returns the trail set and whitelist to start the engine with:
// the cached ones, updated by one fetch when the collector answers. It
// fails only when no global set is to be had at all.
func (s *Syncer) Bootstrap(ctx context.Context) (*trails.Set, *trails.Whitelist, error) {
	s.loadCache()
	if err := s.poll(ctx); err != nil {
		s.log.Warn("cannot fetch trails from the collector at start", "err", err)
	}
	if s.global == nil {
		return nil, nil, errors.New("no trails: the collector did not deliver a global trail set and none is cached (give --trails)")
	}
	set, wl, err := s.combined()
	if err != nil {
		return nil, nil, err
	}
	s.met.trails.Set(float64(set.Len()))
	return set, wl, nil
}

// Run polls the collector until ctx ends, applying every change to t.
func (s *Syncer) Run(ctx context.Context, t Target) {
	for {
		// Up to 10% early, never late: polls of many sensors spread out,
		// and a change still arrives within one interval.
		wait := s.o.Poll - time.Duration(rand.Int64N(int64(s.o.Poll)/10+1))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		gen := s.globalETag + "|" + s.overlayETag
		if err := s.poll(ctx); err != nil {
			if ctx.Err() == nil {
				s.log.Warn("cannot fetch trails from the collector: keeping the current ones", "err", err)
			}
		}
		if s.globalETag+"|"+s.overlayETag == gen {
			continue
		}
		if err := s.apply(t); err != nil {
			s.log.Error("cannot apply new trails: keeping the current ones", "err", err)
		}
	}
}

// apply layers the overlay over the global set and swaps both the set and
// the whitelist into t.
func (s *Syncer) apply(t Target) error {
	start := time.Now()
	set, wl, err := s.combined()
	if err != nil {
		return err
	}
	t.SetWhitelist(wl)
	t.ReplaceTrails(set)
	took := time.Since(start)
	s.met.swap.Set(took.Seconds())
	s.met.trails.Set(float64(set.Len()))
	custom, _ := set.Layered()
	s.log.Info("trails updated", "trails", set.Len(), "custom", custom, "global_version", s.globalETag,
		"overlay_version", s.overlayETag, "took", took.Round(time.Microsecond))
	return nil
}

// combined is the global set with the overlay on top, and the sensor's
// whitelist with the tenant's entries.
func (s *Syncer) combined() (*trails.Set, *trails.Whitelist, error) {
	if s.overlay == nil || len(s.overlay.Trails)+len(s.overlay.Whitelist) == 0 {
		return s.global, s.localWL, nil
	}
	wl, err := trails.LoadWhitelistWith(s.overlay.Whitelist, s.o.WhitelistFiles...)
	if err != nil {
		return nil, nil, err
	}
	return s.global.Layer(s.overlay, s.localWL, s.log), wl, nil
}

// poll fetches both resources once; either may change even if the other
// fails.
func (s *Syncer) poll(ctx context.Context) error {
	var errs []error
	if s.o.LocalTrails == nil {
		if err := s.fetchGlobal(ctx); err != nil {
			if !errors.Is(err, ErrShrank) {
				s.met.errors.WithLabelValues("global").Inc()
			}
			errs = append(errs, err)
		}
	}
	if err := s.fetchOverlay(ctx); err != nil {
		s.met.errors.WithLabelValues("overlay").Inc()
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		s.met.lastSuccess.SetToCurrentTime()
	}
	return errors.Join(errs...)
}

// get sends a conditional GET for path; the caller closes the body of a
// 200. A 304 returns a nil response.
func (s *Syncer) get(ctx context.Context, path string, etags ...string) (*http.Response, error) {
	u := *s.base
	u.Path = path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+s.o.Token)
	var tags []string
	for _, t := range etags {
		if t != "" {
			tags = append(tags, t)
		}
	}
	if len(tags) > 0 {
		req.Header.Set("If-None-Match", strings.Join(tags, ", "))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return resp, nil
	case http.StatusNotModified:
		resp.Body.Close()
		return nil, nil
	}
	defer resp.Body.Close()
	msg := readError(resp)
	if resp.StatusCode == http.StatusUnauthorized {
		return nil, fmt.Errorf("GET %s: the collector refuses the sensor token (%s)", path, msg)
	}
	return nil, fmt.Errorf("GET %s: %s (%s)", path, resp.Status, msg)
}
