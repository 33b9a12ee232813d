package shared

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
)

// Capture is a pcap or pcapng file read into memory.
type Capture struct {
	Link   uint32   // pcap LINKTYPE_* number
	Frames [][]byte // in file order; frame n (1-based, as Wireshark counts) is Frames[n-1]
}

// ReadCapture reads a whole pcap or pcapng file, failing the test on error.
func ReadCapture(tb testing.TB, path string) Capture {
	tb.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var (
		r interface {
			ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
		}
		c Capture
	)
	if bytes.HasPrefix(raw, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		ng, err := pcapgo.NewNgReader(bytes.NewReader(raw), pcapgo.DefaultNgReaderOptions)
		if err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		r, c.Link = ng, uint32(ng.LinkType())
	} else {
		pr, err := pcapgo.NewReader(bytes.NewReader(raw))
		if err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		r, c.Link = pr, uint32(pr.LinkType())
	}
	for {
		data, _, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return c
		}
		if err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		c.Frames = append(c.Frames, data)
	}
}
