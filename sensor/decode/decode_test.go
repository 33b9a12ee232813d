package decode

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

var (
	srcV4 = netip.MustParseAddr("10.0.0.66")
	dstV4 = netip.MustParseAddr("66.66.66.66")
	srcV6 = netip.MustParseAddr("dead::1")
	dstV6 = netip.MustParseAddr("dead::beef")
)

func tcpV4(flags uint8, payload string) Packet {
	return Packet{Version: 4, Src: srcV4, Dst: dstV4, Proto: ProtoTCP, TTL: 64, SrcPort: 50000, DstPort: 80,
		TCPFlags: flags, TCPSeq: 0xdeadbeef, Payload: []byte(payload)}
}

func udpV4(payload string) Packet {
	return Packet{Version: 4, Src: srcV4, Dst: dstV4, Proto: ProtoUDP, TTL: 64, SrcPort: 50001, DstPort: 53,
		Payload: []byte(payload)}
}

func tcpV6(payload string) Packet {
	return Packet{Version: 6, Src: srcV6, Dst: dstV6, Proto: ProtoTCP, TTL: 55, SrcPort: 50080, DstPort: 443,
		TCPFlags: 0x18, TCPSeq: 0xdeadbeef, Payload: []byte(payload)}
}

func udpV6(payload string) Packet {
	return Packet{Version: 6, Src: srcV6, Dst: dstV6, Proto: ProtoUDP, TTL: 55, SrcPort: 50081, DstPort: 53,
		Payload: []byte(payload)}
}

type decodeCase struct {
	name    string
	link    LinkType
	frame   []byte
	want    Packet
	wantErr error
}

func decodeCases() []decodeCase {
	synV4 := v4(ProtoTCP, tcpSeg(50000, 80, 0x02, nil, ""))
	getV4 := v4(ProtoTCP, tcpSeg(50000, 80, 0x18, nil, "GET / HTTP/1.1\r\n"))
	dnsV4 := v4(ProtoUDP, udpDgram(50001, 53, "dnsq"))
	tcp6 := v6(ProtoTCP, tcpSeg(50080, 443, 0x18, nil, "tls"))
	udp6 := udpDgram(50081, 53, "dns6")

	return []decodeCase{
		// Link layers.
		{name: "ethernet/ipv4/tcp syn", link: LinkEthernet, frame: cat(ethHdr(etherIPv4), synV4), want: tcpV4(0x02, "")},
		{name: "ethernet/ipv4/tcp padding trimmed", link: LinkEthernet,
			frame: cat(ethHdr(etherIPv4), v4(ProtoTCP, tcpSeg(50000, 80, 0x18, nil, "ab")), make([]byte, 6)),
			want:  tcpV4(0x18, "ab")},
		{name: "ethernet/802.1q/ipv4/udp", link: LinkEthernet, frame: cat(ethHdr(etherVLAN), vlanTag(100, etherIPv4), dnsV4), want: udpV4("dnsq")},
		{name: "ethernet/qinq 88a8+8100/ipv4", link: LinkEthernet,
			frame: cat(ethHdr(etherQinQ), vlanTag(10, etherVLAN), vlanTag(100, etherIPv4), getV4), want: tcpV4(0x18, "GET / HTTP/1.1\r\n")},
		{name: "ethernet/double 8100/ipv4", link: LinkEthernet,
			frame: cat(ethHdr(etherVLAN), vlanTag(100, etherVLAN), vlanTag(101, etherIPv4), synV4), want: tcpV4(0x02, "")},
		{name: "ethernet/9100/ipv6", link: LinkEthernet, frame: cat(ethHdr(etherQinQOld), vlanTag(7, etherIPv6), tcp6), want: tcpV6("tls")},
		{name: "ethernet/too many tags", link: LinkEthernet,
			frame:   cat(ethHdr(etherVLAN), vlanTag(1, etherVLAN), vlanTag(2, etherVLAN), vlanTag(3, etherVLAN), vlanTag(4, etherVLAN), vlanTag(5, etherIPv4), synV4),
			wantErr: ErrMalformed},
		{name: "ethernet/arp", link: LinkEthernet, frame: cat(ethHdr(0x0806), make([]byte, 28)), wantErr: ErrUnsupported},
		{name: "ethernet/802.3 length", link: LinkEthernet, frame: cat(ethHdr(46), make([]byte, 46)), wantErr: ErrUnsupported},
		{name: "ethernet/pppoe/ipv4", link: LinkEthernet, frame: cat(ethHdr(etherPPPoESes), pppoeSession(pppIPv4, synV4)), want: tcpV4(0x02, "")},
		{name: "ethernet/802.1q/pppoe/ipv6", link: LinkEthernet,
			frame: cat(ethHdr(etherVLAN), vlanTag(100, etherPPPoESes), pppoeSession(pppIPv6, tcp6)), want: tcpV6("tls")},
		{name: "ethernet/pppoe/lcp", link: LinkEthernet, frame: cat(ethHdr(etherPPPoESes), pppoeSession(0xc021, synV4)), wantErr: ErrUnsupported},
		{name: "ethernet/pppoe discovery", link: LinkEthernet, frame: cat(ethHdr(0x8863), pppoeSession(pppIPv4, synV4)), wantErr: ErrUnsupported},
		{name: "ethernet/pppoe bad version", link: LinkEthernet,
			frame: cat(ethHdr(etherPPPoESes), []byte{0x21, 0x00, 0, 1}, be16(40), be16(pppIPv4), synV4), wantErr: ErrUnsupported},
		{name: "linux sll/ipv4", link: LinkLinuxSLL, frame: cat(sllHdr(etherIPv4), synV4), want: tcpV4(0x02, "")},
		{name: "linux sll/802.1q/ipv4", link: LinkLinuxSLL, frame: cat(sllHdr(etherVLAN), vlanTag(5, etherIPv4), synV4), want: tcpV4(0x02, "")},
		{name: "linux sll/non-ip", link: LinkLinuxSLL, frame: cat(sllHdr(0x0004), make([]byte, 20)), wantErr: ErrUnsupported},
		{name: "linux sll2/ipv6", link: LinkLinuxSLL2, frame: cat(sll2Hdr(etherIPv6), tcp6), want: tcpV6("tls")},
		{name: "raw 101/ipv4", link: LinkRaw, frame: synV4, want: tcpV4(0x02, "")},
		{name: "raw 101/ipv6", link: LinkRaw, frame: tcp6, want: tcpV6("tls")},
		{name: "raw dlt 12/ipv4", link: LinkDLTRaw, frame: synV4, want: tcpV4(0x02, "")},
		{name: "raw dlt 14/ipv6", link: LinkDLTRawBSD, frame: tcp6, want: tcpV6("tls")},
		{name: "raw/version 5", link: LinkRaw, frame: cat([]byte{0x50}, make([]byte, 40)), wantErr: ErrUnsupported},
		{name: "linktype ipv4", link: LinkIPv4, frame: synV4, want: tcpV4(0x02, "")},
		{name: "linktype ipv4 carrying ipv6", link: LinkIPv4, frame: tcp6, wantErr: ErrUnsupported},
		{name: "linktype ipv6", link: LinkIPv6, frame: tcp6, want: tcpV6("tls")},
		{name: "null/af 2 little endian", link: LinkNull, frame: cat(afLE(afInet), synV4), want: tcpV4(0x02, "")},
		{name: "null/af 2 big endian", link: LinkNull, frame: cat(afBE(afInet), synV4), want: tcpV4(0x02, "")},
		{name: "null/af 24 bsd", link: LinkNull, frame: cat(afLE(afInet6BSD), tcp6), want: tcpV6("tls")},
		{name: "null/af 28 freebsd", link: LinkNull, frame: cat(afLE(afInet6FreeBSD), tcp6), want: tcpV6("tls")},
		{name: "null/af 30 darwin", link: LinkNull, frame: cat(afLE(afInet6Darwin), tcp6), want: tcpV6("tls")},
		{name: "null/af 23 windows", link: LinkNull, frame: cat(afLE(afInet6Windows), tcp6), want: tcpV6("tls")},
		{name: "null/af 10 linux", link: LinkNull, frame: cat(afLE(afInet6Linux), tcp6), want: tcpV6("tls")},
		{name: "null/af 7", link: LinkNull, frame: cat(afLE(7), synV4), wantErr: ErrUnsupported},
		{name: "loop/af 2", link: LinkLoop, frame: cat(afBE(afInet), synV4), want: tcpV4(0x02, "")},
		{name: "loop/af 24", link: LinkLoop, frame: cat(afBE(afInet6BSD), tcp6), want: tcpV6("tls")},
		{name: "ppp/hdlc/ipv4", link: LinkPPP, frame: cat([]byte{0xff, 0x03}, be16(pppIPv4), synV4), want: tcpV4(0x02, "")},
		{name: "ppp/no address-control/ipv6", link: LinkPPP, frame: cat(be16(pppIPv6), tcp6), want: tcpV6("tls")},
		{name: "ppp/compressed protocol", link: LinkPPP, frame: cat([]byte{0x21}, synV4), want: tcpV4(0x02, "")},
		{name: "ppp/lcp", link: LinkPPP, frame: cat([]byte{0xff, 0x03}, be16(0xc021), make([]byte, 20)), wantErr: ErrUnsupported},
		{name: "unknown link type", link: 147, frame: synV4, wantErr: ErrUnsupported},

		// IPv4.
		{name: "ipv4/options", link: LinkRaw,
			frame: cat(ipv4Hdr(ProtoTCP, "10.0.0.66", "66.66.66.66", 0, []byte{0x94, 0x04, 0, 0}, 22), tcpSeg(50000, 80, 0x18, nil, "ab")),
			want:  tcpV4(0x18, "ab")},
		{name: "ipv4/first fragment", link: LinkRaw,
			frame: cat(ipv4Hdr(ProtoUDP, "10.0.0.66", "66.66.66.66", 0x2000, nil, 12), udpDgram(50001, 53, "dnsqdnsq")[:12]),
			want:  Packet{Version: 4, Src: srcV4, Dst: dstV4, Proto: ProtoUDP, TTL: 64, SrcPort: 50001, DstPort: 53, Payload: []byte("dnsq")}},
		{name: "ipv4/non-first fragment", link: LinkRaw,
			frame: cat(ipv4Hdr(ProtoTCP, "10.0.0.66", "66.66.66.66", 0x00b9, nil, 8), make([]byte, 8)),
			want:  Packet{Version: 4, Src: srcV4, Dst: dstV4, Proto: ProtoTCP, TTL: 64, Fragment: true}},
		{name: "ipv4/DF is not a fragment", link: LinkRaw,
			frame: cat(ipv4Hdr(ProtoTCP, "10.0.0.66", "66.66.66.66", 0x4000, nil, 20), tcpSeg(50000, 80, 0x02, nil, "")),
			want:  tcpV4(0x02, "")},
		{name: "ipv4/total length 0 (offload)", link: LinkRaw,
			frame: func() []byte { b := v4(ProtoTCP, tcpSeg(50000, 80, 0x18, nil, "big")); b[2], b[3] = 0, 0; return b }(),
			want:  tcpV4(0x18, "big")},
		{name: "ipv4/ihl 4", link: LinkRaw,
			frame: func() []byte { b := v4(ProtoTCP, tcpSeg(50000, 80, 0x02, nil, "")); b[0] = 0x44; return b }(), wantErr: ErrMalformed},
		{name: "ipv4/total below header", link: LinkRaw,
			frame: func() []byte { b := v4(ProtoTCP, tcpSeg(50000, 80, 0x02, nil, "")); b[2], b[3] = 0, 12; return b }(), wantErr: ErrMalformed},
		{name: "ipv4/icmp echo", link: LinkRaw, frame: v4(ProtoICMP, icmpMsg(8, 0, "ping")),
			want: Packet{Version: 4, Src: srcV4, Dst: dstV4, Proto: ProtoICMP, TTL: 64, ICMPType: 8, Payload: []byte("ping")}},
		{name: "ipv4/icmp unreachable", link: LinkRaw, frame: v4(ProtoICMP, icmpMsg(3, 3, "")),
			want: Packet{Version: 4, Src: srcV4, Dst: dstV4, Proto: ProtoICMP, TTL: 64, ICMPType: 3, ICMPCode: 3, Payload: []byte{}}},
		{name: "ipv4/gre", link: LinkRaw, frame: v4(47, []byte("gre!")),
			want: Packet{Version: 4, Src: srcV4, Dst: dstV4, Proto: 47, TTL: 64, Payload: []byte("gre!")}},

		// IPv6 extension headers.
		{name: "ipv6/hop-by-hop+dest opts/tcp", link: LinkRaw,
			frame: v6(ipv6HopByHop, cat(extHdr(ipv6DestOpts, 0), extHdr(ProtoTCP, 1), tcpSeg(50080, 443, 0x18, nil, "tls"))), want: tcpV6("tls")},
		{name: "ipv6/routing/udp", link: LinkRaw, frame: v6(ipv6Routing, cat(extHdr(ProtoUDP, 2), udp6)), want: udpV6("dns6")},
		{name: "ipv6/ah/tcp", link: LinkRaw,
			frame: v6(ipv6AH, cat([]byte{ProtoTCP, 4}, make([]byte, 22), tcpSeg(50080, 443, 0x18, nil, "tls"))), want: tcpV6("tls")},
		{name: "ipv6/first fragment/udp", link: LinkRaw, frame: v6(ipv6Fragment, cat(fragHdr(ProtoUDP, 0, true), udp6)), want: udpV6("dns6")},
		{name: "ipv6/non-first fragment", link: LinkRaw, frame: v6(ipv6Fragment, cat(fragHdr(ProtoUDP, 185, false), []byte("tail"))),
			want: Packet{Version: 6, Src: srcV6, Dst: dstV6, Proto: ProtoUDP, TTL: 55, Fragment: true}},
		{name: "ipv6/no next header", link: LinkRaw, frame: v6(59, nil),
			want: Packet{Version: 6, Src: srcV6, Dst: dstV6, Proto: 59, TTL: 55, Payload: []byte{}}},
		{name: "ipv6/esp stops the walk", link: LinkRaw, frame: v6(50, []byte("sealed")),
			want: Packet{Version: 6, Src: srcV6, Dst: dstV6, Proto: 50, TTL: 55, Payload: []byte("sealed")}},
		{name: "ipv6/extension chain too long", link: LinkRaw,
			frame: v6(ipv6DestOpts, cat(extHdr(ipv6DestOpts, 0), extHdr(ipv6DestOpts, 0), extHdr(ipv6DestOpts, 0), extHdr(ipv6DestOpts, 0),
				extHdr(ipv6DestOpts, 0), extHdr(ipv6DestOpts, 0), extHdr(ipv6DestOpts, 0), extHdr(ProtoUDP, 0), udp6)),
			wantErr: ErrMalformed},
		{name: "ipv6/icmpv6 echo", link: LinkRaw, frame: v6(ProtoICMPv6, icmpMsg(128, 0, "ping")),
			want: Packet{Version: 6, Src: srcV6, Dst: dstV6, Proto: ProtoICMPv6, TTL: 55, ICMPType: 128, Payload: []byte("ping")}},
		{name: "ipv6/payload length trims", link: LinkRaw, frame: cat(v6(ProtoUDP, udp6), []byte("junk")), want: udpV6("dns6")},

		// Transport.
		{name: "tcp/options honoured", link: LinkRaw,
			frame: v4(ProtoTCP, tcpSeg(50000, 80, 0x18, []byte{2, 4, 5, 0xb4, 1, 1, 4, 2}, "data")), want: tcpV4(0x18, "data")},
		{name: "tcp/data offset 4", link: LinkRaw,
			frame:   func() []byte { b := v4(ProtoTCP, tcpSeg(50000, 80, 0x02, nil, "")); b[32] = 0x40; return b }(),
			want:    Packet{Version: 4, Src: srcV4, Dst: dstV4, Proto: ProtoTCP, TTL: 64, SrcPort: 50000, DstPort: 80, TCPFlags: 2, TCPSeq: 0xdeadbeef},
			wantErr: ErrMalformed},
		{name: "udp/length trims", link: LinkRaw,
			frame: func() []byte {
				u := udpDgram(50001, 53, "dnsqXX")
				u[5] = 12
				return v4(ProtoUDP, u)
			}(),
			want: udpV4("dnsq")},
	}
}

// stripPayload returns p without its payload so the header fields compare
// with reflect.DeepEqual regardless of how the payload slice was made.
func stripPayload(p Packet) Packet {
	p.Payload = nil
	return p
}

func TestDecode(t *testing.T) {
	for _, tc := range decodeCases() {
		t.Run(tc.name, func(t *testing.T) {
			var p Packet
			err := Decode(tc.link, tc.frame, &p)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Decode error: got %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil && tc.want.Version == 0 {
				return
			}
			if got, want := stripPayload(p), stripPayload(tc.want); !reflect.DeepEqual(got, want) {
				t.Errorf("Decode fields:\ngot  %+v\nwant %+v", got, want)
			}
			if !bytes.Equal(p.Payload, tc.want.Payload) {
				t.Errorf("Payload: got %q, want %q", p.Payload, tc.want.Payload)
			}
			if (p.Payload == nil) != (tc.want.Payload == nil) {
				t.Errorf("Payload nil: got %v, want %v", p.Payload == nil, tc.want.Payload == nil)
			}
		})
	}
}

// TestDecodeResetsPacket checks that nothing from a previous frame leaks
// into the next one.
func TestDecodeResetsPacket(t *testing.T) {
	var p Packet
	if err := Decode(LinkRaw, v4(ProtoTCP, tcpSeg(50000, 80, 0x18, nil, "GET")), &p); err != nil {
		t.Fatal(err)
	}
	if err := Decode(LinkRaw, []byte{0x50}, &p); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("got %v, want %v", err, ErrUnsupported)
	}
	if got := stripPayload(p); !reflect.DeepEqual(got, Packet{}) || p.Payload != nil {
		t.Errorf("got %+v after a failed decode, want the zero Packet", p)
	}
}

// TestDecodeEveryTruncation cuts every successfully decoded frame at every
// length: a cut inside the headers must report ErrTruncated, a cut inside
// the payload must decode the same headers with a shorter payload.
func TestDecodeEveryTruncation(t *testing.T) {
	for _, tc := range decodeCases() {
		if tc.wantErr != nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			frame := tc.frame[:len(tc.frame):len(tc.frame)]
			var full Packet
			if err := Decode(tc.link, frame, &full); err != nil {
				t.Fatal(err)
			}
			hdrEnd := -1
			if full.Payload != nil {
				hdrEnd = cap(frame) - cap(full.Payload)
			}
			for cut := range len(frame) {
				var p Packet
				err := Decode(tc.link, frame[:cut], &p)
				switch {
				case hdrEnd < 0: // fragments: no payload offset to reason about
					if err != nil && !errors.Is(err, ErrTruncated) {
						t.Errorf("cut %d: got %v, want nil or %v", cut, err, ErrTruncated)
					}
				case cut < hdrEnd:
					if !errors.Is(err, ErrTruncated) {
						t.Errorf("cut %d of %d-byte headers: got %v, want %v", cut, hdrEnd, err, ErrTruncated)
					}
				default:
					if err != nil {
						t.Errorf("cut %d inside payload: got %v, want nil", cut, err)
						continue
					}
					if got, want := stripPayload(p), stripPayload(full); !reflect.DeepEqual(got, want) {
						t.Errorf("cut %d: got %+v, want %+v", cut, got, want)
					}
					if want := full.Payload[:min(len(full.Payload), cut-hdrEnd)]; !bytes.Equal(p.Payload, want) {
						t.Errorf("cut %d: payload got %q, want %q", cut, p.Payload, want)
					}
				}
			}
		})
	}
}

func TestDecodeAllocs(t *testing.T) {
	var p Packet
	for _, tc := range decodeCases() {
		allocs := testing.AllocsPerRun(100, func() { _ = Decode(tc.link, tc.frame, &p) })
		if allocs != 0 {
			t.Errorf("%s: got %v allocs per Decode, want 0", tc.name, allocs)
		}
	}
}

func TestLinkTypeString(t *testing.T) {
	tests := []struct {
		link LinkType
		want string
	}{
		{LinkEthernet, "ETHERNET"},
		{LinkDLTRaw, "RAW"},
		{LinkLinuxSLL2, "LINUX_SLL2"},
		{147, "LINKTYPE_147"},
	}
	for _, tt := range tests {
		if got := tt.link.String(); got != tt.want {
			t.Errorf("LinkType(%d).String(): got %q, want %q", uint32(tt.link), got, tt.want)
		}
	}
	if LinkType(147).Supported() || !LinkLoop.Supported() {
		t.Error("Supported: got true for 147 or false for LOOP")
	}
}
