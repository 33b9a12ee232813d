// Package api is Spoor's HTTP API (gin) under /api/v1: login with JWT
// access tokens and rotating refresh tokens, tenants, users, sensors,
// per-day event chunks for the web client, and read-only SQL over a
// tenant's history.
//
// The tenant of every request comes from the verified access token; an MSSP
// operator (role mssp-admin) names the tenant it acts on in the URL. The
// router is assembled in router.go; each resource has one handler struct in
// a file of its own; every error leaves through one renderer (errors.go).
package api

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/spoorsec/spoor/auth/jwt"
	"github.com/spoorsec/spoor/tenant"
	"github.com/spoorsec/spoor/trails"
)

// Config configures the API (viper keys under "api.").
type Config struct {
	// Issuer and Audience of access tokens (defaults "spoor", "spoor-api").
	Issuer   string `mapstructure:"issuer"`
	Audience string `mapstructure:"audience"`
	// SigningKeys maps key id to a base64 (standard) HMAC key of at least
	// 32 bytes; SigningKeyID names the one that signs. Rotate by adding a
	// key, switching SigningKeyID, and removing the old key after
	// AccessTTL.
	SigningKeys  map[string]string `mapstructure:"signing_keys"`
	SigningKeyID string            `mapstructure:"signing_key_id"`
	// SealingKeys maps key id to a base64 (standard) 32-byte AES key that
	// encrypts secrets kept in the store (users' TOTP secrets);
	// SealingKeyID names the one that seals new values. Keep old keys
	// while values sealed with them remain. Without sealing keys, keys
	// derived from the signing keys are used: then a signing key must stay
	// configured as long as TOTP secrets sealed with it are in use.
	SealingKeys  map[string]string `mapstructure:"sealing_keys"`
	SealingKeyID string            `mapstructure:"sealing_key_id"`
	// TOTPIssuer is the issuer name authenticator apps show (default
	// "Spoor").
	TOTPIssuer string `mapstructure:"totp_issuer"`
	// AccessTTL (default 15m) and RefreshTTL (default 168h) are the token
	// lifetimes.
	AccessTTL  time.Duration `mapstructure:"access_ttl"`
	RefreshTTL time.Duration `mapstructure:"refresh_ttl"`

	// OperatorTenant holds the MSSP's own users (default "mssp").
	OperatorTenant string `mapstructure:"operator_tenant"`
	// AdminUser is the first MSSP admin (default "admin"), created at
	// first start with AdminPassword, or with a random password printed
	// once if that is empty.
	AdminUser     string `mapstructure:"admin_user"`
	AdminPassword string `mapstructure:"admin_password"`

	// Lockout: after LockoutUserFailures failed logins for one user name,
	// or LockoutAddrFailures from one client address, within
	// LockoutWindow, further attempts are refused for LockoutDuration.
	LockoutUserFailures int           `mapstructure:"lockout_user_failures"`
	LockoutAddrFailures int           `mapstructure:"lockout_addr_failures"`
	LockoutWindow       time.Duration `mapstructure:"lockout_window"`
	LockoutDuration     time.Duration `mapstructure:"lockout_duration"`

	// SQL limits: result rows (default 10,000), run time (default 30s),
	// memory (default 2 GiB), query text (default 16 KiB).
	SQLMaxRows        int           `mapstructure:"sql_max_rows"`
	SQLTimeout        time.Duration `mapstructure:"sql_timeout"`
	SQLMaxMemoryBytes uint64        `mapstructure:"sql_max_memory_bytes"`
	SQLMaxQueryBytes  int           `mapstructure:"sql_max_query_bytes"`

	// ChunkEvents is the number of events per chunk of a day's stream
	// (default 100,000: fewer, larger engine reads; the first chunk is small).
	ChunkEvents int `mapstructure:"chunk_events"`
	// DayStreams is how many day streams run at once (default twice the
	// CPUs): each keeps a core and the engine busy, so more would only
	// share them and hold more pages in memory. Further requests wait up
	// to DayStreamWait (default 30s) for a turn, then get 503.
	DayStreams    int           `mapstructure:"day_streams"`
	DayStreamWait time.Duration `mapstructure:"day_stream_wait"`
	// ClosedDayAfter is how long after a day's end (in the tenant's zone) it is treated as
	// closed: immutable and cacheable (default 1h, for late batches).
	ClosedDayAfter time.Duration `mapstructure:"closed_day_after"`
	// LivePoll is how often the live tail looks for new events (default 1s).
	LivePoll time.Duration `mapstructure:"live_poll"`
	// LiveBuffer is the number of batches a live-tail client may fall
	// behind before it is cut off (default 256); LiveMaxSubscribers bounds
	// a tenant's live-tail clients (default 64).
	LiveBuffer         int `mapstructure:"live_buffer"`
	LiveMaxSubscribers int `mapstructure:"live_max_subscribers"`

	// Webhooks says which webhook targets tenants may register (keys
	// api.webhook_allow_http, api.webhook_allow_private; both off in
	// production).
	Webhooks WebhookPolicy `mapstructure:",squash"`

	// TrustedProxies are the proxies whose X-Forwarded-For is believed
	// when Handler builds its own engine (none by default).
	TrustedProxies []string `mapstructure:"trusted_proxies"`
}

func (c Config) withDefaults() Config {
	def := func(p *time.Duration, d time.Duration) {
		if *p <= 0 {
			*p = d
		}
	}
	defInt := func(p *int, d int) {
		if *p <= 0 {
			*p = d
		}
	}
	if c.Issuer == "" {
		c.Issuer = "spoor"
	}
	if c.Audience == "" {
		c.Audience = "spoor-api"
	}
	if c.OperatorTenant == "" {
		c.OperatorTenant = "mssp"
	}
	if c.AdminUser == "" {
		c.AdminUser = "admin"
	}
	if c.TOTPIssuer == "" {
		c.TOTPIssuer = "Spoor"
	}
	def(&c.AccessTTL, 15*time.Minute)
	def(&c.RefreshTTL, 7*24*time.Hour)
	def(&c.LockoutWindow, 15*time.Minute)
	def(&c.LockoutDuration, 15*time.Minute)
	def(&c.SQLTimeout, 30*time.Second)
	def(&c.ClosedDayAfter, time.Hour)
	def(&c.LivePoll, time.Second)
	defInt(&c.LockoutUserFailures, 5)
	defInt(&c.LockoutAddrFailures, 20)
	defInt(&c.SQLMaxRows, 10_000)
	defInt(&c.SQLMaxQueryBytes, 16<<10)
	defInt(&c.ChunkEvents, 100_000)
	defInt(&c.DayStreams, 2*runtime.GOMAXPROCS(0))
	def(&c.DayStreamWait, 30*time.Second)
	if c.SQLMaxMemoryBytes == 0 {
		c.SQLMaxMemoryBytes = 2 << 30
	}
	return c
}

// Validate checks the configuration (after defaults).
func (c Config) Validate() error {
	c = c.withDefaults()
	if _, err := tenant.New(c.OperatorTenant); err != nil {
		return fmt.Errorf("api.operator_tenant: %w", err)
	}
	if _, err := c.keyring(time.Now); err != nil {
		return fmt.Errorf("api.signing_keys: %w", err)
	}
	if _, err := newSealer(c); err != nil {
		return fmt.Errorf("api.sealing_keys: %w", err)
	}
	if c.AdminPassword != "" && len(c.AdminPassword) < 12 {
		return errors.New("api.admin_password: at least 12 characters")
	}
	if c.ChunkEvents > 100_000 {
		return errors.New("api.chunk_events: at most 100000")
	}
	return nil
}

func (c Config) keyring(now func() time.Time) (*jwt.Keyring, error) {
	keys := make(map[string][]byte, len(c.SigningKeys))
	for kid, b64 := range c.SigningKeys {
		k, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, fmt.Errorf("key %q is not base64: %w", kid, err)
		}
		keys[kid] = k
	}
	return jwt.NewKeyring(jwt.Config{Keys: keys, SigningKeyID: c.SigningKeyID, Issuer: c.Issuer,
		Audience: c.Audience, Leeway: 5 * time.Second, Now: now})
}

// Deps are the API's dependencies.
type Deps struct {
	Store Store
	// Now is the clock (default time.Now).
	Now func() time.Time
	// BootstrapOut receives the one-time admin password if one is
	// generated (default os.Stderr).
	BootstrapOut io.Writer
	// Trails returns the global trail set the sensors match, for /check
	// (nil, or a nil result, means custom trails only).
	Trails func() *trails.Set
	// TrailsChanged, if set, is called after a tenant's custom trails or
	// whitelist changed (the collector then serves its sensors the new
	// overlay at their next poll).
	TrailsChanged func(tenant.ID)
	// Live is the live-tail broker the collector publishes stored events
	// to (default a new one; get it with API.Live).
	Live *Live
	// Registerer receives the API's metrics (spoor_api_*); the collector
	// passes the registry it serves at /metrics. Nil keeps them private.
	Registerer prometheus.Registerer
}

// API is the HTTP API. Build it with New, mount it with Register.
type API struct {
	cfg      Config
	store    Store
	log      *slog.Logger
	now      func() time.Time
	keys     *jwt.Keyring
	operator tenant.ID
	lockout  *lockout
	sealer   *sealer
	// dayStreams holds a token per running day stream (Config.DayStreams).
	dayStreams chan struct{}
	trails     func() *trails.Set
	changed    func(tenant.ID) // Deps.TrailsChanged
	live       *Live
	metrics    *apiMetrics
}

// New validates cfg, makes sure the operator tenant and its first admin
// exist, and returns the API.
func New(cfg Config, deps Deps, log *slog.Logger) (*API, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if deps.Store == nil {
		return nil, errors.New("api: no store")
	}
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "api")
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.BootstrapOut == nil {
		deps.BootstrapOut = os.Stderr
	}
	keys, err := cfg.keyring(deps.Now)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	sealer, err := newSealer(cfg)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	if deps.Registerer == nil {
		deps.Registerer = prometheus.NewRegistry()
	}
	metrics, err := newAPIMetrics(deps.Registerer)
	if err != nil {
		return nil, fmt.Errorf("api: cannot register metrics: %w", err)
	}
	a := &API{
		cfg:        cfg,
		store:      deps.Store,
		log:        log,
		now:        deps.Now,
		keys:       keys,
		operator:   tenant.MustNew(cfg.OperatorTenant),
		lockout:    newLockout(cfg, deps.Now, deps.Store, log),
		dayStreams: make(chan struct{}, cfg.DayStreams),
		sealer:     sealer,
		metrics:    metrics,
		trails:     deps.Trails,
		changed:    deps.TrailsChanged,
		live:       deps.Live,
	}
	if a.changed == nil {
		a.changed = func(tenant.ID) {}
	}
	if a.live == nil {
		a.live = NewLive(cfg.LiveBuffer, cfg.LiveMaxSubscribers)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := a.bootstrap(ctx, deps.BootstrapOut); err != nil {
		return nil, err
	}
	return a, nil
}

// Live returns the live-tail broker: publish each stored batch to it.
func (a *API) Live() *Live { return a.live }

// Handler returns a standalone engine serving only the API, with the
// configured trusted proxies (for tests and single-purpose deployments).
func (a *API) Handler() (http.Handler, error) {
	r := gin.New()
	if err := r.SetTrustedProxies(a.cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("api: trusted proxies: %w", err)
	}
	a.Register(r)
	return r, nil
}
