package ship

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spoorsec/spoor/auth/token"
	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/ingest"
)

// UDPOptions configure a UDP sender.
type UDPOptions struct {
	// Addr is the collector's host:port (a udp:// URL is accepted too).
	Addr string
	// KeyID and Key are the sensor's UDP key (from enrollment).
	KeyID, Key string
	// Tenant, if set, is declared in every datagram.
	Tenant string
	// MaxDatagram bounds a datagram (default 1400 bytes: one Ethernet
	// frame with room for tunnels). An event too large for it is sent
	// alone, in a fragmented datagram.
	MaxDatagram int
	// Linger bounds how long an event waits for a datagram to fill
	// (default 100 ms).
	Linger time.Duration
	Logger *slog.Logger
}

// UDPStats are a UDP sender's counters.
type UDPStats struct {
	Events, Datagrams, SendErrors uint64
}

// UDP sends events as signed datagrams: an output.Sink without delivery
// guarantee. Sequence numbers start at the clock in nanoseconds, so they
// keep increasing across restarts and the collector's replay window
// accepts a restarted sensor.
type UDP struct {
	opts UDPOptions
	conn net.Conn
	key  []byte
	log  *slog.Logger

	mu     sync.Mutex
	bld    ingest.Builder
	first  time.Time
	seq    uint64
	buf    []byte
	closed bool
	stop   chan struct{}
	done   sync.WaitGroup

	events, datagrams, errs atomic.Uint64
}

// NewUDP connects a UDP sender.
func NewUDP(o UDPOptions) (*UDP, error) {
	if o.MaxDatagram <= 0 {
		o.MaxDatagram = 1400
	}
	o.MaxDatagram = min(o.MaxDatagram, ingest.MaxDatagram)
	if o.Linger <= 0 {
		o.Linger = 100 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	addr := o.Addr
	if u, err := url.Parse(addr); err == nil && u.Scheme == "udp" {
		addr = u.Host
	}
	if o.KeyID == "" || len(o.KeyID) > ingest.MaxKeyIDLen {
		return nil, fmt.Errorf("ship: UDP key id must be 1 to %d bytes", ingest.MaxKeyIDLen)
	}
	key, err := token.DecodeUDPKey(o.Key)
	if err != nil {
		return nil, fmt.Errorf("ship: %w", err)
	}
	conn, err := net.Dial("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("ship: cannot reach collector over UDP: %w", err)
	}
	u := &UDP{opts: o, conn: conn, key: key, log: o.Logger.With("component", "udp-sender", "collector", addr),
		seq: uint64(time.Now().UnixNano()), stop: make(chan struct{})}
	u.done.Add(1)
	go u.lingerLoop()
	return u, nil
}

func (u *UDP) header() ingest.DatagramHeader {
	return ingest.DatagramHeader{KeyID: u.opts.KeyID, Tenant: u.opts.Tenant}
}

// Write adds e to the current datagram, sending it when full.
func (u *UDP) Write(e *event.Event) error {
	u.events.Add(1)
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return errors.New("ship: UDP sender closed")
	}
	h := u.header()
	room := u.opts.MaxDatagram - ingest.DatagramOverhead(&h)
	if u.bld.Len() == 0 {
		u.first = time.Now()
	}
	if u.bld.AddWithin(e, room) {
		if u.bld.Size() < room {
			return nil
		}
		return u.sendLocked()
	}
	err := u.sendLocked()
	u.first = time.Now()
	u.bld.AddWithin(e, room)
	return err
}

// sendLocked signs and sends the current datagram; u.mu is held.
func (u *UDP) sendLocked() error {
	if u.bld.Len() == 0 {
		return nil
	}
	u.seq++
	h := u.header()
	h.Seq, h.Time = u.seq, time.Now()
	u.buf = ingest.AppendDatagram(u.buf[:0], &h, &u.bld, u.key)
	u.bld.Reset()
	u.datagrams.Add(1)
	if _, err := u.conn.Write(u.buf); err != nil {
		if u.errs.Add(1) == 1 {
			u.log.Warn("cannot send datagram", "err", err)
		}
		return fmt.Errorf("ship: cannot send datagram: %w", err)
	}
	return nil
}

func (u *UDP) lingerLoop() {
	defer u.done.Done()
	t := time.NewTicker(max(u.opts.Linger/4, 5*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-u.stop:
			return
		case <-t.C:
		}
		u.mu.Lock()
		if u.bld.Len() > 0 && time.Since(u.first) >= u.opts.Linger {
			u.sendLocked()
		}
		u.mu.Unlock()
	}
}

// Flush sends the current datagram.
func (u *UDP) Flush() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.sendLocked()
}

// Close sends what is pending and closes the socket.
func (u *UDP) Close() error {
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return nil
	}
	err := u.sendLocked()
	u.closed = true
	close(u.stop)
	u.mu.Unlock()
	u.done.Wait()
	return errors.Join(err, u.conn.Close())
}

// Stats returns the sender's counters.
func (u *UDP) Stats() UDPStats {
	return UDPStats{Events: u.events.Load(), Datagrams: u.datagrams.Load(), SendErrors: u.errs.Load()}
}
