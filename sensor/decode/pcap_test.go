package decode

import (
	"bytes"
	"errors"
	"io/fs"
	"net/netip"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// capture is one pcap or pcapng file read into memory.
type capture struct {
	link   LinkType
	frames [][]byte
}

func readCapture(tb testing.TB, path string) capture {
	tb.Helper()
	c := shared.ReadCapture(tb, path)
	return capture{link: LinkType(c.Link), frames: c.Frames}
}

// allCaptures lists every pcap and pcapng file under the test data.
func allCaptures(tb testing.TB) []string {
	tb.Helper()
	root := filepath.Join(testdataDir(tb), "pcaps")
	var paths []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".pcap") || strings.HasSuffix(path, ".pcapng") {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(paths) == 0 {
		tb.Fatalf("no captures under %s", root)
	}
	return paths
}

// TestMaltrailCorpus checks the link-layer and IP cases of Maltrail's own
// corpus (sensor/tests/corpus), packet by packet.
func TestMaltrailCorpus(t *testing.T) {
	a := netip.MustParseAddr
	syn := func(sport uint16) Packet {
		return Packet{Version: 4, Src: a("10.0.0.66"), Dst: a("66.66.66.66"), Proto: ProtoTCP, SrcPort: sport, DstPort: 443, TCPFlags: 0x02}
	}
	type want struct {
		p   Packet // compared on the fields set here (see match)
		err error
	}
	tests := []struct {
		file string
		link LinkType
		want []want
	}{
		{"vlan.pcap", LinkEthernet, []want{
			{p: syn(50060)},
			{p: Packet{Version: 4, Src: a("10.0.0.66"), Dst: a("8.8.8.8"), Proto: ProtoUDP, SrcPort: 50061, DstPort: 53}},
			{p: syn(50062)}, // QinQ: Maltrail drops it, we follow both tags
		}},
		{"fragments.pcap", LinkEthernet, []want{
			{p: syn(50070)}, // first fragment (MF set, offset 0) is inspected
			{p: Packet{Version: 4, Src: a("10.0.0.66"), Dst: a("66.66.66.66"), Proto: ProtoTCP, Fragment: true}},
			{p: Packet{Version: 4, Src: a("10.0.0.66"), Dst: a("66.66.66.66"), Proto: ProtoTCP, Fragment: true}},
		}},
		{"ipv6.pcap", LinkEthernet, []want{
			{p: Packet{Version: 6, Src: a("dead::1"), Dst: a("dead::beef"), Proto: ProtoTCP, SrcPort: 50080, DstPort: 443, TCPFlags: 0x02}},
			{p: Packet{Version: 6, Src: a("dead::1"), Dst: a("dead::2"), Proto: ProtoUDP, SrcPort: 50081, DstPort: 53}},
			{p: Packet{Version: 6, Src: a("dead::1"), Dst: a("dead::beef"), Proto: ProtoICMPv6, ICMPType: 128}},
		}},
		{"icmp.pcap", LinkEthernet, []want{
			{p: Packet{Version: 4, Src: a("10.0.0.66"), Dst: a("66.66.66.66"), Proto: ProtoICMP, ICMPType: 8}},
			{p: Packet{Version: 4, Src: a("10.0.0.66"), Dst: a("66.66.66.66"), Proto: ProtoICMP, ICMPType: 0}},
		}},
		{"dlt_raw.pcap", LinkDLTRaw, []want{{p: syn(50500)}}},
		{"dlt_sll.pcap", LinkLinuxSLL, []want{{p: syn(50501)}}},
		{"truncated.pcap", LinkEthernet, []want{
			{err: ErrTruncated},   // Ethernet header only
			{err: ErrTruncated},   // one IP byte
			{err: ErrTruncated},   // two IP bytes
			{err: ErrTruncated},   // 19 IP bytes
			{err: ErrUnsupported}, // IPv6 nibble under the IPv4 EtherType
			{err: ErrUnsupported}, // version 0
			{err: ErrUnsupported}, // version 3
			{err: ErrUnsupported}, // version 15
			{err: ErrTruncated},   // 6 bytes of TCP
			{err: ErrTruncated},   // IHL 15 fills the frame, no TCP header
		}},
	}
	dir := filepath.Join(testdataDir(t), "pcaps", "maltrail")
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c := readCapture(t, filepath.Join(dir, tt.file))
			if c.link != tt.link {
				t.Fatalf("link type: got %v, want %v", c.link, tt.link)
			}
			if len(c.frames) != len(tt.want) {
				t.Fatalf("packets: got %d, want %d", len(c.frames), len(tt.want))
			}
			for i, w := range tt.want {
				var p Packet
				err := Decode(c.link, c.frames[i], &p)
				if !errors.Is(err, w.err) {
					t.Errorf("packet %d: error got %v, want %v", i+1, err, w.err)
					continue
				}
				if w.err == nil {
					if got := match(p, w.p); !reflect.DeepEqual(got, w.p) {
						t.Errorf("packet %d:\ngot  %+v\nwant %+v", i+1, got, w.p)
					}
				}
			}
		})
	}
}

// match keeps only the fields of got that want sets (plus the always
// compared Version, addresses, Proto and Fragment).
func match(got, want Packet) Packet {
	m := Packet{Version: got.Version, Src: got.Src, Dst: got.Dst, Proto: got.Proto, Fragment: got.Fragment,
		SrcPort: got.SrcPort, DstPort: got.DstPort, TCPFlags: got.TCPFlags, ICMPType: got.ICMPType, ICMPCode: got.ICMPCode}
	if want.TTL != 0 {
		m.TTL = got.TTL
	}
	if want.TCPSeq != 0 {
		m.TCPSeq = got.TCPSeq
	}
	return m
}

// TestBug814VLANIPv6 decodes suricata-verify's bug-814 capture: IPv6 over
// an 802.1Q tag, an HTTP request in packet 4.
func TestBug814VLANIPv6(t *testing.T) {
	c := readCapture(t, filepath.Join(testdataDir(t), "pcaps", "suricata-verify", "bug-814", "input.pcap"))
	var p Packet
	if err := Decode(c.link, c.frames[3], &p); err != nil {
		t.Fatal(err)
	}
	want := Packet{Version: 6, Src: netip.MustParseAddr("fe80::20c:29ff:fef3:cf38"), Dst: netip.MustParseAddr("fe80::20c:29ff:faf2:ab42"),
		Proto: ProtoTCP, SrcPort: 58307, DstPort: 80, TCPFlags: 0x18}
	if got := match(p, want); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if len(p.Payload) != 149 || !bytes.HasPrefix(p.Payload, []byte("GET /cgi-bin/cart32.exe HTTP/1.1\r\n")) {
		t.Errorf("payload: got %d bytes %.40q, want 149 bytes starting with the request line", len(p.Payload), p.Payload)
	}
}

// TestAgainstGopacket decodes every frame of every capture in the test data
// with both Decode and gopacket's layer decoders and compares addresses,
// protocol, ports, TCP flags and the transport payload.
func TestAgainstGopacket(t *testing.T) {
	for _, path := range allCaptures(t) {
		rel, _ := filepath.Rel(testdataDir(t), path)
		t.Run(rel, func(t *testing.T) {
			c := readCapture(t, path)
			decoded := 0
			for i, frame := range c.frames {
				var p Packet
				err := Decode(c.link, frame, &p)
				want, ok := gopacketView(c.link, frame)
				if !ok {
					continue // gopacket could not decode it either, or it is not IP
				}
				if err != nil {
					t.Errorf("frame %d: got error %v, gopacket decoded %+v", i+1, err, want)
					continue
				}
				decoded++
				if got := match(p, want); !reflect.DeepEqual(got, stripPayload(want)) {
					t.Errorf("frame %d:\ngot  %+v\nwant %+v", i+1, got, stripPayload(want))
				}
				if want.Payload != nil && !bytes.Equal(p.Payload, want.Payload) {
					t.Errorf("frame %d: payload got %d bytes, want %d", i+1, len(p.Payload), len(want.Payload))
				}
			}
			t.Logf("%s: %d of %d frames compared", c.link, decoded, len(c.frames))
		})
	}
}

// gopacketView decodes frame with gopacket and returns what Decode should
// produce. ok is false when gopacket finds no IP layer, fails, or sees an
// IP fragment whose handling differs by design, or a transport header it
// could not decode (those frames are covered by the corpus tests).
func gopacketView(link LinkType, frame []byte) (p Packet, ok bool) {
	lt := layers.LinkType(link)
	if link == LinkDLTRaw {
		lt = layers.LinkTypeRaw
	}
	pkt := gopacket.NewPacket(frame, lt, gopacket.DecodeOptions{NoCopy: true})
	if pkt.ErrorLayer() != nil {
		return p, false
	}
	var payload []byte
	for _, l := range pkt.Layers() {
		switch l := l.(type) {
		case *layers.IPv4:
			if p.Version != 0 {
				return p, true // stop at the first IP header: tunnels are not followed
			}
			p.Version, p.Proto = 4, uint8(l.Protocol)
			p.Src, _ = netip.AddrFromSlice(l.SrcIP.To4())
			p.Dst, _ = netip.AddrFromSlice(l.DstIP.To4())
			p.Fragment = l.FragOffset != 0
			if l.Flags&layers.IPv4MoreFragments != 0 {
				return p, false // gopacket does not decode a first fragment's transport header
			}
		case *layers.IPv6:
			if p.Version != 0 {
				return p, true
			}
			p.Version, p.Proto = 6, uint8(l.NextHeader)
			p.Src, _ = netip.AddrFromSlice(l.SrcIP)
			p.Dst, _ = netip.AddrFromSlice(l.DstIP)
		case *layers.IPv6HopByHop:
			p.Proto = uint8(l.NextHeader)
		case *layers.IPv6Fragment:
			return p, false
		case *layers.TCP:
			p.Proto = ProtoTCP
			p.SrcPort, p.DstPort = uint16(l.SrcPort), uint16(l.DstPort)
			p.TCPFlags = l.LayerContents()[13]
			payload = l.LayerPayload()
			return withPayload(p, payload), true
		case *layers.UDP:
			p.Proto = ProtoUDP
			p.SrcPort, p.DstPort = uint16(l.SrcPort), uint16(l.DstPort)
			payload = l.LayerPayload()
			return withPayload(p, payload), true
		case *layers.ICMPv4:
			p.ICMPType, p.ICMPCode = l.TypeCode.Type(), l.TypeCode.Code()
			return p, true
		case *layers.ICMPv6:
			p.ICMPType, p.ICMPCode = l.TypeCode.Type(), l.TypeCode.Code()
			return p, true
		}
	}
	switch p.Proto {
	case ProtoTCP, ProtoUDP, ProtoICMP, ProtoICMPv6:
		// gopacket found no transport layer: its header is cut short.
		return p, p.Fragment
	}
	return p, p.Version != 0
}

func withPayload(p Packet, payload []byte) Packet {
	if payload == nil {
		payload = []byte{}
	}
	p.Payload = payload
	return p
}
