package tlshello

import (
	"net/netip"

	"github.com/spoorsec/spoor/internal/recency"
)

// FlowTimeoutSec is how long, in packet-time seconds, the Reassembler keeps
// a flow that receives no segment. A handshake's segments arrive within a
// round trip or two; anything slower has lost a segment for good.
const FlowTimeoutSec = 10

// FlowKey names one direction of a TCP connection.
type FlowKey struct {
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
}

// String returns "src:port->dst:port".
func (k FlowKey) String() string {
	b := netip.AddrPortFrom(k.Src, k.SrcPort).AppendTo(nil)
	b = append(b, "->"...)
	b = netip.AddrPortFrom(k.Dst, k.DstPort).AppendTo(b)
	return string(b)
}

type flow struct {
	key      FlowKey
	isn      uint32 // sequence number of the flow's first payload byte
	data     HandshakeBuffer
	lastSeen int64
	recency.Links[flow]
}

// Reassembler buffers the first bytes of TCP flows whose first payload
// starts a TLS handshake record but whose ClientHello (or, for a server
// flight, leaf certificate) is not complete in that segment. It holds at
// most maxFlows flows of at most maxBytes each; a new flow beyond that
// evicts the least recently used one, and flows idle for FlowTimeoutSec of
// packet time are dropped.
//
// A Reassembler is not safe for concurrent use: give each capture goroutine
// its own.
type Reassembler struct {
	maxFlows, maxBytes int
	flows              map[FlowKey]*flow
	lru                recency.List[flow, *flow] // most recently used first
	free               []*flow
}

// NewReassembler returns a Reassembler for up to maxFlows flows of up to
// maxBytes bytes each (16 KiB fits nearly every ClientHello, post-quantum
// key shares included, and most certificate chains). Values below 1 are
// raised to 1.
func NewReassembler(maxFlows int, maxBytes int) *Reassembler {
	maxFlows = max(maxFlows, 1)
	return &Reassembler{
		maxFlows: maxFlows,
		maxBytes: max(maxBytes, 1),
		flows:    make(map[FlowKey]*flow, maxFlows),
	}
}

// Len returns the number of flows being buffered.
func (r *Reassembler) Len() int { return len(r.flows) }

// Add adds a TCP segment of flow k, seq being the sequence number of its
// first payload byte, and returns the accumulated bytes once the first TLS
// handshake message is complete (done=true; the flow is released).
//
// For a client flow "complete" means the whole ClientHello; for a server
// flow starting with ServerHello it means the leaf certificate, or the point
// where it is clear none follows in plaintext (TLS 1.3, resumption). A flow
// is only started by a segment that begins a handshake record with a
// ClientHello or ServerHello; a first segment that completes the message by
// itself is returned as is, without being copied or remembered. Later
// segments are placed by sequence number, so reordering after the first
// segment is harmless and retransmissions are idempotent; bytes past
// maxBytes are dropped. A flow that turns out not to be TLS, or whose
// message cannot fit in maxBytes, is released with done=false.
//
// Returned data aliases payload or the Reassembler's memory and is valid
// until the next call to Add.
func (r *Reassembler) Add(k FlowKey, seq uint32, payload []byte, nowSec int64) (data []byte, done bool) {
	r.expire(nowSec)
	f := r.flows[k]
	if f == nil {
		if len(payload) == 0 || payload[0] != contentHandshake {
			return nil, false
		}
		switch handshakeProgress(payload) {
		case progressComplete:
			return payload, true
		case progressInvalid:
			return nil, false
		}
		f = r.insert(k, nowSec)
		f.isn = seq
		f.data.Write(0, payload)
		return nil, false
	}

	f.lastSeen = nowSec
	r.lru.MoveToFront(f)
	// Offsets before the first segment wrap to huge values and are dropped
	// like any other byte past the limit.
	f.data.Write(uint64(seq-f.isn), payload)
	prefix := f.data.Prefix()
	switch handshakeProgress(prefix) {
	case progressComplete:
		r.release(f)
		return prefix, true
	case progressInvalid:
		r.release(f)
		return nil, false
	}
	if f.data.Full() {
		r.release(f)
	}
	return nil, false
}

type progress int

const (
	progressNeedMore progress = iota
	progressComplete
	progressInvalid
)

// handshakeProgress tells whether data, the start of one direction of a TCP
// stream, holds the message the Reassembler waits for.
func handshakeProgress(data []byte) progress {
	s := recordStream{rest: data}
	if err := s.fill(); err != nil {
		return progressOf(err)
	}
	switch s.frag[0] {
	case typeClientHello:
		_, n, err := s.messageHeader()
		if err == nil {
			err = s.skip(n)
		}
		return progressOf(err)
	case typeServerHello:
		s, n, err := seekLeafCertificate(data)
		if err == nil {
			err = s.skip(n)
		}
		if err == errNoCertificate {
			return progressComplete
		}
		return progressOf(err)
	}
	return progressInvalid
}

func progressOf(err error) progress {
	switch err {
	case nil:
		return progressComplete
	case errShortRecord:
		return progressNeedMore
	}
	return progressInvalid
}

func (r *Reassembler) insert(k FlowKey, now int64) *flow {
	if len(r.flows) >= r.maxFlows {
		r.release(r.lru.Oldest())
	}
	var f *flow
	if n := len(r.free); n > 0 {
		f, r.free = r.free[n-1], r.free[:n-1]
	} else {
		f = new(flow)
	}
	f.key, f.lastSeen = k, now
	f.data.Reset(r.maxBytes)
	r.flows[k] = f
	r.lru.PushFront(f)
	return f
}

// release forgets f; its buffer stays valid until f is reused by a later
// Add.
func (r *Reassembler) release(f *flow) {
	delete(r.flows, f.key)
	r.lru.Remove(f)
	r.free = append(r.free, f)
}

func (r *Reassembler) expire(now int64) {
	for old := r.lru.Oldest(); old != nil && now-old.lastSeen > FlowTimeoutSec; old = r.lru.Oldest() {
		r.release(old)
	}
}
