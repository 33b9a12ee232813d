package sensor

import (
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spoorsec/spoor/sensor/capture"
	"github.com/spoorsec/spoor/sensor/decode"
)

// memPacket is a captured frame held in memory.
type memPacket struct {
	data []byte
	ts   time.Time
	link decode.LinkType
}

// loadMix reads every Ethernet capture of the real-traffic test data (the
// files ../shared/bench/make-mix.sh concatenates into the reference
// benchmark capture) into memory.
func loadMix(tb testing.TB) []memPacket {
	tb.Helper()
	root := testdata(tb, "pcaps")
	var files []string
	for _, sub := range []string{"arkime", "ndpi", "suricata-verify", "zeek"} {
		err := filepath.WalkDir(filepath.Join(root, sub), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".pcap") {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	var pkts []memPacket
	for _, f := range files {
		src, err := capture.OpenFiles([]string{f})
		if err != nil {
			tb.Fatal(err)
		}
		var p capture.Packet
		for {
			err := src.Next(&p)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				tb.Fatalf("%s: %v", f, err)
			}
			if p.Link != decode.LinkEthernet {
				break
			}
			pkts = append(pkts, memPacket{data: append([]byte(nil), p.Data...), ts: p.Time, link: p.Link})
		}
		src.Close()
	}
	if len(pkts) < 5000 {
		tb.Fatalf("got %d packets in the mix, want over 5000", len(pkts))
	}
	return pkts
}

// memSource replays in-memory packets n times, shifting timestamps forward
// on every pass so packet time keeps increasing.
type memSource struct {
	pkts   []memPacket
	passes int
	i      int
	shift  time.Duration
}

func (s *memSource) Next(p *capture.Packet) error {
	if s.i == len(s.pkts) {
		s.passes--
		if s.passes <= 0 {
			return io.EOF
		}
		s.i = 0
		s.shift += time.Hour
	}
	m := &s.pkts[s.i]
	s.i++
	p.Data, p.Time, p.Link = m.data, m.ts.Add(s.shift), m.link
	return nil
}

func (s *memSource) Close() error { return nil }
