package collector

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Transports, the "transport" label of the ingest metrics.
const (
	transportHTTPS = "https"
	transportUDP   = "udp"
)

// metrics are the collector's Prometheus series (names spoor_ingest_*,
// spoor_sensor_*).
type metrics struct {
	events    *prometheus.CounterVec   // transport
	batches   *prometheus.CounterVec   // transport
	bytes     *prometheus.CounterVec   // transport: wire bytes of accepted input
	rejects   *prometheus.CounterVec   // transport, reason
	dropped   *prometheus.CounterVec   // transport, reason: events accepted then lost (UDP)
	lag       *prometheus.HistogramVec // transport: sensor cut → stored
	insert    prometheus.Histogram     // store insert latency
	inFlight  prometheus.Gauge
	spoolB    *prometheus.GaugeVec // tenant, sensor
	spoolN    *prometheus.GaugeVec // tenant, sensor
	sensorDrp *prometheus.GaugeVec // tenant, sensor
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoor_ingest_events_total", Help: "Events stored, by transport.",
		}, []string{"transport"}),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoor_ingest_batches_total", Help: "Batches (HTTPS) or datagrams (UDP) accepted, by transport.",
		}, []string{"transport"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoor_ingest_bytes_total", Help: "Wire bytes of accepted batches and datagrams, by transport.",
		}, []string{"transport"}),
		rejects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoor_ingest_rejected_total", Help: "Batches or datagrams refused, by transport and reason.",
		}, []string{"transport", "reason"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "spoor_ingest_dropped_events_total", Help: "UDP events accepted but not stored (insert queue full, store failing), by reason.",
		}, []string{"transport", "reason"}),
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "spoor_ingest_lag_seconds",
			Help:    "Time from a sensor cutting a batch (UDP: sending a datagram) to its events being stored, including time spent in the sensor's spool.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 86400},
		}, []string{"transport"}),
		insert: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "spoor_ingest_insert_seconds", Help: "Store insert latency per batch.",
			Buckets: prometheus.ExponentialBuckets(0.002, 2, 14),
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "spoor_ingest_in_flight_batches", Help: "HTTPS batches being decoded or stored.",
		}),
		spoolB: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "spoor_sensor_spool_bytes", Help: "Sensor spool size on disk, as reported with its last batch.",
		}, []string{"tenant", "sensor"}),
		spoolN: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "spoor_sensor_spool_batches", Help: "Batches waiting in the sensor's spool, as reported with its last batch.",
		}, []string{"tenant", "sensor"}),
		sensorDrp: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "spoor_sensor_dropped_events", Help: "Events the sensor dropped (spool full) since it started, as reported with its last batch.",
		}, []string{"tenant", "sensor"}),
	}
	for _, c := range []prometheus.Collector{m.events, m.batches, m.bytes, m.rejects, m.dropped, m.lag, m.insert,
		m.inFlight, m.spoolB, m.spoolN, m.sensorDrp} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// NewRegistry returns a registry with the Go runtime and process
// collectors, for Options.Registry when the caller wants to add its own
// series to /metrics.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}
