// Package output writes detection events where Maltrail writes them: the
// daily log file, the console, and UDP datagrams to a Maltrail server
// (LOG_SERVER), to syslog collectors as CEF (SYSLOG_SERVER) and to Logstash
// as JSON (LOGSTASH_SERVER). Every sink is safe for concurrent use and
// renders each event with one write, so concurrent writers interleave whole
// lines.
package output

import (
	"errors"
	"sync/atomic"

	"github.com/spoorsec/spoor/event"
)

// Sink receives events. Write must not retain e after it returns.
type Sink interface {
	Write(e *event.Event) error
	Close() error
}

// MultiSink writes every event to several sinks.
type MultiSink struct {
	sinks  []Sink
	errors atomic.Uint64
}

// Multi returns a sink writing to all of sinks, in order. A failing sink
// does not stop the others; Write returns the failures joined.
func Multi(sinks ...Sink) Sink {
	return &MultiSink{sinks: sinks}
}

// Write writes e to every sink.
func (m *MultiSink) Write(e *event.Event) error {
	var errs []error
	for _, s := range m.sinks {
		if err := s.Write(e); err != nil {
			m.errors.Add(1)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Close closes every sink.
func (m *MultiSink) Close() error {
	var errs []error
	for _, s := range m.sinks {
		if err := s.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Errors is the number of failed sink writes so far.
func (m *MultiSink) Errors() uint64 { return m.errors.Load() }
