package sensor

import "github.com/prometheus/client_golang/prometheus"

// RegisterMetrics exposes the engine's counters (summed over workers) as
// spoor_sensor_* metrics.
func (e *Engine) RegisterMetrics(reg prometheus.Registerer) error {
	counters := []struct {
		name, help string
		load       func() uint64
	}{
		{"packets_total", "Frames handed to the engine.", e.packets.Load},
		{"not_ip_total", "Frames carrying neither IPv4 nor IPv6 (ARP, LLDP, ...).", e.notIP.Load},
		{"decode_errors_total", "Frames with truncated or malformed headers.", e.decodeErrors.Load},
		{"events_total", "Detections handed to the event stage (before throttling).", e.events.Load},
		{"whitelisted_total", "Detections dropped because an endpoint is whitelisted.", e.whitelisted.Load},
		{"ignored_total", "Detections dropped by ignore rules.", e.ignored.Load},
		{"emit_errors_total", "Detections the event stage failed to write.", e.emitErrors.Load},
	}
	for _, c := range counters {
		load := c.load
		m := prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: "spoor", Subsystem: "sensor", Name: c.name, Help: c.help,
			ConstLabels: prometheus.Labels{"sensor": e.cfg.Name},
		}, func() float64 { return float64(load()) })
		if err := reg.Register(m); err != nil {
			return err
		}
	}
	return nil
}
