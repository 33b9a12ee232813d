package trafficgen

import (
	"time"
)

// session is the frames of one conversation (a lookup, a connection, a
// scan), built into one buffer and handed out frame by frame.
type session struct {
	buf  []byte
	ends []int
	gaps []time.Duration // delay of each frame after the one before it
	hdr  [20]byte
	pay  []byte // payload scratch
}

func (s *session) reset() {
	s.buf, s.ends, s.gaps, s.pay = s.buf[:0], s.ends[:0], s.gaps[:0], s.pay[:0]
}

// frame appends one frame sent gap after the previous frame.
func (s *session) frame(gap time.Duration, src, dst *endpoint, h ipHeader, proto uint8, l4 []byte, csumOff int, payload []byte) {
	s.buf = appendFrame(s.buf, src, dst, h, proto, l4, csumOff, payload)
	s.ends = append(s.ends, len(s.buf))
	s.gaps = append(s.gaps, gap)
}

// conn is a TCP connection between a client and a server.
type conn struct {
	c, s       endpoint
	cttl, sttl uint8
	cseq, sseq uint32
}

// open appends the three-way handshake; rtt is the round trip.
func (g *Generator) open(k *conn, gap, rtt time.Duration) {
	s := &g.sess
	s.frame(gap, &k.c, &k.s, g.ip(k.cttl), protoTCP, tcpHeader(&s.hdr, k.c.port, k.s.port, k.cseq, 0, flagSYN, 64240), 16, nil)
	k.cseq++
	s.frame(rtt, &k.s, &k.c, g.ip(k.sttl), protoTCP, tcpHeader(&s.hdr, k.s.port, k.c.port, k.sseq, k.cseq, flagSYN|flagACK, 65160), 16, nil)
	k.sseq++
	s.frame(rtt/20+time.Microsecond*50, &k.c, &k.s, g.ip(k.cttl), protoTCP, tcpHeader(&s.hdr, k.c.port, k.s.port, k.cseq, k.sseq, flagACK, 502), 16, nil)
}

// send appends a data segment from the client (or the server).
func (g *Generator) send(k *conn, fromClient bool, gap time.Duration, payload []byte) {
	s := &g.sess
	if fromClient {
		s.frame(gap, &k.c, &k.s, g.ip(k.cttl), protoTCP, tcpHeader(&s.hdr, k.c.port, k.s.port, k.cseq, k.sseq, flagPSH|flagACK, 502), 16, payload)
		k.cseq += uint32(len(payload))
		return
	}
	s.frame(gap, &k.s, &k.c, g.ip(k.sttl), protoTCP, tcpHeader(&s.hdr, k.s.port, k.c.port, k.sseq, k.cseq, flagPSH|flagACK, 501), 16, payload)
	k.sseq += uint32(len(payload))
}

// close appends the client's FIN and the server's FIN.
func (g *Generator) close(k *conn, gap, rtt time.Duration) {
	s := &g.sess
	s.frame(gap, &k.c, &k.s, g.ip(k.cttl), protoTCP, tcpHeader(&s.hdr, k.c.port, k.s.port, k.cseq, k.sseq, flagFIN|flagACK, 502), 16, nil)
	k.cseq++
	s.frame(rtt, &k.s, &k.c, g.ip(k.sttl), protoTCP, tcpHeader(&s.hdr, k.s.port, k.c.port, k.sseq, k.cseq, flagFIN|flagACK, 501), 16, nil)
}

// syn appends a lone SYN (a probe or an unanswered connection attempt).
func (g *Generator) syn(gap time.Duration, src, dst *endpoint, ttl uint8, seq uint32) {
	s := &g.sess
	s.frame(gap, src, dst, g.ip(ttl), protoTCP, tcpHeader(&s.hdr, src.port, dst.port, seq, 0, flagSYN, 1024), 16, nil)
}

// rst appends a reset answering a probe of a closed port.
func (g *Generator) rst(gap time.Duration, src, dst *endpoint, ttl uint8, ack uint32) {
	s := &g.sess
	s.frame(gap, src, dst, g.ip(ttl), protoTCP, tcpHeader(&s.hdr, src.port, dst.port, 0, ack, flagRST|flagACK, 0), 16, nil)
}

// udp appends a datagram.
func (g *Generator) udp(gap time.Duration, src, dst *endpoint, ttl uint8, payload []byte) {
	s := &g.sess
	s.frame(gap, src, dst, g.ip(ttl), protoUDP, udpHeader(&s.hdr, src.port, dst.port, len(payload)), 6, payload)
}

// ping appends an ICMP or ICMPv6 echo request.
func (g *Generator) ping(gap time.Duration, src, dst *endpoint, ttl uint8, seq uint16) {
	s := &g.sess
	proto := uint8(protoICMP)
	if !src.addr.Is4() {
		proto = protoICMPv6
	}
	s.pay = appendRandom(s.pay[:0], g.rng, 48)
	s.frame(gap, src, dst, g.ip(ttl), proto, icmpEcho(&s.hdr, proto == protoICMPv6, uint16(g.rng.Uint32()), seq), 2, s.pay)
}

func (g *Generator) ip(ttl uint8) ipHeader { return ipHeader{ttl: ttl, id: uint16(g.rng.Uint32())} }
