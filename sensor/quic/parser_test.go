package quic

import (
	"bytes"
	"errors"
	"github.com/spoorsec/spoor/sensor/quic/quictest"
	"math/rand/v2"
	"testing"

	"github.com/spoorsec/spoor/sensor/tlshello"
)

// JA4 of the RFCs' ClientHello, computed independently from the hello's
// fields (2 ciphers, 11 extensions, ALPN "alpn").
const rfcJA4 = "q13d0211an_62ed6f6ca7ad_4d634acda6c0"

func TestRFCClientInitial(t *testing.T) {
	frame := quictest.Bytes(quictest.CryptoFrame)
	for _, tt := range []struct {
		name   string
		packet string
	}{
		{"v1 (RFC 9001 A.2)", quictest.ClientInitialV1},
		{"v2 (RFC 9369 A.2)", quictest.ClientInitialV2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := NewParser(4)
			var c tlshello.ClientHello
			done, err := p.Initial(quictest.Bytes(tt.packet), 1, &c)
			if !done || err != nil {
				t.Fatalf("got done=%v err=%v, want done", done, err)
			}
			// The decrypted payload is the RFC's CRYPTO frame plus PADDING.
			want := append(frame, make([]byte, 1162-len(frame))...)
			if !bytes.Equal(p.plain, want) {
				t.Errorf("decrypted payload differs from the RFC's")
			}
			if string(c.SNI) != "example.com" || string(c.ALPN) != "alpn" {
				t.Errorf("got SNI %q ALPN %q, want example.com alpn", c.SNI, c.ALPN)
			}
			if got := string(c.AppendJA4(nil, 'q')); got != rfcJA4 {
				t.Errorf("JA4: got %s, want %s", got, rfcJA4)
			}
			if p.Len() != 0 {
				t.Errorf("got %d connections kept, want 0", p.Len())
			}
		})
	}
}

// The test sealer must reproduce the RFCs' packets, so the multi-packet
// tests built with it mean something.
func TestSealMatchesRFC(t *testing.T) {
	frame := quictest.Bytes(quictest.CryptoFrame)
	payload := append(frame, make([]byte, 1162-len(frame))...)
	for _, tt := range []struct {
		version uint32
		want    string
	}{{version1, quictest.ClientInitialV1}, {version2, quictest.ClientInitialV2}} {
		got := sealInitial(t, initialSpec{version: tt.version, dcid: quictest.DCID, pn: 2, pnLen: 4, payload: payload})
		if !bytes.Equal(got, quictest.Bytes(tt.want)) {
			t.Errorf("version %#x: sealed packet differs from the RFC's", tt.version)
		}
	}
}

// chaosFrames cuts data[lo:hi] (stream offsets) into CRYPTO frames of
// random size, shuffles them, and sprinkles PING and PADDING in between, as
// Chrome does.
func chaosFrames(rng *rand.Rand, data []byte, lo, hi int) []byte {
	var frames [][]byte
	for off := lo; off < hi; {
		n := min(1+rng.IntN(300), hi-off)
		frames = append(frames, cryptoFrame(off, data[off:off+n]))
		off += n
	}
	rng.Shuffle(len(frames), func(i, j int) { frames[i], frames[j] = frames[j], frames[i] })
	var out []byte
	for _, f := range frames {
		switch rng.IntN(3) {
		case 0:
			out = append(out, framePing)
		case 1:
			out = append(out, 0, 0, 0)
		}
		out = append(out, f...)
	}
	return padded(out)
}

// twoPacketHello returns a ~1.9 KB hello and two Initials carrying it.
func twoPacketHello(t testing.TB, version uint32, dcid []byte, seed uint64) (hello, first, second []byte) {
	rng := rand.New(rand.NewPCG(seed, 7))
	hello = helloMessage("pq.example.net", 1216)
	cut := 1100
	first = sealInitial(t, initialSpec{version: version, dcid: dcid, scid: []byte{1, 2, 3, 4}, pn: 0, payload: chaosFrames(rng, hello, 0, cut)})
	// The second packet acknowledges nothing yet but carries an ACK frame
	// anyway, to exercise its parsing.
	ack := []byte{frameACKECN, 0, 0, 1, 0, 0, 0, 1, 2, 3}
	second = sealInitial(t, initialSpec{version: version, dcid: dcid, scid: []byte{1, 2, 3, 4}, pn: 1, pnLen: 2, payload: append(ack, chaosFrames(rng, hello, cut, len(hello))...)})
	return hello, first, second
}

func TestMultiPacketHello(t *testing.T) {
	dcid := []byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4}
	zeroRTT := func(version uint32) []byte {
		// A 0-RTT packet coalesced after the Initial: only measured.
		typ := paramsFor(version).zeroRTTType
		b := []byte{0xc0 | typ<<4, byte(version >> 24), byte(version >> 16), byte(version >> 8), byte(version), 8}
		b = append(append(b, dcid...), 0)
		return append(append(b, 0x40, 30), make([]byte, 30)...)
	}
	for _, version := range []uint32{version1, version2} {
		hello, first, second := twoPacketHello(t, version, dcid, uint64(version))
		var want tlshello.ClientHello
		if err := want.Parse(hello); err != nil {
			t.Fatal(err)
		}
		wantJA4 := string(want.AppendJA4(nil, 'q'))
		tests := []struct {
			name      string
			datagrams [][]byte
		}{
			{"in order", [][]byte{first, second}},
			{"reversed", [][]byte{second, first}},
			{"first retransmitted", [][]byte{first, first, second}},
			{"with coalesced 0-RTT", [][]byte{append(bytes.Clone(first), zeroRTT(version)...), second}},
			{"both in one datagram", [][]byte{append(bytes.Clone(first), second...)}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := NewParser(8)
				var c tlshello.ClientHello
				for i, d := range tt.datagrams {
					done, err := p.Initial(d, 100, &c)
					last := i == len(tt.datagrams)-1
					if done != last || err != nil {
						t.Fatalf("datagram %d: got done=%v err=%v, want done=%v", i, done, err, last)
					}
				}
				if string(c.SNI) != "pq.example.net" || string(c.AppendJA4(nil, 'q')) != wantJA4 {
					t.Errorf("got SNI %q JA4 %s, want pq.example.net %s", c.SNI, c.AppendJA4(nil, 'q'), wantJA4)
				}
				if p.Len() != 0 {
					t.Errorf("got %d connections kept after completion, want 0", p.Len())
				}
			})
		}
	}
}

func TestConnectionLimits(t *testing.T) {
	a, b := []byte("conn-a-dcid"), []byte("conn-b-dcid")
	_, a1, a2 := twoPacketHello(t, version1, a, 1)
	_, b1, b2 := twoPacketHello(t, version1, b, 2)
	var c tlshello.ClientHello

	t.Run("least recently used evicted", func(t *testing.T) {
		_, c1, c2 := twoPacketHello(t, version1, []byte("conn-c-dcid"), 3)
		p := NewParser(2)
		p.Initial(a1, 100, &c)
		p.Initial(b1, 100, &c)
		p.Initial(a1, 101, &c) // a retransmitted: now b is least recent
		p.Initial(c1, 102, &c) // evicts b
		if p.Len() != 2 {
			t.Fatalf("got %d connections, want 2", p.Len())
		}
		for _, tc := range []struct {
			name string
			pkt  []byte
			want bool
		}{{"a", a2, true}, {"c", c2, true}, {"b", b2, false}} {
			if done, _ := p.Initial(tc.pkt, 103, &c); done != tc.want {
				t.Errorf("%s: got done=%v, want %v", tc.name, done, tc.want)
			}
		}
	})
	t.Run("timeout", func(t *testing.T) {
		p := NewParser(4)
		p.Initial(a1, 100, &c)
		if done, _ := p.Initial(a2, 100+ConnTimeoutSec+1, &c); done {
			t.Error("stale a completed, want it expired")
		}
	})
}

func TestInitialErrors(t *testing.T) {
	dcid := []byte{9, 9, 9, 9, 9, 9, 9, 9}
	seal := func(payload []byte) []byte {
		return sealInitial(t, initialSpec{dcid: dcid, payload: padded(payload)})
	}
	rfc := quictest.Bytes(quictest.ClientInitialV1)
	tampered := bytes.Clone(rfc)
	tampered[500] ^= 1
	longCID := bytes.Clone(rfc)
	longCID[5] = 21
	draft29 := bytes.Clone(rfc)
	copy(draft29[1:5], []byte{0xff, 0, 0, 29})

	tests := []struct {
		name     string
		datagram []byte
		want     error
	}{
		{"empty", nil, ErrNotQUIC},
		{"short header", []byte{0x40, 1, 2, 3, 4, 5, 6, 7}, ErrNotQUIC},
		{"version negotiation", []byte{0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, ErrNotQUIC},
		{"draft-29", draft29, ErrNotQUIC},
		{"truncated", rfc[:600], ErrMalformed},
		{"header cut", rfc[:6], ErrMalformed},
		{"connection ID too long", longCID, ErrMalformed},
		{"tampered", tampered, ErrDecrypt},
		{"server Initial", quictest.Bytes(quictest.ServerInitialV1), ErrDecrypt},
		{"Retry", quictest.Bytes(quictest.RetryV1), ErrNotInitial},
		{"CRYPTO starts with ServerHello", seal(cryptoFrame(0, []byte{2, 0, 0, 4, 3, 3, 0, 0})), tlshello.ErrNotClientHello},
		{"ClientHello larger than the limit", seal(cryptoFrame(0, []byte{1, 0, 0x50, 0})), ErrTooLarge},
		{"STREAM frame in an Initial", seal([]byte{0x08, 0, 1, 'x'}), ErrMalformed},
		{"CRYPTO frame past the payload", seal([]byte{frameCrypto, 0, 0x7f, 0xff}), ErrMalformed},
		{"ACK with a huge range count", seal([]byte{frameACK, 1, 0, 0xbf, 0xff, 0xff, 0xff, 0}), ErrMalformed},
		{"malformed hello", seal(cryptoFrame(0, []byte{1, 0, 0, 3, 3, 3, 0})), tlshello.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewParser(4)
			var c tlshello.ClientHello
			done, err := p.Initial(tt.datagram, 1, &c)
			if done || !errors.Is(err, tt.want) {
				t.Errorf("got done=%v err=%v, want %v", done, err, tt.want)
			}
		})
	}
}

func TestInitialFramesAroundHello(t *testing.T) {
	hello := quictest.Bytes(quictest.CryptoFrame)[4:] // the RFC hello without its frame header
	dcid := []byte{7, 7, 7, 7, 7, 7, 7, 7}
	tests := []struct {
		name    string
		payload []byte
	}{
		{"CONNECTION_CLOSE before", append([]byte{frameConnectionClose, 0, 0, 2, 'n', 'o'}, cryptoFrame(0, hello)...)},
		{"junk frame after", append(cryptoFrame(0, hello), 0x08, 0xff)},
		{"ACK before", append([]byte{frameACK, 5, 0, 1, 0, 0, 1}, cryptoFrame(0, hello)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewParser(4)
			var c tlshello.ClientHello
			pkt := sealInitial(t, initialSpec{dcid: dcid, token: []byte("a retry token"), payload: padded(tt.payload)})
			if done, err := p.Initial(pkt, 1, &c); !done || err != nil || string(c.SNI) != "example.com" {
				t.Errorf("got done=%v err=%v SNI %q, want example.com", done, err, c.SNI)
			}
		})
	}
}
