package trafficgen

import (
	"context"
	"sync"
	"testing"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/internal/shared"
	"github.com/spoorsec/spoor/sensor"
	"github.com/spoorsec/spoor/sensor/capture"
	"github.com/spoorsec/spoor/sensor/heuristic"
	"github.com/spoorsec/spoor/sensor/throttle"
	"github.com/spoorsec/spoor/trails"
)

// memSink keeps events in memory.
type memSink struct {
	mu     sync.Mutex
	events []event.Event
}

func (m *memSink) Write(e *event.Event) error {
	m.mu.Lock()
	m.events = append(m.events, *e)
	m.mu.Unlock()
	return nil
}

func (m *memSink) Close() error { return nil }

var (
	staticOnce sync.Once
	staticSet  *trails.Set
	staticWL   *trails.Whitelist
	staticErr  error
)

// staticTrails loads Maltrail's static trails with its whitelist, once per
// test binary (about a second).
func staticTrails(tb testing.TB) (*trails.Set, *trails.Whitelist) {
	tb.Helper()
	dir := shared.Testdata(tb, "maltrail")
	staticOnce.Do(func() {
		staticWL, staticErr = trails.LoadWhitelist(dir + "/data/whitelist.txt")
		if staticErr == nil {
			staticSet, staticErr = trails.Load(dir+"/trails", trails.LoadOptions{Whitelist: staticWL})
		}
	})
	if staticErr != nil {
		tb.Fatal(staticErr)
	}
	return staticSet, staticWL
}

// detect runs src through a real sensor engine (Maltrail's whitelist and
// User-Agent rules, default throttle) and returns the events.
func detect(tb testing.TB, set *trails.Set, wl *trails.Whitelist, src capture.Source, workers int) ([]event.Event, sensor.Stats) {
	tb.Helper()
	ua, err := heuristic.LoadUA(shared.Testdata(tb, "maltrail", "data", "ua.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	out := &memSink{}
	stage := throttle.New(throttle.DefaultConfig(), out)
	e, err := sensor.New(sensor.DefaultConfig(), sensor.Deps{Trails: set, Whitelist: wl, UA: ua, Out: stage}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := e.Read(context.Background(), src, workers, stage); err != nil {
		tb.Fatal(err)
	}
	if err := stage.Flush(); err != nil {
		tb.Fatal(err)
	}
	return out.events, e.Stats()
}

var (
	sampleOnce sync.Once
	sample     *Indicators
	sampleErr  error
)

// staticSample is SampleTrails(static trails, 200, 1), drawn once.
func staticSample(tb testing.TB) *Indicators {
	tb.Helper()
	set, _ := staticTrails(tb)
	sampleOnce.Do(func() { sample, sampleErr = SampleTrails(set, 200, 1) })
	if sampleErr != nil {
		tb.Fatal(sampleErr)
	}
	return sample
}
