package capture

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"

	"github.com/spoorsec/spoor/sensor/decode"
)

func testdata(tb testing.TB, elem ...string) string { return shared.Testdata(tb, elem...) }

func count(tb testing.TB, src Source) (n int, links map[decode.LinkType]int) {
	tb.Helper()
	links = map[decode.LinkType]int{}
	var p Packet
	for {
		err := src.Next(&p)
		if errors.Is(err, io.EOF) {
			return n, links
		}
		if err != nil {
			tb.Fatal(err)
		}
		if p.Time.IsZero() || len(p.Data) == 0 {
			tb.Fatalf("packet %d: empty time or data", n)
		}
		n++
		links[p.Link]++
	}
}

func TestFilesReadsPcapAndPcapng(t *testing.T) {
	tests := []struct {
		files []string
		want  int
		links map[decode.LinkType]int
	}{
		{[]string{testdata(t, "pcaps", "maltrail", "port_scan.pcap")}, 21, map[decode.LinkType]int{decode.LinkEthernet: 21}},
		{[]string{testdata(t, "pcaps", "ndpi", "tcp_scan.pcapng")}, -1, nil},
		{[]string{
			testdata(t, "pcaps", "maltrail", "dlt_raw.pcap"),
			testdata(t, "pcaps", "maltrail", "dlt_sll.pcap"),
			testdata(t, "pcaps", "maltrail", "icmp.pcap"),
		}, 4, map[decode.LinkType]int{12: 1, decode.LinkLinuxSLL: 1, decode.LinkEthernet: 2}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.files[0]), func(t *testing.T) {
			src, err := OpenFiles(tt.files)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			n, links := count(t, src)
			if tt.want >= 0 && n != tt.want {
				t.Errorf("got %d packets, want %d", n, tt.want)
			}
			if tt.want < 0 && n == 0 {
				t.Error("got no packets from pcapng")
			}
			for l, c := range tt.links {
				if links[l] != c {
					t.Errorf("link %d: got %d packets, want %d (all: %v)", l, links[l], c, links)
				}
			}
		})
	}
}

func TestFilesErrors(t *testing.T) {
	dir := t.TempDir()
	notCapture := filepath.Join(dir, "text.pcap")
	os.WriteFile(notCapture, []byte("this is not a capture file\n"), 0o644)
	empty := filepath.Join(dir, "empty.pcap")
	os.WriteFile(empty, nil, 0o644)

	if _, err := OpenFiles([]string{filepath.Join(dir, "missing.pcap")}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want ErrNotExist", err)
	}
	for _, f := range []string{notCapture, empty} {
		if _, err := OpenFiles([]string{f}); !errors.Is(err, ErrNotCapture) {
			t.Errorf("%s: got %v, want ErrNotCapture", filepath.Base(f), err)
		}
	}
	if _, err := OpenFiles(nil); err == nil {
		t.Error("no files: got nil error")
	}
}

func TestFilesTruncatedKeepsWhatWasRead(t *testing.T) {
	raw, err := os.ReadFile(testdata(t, "pcaps", "maltrail", "port_scan.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.pcap")
	os.WriteFile(cut, raw[:len(raw)-10], 0o644)
	src, err := OpenFiles([]string{cut})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := count(t, src)
	if n != 20 {
		t.Errorf("got %d packets, want the 20 complete ones", n)
	}
	if len(src.Truncated) != 1 {
		t.Errorf("got Truncated %v, want the cut file", src.Truncated)
	}
}

// FuzzReader feeds arbitrary bytes to the capture readers: errors are
// fine, panics and runaway reads are not.
func FuzzReader(f *testing.F) {
	for _, name := range []string{"maltrail/icmp.pcap", "maltrail/dlt_sll.pcap", "ndpi/tcp_scan.pcapng"} {
		raw, err := os.ReadFile(testdata(f, "pcaps", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, _, err := newReader(bufio.NewReader(bytes.NewReader(data)))
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			if _, _, err := r.ZeroCopyReadPacketData(); err != nil {
				return
			}
		}
	})
}
