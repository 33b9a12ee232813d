package collector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/ingest"
	"github.com/spoorsec/spoor/store"
)

// UDP refusal reasons (spoor_ingest_rejected_total{transport="udp"}),
// besides ingest's decoding reasons and the shared ones.
const (
	ReasonUnknownKey = "unknown_key" // no sensor has the key ID
	ReasonForged     = "forged"      // HMAC does not verify
	ReasonReplayed   = "replayed"    // sequence number seen or too old
	ReasonStale      = "stale"       // timestamp outside the skew window
	ReasonQueueFull  = "queue_full"  // insert queue full: events dropped
)

// udpKeyTTL is how long a verified key and its replay window are kept
// without traffic.
const udpKeyTTL = 10 * time.Minute

// udpServer receives datagrams on one goroutine (which owns keys), groups
// their events per sensor, and stores the groups on another.
type udpServer struct {
	c        *Collector
	conn     *net.UDPConn
	done     chan struct{} // reader finished
	draining atomic.Bool   // shutting down: read what is queued, then stop

	keys map[string]*udpKey // reader goroutine only

	// Per-datagram counters, resolved once.
	datagrams, wireBytes prometheus.Counter

	mu      sync.Mutex
	pending map[sensorKey]*udpBatch
	inserts chan *udpBatch
	flushed chan struct{} // flusher finished
	stop    chan struct{}
	stored  sync.WaitGroup
}

type udpKey struct {
	sensor   store.Sensor
	err      error
	verifier *ingest.Verifier
	window   replayWindow
	checked  time.Time
	used     time.Time
}

type udpBatch struct {
	sensor   store.Sensor
	first    time.Time // oldest datagram time, for lag
	opened   time.Time
	firstSeq uint64
	keyID    string
	events   []event.Event
	bufs     [][]byte // datagram copies the events' strings alias
}

func newUDPServer(c *Collector, addr string) (*udpServer, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("collector: UDP address %q: %w", addr, err)
	}
	conn, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, fmt.Errorf("collector: cannot listen on UDP %s: %w", addr, err)
	}
	got := setReadBuffer(conn, c.cfg.UDPReadBuffer)
	if got < c.cfg.UDPReadBuffer {
		c.log.Warn("UDP receive buffer smaller than configured (raise net.core.rmem_max): bursts may be lost",
			"configured", c.cfg.UDPReadBuffer, "got", got)
	}
	u := &udpServer{c: c, conn: conn, done: make(chan struct{}), keys: map[string]*udpKey{},
		datagrams: c.met.batches.WithLabelValues(transportUDP), wireBytes: c.met.bytes.WithLabelValues(transportUDP),
		pending: map[sensorKey]*udpBatch{}, inserts: make(chan *udpBatch, 16), flushed: make(chan struct{}), stop: make(chan struct{})}
	return u, nil
}

// setReadBuffer asks for a receive buffer of n bytes, past net.core.rmem_max
// when privileged (SO_RCVBUFFORCE), and returns what the kernel gave
// (Linux reports double the usable size; halved here).
func setReadBuffer(conn *net.UDPConn, n int) int {
	raw, err := conn.SyscallConn()
	if err != nil {
		return 0
	}
	got := 0
	raw.Control(func(fd uintptr) {
		if syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, n) != nil {
			syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
		}
		if v, err := syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF); err == nil {
			got = v / 2
		}
	})
	return got
}

func (u *udpServer) run() {
	go u.flushLoop()
	u.stored.Add(1)
	go u.insertLoop()
	defer close(u.done)
	buf := make([]byte, ingest.MaxDatagram+1)
	var scratch []event.Event
	for {
		n, _, err := u.conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || u.draining.Load() && errors.Is(err, os.ErrDeadlineExceeded) {
				return
			}
			u.c.log.Warn("UDP read failed", "err", err)
			continue
		}
		if u.draining.Load() {
			u.conn.SetReadDeadline(time.Now().Add(udpDrainQuiet))
		}
		scratch = u.handle(buf[:n], scratch)
	}
}

// udpDrainQuiet ends the shutdown's drain of the socket: datagrams already
// received are read until none has come for this long.
const udpDrainQuiet = 200 * time.Millisecond

// handle checks one datagram and queues its events.
func (u *udpServer) handle(data []byte, scratch []event.Event) []event.Event {
	c := u.c
	d, err := ingest.ParseDatagram(data)
	if err != nil {
		u.reject(string(ingest.ReasonOf(err)))
		return scratch
	}
	k, err := u.key(d.KeyID)
	switch {
	case errors.Is(err, errAuthOverload):
		u.reject(ReasonOverloaded)
		return scratch
	case err != nil:
		u.reject(ReasonStoreUnavailable)
		return scratch
	case errors.Is(k.err, errRevokedCredential):
		u.reject(ReasonRevoked)
		return scratch
	case k.err != nil:
		u.reject(ReasonUnknownKey)
		return scratch
	}
	if !k.verifier.Verify(&d) {
		u.reject(ReasonForged)
		return scratch
	}
	now := c.now()
	// Datagrams from before this process started may have been accepted
	// by its predecessor, whose replay windows are gone: refuse them.
	if d.Time.Before(now.Add(-c.cfg.UDPMaxSkew)) || d.Time.After(now.Add(c.cfg.UDPMaxSkew)) || d.Time.Before(c.started) {
		u.reject(ReasonStale)
		return scratch
	}
	if !k.window.accept(d.Seq) {
		u.reject(ReasonReplayed)
		return scratch
	}
	k.used = now
	if d.Tenant != "" && d.Tenant != string(k.sensor.Tenant) {
		u.reject(ReasonTenantMismatch)
		return scratch
	}
	// Events are kept until stored: decode them from a copy of the
	// datagram, their strings aliasing it (one allocation per datagram).
	cp := bytes.Clone(data)
	d, err = ingest.ParseDatagram(cp)
	if err != nil {
		panic("BUG: datagram unparsable after it parsed: " + err.Error())
	}
	events, err := d.DecodeEvents(c.cfg.MaxEvents, scratch)
	if err != nil {
		u.reject(string(ingest.ReasonOf(err)))
		return events
	}
	if msg := c.checkTimes(events); msg != "" {
		u.reject(ReasonTimeRange)
		return events
	}
	if ok, _ := c.limits.allow(sensorKey{string(k.sensor.Tenant), k.sensor.ID}, len(events)); !ok {
		u.reject(ReasonRateLimited)
		return events
	}
	u.datagrams.Inc()
	u.wireBytes.Add(float64(len(data)))
	u.add(k, &d, cp, events)
	return events
}

// key returns the cached key of id, looking it up when unknown or old; an
// error when the store cannot answer (the key's own refusal is in k.err).
func (u *udpServer) key(id string) (*udpKey, error) {
	now := u.c.now()
	k := u.keys[id]
	if k != nil && now.Sub(k.checked) < u.c.cfg.CredentialTTL {
		return k, nil
	}
	ctx, cancel := context.WithTimeout(u.c.bg, 5*time.Second)
	defer cancel()
	s, err := u.c.creds.byUDPKey(ctx, id)
	if err != nil && !errors.Is(err, errUnknownCredential) && !errors.Is(err, errRevokedCredential) {
		if !errors.Is(err, errAuthOverload) {
			u.c.log.Error("cannot look up UDP key", "err", err)
		}
		return nil, err
	}
	if k == nil || k.sensor.UDPKey != s.UDPKey || k.err != nil {
		k = &udpKey{}
		if err == nil {
			key, kerr := token.DecodeUDPKey(s.UDPKey)
			if kerr != nil {
				u.c.log.Error("sensor has an unusable UDP key", "tenant", s.Tenant, "sensor", s.ID, "err", kerr)
				err = errUnknownCredential
			} else {
				k.verifier = ingest.NewVerifier(key)
			}
		}
	}
	k.sensor, k.err, k.checked = s, err, now
	if len(u.keys) >= maxCachedCreds {
		u.evictKeys(now)
	}
	u.keys[strings.Clone(id)] = k // id aliases the receive buffer
	return k, nil
}

// evictKeys forgets keys unused for udpKeyTTL (and all refusals).
func (u *udpServer) evictKeys(now time.Time) {
	for id, k := range u.keys {
		if k.err != nil || now.Sub(k.used) > udpKeyTTL {
			delete(u.keys, id)
		}
	}
}

// add queues a verified datagram's events in its sensor's batch; their
// strings alias data.
func (u *udpServer) add(k *udpKey, d *ingest.Datagram, data []byte, events []event.Event) {
	sk := sensorKey{string(k.sensor.Tenant), k.sensor.ID}
	u.mu.Lock()
	b := u.pending[sk]
	if b == nil {
		b = &udpBatch{sensor: k.sensor, first: d.Time, opened: u.c.now(), firstSeq: d.Seq, keyID: k.sensor.UDPKeyID}
		u.pending[sk] = b
	}
	b.events = append(b.events, events...)
	b.bufs = append(b.bufs, data)
	if d.Time.Before(b.first) {
		b.first = d.Time
	}
	full := len(b.events) >= u.c.cfg.UDPBatch
	if full {
		delete(u.pending, sk)
	}
	u.mu.Unlock()
	if full {
		u.queue(b)
	}
}

// queue hands a batch to the inserter, dropping it when the queue is full
// (the socket must keep being read).
func (u *udpServer) queue(b *udpBatch) {
	select {
	case u.inserts <- b:
	default:
		u.c.met.dropped.WithLabelValues(transportUDP, ReasonQueueFull).Add(float64(len(b.events)))
		u.c.log.Warn("UDP insert queue full: dropping events", "tenant", b.sensor.Tenant, "sensor", b.sensor.ID, "events", len(b.events))
	}
}

// flushLoop queues batches older than UDPLinger; on stop it queues all.
func (u *udpServer) flushLoop() {
	defer close(u.flushed)
	t := time.NewTicker(max(u.c.cfg.UDPLinger/4, 10*time.Millisecond))
	defer t.Stop()
	for {
		final := false
		select {
		case <-u.stop:
			final = true
		case <-t.C:
		}
		now := u.c.now()
		var due []*udpBatch
		u.mu.Lock()
		for k, b := range u.pending {
			if final || now.Sub(b.opened) >= u.c.cfg.UDPLinger {
				due = append(due, b)
				delete(u.pending, k)
			}
		}
		u.mu.Unlock()
		for _, b := range due {
			if final {
				u.inserts <- b // shutting down: wait rather than drop
			} else {
				u.queue(b)
			}
		}
		if final {
			return
		}
	}
}

// insertLoop stores queued batches, retrying a failing store briefly.
func (u *udpServer) insertLoop() {
	defer u.stored.Done()
	for b := range u.inserts {
		id := "u-" + b.keyID + "-" + strconv.FormatUint(b.firstSeq, 10) + "-" + strconv.Itoa(len(b.events))
		var err error
		for attempt := 0; attempt < 3; attempt++ {
			if attempt > 0 {
				time.Sleep(time.Duration(attempt) * 500 * time.Millisecond)
			}
			ctx, cancel := context.WithTimeout(u.c.bg, insertTimeout)
			start := time.Now()
			err = u.c.store.InsertEvents(ctx, b.sensor.Tenant, b.sensor.ID, id, b.events)
			u.c.met.insert.Observe(time.Since(start).Seconds())
			cancel()
			if err == nil || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrBadBatch) || u.c.bg.Err() != nil {
				break
			}
		}
		if err != nil {
			u.c.met.dropped.WithLabelValues(transportUDP, ReasonStoreUnavailable).Add(float64(len(b.events)))
			u.c.log.Error("cannot store UDP events: dropped", "tenant", b.sensor.Tenant, "sensor", b.sensor.ID, "events", len(b.events), "err", err)
			continue
		}
		now := u.c.now()
		u.c.met.events.WithLabelValues(transportUDP).Add(float64(len(b.events)))
		u.c.met.lag.WithLabelValues(transportUDP).Observe(max(now.Sub(b.first).Seconds(), 0))
		if err := u.c.store.TouchSensor(u.c.bg, b.sensor.Tenant, b.sensor.ID, now); err != nil {
			u.c.log.Warn("cannot record sensor contact", "tenant", b.sensor.Tenant, "sensor", b.sensor.ID, "err", err)
		}
	}
}

func (u *udpServer) reject(reason string) {
	u.c.met.rejects.WithLabelValues(transportUDP, reason).Inc()
}

// shutdown reads the datagrams the socket holds, stores what was
// received, and returns.
func (u *udpServer) shutdown(ctx context.Context) error {
	u.draining.Store(true)
	u.conn.SetReadDeadline(time.Now().Add(udpDrainQuiet))
	select {
	case <-u.done:
	case <-ctx.Done():
	}
	u.conn.Close()
	<-u.done
	close(u.stop)
	<-u.flushed
	close(u.inserts)
	finished := make(chan struct{})
	go func() { u.stored.Wait(); close(finished) }()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("collector: UDP events not all stored before the shutdown deadline: %w", ctx.Err())
	}
}
