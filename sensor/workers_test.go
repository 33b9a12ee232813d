package sensor

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestScanAlertsIndependentOfWorkers replays scans with 1, 2 and 4 workers:
// heuristic state is shared, so the alerts must be identical (Maltrail
// keeps it per process and loses a third of them at 8 workers).
func TestScanAlertsIndependentOfWorkers(t *testing.T) {
	corpus := testdata(t, "pcaps", "maltrail")
	set := loadTrails(t, filepath.Join(corpus, "trails.csv"))
	captures := [][]string{
		{filepath.Join(corpus, "port_scan.pcap")},
		{filepath.Join(corpus, "stealth_scan_null.pcap"), filepath.Join(corpus, "stealth_scan_fin.pcap")},
		{filepath.Join(corpus, "udp_scan.pcap")},
		{filepath.Join(corpus, "infection_scan.pcap")},
		{filepath.Join(corpus, "web_scan.pcap")},
		{testdata(t, "pcaps", "ndpi", "synscan.pcap")},
	}
	for _, files := range captures {
		t.Run(filepath.Base(files[0]), func(t *testing.T) {
			var want []string
			for _, n := range []int{1, 2, 4} {
				h := newHarness(t, set, DefaultConfig())
				var got []string
				for _, l := range h.replay(t, n, files...) {
					if strings.Contains(l, "(heuristic)") {
						got = append(got, l)
					}
				}
				slices.Sort(got)
				if n == 1 {
					if len(got) == 0 {
						t.Fatal("got no heuristic alerts with one worker")
					}
					want = got
					continue
				}
				if !slices.Equal(got, want) {
					t.Errorf("workers=%d: got\n%s\nwant (1 worker)\n%s", n, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
		})
	}
}
