// Package client is a small HTTP client for Spoor's collector API
// (/api/v1), as the Terraform provider needs it: password login with
// token refresh, JSON requests, and API errors that keep the status and
// the server's message so that diagnostics can say what went wrong.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Config says where the collector is and how to log in.
type Config struct {
	// URL is the collector's base URL, e.g. https://collector.example.net:8443.
	URL string
	// Username and Password log in; Tenant picks the user when the name
	// exists in several tenants (optional).
	Username, Password, Tenant string
	// CACertPEM, if set, is the only trust anchor for the collector's
	// certificate (for a self-signed or private-CA collector).
	CACertPEM []byte
	// Timeout bounds one HTTP request (default 30 s).
	Timeout time.Duration
	// UserAgent is sent with every request.
	UserAgent string
}

// Client talks to one collector. It is safe for concurrent use: Terraform
// calls resources in parallel.
type Client struct {
	base *url.URL
	cfg  Config
	http *http.Client

	mu      sync.Mutex
	access  string
	refresh string
	expires time.Time
}

// New checks cfg and returns a client. It does not log in: the first
// request does.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("collector URL %q must be an absolute http(s) URL such as https://collector.example.net:8443", cfg.URL)
	}
	if cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("username and password are required")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if len(cfg.CACertPEM) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(cfg.CACertPEM) {
			return nil, errors.New("CA certificate: no PEM certificate found")
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return &Client{base: u, cfg: cfg, http: &http.Client{Transport: tr, Timeout: cfg.Timeout}}, nil
}

// Error is an answer of the API other than 2xx.
type Error struct {
	Method, Path string
	Status       int
	// Message is the server's {"error": ...}, or the start of the body.
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, http.StatusText(e.Status), e.Message)
}

// IsNotFound reports whether err is a 404 from the API.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// IsConflict reports whether err is a 409 from the API.
func IsConflict(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusConflict
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
}

// token returns a valid access token, refreshing or logging in as needed.
func (c *Client) token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// A minute of margin: a token must not expire between here and the
	// server's check.
	if c.access != "" && time.Now().Add(time.Minute).Before(c.expires) {
		return c.access, nil
	}
	var tok tokenResponse
	var err error
	if c.refresh != "" {
		err = c.do(ctx, http.MethodPost, "/auth/refresh", "", map[string]string{"refresh_token": c.refresh}, &tok)
	}
	if c.refresh == "" || err != nil {
		body := map[string]string{"username": c.cfg.Username, "password": c.cfg.Password}
		if c.cfg.Tenant != "" {
			body["tenant"] = c.cfg.Tenant
		}
		if err := c.do(ctx, http.MethodPost, "/auth/login", "", body, &tok); err != nil {
			return "", fmt.Errorf("cannot log in to %s as %s: %w", c.base, c.cfg.Username, err)
		}
	}
	if tok.AccessToken == "" {
		return "", fmt.Errorf("cannot log in to %s: the answer has no access token", c.base)
	}
	c.access, c.refresh = tok.AccessToken, tok.RefreshToken
	c.expires = time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	return c.access, nil
}

// Do sends a JSON request to path (below /api/v1) with the access token
// and decodes a JSON answer into out (unless out is nil).
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	tok, err := c.token(ctx)
	if err != nil {
		return err
	}
	return c.do(ctx, method, path, tok, in, out)
}

// maxResponse bounds what is read of an answer.
const maxResponse = 16 << 20

func (c *Client) do(ctx context.Context, method, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("cannot encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+"/api/v1"+path, body)
	if err != nil {
		return fmt.Errorf("cannot make request %s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s %s: cannot read the answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &Error{Method: method, Path: path, Status: resp.StatusCode, Message: errorMessage(data)}
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: cannot decode the answer: %w", method, path, err)
	}
	return nil
}

// errorMessage takes the server's {"error": ...} or the start of the body.
func errorMessage(data []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(data, &e) == nil && e.Error != "" {
		return e.Error
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "(empty answer)"
	}
	return s
}

// Seg escapes one path segment.
func Seg(s string) string { return url.PathEscape(s) }
