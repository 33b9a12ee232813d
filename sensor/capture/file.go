package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/spoorsec/spoor/sensor/decode"
)

// ErrNotCapture is returned for input that is neither pcap nor pcapng.
var ErrNotCapture = errors.New("not a pcap or pcapng capture")

type packetReader interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// Files reads a sequence of capture files one after the other, each in its
// own link type. The name "-" stands for standard input.
type Files struct {
	names  []string
	next   int
	closer io.Closer
	r      packetReader
	link   decode.LinkType
	name   string

	// Truncated names the files that ended in the middle of a record (a
	// capture still being written, or cut short); what came before was read.
	Truncated []string
}

// OpenFiles checks that every named file exists, then reads them in order.
// Each file is opened only when the previous one is exhausted, so that a
// long list does not hold many descriptors.
func OpenFiles(names []string) (*Files, error) {
	if len(names) == 0 {
		return nil, errors.New("no capture file given")
	}
	for _, n := range names {
		if n == "-" {
			continue
		}
		if _, err := os.Stat(n); err != nil {
			return nil, fmt.Errorf("cannot read capture: %w", err)
		}
	}
	f := &Files{names: names}
	if err := f.open(); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *Files) open() error {
	name := f.names[f.next]
	f.next++
	var rc io.ReadCloser = os.Stdin
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("cannot open capture: %w", err)
		}
		rc = file
	}
	r, link, err := newReader(bufio.NewReaderSize(rc, 1<<20))
	if err != nil {
		rc.Close()
		return fmt.Errorf("cannot read capture %s: %w", name, err)
	}
	f.closer, f.r, f.link, f.name = rc, r, link, name
	return nil
}

// newReader sniffs the magic number to choose between pcap and pcapng.
func newReader(br *bufio.Reader) (packetReader, decode.LinkType, error) {
	magic, err := br.Peek(4)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0, fmt.Errorf("%w: input shorter than a file header", ErrNotCapture)
		}
		return nil, 0, err
	}
	switch binary.LittleEndian.Uint32(magic) {
	case 0x0a0d0d0a:
		r, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{})
		if err != nil {
			return nil, 0, fmt.Errorf("%w: %v", ErrNotCapture, err)
		}
		return r, decode.LinkType(r.LinkType()), nil
	case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1:
		r, err := pcapgo.NewReader(br)
		if err != nil {
			return nil, 0, fmt.Errorf("%w: %v", ErrNotCapture, err)
		}
		return r, decode.LinkType(r.LinkType()), nil
	}
	return nil, 0, ErrNotCapture
}

// Next returns the next packet of the current file, moving on to the next
// file at the end of each one, and io.EOF after the last.
func (f *Files) Next(p *Packet) error {
	for {
		data, ci, err := f.r.ZeroCopyReadPacketData()
		if err == nil {
			p.Data, p.Time, p.Link = data, ci.Timestamp, f.link
			return nil
		}
		if !errors.Is(err, io.EOF) {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				f.Truncated = append(f.Truncated, f.name)
			} else {
				return fmt.Errorf("cannot read capture %s: %w", f.name, err)
			}
		}
		f.closer.Close()
		if f.next >= len(f.names) {
			return io.EOF
		}
		if err := f.open(); err != nil {
			return err
		}
	}
}

// Close releases the file being read.
func (f *Files) Close() error {
	if f.closer == nil {
		return nil
	}
	return f.closer.Close()
}
