package throttle

import "github.com/prometheus/client_golang/prometheus"

// RegisterMetrics exposes the stage's counters as spoor_events_* metrics.
func (s *Stage) RegisterMetrics(reg prometheus.Registerer) error {
	counters := []struct {
		name, help string
		get        func(Stats) uint64
	}{
		{"passed_total", "Events written as they came.", func(st Stats) uint64 { return st.Passed }},
		{"summarised_total", "Detections folded into throttle summaries.", func(st Stats) uint64 { return st.Summarised }},
		{"summaries_total", "Summary events written.", func(st Stats) uint64 { return st.Summaries }},
		{"condensed_total", "Events held for condensing.", func(st Stats) uint64 { return st.Condensed }},
		{"evicted_total", "Groups written early to stay within the key limit.", func(st Stats) uint64 { return st.Evicted }},
		{"dropped_total", "Events discarded (legacy throttle mode only).", func(st Stats) uint64 { return st.Dropped }},
		{"write_errors_total", "Failed writes to the outputs.", func(st Stats) uint64 { return st.WriteErrors }},
	}
	for _, c := range counters {
		get := c.get
		m := prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "spoor", Subsystem: "events", Name: c.name, Help: c.help},
			func() float64 { return float64(get(s.Stats())) })
		if err := reg.Register(m); err != nil {
			return err
		}
	}
	return nil
}
