package api

import (
	"bufio"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/tenant"
)

// Live tail defaults.
const (
	defaultLiveBuffer      = 256
	defaultLiveSubscribers = 64
	liveHeartbeat          = 15 * time.Second
	liveWriteTimeout       = 10 * time.Second
)

// Live fans newly stored events out to a tenant's live-tail subscribers.
// Publish never waits: each subscriber has a bounded buffer of batches,
// and one whose buffer is full is cut off (its stream ends with a
// "dropped" event; the client reconnects and fills the gap from
// /events). It is safe for concurrent use.
type Live struct {
	buffer, maxSubs int

	mu   sync.Mutex
	subs map[tenant.ID]map[*liveSub]struct{}
}

type liveSub struct {
	ch chan []event.Event
	// dropped is set (under Live.mu) before ch is closed for being slow.
	dropped bool
}

// NewLive returns a broker with buffer batches per subscriber and at most
// maxPerTenant subscribers per tenant (defaults 256 and 64 for values
// <= 0).
func NewLive(buffer, maxPerTenant int) *Live {
	if buffer <= 0 {
		buffer = defaultLiveBuffer
	}
	if maxPerTenant <= 0 {
		maxPerTenant = defaultLiveSubscribers
	}
	return &Live{buffer: buffer, maxSubs: maxPerTenant, subs: map[tenant.ID]map[*liveSub]struct{}{}}
}

// Publish hands tenant t's newly stored events to its subscribers. The
// slice is shared with them: do not modify it afterwards.
func (l *Live) Publish(t tenant.ID, events []event.Event) {
	if len(events) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for s := range l.subs[t] {
		select {
		case s.ch <- events:
		default:
			s.dropped = true
			close(s.ch)
			delete(l.subs[t], s)
		}
	}
}

// Subscribers returns tenant t's number of subscribers.
func (l *Live) Subscribers(t tenant.ID) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.subs[t])
}

// subscribe registers a subscriber of tenant t; false when t has too many.
func (l *Live) subscribe(t tenant.ID) (*liveSub, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.subs[t]
	if len(m) >= l.maxSubs {
		return nil, false
	}
	if m == nil {
		m = map[*liveSub]struct{}{}
		l.subs[t] = m
	}
	s := &liveSub{ch: make(chan []event.Event, l.buffer)}
	m[s] = struct{}{}
	return s, true
}

// unsubscribe removes s (if Publish has not already dropped it).
func (l *Live) unsubscribe(t tenant.ID, s *liveSub) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.subs[t][s]; ok {
		delete(l.subs[t], s)
		close(s.ch)
	}
	if len(l.subs[t]) == 0 {
		delete(l.subs, t)
	}
}

// wasDropped reports whether Publish cut s off.
func (l *Live) wasDropped(s *liveSub) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return s.dropped
}

// liveHandler serves GET /tenants/{tenant}/live.
type liveHandler struct {
	live    *Live
	metrics *apiMetrics
}

// tail streams the tenant's new events as server-sent events: "event"
// events whose data is one event in Maltrail's JSON form, a comment every
// 15 s to keep proxies from closing the stream, and a final "dropped"
// event if the client reads too slowly.
func (h liveHandler) tail(c *gin.Context) {
	t := tenantOf(c)
	sub, ok := h.live.subscribe(t)
	if !ok {
		fail(c, publicf(http.StatusServiceUnavailable, "too many live subscribers for this tenant"))
		return
	}
	defer h.live.unsubscribe(t, sub)

	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-store")
	c.Header("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	c.Status(http.StatusOK)
	rc := http.NewResponseController(c.Writer)
	w := bufio.NewWriterSize(c.Writer, 32<<10)
	flush := func() bool {
		// A client that stops reading must not hold the handler forever.
		_ = rc.SetWriteDeadline(time.Now().Add(liveWriteTimeout))
		if w.Flush() != nil {
			return false
		}
		return rc.Flush() == nil
	}
	w.WriteString("retry: 3000\n: connected\n\n")
	if !flush() {
		return
	}
	heartbeat := time.NewTicker(liveHeartbeat)
	defer heartbeat.Stop()
	var buf []byte
	for {
		select {
		case <-c.Request.Context().Done():
			return
		case <-heartbeat.C:
			w.WriteString(": ping\n\n")
		case batch, ok := <-sub.ch:
			if !ok {
				if h.live.wasDropped(sub) {
					w.WriteString("event: dropped\ndata: {\"reason\":\"client too slow; reconnect and catch up from /events\"}\n\n")
					flush()
				}
				return
			}
			for i := range batch {
				buf = append(buf[:0], "event: event\ndata: "...)
				buf = batch[i].AppendJSON(buf, batch[i].Sensor)
				buf = append(buf, "\n\n"...)
				w.Write(buf)
			}
			h.metrics.streamedEvents("live", len(batch))
		}
		if !flush() {
			return
		}
	}
}
