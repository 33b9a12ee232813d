package tlshello

import (
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func testdataDir(tb testing.TB) string { return shared.Testdata(tb) }

// segment is one TCP packet of a capture.
type segment struct {
	key     FlowKey
	seq     uint32
	payload []byte
	sec     int64
}

// readTCP returns the TCP packets of a capture (pcap or pcapng) in order.
func readTCP(tb testing.TB, rel string) []segment {
	tb.Helper()
	path := filepath.Join(testdataDir(tb), rel)
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()

	var (
		src gopacket.PacketDataSource
		lt  layers.LinkType
	)
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		tb.Fatalf("cannot read %s: %v", rel, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		tb.Fatal(err)
	}
	// Some captures named .pcap are pcapng (block type 0x0a0d0d0a).
	if magic == [4]byte{0x0a, 0x0d, 0x0d, 0x0a} {
		r, err := pcapgo.NewNgReader(f, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			tb.Fatalf("cannot read %s: %v", rel, err)
		}
		src, lt = r, r.LinkType()
	} else {
		r, err := pcapgo.NewReader(f)
		if err != nil {
			tb.Fatalf("cannot read %s: %v", rel, err)
		}
		src, lt = r, r.LinkType()
	}
	var out []segment
	for {
		data, ci, err := src.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			tb.Fatalf("cannot read %s: %v", rel, err)
		}
		p := gopacket.NewPacket(data, lt, gopacket.Default)
		tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if tcp == nil {
			continue
		}
		var s segment
		switch ip := p.NetworkLayer().(type) {
		case *layers.IPv4:
			s.key.Src, _ = netip.AddrFromSlice(ip.SrcIP.To4())
			s.key.Dst, _ = netip.AddrFromSlice(ip.DstIP.To4())
		case *layers.IPv6:
			s.key.Src, _ = netip.AddrFromSlice(ip.SrcIP)
			s.key.Dst, _ = netip.AddrFromSlice(ip.DstIP)
		default:
			continue
		}
		s.key.SrcPort, s.key.DstPort = uint16(tcp.SrcPort), uint16(tcp.DstPort)
		s.seq, s.payload, s.sec = tcp.Seq, tcp.Payload, ci.Timestamp.Unix()
		out = append(out, s)
	}
}

// handshake is what a capture's TLS flows yield through the Reassembler.
type handshake struct {
	key  FlowKey
	data []byte // records holding the complete first message (copied)
}

// reassemble feeds every TCP segment with payload to a Reassembler and
// returns the completed handshakes in capture order.
func reassemble(tb testing.TB, segs []segment) []handshake {
	tb.Helper()
	r := NewReassembler(64, 16<<10)
	var out []handshake
	for _, s := range segs {
		if len(s.payload) == 0 {
			continue
		}
		if data, done := r.Add(s.key, s.seq, s.payload, s.sec); done {
			out = append(out, handshake{s.key, append([]byte(nil), data...)})
		}
	}
	return out
}
