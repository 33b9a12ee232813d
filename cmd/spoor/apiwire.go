package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/viper"

	"github.com/spoorsec/spoor/api"
	"github.com/spoorsec/spoor/collector"
	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
	"github.com/spoorsec/spoor/trails"
	"github.com/spoorsec/spoor/webui"
)

// signingKeyFile holds the API's token signing key in an embedded data
// directory, so that tokens survive a restart without configuration.
const signingKeyFile = "api-signing.key"

// apiConfig reads the api.* configuration. Without signing keys, an
// embedded collector uses (and on first start creates) a key in its data
// directory; a collector on a ClickHouse server must be configured with
// keys shared by every replica.
func apiConfig(v *viper.Viper) (api.Config, error) {
	var cfg api.Config
	if err := v.UnmarshalKey("api", &cfg); err != nil {
		return cfg, fmt.Errorf("%w: api configuration: %v", errUsage, err)
	}
	if cfg.AdminPassword == "" {
		cfg.AdminPassword = os.Getenv("SPOOR_ADMIN_PASSWORD")
	}
	if len(cfg.SigningKeys) > 0 {
		return cfg, nil
	}
	dir := v.GetString("store.data_dir")
	if dir == "" {
		return cfg, fmt.Errorf("%w: api.signing_keys must be configured when the store is a ClickHouse server", errUsage)
	}
	key, err := loadOrCreateKey(filepath.Join(dir, signingKeyFile))
	if err != nil {
		return cfg, err
	}
	cfg.SigningKeys = map[string]string{"local": key}
	cfg.SigningKeyID = "local"
	return cfg, nil
}

func loadOrCreateKey(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("cannot read the API signing key: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("cannot generate the API signing key: %w", err)
	}
	key := base64.StdEncoding.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("cannot write the API signing key: %w", err)
	}
	return key, nil
}

// apiWiring is the API mounted into a collector, and the hook that feeds it
// what the collector stores.
type apiWiring struct {
	mount    func(*gin.Engine)
	live     *api.Live
	dispatch *api.Dispatcher
}

// newAPIWiring builds the API; its metrics go to reg (served at the
// collector's /metrics).
// coll is the collector that will mount it: /check looks indicators up in
// the global trail set it serves, and trail changes reach its sensors at
// their next poll. It is called only while requests are served, after the
// collector exists.
func newAPIWiring(v *viper.Viper, st *store.Store, reg prometheus.Registerer, coll func() *collector.Collector, log *slog.Logger) (*apiWiring, error) {
	cfg, err := apiConfig(v)
	if err != nil {
		return nil, err
	}
	a, err := api.New(cfg, api.Deps{
		Store:         st,
		Registerer:    reg,
		Trails:        func() *trails.Set { return coll().GlobalTrails() },
		TrailsChanged: func(t tenant.ID) { coll().TrailsChanged(t) },
	}, log)
	if err != nil {
		return nil, fmt.Errorf("cannot start the API: %w", err)
	}
	console, err := webui.Embedded()
	if err != nil {
		return nil, err
	}
	if !console.Built() {
		log.Warn("this binary was built without the web UI; /ui/ answers 503 (run scripts/setup.sh, then rebuild)")
	}
	return &apiWiring{
		mount: func(e *gin.Engine) {
			a.Register(e)
			console.Register(e)
		},
		live:     a.Live(),
		dispatch: api.NewDispatcher(st, api.DispatcherOptions{Policy: cfg.Webhooks}, log.With("component", "webhooks")),
	}, nil
}

// notifyingStore passes every stored batch on to the live tail and the
// webhook dispatcher; neither blocks ingest.
type notifyingStore struct {
	store.Ingest
	w *apiWiring
}

func (s notifyingStore) InsertEvents(ctx context.Context, t tenant.ID, sensorID, batchID string, events []event.Event) error {
	if err := s.Ingest.InsertEvents(ctx, t, sensorID, batchID, events); err != nil {
		return err
	}
	// The events alias the collector's reusable batch buffer.
	kept := event.CloneAll(events)
	s.w.live.Publish(t, kept)
	s.w.dispatch.Notify(t, kept)
	return nil
}

// close stops the webhook dispatcher after delivering what it holds.
func (w *apiWiring) close(timeout time.Duration) {
	done := make(chan struct{})
	go func() {
		w.dispatch.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}
