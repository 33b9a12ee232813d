// Package ship sends a sensor's events to a Spoor collector.
//
// The HTTPS Shipper is an output.Sink: Write encodes the event into the
// current batch (package ingest) and returns; full batches (by events,
// bytes or age) go through a bounded queue to a goroutine that compresses
// them and appends them to an on-disk Spool. Senders take batches from the
// spool, POST them with the sensor's bearer token, retry with exponential
// backoff and jitter until the collector acknowledges them, and only then
// acknowledge them in the spool. A batch's ID is fixed when it is cut, so
// a retry is deduplicated by the collector. Events are dropped, and
// counted, only when the queue or the spool is full and the Overflow
// policy says Drop.
//
// The UDP sender (NewUDP) signs datagrams with the sensor's UDP key and
// sends them without acknowledgement or spool.
package ship

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/ingest"
)

// IngestPath is the collector's ingest endpoint, appended to a collector
// URL without a path.
const IngestPath = "/api/v1/ingest"

// AttemptHeader numbers a batch's deliveries (1, 2, ...): the collector
// verifies that a retried batch is stored (see package collector).
const AttemptHeader = "X-Spoor-Attempt"

// Overflow says what Write does when the queue or the spool is full.
type Overflow int

const (
	// Drop discards the batch and counts its events (live capture: never
	// stall the packet path).
	Drop Overflow = iota
	// Block waits for room (reading capture files: lose nothing).
	Block
)

// Options configure a Shipper.
type Options struct {
	// URL is the collector: https://host:port (IngestPath is added when
	// the URL has no path).
	URL string
	// Token is the sensor's bearer token.
	Token string
	// Tenant, if set, is declared in every batch; the collector refuses
	// batches when it is not the token's tenant.
	Tenant string
	// TLS configures the connection (CA pool, or InsecureSkipVerify for
	// tests and first setups).
	TLS *tls.Config

	// SpoolDir holds the spool (required).
	SpoolDir   string
	SpoolBytes int64 // default 256 MiB
	SegBytes   int64 // default 8 MiB
	Sync       SyncPolicy

	// A batch is cut at BatchEvents events (default 20,000), BatchBytes
	// encoded bytes (default 8 MiB), or Linger after its first event
	// (default 1 s).
	BatchEvents int
	BatchBytes  int
	Linger      time.Duration
	// Encoding compresses batches (default zstd).
	Encoding ingest.Encoding
	// Queue is how many cut batches wait for the spool writer (default 4).
	Queue    int
	Overflow Overflow
	// Parallel is how many batches are in flight at once (default 2).
	Parallel int
	// MinBackoff and MaxBackoff bound retry delays (defaults 200 ms, 30 s).
	MinBackoff, MaxBackoff time.Duration
	// RequestTimeout bounds one POST (default 60 s).
	RequestTimeout time.Duration

	Logger *slog.Logger
	// Client overrides the HTTP client (tests).
	Client *http.Client
}

func (o *Options) setDefaults() {
	if o.BatchEvents <= 0 {
		o.BatchEvents = 20_000
	}
	o.BatchEvents = min(o.BatchEvents, ingest.DefaultMaxEvents)
	if o.BatchBytes <= 0 {
		o.BatchBytes = 8 << 20
	}
	if o.Linger <= 0 {
		o.Linger = time.Second
	}
	if o.Encoding == "" {
		o.Encoding = ingest.Zstd
	}
	if o.Queue <= 0 {
		o.Queue = 4
	}
	if o.Parallel <= 0 {
		o.Parallel = 2
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 200 * time.Millisecond
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(30*time.Second, o.MinBackoff)
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 60 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// IngestURL turns a configured collector URL into the ingest endpoint.
func IngestURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("ship: bad collector URL: %w", err)
	}
	if u.Scheme != "https" {
		return "", fmt.Errorf("ship: collector URL %q: want https://host:port (or udp://host:port for UDP)", raw)
	}
	if u.Host == "" {
		return "", fmt.Errorf("ship: collector URL %q has no host", raw)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = IngestPath
	}
	return u.String(), nil
}

// Stats are a shipper's counters since it started.
type Stats struct {
	// Events were written; Spooled made it into the spool; Acked were
	// acknowledged by the collector (in AckedBatches batches).
	Events, Spooled, Acked, AckedBatches uint64
	// Dropped were discarded because the queue or spool was full;
	// Rejected were refused by the collector as invalid (4xx that a retry
	// cannot fix) and given up on.
	Dropped, Rejected uint64
	// Retries counts failed attempts that were retried.
	Retries uint64
	Spool   SpoolStats
}

// Shipper is the HTTPS output.Sink.
type Shipper struct {
	opts  Options
	url   string
	spool *Spool
	log   *slog.Logger
	http  *http.Client
	runID string

	mu      sync.Mutex
	bld     *ingest.Builder
	first   time.Time // when the current batch got its first event
	batchNo uint64
	closed  bool

	queue   chan *pendingBatch
	free    sync.Pool // *ingest.Builder
	writer  sync.WaitGroup
	senders sync.WaitGroup
	stop    context.CancelFunc
	ctx     context.Context
	linger  chan struct{}
	// closing ends the spool writer's waits for room: on Close, batches
	// that do not fit a full spool are dropped rather than waited for.
	closing     context.Context
	stopWaiting context.CancelFunc

	queued   atomic.Int64 // batches cut and not yet spooled (or dropped)
	events   atomic.Uint64
	spooled  atomic.Uint64
	acked    atomic.Uint64
	ackedB   atomic.Uint64
	dropped  atomic.Uint64
	rejected atomic.Uint64
	retries  atomic.Uint64
	failing  atomic.Bool
}

type pendingBatch struct {
	bld     *ingest.Builder
	id      string
	created time.Time
}

// New starts a shipper: it opens the spool (resuming what an earlier run
// left in it) and starts sending.
func New(o Options) (*Shipper, error) {
	o.setDefaults()
	u, err := IngestURL(o.URL)
	if err != nil {
		return nil, err
	}
	if o.Token == "" {
		return nil, errors.New("ship: no sensor token")
	}
	if o.SpoolDir == "" {
		return nil, errors.New("ship: no spool directory")
	}
	if _, err := ingest.ParseEncoding(string(o.Encoding)); err != nil {
		return nil, fmt.Errorf("ship: %w", err)
	}
	log := o.Logger.With("component", "shipper", "collector", u)
	sp, err := OpenSpool(o.SpoolDir, SpoolOptions{MaxBytes: o.SpoolBytes, SegmentBytes: o.SegBytes, Sync: o.Sync, Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	var rid [6]byte
	if _, err := crand.Read(rid[:]); err != nil {
		sp.Close()
		return nil, fmt.Errorf("ship: cannot read randomness: %w", err)
	}
	client := o.Client
	if client == nil {
		client = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSClientConfig:       o.TLS,
			TLSHandshakeTimeout:   10 * time.Second,
			MaxIdleConnsPerHost:   o.Parallel,
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: o.RequestTimeout,
		}}
	}
	ctx, stop := context.WithCancel(context.Background())
	closing, stopWaiting := context.WithCancel(context.Background())
	s := &Shipper{
		opts: o, url: u, spool: sp, log: log, http: client,
		runID: hex.EncodeToString(rid[:]) + strconv.FormatInt(time.Now().Unix(), 36),
		bld:   new(ingest.Builder), queue: make(chan *pendingBatch, o.Queue),
		ctx: ctx, stop: stop, linger: make(chan struct{}), closing: closing, stopWaiting: stopWaiting,
	}
	s.writer.Add(2)
	go s.writeLoop()
	go s.lingerLoop()
	for i := 0; i < o.Parallel; i++ {
		s.senders.Add(1)
		go s.sendLoop()
	}
	if st := sp.Stats(); st.Records > 0 {
		log.Info("resuming spooled batches", "batches", st.Records, "bytes", st.Bytes)
	}
	return s, nil
}

// Write adds e to the current batch. It does not retain e. With Overflow
// Drop it never waits for the disk or the network.
func (s *Shipper) Write(e *event.Event) error {
	s.events.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		s.dropped.Add(1)
		return errors.New("ship: shipper closed")
	}
	if s.bld.Len() == 0 {
		s.first = time.Now()
	}
	s.bld.Add(e)
	if s.bld.Len() >= s.opts.BatchEvents || s.bld.Size() >= s.opts.BatchBytes {
		s.cutLocked()
	}
	return nil
}

// cutLocked hands the current batch to the spool writer; s.mu is held.
func (s *Shipper) cutLocked() {
	if s.bld.Len() == 0 {
		return
	}
	s.batchNo++
	p := &pendingBatch{bld: s.bld, id: s.runID + "-" + strconv.FormatUint(s.batchNo, 10), created: time.Now()}
	if b, ok := s.free.Get().(*ingest.Builder); ok {
		s.bld = b
	} else {
		s.bld = new(ingest.Builder)
	}
	s.queued.Add(1)
	if s.opts.Overflow == Block {
		s.queue <- p // holding s.mu: every writer waits, which is the point
		return
	}
	select {
	case s.queue <- p:
	default:
		s.queued.Add(-1)
		s.dropBatch(p, "queue full")
	}
}

func (s *Shipper) dropBatch(p *pendingBatch, why string) {
	n := uint64(p.bld.Len())
	if s.dropped.Add(n) == n || s.log.Enabled(context.Background(), slog.LevelDebug) {
		s.log.Warn("dropping events", "events", n, "reason", why, "dropped_total", s.dropped.Load())
	}
	p.bld.Reset()
	s.free.Put(p.bld)
}

// lingerLoop cuts batches that have waited Linger.
func (s *Shipper) lingerLoop() {
	defer s.writer.Done()
	t := time.NewTicker(max(s.opts.Linger/4, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-s.linger:
			return
		case <-t.C:
		}
		s.mu.Lock()
		if !s.closed && s.bld.Len() > 0 && time.Since(s.first) >= s.opts.Linger {
			s.cutLocked()
		}
		s.mu.Unlock()
	}
}

// writeLoop encodes, compresses and spools cut batches.
func (s *Shipper) writeLoop() {
	defer s.writer.Done()
	var raw, rec []byte
	for p := range s.queue {
		st := s.spool.Stats()
		h := ingest.Header{ID: p.id, Tenant: s.opts.Tenant, Created: p.created,
			SpoolBytes: uint64(st.DiskBytes), SpoolBatches: uint64(st.Records), Dropped: s.dropped.Load()}
		raw = p.bld.AppendBatch(raw[:0], &h)
		// Record: event count, encoding, body.
		rec = binary.LittleEndian.AppendUint32(rec[:0], uint32(p.bld.Len()))
		rec = append(rec, encodingByte(s.opts.Encoding))
		var err error
		rec, err = ingest.Compress(rec, s.opts.Encoding, raw)
		if err == nil {
			if s.opts.Overflow == Block {
				err = s.spool.AppendWait(s.closing, rec)
			} else {
				err = s.spool.Append(rec)
			}
		}
		s.queued.Add(-1)
		if err != nil {
			s.dropBatch(p, err.Error())
			continue
		}
		s.spooled.Add(uint64(p.bld.Len()))
		p.bld.Reset()
		s.free.Put(p.bld)
	}
}

var encodings = []ingest.Encoding{ingest.Identity, ingest.Gzip, ingest.Zstd}

func encodingByte(e ingest.Encoding) byte {
	for i, x := range encodings {
		if x == e {
			return byte(i)
		}
	}
	panic("BUG: unknown encoding " + string(e))
}

// sendLoop delivers spooled batches until the shipper stops.
func (s *Shipper) sendLoop() {
	defer s.senders.Done()
	for {
		r, err := s.spool.Next(s.ctx)
		if err != nil {
			return // stopped or spool closed
		}
		if len(r.Data) < 5 || int(r.Data[4]) >= len(encodings) {
			s.log.Error("unreadable spool record: dropping it", "record", r.ID)
			s.spool.Ack(r.ID)
			continue
		}
		n := uint64(binary.LittleEndian.Uint32(r.Data))
		// A batch left in the spool by an earlier run may have reached the
		// collector already: it is announced as a retry.
		first := 1
		if s.spool.FromEarlierOpen(r.ID) {
			first = 2
		}
		if ok := s.deliver(r.Data[5:], encodings[r.Data[4]], n, first); !ok {
			return // stopped: the record stays in the spool
		}
		if err := s.spool.Ack(r.ID); err != nil {
			s.log.Error("cannot record delivery in the spool (the batch may be sent again)", "err", err)
		}
	}
}

// deliver POSTs a batch until it is accepted or refused for good; false
// means the shipper stopped first.
func (s *Shipper) deliver(body []byte, enc ingest.Encoding, events uint64, first int) bool {
	delay := s.opts.MinBackoff
	for attempt := first; ; attempt++ {
		status, retryAfter, msg, err := s.post(body, enc, attempt)
		switch {
		case err == nil && status/100 == 2:
			if s.failing.Swap(false) {
				s.log.Info("collector reachable again")
			}
			s.acked.Add(events)
			s.ackedB.Add(1)
			return true
		case err == nil && permanent(status):
			s.rejected.Add(events)
			s.log.Error("collector refused a batch: dropping it", "status", status, "events", events, "reason", msg)
			return true
		}
		if s.ctx.Err() != nil {
			return false
		}
		s.retries.Add(1)
		if !s.failing.Swap(true) || attempt%20 == 0 {
			if err != nil {
				s.log.Warn("cannot deliver batch, will retry", "attempt", attempt, "err", err)
			} else {
				s.log.Warn("collector did not accept batch, will retry", "attempt", attempt, "status", status, "reason", msg)
			}
		}
		wait := delay/2 + rand.N(delay/2+1) // jitter: senders do not retry in lockstep
		wait = max(wait, retryAfter)
		select {
		case <-s.ctx.Done():
			return false
		case <-time.After(wait):
		}
		delay = min(2*delay, s.opts.MaxBackoff)
	}
}

// permanent reports whether a status says the batch itself is bad, so no
// retry can succeed. Authentication and tenant errors are retried: they
// are configuration, fixed by the operator without losing data.
func permanent(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

func (s *Shipper) post(body []byte, enc ingest.Encoding, attempt int) (status int, retryAfter time.Duration, msg string, err error) {
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+s.opts.Token)
	req.Header.Set("Content-Type", ingest.ContentType)
	req.Header.Set(AttemptHeader, strconv.Itoa(attempt))
	if enc != ingest.Identity {
		req.Header.Set("Content-Encoding", string(enc))
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
		retryAfter = min(time.Duration(secs)*time.Second, s.opts.MaxBackoff)
	}
	return resp.StatusCode, retryAfter, strings.TrimSpace(string(b)), nil
}

// Flush cuts the current batch and waits until everything written so far
// is spooled and acknowledged, or ctx is done.
func (s *Shipper) Flush(ctx context.Context) error {
	s.mu.Lock()
	s.cutLocked()
	s.mu.Unlock()
	for {
		ch := s.spool.Changed()
		st := s.spool.Stats()
		if s.queued.Load() == 0 && st.Records == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("ship: %d batches (%d bytes) not acknowledged by the collector, %d not yet spooled: %w",
				st.Records, st.Bytes, s.queued.Load(), ctx.Err())
		case <-ch:
		case <-time.After(50 * time.Millisecond): // queued batches do not signal the spool
		}
	}
}

// Close spools the current batch and stops: batches not acknowledged stay
// in the spool for the next start. Call Flush first to deliver them. If
// the spool is full, batches still in memory are dropped (and counted).
func (s *Shipper) Close() error {
	s.stopWaiting()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.cutLocked()
	s.closed = true
	close(s.queue)
	close(s.linger)
	s.mu.Unlock()
	s.writer.Wait()
	s.stop()
	s.senders.Wait()
	if d := s.dropped.Load(); d > 0 {
		s.log.Warn("events dropped since start", "events", d)
	}
	return s.spool.Close()
}

// Stats returns the shipper's counters.
func (s *Shipper) Stats() Stats {
	return Stats{
		Events: s.events.Load(), Spooled: s.spooled.Load(), Acked: s.acked.Load(), AckedBatches: s.ackedB.Load(),
		Dropped: s.dropped.Load(), Rejected: s.rejected.Load(), Retries: s.retries.Load(), Spool: s.spool.Stats(),
	}
}
