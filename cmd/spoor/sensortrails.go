package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/viper"

	"github.com/spoorsec/spoor/sensor/trailsync"
	"github.com/spoorsec/spoor/trails"
)

// bootstrapTrailsTimeout bounds the first fetch from the collector at start:
// the global set is tens of MB.
const bootstrapTrailsTimeout = 3 * time.Minute

// collectorTLS is the TLS configuration a sensor verifies its collector
// with (--ca, --tls-insecure).
func collectorTLS(v *viper.Viper) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca := v.GetString("sensor.ca"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("cannot read CA certificate: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: %s holds no PEM certificate", errUsage, ca)
		}
		cfg.RootCAs = pool
	}
	cfg.InsecureSkipVerify = v.GetBool("sensor.tls_insecure")
	return cfg, nil
}

// bootstrapTrails sets up trail fetching from the collector and returns the
// trails and whitelist to start with. local is the sensor's own --trails
// set (nil: the collector's global set is fetched); wlFiles are its
// whitelist files.
func bootstrapTrails(v *viper.Viper, local *trails.Set, wlFiles []string, log *slog.Logger) (*trailsync.Syncer, *trails.Set, *trails.Whitelist, error) {
	tok := v.GetString("sensor.token")
	if tok == "" {
		return nil, nil, nil, fmt.Errorf("%w: --collector needs --token", errUsage)
	}
	tlsCfg, err := collectorTLS(v)
	if err != nil {
		return nil, nil, nil, err
	}
	raw := v.GetString("sensor.collector")
	cache := v.GetString("sensor.trails_cache")
	if cache == "" {
		cache = stateDir("trails", raw, tok)
	}
	s, err := trailsync.New(trailsync.Options{
		URL: raw, Token: tok, TLS: tlsCfg, CacheDir: cache,
		Poll: v.GetDuration("sensor.trails_poll"), LocalTrails: local, WhitelistFiles: wlFiles, Logger: log,
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), bootstrapTrailsTimeout)
	defer cancel()
	start := time.Now()
	set, wl, err := s.Bootstrap(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	custom, _ := set.Layered()
	log.Info("trails from the collector", "trails", set.Len(), "custom", custom, "cache", cache,
		"poll", v.GetDuration("sensor.trails_poll"), "took", time.Since(start).Round(time.Millisecond))
	return s, set, wl, nil
}
