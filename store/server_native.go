package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/ClickHouse/ch-go/compress"
	"github.com/ClickHouse/clickhouse-go/v2"
)

// nativeHTTP reads the events SELECTs of a server reached over HTTP(S) as
// Native blocks, in ClickHouse's own LZ4 block compression, into the
// decoder the embedded engine's output goes through: clickhouse-go hands
// rows out one by one, which takes three times as long for a day.
type nativeHTTP struct {
	client   *http.Client
	endpoint string
	auth     clickhouse.Auth
}

// newNativeHTTP returns the reader for an HTTP(S) DSN's options, or nil
// for the native protocol.
func newNativeHTTP(o *clickhouse.Options) *nativeHTTP {
	if o.Protocol != clickhouse.HTTP || len(o.Addr) == 0 {
		return nil
	}
	scheme := "http"
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if o.TLS != nil {
		scheme, tr.TLSClientConfig = "https", o.TLS.Clone()
	}
	if o.DialTimeout > 0 {
		tr.DialContext = (&net.Dialer{Timeout: o.DialTimeout}).DialContext
	}
	u := url.URL{Scheme: scheme, Host: o.Addr[0], Path: "/" + strings.TrimPrefix(o.HttpUrlPath, "/")}
	return &nativeHTTP{client: &http.Client{Transport: tr}, endpoint: u.String(), auth: o.Auth}
}

// maxErrorText bounds the error text read from a failed answer.
const maxErrorText = 64 << 10

// read runs sql and returns its Native output, whole.
func (h *nativeHTTP) read(ctx context.Context, sql string, params []param) ([]byte, error) {
	q := url.Values{}
	q.Set("default_format", "Native")
	q.Set("compress", "1")
	// Errors then come as an error status, not after a 200 mid-body.
	q.Set("http_wait_end_of_query", "1")
	if h.auth.Database != "" {
		q.Set("database", h.auth.Database)
	}
	for _, p := range params {
		q.Set("param_"+p.name, p.value)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.endpoint+"?"+q.Encode(), strings.NewReader(sql))
	if err != nil {
		return nil, err
	}
	if h.auth.Username != "" {
		req.Header.Set("X-ClickHouse-User", h.auth.Username)
		req.Header.Set("X-ClickHouse-Key", h.auth.Password)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		text, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorText))
		return nil, fmt.Errorf("clickhouse: HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(text))
	}
	var buf bytes.Buffer
	// The block reader reports the end of its input wrapped: a bare EOF
	// at a block's start is the answer's end (a body cut short is an
	// unexpected EOF, whether chunked or of a known length).
	if _, err := buf.ReadFrom(compress.NewReader(resp.Body)); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("clickhouse: reading Native blocks: %w", err)
	}
	return buf.Bytes(), nil
}

// nativeBytes is a finished statement's Native output.
type nativeBytes []byte

func (b nativeBytes) decodeInto(dec *eventDecoder, dst *EventColumns) error {
	return dec.decodeColumns(b, dst)
}

func (nativeBytes) close() {}
