package ship

import "github.com/prometheus/client_golang/prometheus"

// RegisterMetrics adds the shipper's series to reg: events by fate
// (spoor_ship_events_total{state}), retries, and the spool's depth.
func (s *Shipper) RegisterMetrics(reg prometheus.Registerer) error {
	states := []struct {
		state string
		load  func() uint64
	}{
		{"written", s.events.Load}, {"spooled", s.spooled.Load}, {"acknowledged", s.acked.Load},
		{"dropped", s.dropped.Load}, {"rejected", s.rejected.Load},
	}
	var cs []prometheus.Collector
	for _, st := range states {
		load := st.load
		cs = append(cs, prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "spoor_ship_events_total",
			Help:        "Events written to the shipper, spooled, acknowledged by the collector, dropped (queue or spool full), or refused by the collector.",
			ConstLabels: prometheus.Labels{"state": st.state},
		}, func() float64 { return float64(load()) }))
	}
	cs = append(cs,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "spoor_ship_retries_total", Help: "Failed deliveries that were retried.",
		}, func() float64 { return float64(s.retries.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "spoor_ship_spool_bytes", Help: "Size of the spool's segment files.",
		}, func() float64 { return float64(s.spool.Stats().DiskBytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "spoor_ship_spool_batches", Help: "Batches in the spool not yet acknowledged.",
		}, func() float64 { return float64(s.spool.Stats().Records) }),
	)
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
