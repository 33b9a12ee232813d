package quic

import (
	"github.com/spoorsec/spoor/internal/recency"
	"github.com/spoorsec/spoor/sensor/tlshello"
)

const (
	// ConnTimeoutSec is how long, in packet-time seconds, the Parser keeps
	// a half-received ClientHello. A client sends all its Initial packets
	// at once; a late one was lost and its retransmission repeats the rest.
	ConnTimeoutSec = 10
	// maxHelloBytes bounds the CRYPTO stream kept per connection. Chrome's
	// post-quantum hello is about 1.8 KB; 16 KiB leaves room for large
	// resumption tickets and certificate-compression lists.
	maxHelloBytes = 16 << 10
)

// connKey identifies a connection's Initial keys: the version and the
// client's original Destination Connection ID.
type connKey struct {
	version uint32
	n       uint8
	id      [20]byte
}

func makeConnKey(version uint32, dcid []byte) connKey {
	k := connKey{version: version, n: uint8(len(dcid))}
	copy(k.id[:], dcid)
	return k
}

// conn is the state of one connection's ClientHello in the making.
type conn struct {
	key      connKey
	keyed    bool // keys belong to key
	keys     initialKeys
	crypto   tlshello.HandshakeBuffer
	lastSeen int64
	recency.Links[conn]
}

// Parser extracts ClientHellos from client Initial packets of QUIC v1 and
// v2. It removes header protection and decrypts each Initial with the keys of
// its Destination Connection ID, rejects packets that fail authentication,
// and reassembles the CRYPTO frames, which may come shuffled and spread over
// several Initial packets: Chrome's ~1.8 KB post-quantum hello needs two.
// Coalesced packets in a datagram are all examined.
//
// A hello that does not complete in one datagram keeps per-connection state,
// keyed by version and Destination Connection ID: at most maxConns of them,
// the least recently used evicted first, each dropped once complete or after
// ConnTimeoutSec of packet time.
//
// Buffers are reused. A packet of a connection the Parser has not seen costs
// a key derivation and three allocations (two AES instances and a GCM); one
// of a connection with state, or a repeat of the last unknown connection,
// allocates nothing.
//
// A Parser is not safe for concurrent use: give each capture goroutine its
// own. Feed it UDP payloads that may be QUIC (port 443, say): any datagram
// that looks like a v1/v2 Initial costs a key derivation.
type Parser struct {
	maxConns int
	conns    map[connKey]*conn
	lru      recency.List[conn, *conn] // most recently used first
	free     []*conn
	spare    *conn // decrypts packets of connections without state

	ks    keySchedule
	mask  [16]byte
	nonce [12]byte
	hdr   []byte // unprotected header, the AEAD's associated data
	plain []byte // decrypted payload
}

// NewParser returns a Parser that keeps at most maxConns unfinished
// ClientHellos (at least 1).
func NewParser(maxConns int) *Parser {
	maxConns = max(maxConns, 1)
	return &Parser{
		maxConns: maxConns,
		conns:    make(map[connKey]*conn, maxConns),
		spare:    new(conn),
		hdr:      make([]byte, 0, 64),
		plain:    make([]byte, 0, 1500),
	}
}

// Len returns the number of connections with a partial ClientHello.
func (p *Parser) Len() int { return len(p.conns) }

// Initial returns done=true with c filled when a complete ClientHello is available.
//
// datagram is one UDP payload; every coalesced packet in it is examined. A
// ClientHello spread over several datagrams completes with the call that
// delivers its last piece, in whatever order they come. c's SNI and ALPN
// alias the Parser's memory and stay valid until the next call.
//
// err is nil while a hello is still incomplete. Otherwise it wraps
// ErrNotQUIC, ErrNotInitial, ErrMalformed, ErrDecrypt or ErrTooLarge, or is
// an error of tlshello's for a malformed or unexpected hello.
func (p *Parser) Initial(datagram []byte, nowSec int64, c *tlshello.ClientHello) (done bool, err error) {
	p.expire(nowSec)
	if len(datagram) == 0 {
		return false, errEmpty
	}
	var firstErr error
	sawInitial := false
	for rest := datagram; len(rest) > 0; {
		h, err := parseLongHeader(rest)
		if err != nil {
			// Only the first packet decides whether this is QUIC; bytes
			// after a valid packet are padding or junk.
			if len(rest) == len(datagram) {
				return false, err
			}
			break
		}
		pkt := rest[:h.length]
		rest = rest[h.length:]
		if !h.initial {
			continue
		}
		sawInitial = true
		done, err := p.initialPacket(pkt, &h, nowSec, c)
		if done {
			return true, nil
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if !sawInitial {
		return false, ErrNotInitial
	}
	return false, firstErr
}

// initialPacket decrypts one Initial and adds its CRYPTO data to its
// connection's stream.
func (p *Parser) initialPacket(pkt []byte, h *longHeader, now int64, c *tlshello.ClientHello) (bool, error) {
	key := makeConnKey(h.version, h.dcid)
	cn := p.conns[key]
	tracked := cn != nil
	if !tracked {
		cn = p.spare
		if !cn.keyed || cn.key != key {
			cn.keyed = false
			if err := cn.keys.derive(&p.ks, h.params, h.dcid); err != nil {
				return false, err
			}
			cn.key, cn.keyed = key, true
		}
		cn.crypto.Reset(maxHelloBytes)
	}
	plain, err := p.open(&cn.keys, pkt, h)
	if err != nil {
		return false, err
	}
	if tracked {
		cn.lastSeen = now
		p.lru.MoveToFront(cn)
	}
	gotCrypto, frameErr := readFrames(plain, &cn.crypto)

	hello := cn.crypto.Prefix()
	if len(hello) > 0 && hello[0] != 0x01 {
		p.forget(cn, tracked)
		return false, tlshello.ErrNotClientHello
	}
	if len(hello) >= 4 {
		n := 4 + (int(hello[1])<<16 | int(hello[2])<<8 | int(hello[3]))
		if n > maxHelloBytes {
			p.forget(cn, tracked)
			return false, errHelloTooLarge
		}
		if len(hello) >= n {
			// c aliases cn's buffer, which stays untouched until the next
			// call reuses cn.
			err := c.Parse(hello[:n])
			p.forget(cn, tracked)
			return err == nil, err
		}
	}
	if !tracked && gotCrypto {
		p.track(cn, now)
	}
	return false, frameErr
}

// forget drops cn's connection state.
func (p *Parser) forget(cn *conn, tracked bool) {
	if !tracked {
		cn.crypto.Reset(maxHelloBytes)
		return
	}
	delete(p.conns, cn.key)
	p.lru.Remove(cn)
	p.free = append(p.free, cn)
}

// track turns the spare into tracked connection state and takes a new
// spare, evicting the least recently used connection when full.
func (p *Parser) track(cn *conn, now int64) {
	if len(p.conns) >= p.maxConns {
		p.forget(p.lru.Oldest(), true)
	}
	cn.lastSeen = now
	p.conns[cn.key] = cn
	p.lru.PushFront(cn)
	if n := len(p.free); n > 0 {
		p.spare, p.free = p.free[n-1], p.free[:n-1]
	} else {
		p.spare = new(conn)
	}
}

func (p *Parser) expire(now int64) {
	for old := p.lru.Oldest(); old != nil && now-old.lastSeen > ConnTimeoutSec; old = p.lru.Oldest() {
		p.forget(old, true)
	}
}
