package api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/store"
	"github.com/spoorsec/spoor/tenant"
)

// Delivery limits.
const (
	maxEventsPerDelivery = 1000
	webhookCacheTTL      = 30 * time.Second
	maxThrottleEntries   = 100_000
)

// WebhookStore is what the Dispatcher reads; *store.Store implements it.
type WebhookStore interface {
	Webhooks(ctx context.Context, t tenant.ID) ([]store.Webhook, error)
}

// DispatcherOptions configure a Dispatcher.
type DispatcherOptions struct {
	Policy WebhookPolicy
	// Queue is the number of batches waiting for delivery (default 1024);
	// Notify drops batches beyond it rather than wait.
	Queue int
	// Workers deliver in parallel (default 4).
	Workers int
	// Timeout bounds one delivery (default 10s).
	Timeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Dispatcher posts a tenant's new events to its webhooks: events at or
// above a webhook's minimum severity, at most once per throttle period
// for each (webhook, source, trail). Delivery is best effort: no retries.
//
// Each POST carries a JSON body {"tenant", "webhook", "events": [...]},
// the events in Maltrail's JSON form, and the headers X-Spoor-Timestamp
// (Unix seconds) and X-Spoor-Signature: "sha256=" and the hex HMAC-SHA256,
// keyed with the webhook's secret, of the timestamp, ".", and the body.
type Dispatcher struct {
	store   WebhookStore
	opts    DispatcherOptions
	client  *http.Client
	log     *slog.Logger
	wg      sync.WaitGroup
	dropped atomic.Uint64

	// qmu guards sending on queue against Close closing it.
	qmu    sync.RWMutex
	queue  chan dispatchJob
	closed bool

	mu       sync.Mutex
	hooks    map[tenant.ID]cachedHooks
	lastSent map[throttleKey]time.Time
}

type dispatchJob struct {
	tenant tenant.ID
	events []event.Event
}

type cachedHooks struct {
	hooks   []store.Webhook
	fetched time.Time
}

type throttleKey struct {
	tenant     tenant.ID
	hook       string
	src, trail string
}

// NewDispatcher starts the delivery workers; Close stops them.
func NewDispatcher(s WebhookStore, opts DispatcherOptions, log *slog.Logger) *Dispatcher {
	if opts.Queue <= 0 {
		opts.Queue = 1024
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	dialer := &net.Dialer{Timeout: opts.Timeout, Control: opts.Policy.dialControl}
	d := &Dispatcher{
		store: s,
		opts:  opts,
		client: &http.Client{
			Timeout: opts.Timeout,
			// No proxy (it would dial for us, past the address check) and
			// no redirects (a public URL must not bounce us inside).
			Transport: &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: opts.Timeout,
				MaxIdleConnsPerHost: 2, IdleConnTimeout: time.Minute},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		log:      log.With("component", "webhooks"),
		queue:    make(chan dispatchJob, opts.Queue),
		hooks:    map[tenant.ID]cachedHooks{},
		lastSent: map[throttleKey]time.Time{},
	}
	for range opts.Workers {
		d.wg.Add(1)
		go d.work()
	}
	return d
}

// Notify queues tenant t's stored events for delivery; it never blocks.
// When the queue is full the batch is dropped (and counted). Events must
// not be modified afterwards.
func (d *Dispatcher) Notify(t tenant.ID, events []event.Event) {
	if len(events) == 0 {
		return
	}
	d.qmu.RLock()
	defer d.qmu.RUnlock()
	if d.closed {
		return
	}
	select {
	case d.queue <- dispatchJob{tenant: t, events: events}:
	default:
		if n := d.dropped.Add(1); n&(n-1) == 0 { // log at powers of two
			d.log.Warn("webhook queue full: batches dropped", "dropped", n)
		}
	}
}

// Dropped returns the number of batches Notify dropped.
func (d *Dispatcher) Dropped() uint64 { return d.dropped.Load() }

// Close delivers what is queued and stops the workers.
func (d *Dispatcher) Close() {
	d.qmu.Lock()
	if !d.closed {
		d.closed = true
		close(d.queue)
	}
	d.qmu.Unlock()
	d.wg.Wait()
}

func (d *Dispatcher) work() {
	defer d.wg.Done()
	for job := range d.queue {
		d.deliver(job)
	}
}

// webhooks returns tenant t's webhooks, cached for webhookCacheTTL.
func (d *Dispatcher) webhooks(t tenant.ID) ([]store.Webhook, error) {
	now := d.opts.Now()
	d.mu.Lock()
	c, ok := d.hooks[t]
	d.mu.Unlock()
	if ok && now.Sub(c.fetched) < webhookCacheTTL {
		return c.hooks, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.opts.Timeout)
	defer cancel()
	hooks, err := d.store.Webhooks(ctx, t)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.hooks[t] = cachedHooks{hooks: hooks, fetched: now}
	d.mu.Unlock()
	return hooks, nil
}

func (d *Dispatcher) deliver(job dispatchJob) {
	hooks, err := d.webhooks(job.tenant)
	if err != nil {
		d.log.Error("cannot read webhooks", "tenant", job.tenant, "err", err)
		return
	}
	for _, w := range hooks {
		if !w.Enabled {
			continue
		}
		evs := d.selectEvents(job.tenant, w, job.events)
		if len(evs) == 0 {
			continue
		}
		if err := d.post(job.tenant, w, evs); err != nil {
			d.log.Warn("webhook delivery failed", "tenant", job.tenant, "webhook", w.ID, "events", len(evs), "err", err)
		}
	}
}

// selectEvents keeps the events w wants and that are not throttled, and
// marks them sent.
func (d *Dispatcher) selectEvents(t tenant.ID, w store.Webhook, events []event.Event) []*event.Event {
	throttle := time.Duration(unpackWebhook(w).ThrottleSeconds) * time.Second
	now := d.opts.Now()
	var out []*event.Event
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.lastSent) > maxThrottleEntries {
		for k, at := range d.lastSent {
			if now.Sub(at) >= maxThrottleSeconds*time.Second {
				delete(d.lastSent, k)
			}
		}
	}
	for i := range events {
		e := &events[i]
		if event.SeverityOf(e.Info, e.Reference) < w.MinSeverity {
			continue
		}
		if throttle > 0 {
			k := throttleKey{t, w.ID, e.SrcIP, e.Trail}
			if at, ok := d.lastSent[k]; ok && now.Sub(at) < throttle {
				continue
			}
			d.lastSent[k] = now
		}
		out = append(out, e)
		if len(out) == maxEventsPerDelivery {
			break
		}
	}
	return out
}

func (d *Dispatcher) post(t tenant.ID, w store.Webhook, evs []*event.Event) error {
	u, err := d.opts.Policy.Check(w.URL)
	if err != nil {
		return fmt.Errorf("URL refused: %w", err)
	}
	body := make([]byte, 0, 256*len(evs)+64)
	body = append(body, `{"tenant":`...)
	body = strconv.AppendQuote(body, string(t))
	body = append(body, `,"webhook":`...)
	body = strconv.AppendQuote(body, w.ID)
	body = append(body, `,"events":[`...)
	for i, e := range evs {
		if i > 0 {
			body = append(body, ',')
		}
		body = e.AppendJSON(body, e.Sensor)
	}
	body = append(body, "]}"...)

	ts := strconv.FormatInt(d.opts.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(unpackWebhook(w).Secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)

	ctx, cancel := context.WithTimeout(context.Background(), d.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "spoor-webhook/1")
	req.Header.Set("X-Spoor-Timestamp", ts)
	req.Header.Set("X-Spoor-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("answered %s", resp.Status)
	}
	return nil
}
