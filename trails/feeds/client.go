package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// Client fetches feeds. It is safe for concurrent use.
type Client struct {
	cfg   Config
	http  *http.Client
	cache *cache
	log   *slog.Logger
	now   func() time.Time
}

// New returns a Client for cfg; log may be nil.
func New(cfg Config, log *slog.Logger) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid feed configuration: %w", err)
	}
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	proxy, err := proxyFunc(cfg.Proxy)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = proxy
	if cfg.TLSConfig != nil {
		tr.TLSClientConfig = cfg.TLSConfig.Clone()
	}
	c := &Client{
		cfg: cfg,
		// Per-attempt deadlines come from contexts; redirects are followed (10 at most).
		http: &http.Client{Transport: tr},
		log:  log,
		now:  time.Now,
	}
	if cfg.CacheDir != "" {
		if c.cache, err = openCache(cfg.CacheDir); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// proxyFunc returns the proxy selection for a configured proxy URL, or, when there is
// none, for the proxy environment variables as they are now (http.ProxyFromEnvironment
// reads them once per process).
func proxyFunc(proxy string) (func(*http.Request) (*url.URL, error), error) {
	if proxy == "" {
		env := httpproxy.FromEnvironment().ProxyFunc()
		return func(r *http.Request) (*url.URL, error) { return env(r.URL) }, nil
	}
	u, err := url.Parse(proxy)
	if err != nil {
		return nil, fmt.Errorf("invalid proxy: %w", err)
	}
	return http.ProxyURL(u), nil
}

// Response is a fetched body.
type Response struct {
	Body []byte
	// NotModified: the server answered 304 and Body is the cached copy.
	NotModified bool
	// Stale is set when the source failed and Body is a cached copy younger than
	// Config.MaxStale; StaleErr is the failure and Age the copy's age.
	Stale    bool
	StaleErr error
	Age      time.Duration
}

// request is one logical fetch: the attempts, the cache and the stale fallback.
type request struct {
	url     string
	timeout time.Duration // 0: Config.Timeout
	header  http.Header   // replaces the defaults it names
}

// Get fetches url with the client's defaults.
func (c *Client) Get(ctx context.Context, url string) (*Response, error) {
	return c.get(ctx, request{url: url})
}

// statusError is a non-2xx, non-304 answer.
type statusError struct {
	code       int
	retryAfter time.Duration
}

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.code, http.StatusText(e.code))
}

func (c *Client) get(ctx context.Context, req request) (*Response, error) {
	var cached *cacheEntry
	if c.cache != nil {
		cached = c.cache.load(req.url)
	}
	var err error
	for attempt := 0; ; attempt++ {
		var resp *Response
		resp, err = c.attempt(ctx, req, cached)
		if errors.Is(err, errNoCachedBody) {
			// A 304 for a body the cache lost: ask again without validators.
			cached = nil
			resp, err = c.attempt(ctx, req, nil)
		}
		if err == nil {
			return resp, nil
		}
		if attempt >= c.cfg.Retries || !retryable(ctx, err) {
			break
		}
		wait := c.backoff(attempt, err)
		c.log.Debug("feed request failed, retrying", "url", req.url, "err", err, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("cannot fetch %s: %w", req.url, ctx.Err())
		case <-t.C:
		}
	}
	err = fmt.Errorf("cannot fetch %s: %w", req.url, err)
	if cached != nil && c.cfg.MaxStale > 0 {
		if age := c.now().Sub(cached.meta.Fetched); age <= c.cfg.MaxStale {
			if body, rerr := c.cache.body(cached); rerr == nil {
				return &Response{Body: body, Stale: true, StaleErr: err, Age: age}, nil
			}
		}
	}
	return nil, err
}

var errNoCachedBody = errors.New("304 answer for a body no longer cached")

// attempt makes one request.
func (c *Client) attempt(ctx context.Context, req request, cached *cacheEntry) (*Response, error) {
	timeout := req.timeout
	if timeout == 0 {
		timeout = c.cfg.Timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, req.url, nil)
	if err != nil {
		return nil, err
	}
	hr.Header.Set("User-Agent", c.cfg.UserAgent)
	for k, v := range req.header {
		hr.Header[k] = v
	}
	if cached != nil {
		if cached.meta.ETag != "" {
			hr.Header.Set("If-None-Match", cached.meta.ETag)
		}
		if cached.meta.LastModified != "" {
			hr.Header.Set("If-Modified-Since", cached.meta.LastModified)
		}
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL, which the caller's error names
		}
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		if cached == nil {
			return nil, &statusError{code: resp.StatusCode}
		}
		body, err := c.cache.body(cached)
		if err != nil {
			return nil, errNoCachedBody
		}
		c.cache.touch(cached, c.now())
		return &Response{Body: body, NotModified: true}, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		return nil, &statusError{code: resp.StatusCode, retryAfter: retryAfter(resp.Header.Get("Retry-After"), c.now())}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", err)
	}
	if int64(len(body)) > c.cfg.MaxBody {
		return nil, fmt.Errorf("body larger than %d bytes", c.cfg.MaxBody)
	}
	if c.cache != nil {
		if err := c.cache.store(req.url, body, resp.Header, c.now()); err != nil {
			c.log.Warn("cannot cache feed body", "url", req.url, "err", err)
		}
	}
	return &Response{Body: body}, nil
}

// retryable reports whether err may go away on its own. The caller's cancellation does
// not; a per-attempt timeout does.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.code == http.StatusRequestTimeout || se.code == http.StatusTooManyRequests || se.code >= 500
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTimeout || dns.IsTemporary // not "no such host"
	}
	var op *net.OpError // refused, reset, unreachable
	return errors.As(err, &op) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// backoff is the wait before retry number attempt+1: exponential with ±25% jitter, or
// the server's Retry-After, capped at MaxBackoff.
func (c *Client) backoff(attempt int, err error) time.Duration {
	var se *statusError
	if errors.As(err, &se) && se.retryAfter > 0 {
		return min(se.retryAfter, c.cfg.MaxBackoff)
	}
	d := c.cfg.Backoff << min(attempt, 16)
	d = d - d/4 + time.Duration(rand.Int64N(int64(d/2)+1))
	return min(d, c.cfg.MaxBackoff)
}

// retryAfter parses a Retry-After value: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}
