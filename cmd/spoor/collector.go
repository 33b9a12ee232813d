package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/spoorsec/spoor/auth/password"
	"github.com/spoorsec/spoor/collector"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// collectorFlags maps configuration keys to the collector's flags.
var collectorFlags = map[string]string{
	"collector.listen":            "listen",
	"collector.udp_listen":        "udp-listen",
	"collector.tls_cert":          "tls-cert",
	"collector.tls_key":           "tls-key",
	"collector.tls_dir":           "tls-dir",
	"collector.trusted_proxies":   "trusted-proxies",
	"collector.max_body_bytes":    "max-body-bytes",
	"collector.max_decoded_bytes": "max-decoded-bytes",
	"collector.max_batch_events":  "max-batch-events",
	"collector.max_in_flight":     "max-in-flight",
	"collector.max_future":        "max-future",
	"collector.max_event_age":     "max-event-age",
	"collector.rate_limit":        "rate-limit",
	"collector.rate_burst":        "rate-burst",
	"collector.credential_ttl":    "credential-ttl",
	"collector.udp_max_skew":      "udp-max-skew",
	"collector.udp_batch":         "udp-batch",
	"collector.udp_linger":        "udp-linger",
	"collector.udp_read_buffer":   "udp-read-buffer",
	"collector.shutdown_grace":    "shutdown-grace",
	"collector.trails":            "trails",
	"collector.trails_check":      "trails-check",
	"collector.overlay_ttl":       "overlay-ttl",
	"collector.log_level":         "log-level",
	"api.operator_tenant":         "operator-tenant",
}

func collectorFlagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("collector", pflag.ContinueOnError)
	fs.String("config", "", "YAML configuration file (see spoor.example.yaml)")
	addStoreFlags(fs)
	fs.String("listen", "127.0.0.1:8443", "HTTPS address (ingest, API, UI, /metrics, /healthz)")
	fs.String("udp-listen", "", `UDP ingest address (default: the --listen address; "off" disables UDP)`)
	fs.String("tls-cert", "", "TLS certificate (PEM); default: a self-signed one kept in --tls-dir")
	fs.String("tls-key", "", "TLS private key (PEM)")
	fs.String("tls-dir", "", "where the self-signed certificate is kept (default DATA-DIR/tls; in memory with --dsn)")
	fs.StringSlice("trusted-proxies", nil, "proxies whose X-Forwarded-For is trusted")
	fs.Int64("max-body-bytes", 16<<20, "largest request body as sent, bytes")
	fs.Int("max-decoded-bytes", 64<<20, "largest request body decompressed, bytes")
	fs.Int("max-batch-events", 100_000, "most events in one batch")
	fs.Int("max-in-flight", 4, "batches decoded and stored at once (bounds ingest memory)")
	fs.Duration("max-future", time.Hour, "refuse events timed further ahead of this collector's clock")
	fs.Duration("max-event-age", 30*365*24*time.Hour, "refuse events older than this (replayed captures are legitimate)")
	fs.Float64("rate-limit", 0, "events per second per sensor (0: unlimited)")
	fs.Float64("rate-burst", 0, "events a sensor may send at once (default 10 s of --rate-limit)")
	fs.Duration("credential-ttl", 30*time.Second, "how long sensor credentials are cached (a revocation takes effect within it)")
	fs.Duration("udp-max-skew", 30*time.Second, "refuse datagrams timed further than this from the collector's clock")
	fs.Int("udp-batch", 20_000, "UDP events stored per insert")
	fs.Duration("udp-linger", 500*time.Millisecond, "longest a UDP event waits to be stored")
	fs.Int("udp-read-buffer", 16<<20, "UDP socket receive buffer, bytes")
	fs.Duration("shutdown-grace", 30*time.Second, "on SIGTERM, how long in-flight batches get to finish")
	fs.String("trails", "", "global trail set served to sensors: a compiled trails.bin (best: its version survives restarts), a trails.csv or a Maltrail trails directory")
	fs.Duration("trails-check", time.Minute, "how often --trails is checked for changes")
	fs.Duration("overlay-ttl", 5*time.Second, "how long a tenant's custom trails and whitelist are cached for its sensors")
	fs.String("log-level", "info", "debug, info, warn or error")
	fs.String("operator-tenant", "mssp", "tenant of the MSSP's own users (where the first admin is created)")
	return fs
}

func runCollector(args []string) error {
	fs := collectorFlagSet()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	keys := map[string]string{}
	for k, f := range storeFlags {
		keys[k] = f
	}
	for k, f := range collectorFlags {
		keys[k] = f
	}
	v, err := newViper(fs, keys)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(v.GetString("collector.log_level"))); err != nil {
		return fmt.Errorf("%w: --log-level: %v", errUsage, err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cfg := collectorConfig(v)
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}

	st, err := openStore(v, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("cannot close the store cleanly", "err", err)
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	mctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	err = st.Migrate(mctx)
	cancel()
	if err != nil {
		return err
	}
	if err := bootstrapAdmin(ctx, st.Store, v, log); err != nil {
		return err
	}
	reg := collector.NewRegistry()
	var c *collector.Collector // set before it serves, which is when the API uses it
	wiring, err := newAPIWiring(v, st.Store, reg, func() *collector.Collector { return c }, log)
	if err != nil {
		return err
	}
	defer wiring.close(10 * time.Second)
	c, err = collector.New(cfg, notifyingStore{Ingest: st.Store, w: wiring},
		collector.Options{Mounts: []func(*gin.Engine){wiring.mount}, Registry: reg, TrailStore: st.Store, Logger: log})
	if err != nil {
		return err
	}
	err = c.Run(ctx, v.GetDuration("collector.shutdown_grace"))
	log.Info("collector stopped")
	return err
}

func collectorConfig(v *viper.Viper) collector.Config {
	cfg := collector.Config{
		Listen:          v.GetString("collector.listen"),
		UDPListen:       v.GetString("collector.udp_listen"),
		TLSCert:         v.GetString("collector.tls_cert"),
		TLSKey:          v.GetString("collector.tls_key"),
		TLSDir:          v.GetString("collector.tls_dir"),
		TrustedProxies:  splitList(v.GetStringSlice("collector.trusted_proxies")),
		MaxBodyBytes:    v.GetInt64("collector.max_body_bytes"),
		MaxDecodedBytes: v.GetInt("collector.max_decoded_bytes"),
		MaxEvents:       v.GetInt("collector.max_batch_events"),
		MaxInFlight:     v.GetInt("collector.max_in_flight"),
		MaxFuture:       v.GetDuration("collector.max_future"),
		MaxAge:          v.GetDuration("collector.max_event_age"),
		RateEvents:      v.GetFloat64("collector.rate_limit"),
		RateBurst:       v.GetFloat64("collector.rate_burst"),
		CredentialTTL:   v.GetDuration("collector.credential_ttl"),
		UDPMaxSkew:      v.GetDuration("collector.udp_max_skew"),
		UDPBatch:        v.GetInt("collector.udp_batch"),
		UDPLinger:       v.GetDuration("collector.udp_linger"),
		UDPReadBuffer:   v.GetInt("collector.udp_read_buffer"),
		Trails:          v.GetString("collector.trails"),
		TrailsCheck:     v.GetDuration("collector.trails_check"),
		OverlayTTL:      v.GetDuration("collector.overlay_ttl"),
	}
	if cfg.TLSDir == "" && cfg.TLSCert == "" && v.GetString("store.data_dir") != "" {
		cfg.TLSDir = filepath.Join(v.GetString("store.data_dir"), "tls")
	}
	return cfg
}

// Role and user of the first MSSP admin, as the API defines them.
const (
	adminUser = "admin"
	adminRole = "mssp-admin"
)

// bootstrapAdmin creates the operator tenant and its user "admin" (role
// mssp-admin) with $SPOOR_ADMIN_PASSWORD on first start, that is while the
// operator tenant has no users. Without the variable it does nothing.
func bootstrapAdmin(ctx context.Context, st *store.Store, v *viper.Viper, log *slog.Logger) error {
	pw := os.Getenv("SPOOR_ADMIN_PASSWORD")
	if pw == "" {
		return nil
	}
	op, err := tenant.New(strings.TrimSpace(v.GetString("api.operator_tenant")))
	if err != nil {
		return fmt.Errorf("%w: operator tenant: %v", errUsage, err)
	}
	users, err := st.Users(ctx, op)
	if err != nil {
		return fmt.Errorf("cannot read the operator tenant's users: %w", err)
	}
	if len(users) > 0 {
		return nil
	}
	if _, err := st.Tenant(ctx, op); errors.Is(err, store.ErrNotFound) {
		if err := st.PutTenant(ctx, store.Tenant{ID: op, Name: "MSSP operators"}); err != nil {
			return fmt.Errorf("cannot create the operator tenant: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("cannot read the operator tenant: %w", err)
	}
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		return fmt.Errorf("SPOOR_ADMIN_PASSWORD: %w", err)
	}
	if err := st.PutUser(ctx, op, store.User{Name: adminUser, PasswordHash: hash, Role: adminRole}); err != nil {
		return fmt.Errorf("cannot create the admin user: %w", err)
	}
	log.Info("created the first MSSP admin from SPOOR_ADMIN_PASSWORD", "user", adminUser, "tenant", op)
	return nil
}
