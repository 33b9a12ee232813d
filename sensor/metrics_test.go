package sensor

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestRegisterMetrics(t *testing.T) {
	corpus := testdata(t, "pcaps", "maltrail")
	h := newHarness(t, loadTrails(t, filepath.Join(corpus, "trails.csv")), DefaultConfig())
	reg := prometheus.NewRegistry()
	if err := h.engine.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	h.replay(t, 1, filepath.Join(corpus, "ip_trails.pcap"))
	want := `
# HELP spoor_sensor_events_total Detections handed to the event stage (before throttling).
# TYPE spoor_sensor_events_total counter
spoor_sensor_events_total{sensor="spoor"} 3
# HELP spoor_sensor_packets_total Frames handed to the engine.
# TYPE spoor_sensor_packets_total counter
spoor_sensor_packets_total{sensor="spoor"} 3
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "spoor_sensor_events_total", "spoor_sensor_packets_total"); err != nil {
		t.Error(err)
	}
}
