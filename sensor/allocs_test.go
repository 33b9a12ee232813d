package sensor

import (
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/spoorsec/spoor/sensor/decode"
)

// TestProcessDoesNotAllocate proves the per-packet path allocates nothing
// once warm, over the real-traffic mix (DNS, HTTP, TLS, UDP, scans, bulk
// TCP). Events allocate by design, so the hosts that raise them (the mix
// holds a port scanner, DNS tunnels and a Nikto client) are set aside after
// the warm-up passes; all other traffic is measured.
func TestProcessDoesNotAllocate(t *testing.T) {
	pkts := loadMix(t)
	set := loadTrails(t, filepath.Join(testdata(t, "pcaps", "maltrail"), "trails.csv"))
	h := newHarnessWith(t, set, DefaultConfig(), maltrailWhitelist(t))
	w := h.engine.NewWorker()
	var shift time.Duration
	noisy := map[netip.Addr]bool{}
	var d decode.Packet
	for pass := 0; pass < 30; pass++ { // long enough for hour-long NXDOMAIN counters to fire
		shift += time.Second
		for i := range pkts {
			before := h.engine.Stats().Events
			w.Process(pkts[i].link, pkts[i].data, pkts[i].ts.Add(shift))
			if h.engine.Stats().Events != before && decode.Decode(pkts[i].link, pkts[i].data, &d) == nil {
				noisy[d.Src], noisy[d.Dst] = true, true
			}
		}
	}
	var quiet []memPacket
	for _, p := range pkts {
		if decode.Decode(p.link, p.data, &d) == nil && (noisy[d.Src] || noisy[d.Dst]) {
			continue
		}
		quiet = append(quiet, p)
	}
	if len(quiet) < len(pkts)/2 {
		t.Fatalf("only %d of %d packets are quiet; the test would measure too little", len(quiet), len(pkts))
	}
	before := h.engine.Stats().Events
	allocs := testing.AllocsPerRun(3, func() {
		shift += time.Second
		for i := range quiet {
			w.Process(quiet[i].link, quiet[i].data, quiet[i].ts.Add(shift))
		}
	})
	if after := h.engine.Stats().Events; after != before {
		for _, l := range h.out.lines() {
			t.Log(l)
		}
		t.Fatalf("measured passes raised %d events; the allocation count would include them", after-before)
	}
	if allocs != 0 {
		t.Errorf("got %.0f allocations per pass of %d packets, want 0", allocs, len(quiet))
	}
}
