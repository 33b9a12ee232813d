package feeds

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Config controls how a Client fetches. The zero value of a field means its default.
type Config struct {
	// Proxy is the proxy URL for every request (http, https or socks5 scheme). Empty
	// means the HTTPS_PROXY, HTTP_PROXY and NO_PROXY environment variables.
	Proxy string
	// Timeout bounds one request attempt, body included (default 30s, Maltrail's
	// TIMEOUT). A Source may ask for longer.
	Timeout time.Duration
	// Retries is the number of further attempts after a failure that may be transient:
	// a network error, a timeout, 408, 429 or a 5xx answer (default 2; -1 for none).
	Retries int
	// Backoff is the wait before the first retry, doubled for each next one, with
	// jitter, and at most MaxBackoff; a Retry-After answer is honoured up to MaxBackoff
	// (defaults 2s and 30s).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// CacheDir keeps each URL's last body with its ETag and Last-Modified, sent back as
	// If-None-Match and If-Modified-Since: a 304 answer reuses the cached body. Empty
	// means no cache.
	CacheDir string
	// MaxStale is how old a cached body may be to stand in for a source that fails
	// (default 0: never). The failure is still reported.
	MaxStale time.Duration
	// MaxBody bounds a response body after decompression (default 512 MiB; Maltrail's
	// static trails export is about 80 MB).
	MaxBody int64
	// Parallel is the number of sources fetched at once (default 8).
	Parallel int
	// UserAgent is sent with every request (default "Spoor (+https://github.com/spoorsec/spoor)").
	UserAgent string
	// TLSConfig, when set, replaces the default TLS settings (for a private CA).
	TLSConfig *tls.Config
}

const (
	defaultTimeout    = 30 * time.Second
	defaultRetries    = 2
	defaultBackoff    = 2 * time.Second
	defaultMaxBackoff = 30 * time.Second
	defaultMaxBody    = 512 << 20
	defaultParallel   = 8
	defaultUserAgent  = "Spoor (+https://github.com/spoorsec/spoor)"
)

// Validate reports the first invalid field.
func (c Config) Validate() error {
	if c.Proxy != "" {
		u, err := url.Parse(c.Proxy)
		if err != nil {
			return fmt.Errorf("invalid proxy: %w", err)
		}
		switch u.Scheme {
		case "http", "https", "socks5", "socks5h":
		default:
			return fmt.Errorf("invalid proxy %q: scheme must be http, https or socks5", c.Proxy)
		}
		if u.Host == "" {
			return fmt.Errorf("invalid proxy %q: no host", c.Proxy)
		}
	}
	switch {
	case c.Timeout < 0:
		return errors.New("negative timeout")
	case c.Retries < -1:
		return errors.New("retries below -1")
	case c.Backoff < 0 || c.MaxBackoff < 0:
		return errors.New("negative backoff")
	case c.MaxStale < 0:
		return errors.New("negative max stale")
	case c.MaxBody < 0:
		return errors.New("negative max body")
	case c.Parallel < 0:
		return errors.New("negative parallel")
	}
	return nil
}

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = defaultTimeout
	}
	switch c.Retries {
	case 0:
		c.Retries = defaultRetries
	case -1:
		c.Retries = 0
	}
	if c.Backoff == 0 {
		c.Backoff = defaultBackoff
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = defaultMaxBackoff
	}
	if c.MaxBody == 0 {
		c.MaxBody = defaultMaxBody
	}
	if c.Parallel == 0 {
		c.Parallel = defaultParallel
	}
	if c.UserAgent == "" {
		c.UserAgent = defaultUserAgent
	}
	return c
}
