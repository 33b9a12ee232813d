package quic

import (
	"github.com/spoorsec/spoor/sensor/quic/quictest"
	"testing"

	"github.com/spoorsec/spoor/sensor/tlshello"
)

func addSeeds(f *testing.F) {
	for _, s := range []string{quictest.ClientInitialV1, quictest.ClientInitialV2, quictest.ServerInitialV1, quictest.RetryV1} {
		f.Add(quictest.Bytes(s))
	}
	_, first, second := twoPacketHello(f, version1, []byte("fuzzseed"), 1)
	f.Add(first)
	f.Add(second)
	f.Add(append(append([]byte(nil), first...), second...))
}

// FuzzQUICInitial feeds arbitrary datagrams to one long-lived Parser, so
// state left by earlier inputs meets later ones. Mutations rarely survive
// authentication; FuzzQUICFrames covers what lies behind it.
func FuzzQUICInitial(f *testing.F) {
	addSeeds(f)
	p := NewParser(8)
	var c tlshello.ClientHello
	f.Fuzz(func(t *testing.T, datagram []byte) {
		done, err := p.Initial(datagram, 1, &c)
		if done {
			if err != nil {
				t.Fatalf("done with error %v", err)
			}
			if ja4 := c.AppendJA4(nil, 'q'); len(ja4) != 36 {
				t.Fatalf("got %d-byte JA4 %q", len(ja4), ja4)
			}
		}
		if p.Len() > 8 {
			t.Fatalf("got %d connections, want at most 8", p.Len())
		}
	})
}

// FuzzQUICFrames seals arbitrary bytes as the payload of valid Initial
// packets of one connection, exercising frame parsing, CRYPTO reassembly
// across packets and the ClientHello parse.
func FuzzQUICFrames(f *testing.F) {
	f.Add(padded(quictest.Bytes(quictest.CryptoFrame)), []byte{})
	hello := helloMessage("fuzz.example", 1216)
	f.Add(cryptoFrame(900, hello[900:]), cryptoFrame(0, hello[:900]))
	f.Add([]byte{frameACK, 0, 0, 1, 0, 0, 0}, []byte{frameConnectionClose, 0, 0, 0})
	p := NewParser(8)
	var c tlshello.ClientHello
	f.Fuzz(func(t *testing.T, payload1, payload2 []byte) {
		if len(payload1) < 20 || len(payload1) > 1400 || len(payload2) > 1400 {
			return // the sample needs 16 payload bytes; keep datagrams UDP-sized
		}
		dcid := []byte("fuzzdcid")
		p.Initial(sealInitial(t, initialSpec{dcid: dcid, payload: payload1}), 1, &c)
		if len(payload2) >= 20 {
			p.Initial(sealInitial(t, initialSpec{dcid: dcid, pn: 1, payload: payload2}), 1, &c)
		}
	})
}
