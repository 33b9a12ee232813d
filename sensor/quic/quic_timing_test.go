package quic

import (
	"fmt"
	"github.com/spoorsec/spoor/sensor/quic/quictest"
	"testing"

	"github.com/spoorsec/spoor/sensor/tlshello"
)

// BenchmarkInitialNewConnection is the common case: a single-packet hello
// from a connection never seen before (key derivation, header protection,
// AES-GCM over 1200 bytes, frame walk, ClientHello parse).
func BenchmarkInitialNewConnection(b *testing.B) {
	var packets [][]byte
	for i := range 64 {
		dcid := []byte(fmt.Sprintf("dcid-%03d", i))
		packets = append(packets, sealInitial(b, initialSpec{dcid: dcid, payload: padded(cryptoFrame(0, quictest.Bytes(quictest.CryptoFrame)[4:]))}))
	}
	p := NewParser(1024)
	var c tlshello.ClientHello
	b.ReportAllocs()
	b.SetBytes(int64(len(packets[0])))
	i := 0
	for b.Loop() {
		if done, err := p.Initial(packets[i%len(packets)], 1, &c); !done {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkInitialKnownKeys repeats one packet: the keys of its connection
// ID are cached, the rest of the work is done every time.
func BenchmarkInitialKnownKeys(b *testing.B) {
	pkt := quictest.Bytes(quictest.ClientInitialV1)
	p := NewParser(1024)
	var c tlshello.ClientHello
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	for b.Loop() {
		if done, err := p.Initial(pkt, 1, &c); !done {
			b.Fatal(err)
		}
	}
}

// BenchmarkInitialTwoPackets is a post-quantum hello spread over two
// Initials of a new connection, with shuffled CRYPTO frames; one op is both
// datagrams.
func BenchmarkInitialTwoPackets(b *testing.B) {
	type pair struct{ first, second []byte }
	var pairs []pair
	for i := range 64 {
		_, first, second := twoPacketHello(b, version1, []byte(fmt.Sprintf("pq-%05d", i)), uint64(i))
		pairs = append(pairs, pair{first, second})
	}
	p := NewParser(1024)
	var c tlshello.ClientHello
	b.ReportAllocs()
	b.SetBytes(int64(len(pairs[0].first) + len(pairs[0].second)))
	i := 0
	for b.Loop() {
		pr := pairs[i%len(pairs)]
		p.Initial(pr.first, 1, &c)
		if done, err := p.Initial(pr.second, 1, &c); !done {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkNotQUIC is the cost of rejecting a UDP payload that is not a
// QUIC Initial.
func BenchmarkNotQUIC(b *testing.B) {
	dns := []byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	p := NewParser(1024)
	var c tlshello.ClientHello
	b.ReportAllocs()
	for b.Loop() {
		p.Initial(dns, 1, &c)
	}
}
