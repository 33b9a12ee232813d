// Package collector receives sensors' events and stores them: HTTPS batch
// ingest (POST /api/v1/ingest, bearer token, gzip/zstd, idempotent by
// batch ID), signed UDP datagrams, sensor health and ingest metrics at
// /metrics, and GET /healthz. It also delivers trails to sensors: the
// global trail set and each tenant's custom trails and whitelist
// (trails_global.go). Its gin engine also hosts other components'
// routes (the API and web UI) through Options.Mounts.
//
// The tenant of every stored event is the tenant of the credential that
// sent it; a batch declaring another tenant is refused. A batch is
// answered 2xx only after the store has it; anything refused is refused
// whole, with a 4xx naming the reason, and nothing of it is stored.
package collector

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/spoorsec/spoor/ingest"
	"github.com/spoorsec/spoor/store"
)

// Config is the collector's configuration (keys collector.* in the
// command's configuration).
type Config struct {
	// Listen is the HTTPS address, host:port.
	Listen string
	// UDPListen is the UDP ingest address: "" means the host:port of
	// Listen, "off" disables UDP.
	UDPListen string
	// TLSCert and TLSKey are PEM files. When both are empty the collector
	// uses a self-signed certificate kept in TLSDir (generated on first
	// start), or a throwaway one when TLSDir is empty too.
	TLSCert, TLSKey string
	TLSDir          string
	// TrustedProxies are the proxies whose X-Forwarded-For gin believes
	// (default none).
	TrustedProxies []string

	// MaxBodyBytes bounds a request body as sent (default 16 MiB);
	// MaxDecodedBytes bounds it inflated (default 64 MiB); MaxEvents bounds
	// a batch's events (default 100,000).
	MaxBodyBytes    int64
	MaxDecodedBytes int
	MaxEvents       int
	// MaxInFlight bounds batches decoded and stored at once, and so the
	// memory ingest uses (default 4).
	MaxInFlight int
	// MaxFuture and MaxAge bound event times around the collector's clock
	// (defaults 1 h and 30 years: replayed captures are legitimate, a
	// clock at zero or in another century is not).
	MaxFuture, MaxAge time.Duration
	// RateEvents is each sensor's sustained events per second (0: no
	// limit) and RateBurst what it may send at once (default 10 s worth).
	RateEvents float64
	RateBurst  float64
	// CredentialTTL is how long a sensor lookup is cached: a revoked token
	// stops working within it (default 30 s).
	CredentialTTL time.Duration

	// UDPMaxSkew bounds a datagram's timestamp around the collector's
	// clock (default 30 s); UDPBatch and UDPLinger cut UDP events into
	// store batches (defaults 20,000 events, 500 ms); UDPReadBuffer is the
	// socket's receive buffer (default 16 MiB).
	UDPMaxSkew    time.Duration
	UDPBatch      int
	UDPLinger     time.Duration
	UDPReadBuffer int

	// Trails is the global trail set served to sensors (GET
	// /api/v1/sensor/trails): a compiled trails.bin, a trails.csv or a
	// Maltrail trail directory; "" serves none. TrailsCheck is how often
	// it is checked for changes (default 1 min). OverlayTTL is how long a
	// tenant's overlay (custom trails and whitelist, GET
	// /api/v1/sensor/overlay) is reused before the store is read again
	// (default 5 s): an API change reaches sensors within their poll
	// interval plus OverlayTTL.
	Trails      string
	TrailsCheck time.Duration
	OverlayTTL  time.Duration
}

// SetDefaults fills zero fields with their defaults.
func (c *Config) SetDefaults() {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 16 << 20
	}
	if c.MaxDecodedBytes <= 0 {
		c.MaxDecodedBytes = 64 << 20
	}
	if c.MaxEvents <= 0 {
		c.MaxEvents = ingest.DefaultMaxEvents
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = 4
	}
	if c.MaxFuture <= 0 {
		c.MaxFuture = time.Hour
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 30 * 365 * 24 * time.Hour
	}
	if c.RateEvents > 0 && c.RateBurst <= 0 {
		c.RateBurst = 10 * c.RateEvents
	}
	if c.CredentialTTL <= 0 {
		c.CredentialTTL = 30 * time.Second
	}
	if c.UDPMaxSkew <= 0 {
		c.UDPMaxSkew = 30 * time.Second
	}
	if c.UDPBatch <= 0 {
		c.UDPBatch = 20_000
	}
	if c.UDPLinger <= 0 {
		c.UDPLinger = 500 * time.Millisecond
	}
	if c.UDPReadBuffer <= 0 {
		c.UDPReadBuffer = 16 << 20
	}
	if c.TrailsCheck <= 0 {
		c.TrailsCheck = time.Minute
	}
	if c.OverlayTTL <= 0 {
		c.OverlayTTL = 5 * time.Second
	}
}

// Validate checks the configuration (after SetDefaults).
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("collector: listen address %q: %w", c.Listen, err)
	}
	if c.UDPListen != "" && c.UDPListen != "off" {
		if _, _, err := net.SplitHostPort(c.UDPListen); err != nil {
			return fmt.Errorf("collector: UDP listen address %q: %w", c.UDPListen, err)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("collector: give both a TLS certificate and its key, or neither")
	}
	if c.MaxEvents > 1_000_000 {
		return fmt.Errorf("collector: at most 1,000,000 events per batch, got %d", c.MaxEvents)
	}
	if c.RateEvents < 0 {
		return errors.New("collector: negative rate limit")
	}
	return nil
}

// Options carry the collector's collaborators.
type Options struct {
	// Mounts add routes to the collector's gin engine (the API, the web
	// UI), called in order after the collector's own routes: POST
	// /api/v1/ingest, GET /api/v1/sensor/trails, GET
	// /api/v1/sensor/overlay, GET /healthz and GET /metrics are taken. The engine
	// already has a recovery middleware and trusts only TrustedProxies.
	Mounts []func(*gin.Engine)
	// Registry receives the collector's metrics and is served at /metrics
	// (default NewRegistry()); pass one to add other components' series.
	Registry *prometheus.Registry
	// TrailStore, when set, serves tenants' custom trails and whitelists
	// to their sensors (GET /api/v1/sensor/overlay).
	TrailStore TrailStore
	Logger     *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Collector is a running ingest server.
type Collector struct {
	cfg     Config
	store   store.Ingest
	log     *slog.Logger
	now     func() time.Time
	started time.Time
	met     *metrics
	reg     *prometheus.Registry
	engine  *gin.Engine
	decomp  *ingest.Decompressor
	creds   *credCache
	limits  *rateLimiter
	slots   chan *scratch
	tlsCert tls.Certificate

	trailMet *trailMetrics
	global   *globalTrails // nil without Config.Trails
	overlays *overlayCache // nil without Options.TrailStore

	httpSrv  *http.Server
	httpLn   net.Listener
	udp      *udpServer
	serveErr chan error

	stopOnce sync.Once
	bg       context.Context // canceled when shutdown gives up waiting
	cancelBg context.CancelFunc
}

// New builds a collector; Start serves it.
func New(cfg Config, st store.Ingest, o Options) (*Collector, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Registry == nil {
		o.Registry = NewRegistry()
	}
	log := o.Logger.With("component", "collector")
	met, err := newMetrics(o.Registry)
	if err != nil {
		return nil, fmt.Errorf("collector: cannot register metrics: %w", err)
	}
	decomp, err := ingest.NewDecompressor(cfg.MaxDecodedBytes)
	if err != nil {
		return nil, err
	}
	cert, err := loadCertificate(cfg, log)
	if err != nil {
		return nil, err
	}
	trailMet, err := newTrailMetrics(o.Registry)
	if err != nil {
		return nil, fmt.Errorf("collector: cannot register metrics: %w", err)
	}
	var global *globalTrails
	if cfg.Trails != "" {
		if global, err = newGlobalTrails(cfg.Trails, trailMet, log, o.Now); err != nil {
			return nil, fmt.Errorf("collector: %w", err)
		}
	}
	var overlays *overlayCache
	if o.TrailStore != nil {
		if overlays, err = newOverlayCache(o.TrailStore, cfg.OverlayTTL, o.Now); err != nil {
			return nil, fmt.Errorf("collector: %w", err)
		}
	}
	bg, cancel := context.WithCancel(context.Background())
	c := &Collector{
		cfg: cfg, store: st, log: log, now: o.Now, started: o.Now(), met: met, reg: o.Registry, decomp: decomp,
		creds:   newCredCache(st, cfg.CredentialTTL, o.Now),
		limits:  newRateLimiter(cfg.RateEvents, cfg.RateBurst, o.Now),
		slots:   make(chan *scratch, cfg.MaxInFlight),
		tlsCert: cert, serveErr: make(chan error, 2), bg: bg, cancelBg: cancel,
		trailMet: trailMet, global: global, overlays: overlays,
	}
	for i := 0; i < cfg.MaxInFlight; i++ {
		c.slots <- new(scratch)
	}
	c.engine = c.newEngine(o.Mounts)
	return c, nil
}

// newEngine builds the gin engine with the collector's routes and the
// mounted ones.
func (c *Collector) newEngine(mounts []func(*gin.Engine)) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if err := e.SetTrustedProxies(c.cfg.TrustedProxies); err != nil {
		c.log.Error("bad trusted proxies: trusting none", "err", err)
		e.SetTrustedProxies(nil)
	}
	e.Use(c.recovery)
	e.POST(IngestPath, c.handleIngest)
	e.GET(GlobalTrailsPath, c.handleGlobalTrails)
	e.GET(TrailsOverlayPath, c.handleTrailsOverlay)
	e.GET("/healthz", func(g *gin.Context) { g.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/metrics", gin.WrapH(promhttp.HandlerFor(c.reg, promhttp.HandlerOpts{Registry: c.reg})))
	for _, m := range mounts {
		m(e)
	}
	return e
}

// IngestPath is the HTTPS ingest endpoint.
const IngestPath = "/api/v1/ingest"

// recovery answers 500 to a panicking handler and logs it, without
// details for the client.
func (c *Collector) recovery(g *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			c.log.Error("handler panicked", "method", g.Request.Method, "path", g.Request.URL.Path, "panic", r)
			g.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": "internal error"})
		}
	}()
	g.Next()
}

// Handler is the collector's HTTP handler (for tests and embedding).
func (c *Collector) Handler() http.Handler { return c.engine }

// Start binds the listeners and serves in the background.
func (c *Collector) Start() error {
	ln, err := net.Listen("tcp", c.cfg.Listen)
	if err != nil {
		return fmt.Errorf("collector: cannot listen on %s: %w", c.cfg.Listen, err)
	}
	c.httpLn = ln
	c.httpSrv = &http.Server{
		Handler:           c.engine,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{c.tlsCert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(c.log.Handler(), slog.LevelDebug),
	}
	if addr := c.udpAddr(); addr != "" {
		u, err := newUDPServer(c, addr)
		if err != nil {
			ln.Close()
			return err
		}
		c.udp = u
		go u.run()
	}
	if c.global != nil {
		go c.global.watch(c.bg, c.cfg.TrailsCheck)
	}
	go func() {
		if err := c.httpSrv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.serveErr <- fmt.Errorf("collector: HTTPS server: %w", err)
		}
	}()
	c.log.Info("collector listening", "https", ln.Addr().String(), "udp", c.udpAddrString())
	return nil
}

func (c *Collector) udpAddr() string {
	switch c.cfg.UDPListen {
	case "off":
		return ""
	case "":
		return c.cfg.Listen
	}
	return c.cfg.UDPListen
}

func (c *Collector) udpAddrString() string {
	if c.udp == nil {
		return "off"
	}
	return c.udp.conn.LocalAddr().String()
}

// Addr is the HTTPS listener's address (after Start).
func (c *Collector) Addr() net.Addr { return c.httpLn.Addr() }

// UDPAddr is the UDP listener's address, or nil when UDP is off.
func (c *Collector) UDPAddr() net.Addr {
	if c.udp == nil {
		return nil
	}
	return c.udp.conn.LocalAddr()
}

// Certificate is the TLS certificate served (for pinning in tests and
// for printing its fingerprint).
func (c *Collector) Certificate() tls.Certificate { return c.tlsCert }

// Shutdown stops accepting, lets in-flight batches finish and be
// acknowledged, stores the UDP events received, and returns. When ctx ends
// first, in-flight requests are cut off (their sensors retry).
func (c *Collector) Shutdown(ctx context.Context) error {
	var errs []error
	c.stopOnce.Do(func() {
		if c.httpSrv != nil {
			if err := c.httpSrv.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("collector: HTTPS shutdown: %w", err))
				c.cancelBg()
				c.httpSrv.Close()
			}
		}
		if c.udp != nil {
			if err := c.udp.shutdown(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		c.cancelBg()
	})
	return errors.Join(errs...)
}

// Run starts the collector and serves until ctx is done, then shuts down
// within grace.
func (c *Collector) Run(ctx context.Context, grace time.Duration) error {
	if err := c.Start(); err != nil {
		return err
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-c.serveErr:
	}
	c.log.Info("collector stopping")
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	return errors.Join(serveErr, c.Shutdown(sctx))
}
