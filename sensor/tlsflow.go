package sensor

import (
	"encoding/hex"
	"errors"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/sensor/decode"
	"github.com/spoorsec/spoor/sensor/tlshello"
)

// tlsPayload handles TCP payloads that start a TLS handshake, or continue
// one the reassembler is holding. It reports whether the payload was TLS.
func (w *Worker) tlsPayload(p *decode.Packet) bool {
	pl := p.Payload
	key := tlshello.FlowKey{Src: p.Src, Dst: p.Dst, SrcPort: p.SrcPort, DstPort: p.DstPort}
	if len(pl) < 6 || pl[0] != 0x16 || pl[1] != 0x03 {
		if w.tcp.Len() == 0 {
			return false
		}
		data, done := w.tcp.Add(key, p.TCPSeq, pl, w.now.Unix())
		if done {
			w.tlsHandshake(p, data)
		}
		return data != nil
	}
	switch pl[5] {
	case 0x01: // ClientHello
		if !w.e.cfg.CheckSNI {
			return true
		}
		switch err := tlshello.ParseRecords(pl, &w.ch); {
		case err == nil:
			w.clientHello(p, "TCP", 't')
		case errors.Is(err, tlshello.ErrIncomplete):
			w.tcp.Add(key, p.TCPSeq, pl, w.now.Unix())
		}
		return true
	case 0x02: // ServerHello; the Certificate follows in TLS 1.2 and earlier
		if !w.e.cfg.CheckCerts {
			return true
		}
		if sum, ok := tlshello.ServerCertificateSHA1(pl); ok {
			w.certificate(p, sum)
		} else {
			w.tcp.Add(key, p.TCPSeq, pl, w.now.Unix())
		}
		return true
	}
	return false
}

// tlsHandshake handles a handshake the reassembler completed.
func (w *Worker) tlsHandshake(p *decode.Packet, data []byte) {
	if len(data) < 6 {
		return
	}
	switch data[5] {
	case 0x01:
		if tlshello.ParseRecords(data, &w.ch) == nil {
			w.clientHello(p, "TCP", 't')
		}
	case 0x02:
		if sum, ok := tlshello.ServerCertificateSHA1(data); ok {
			w.certificate(p, sum)
		}
	}
}

// clientHello matches the server name of a parsed ClientHello (w.ch) and
// records its JA4 fingerprint on any event the packet raises.
func (w *Worker) clientHello(p *decode.Packet, proto string, transport byte) {
	w.ja4 = w.ch.AppendJA4(w.ja4[:0], transport)
	w.ctx.ja4 = w.ja4
	if len(w.ch.SNI) == 0 {
		return
	}
	w.ctx.sni = w.ch.SNI
	w.checkDomain(view(w.ch.SNI), p, proto)
}

// certificate matches a server certificate's SHA-1 fingerprint.
func (w *Worker) certificate(p *decode.Packet, sum [20]byte) {
	var hx [40]byte
	hex.Encode(hx[:], sum[:])
	w.ctx.cert = hx
	w.ctx.hasCert = true
	if ent, ok := w.set.Lookup(view(hx[:])); ok {
		w.emitTrail(p, "TCP", event.TypeCert, func() string { return string(hx[:]) }, ent)
	}
}

func (w *Worker) quicInitial(p *decode.Packet) {
	done, err := w.quic.Initial(p.Payload, w.now.Unix(), &w.ch)
	if err == nil && done {
		w.clientHello(p, "UDP", 'q')
	}
}

// isQUICInitial is a cheap test for a long-header QUIC v1 or v2 packet.
func isQUICInitial(b []byte) bool {
	if len(b) < 7 || b[0]&0xc0 != 0xc0 {
		return false
	}
	v := uint32(b[1])<<24 | uint32(b[2])<<16 | uint32(b[3])<<8 | uint32(b[4])
	return v == 1 || v == 0x6b3343cf
}
