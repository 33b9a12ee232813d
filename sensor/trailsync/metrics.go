package trailsync

import "github.com/prometheus/client_golang/prometheus"

// metrics are the sensor's trail delivery series (spoor_sensor_trails_*).
type metrics struct {
	version     *prometheus.GaugeVec   // resource, version: 1 for the version in use
	lastSuccess prometheus.Gauge       // last poll where both resources answered
	refused     *prometheus.CounterVec // reason: shrank, corrupt
	errors      *prometheus.CounterVec // resource
	trails      prometheus.Gauge
	swap        prometheus.Gauge
}

func newMetrics() *metrics {
	return &metrics{
		version: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "spoor_sensor_trails_version_info", Help: "Version (ETag) of the global trail set and of the tenant overlay in use: 1 on the current one.",
		}, []string{"resource", "version"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "spoor_sensor_trails_last_success_timestamp_seconds", Help: "When the collector last answered a trail poll for both resources (200 or 304).",
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoor_sensor_trails_refused_total", Help: "Trail sets refused and not applied, by reason (shrank: under half the current size; corrupt).",
		}, []string{"reason"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoor_sensor_trails_fetch_errors_total", Help: "Failed trail fetches, by resource (global, overlay).",
		}, []string{"resource"}),
		trails: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "spoor_sensor_trails", Help: "Trails in use, custom trails included.",
		}),
		swap: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "spoor_sensor_trails_swap_seconds", Help: "Time the last trail update took to build and swap in.",
		}),
	}
}

func (m *metrics) setVersion(resource, version string) {
	m.version.DeletePartialMatch(prometheus.Labels{"resource": resource})
	m.version.WithLabelValues(resource, version).Set(1)
}

// RegisterMetrics adds the syncer's series to reg.
func (s *Syncer) RegisterMetrics(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{s.met.version, s.met.lastSuccess, s.met.refused, s.met.errors, s.met.trails, s.met.swap} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
