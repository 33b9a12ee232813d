package sensor

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/sensor/capture"
	"github.com/spoorsec/spoor/sensor/heuristic"
	"github.com/spoorsec/spoor/sensor/output"
	"github.com/spoorsec/spoor/sensor/throttle"
	"github.com/spoorsec/spoor/trails"
)

// collector is an output sink that keeps events in memory.
type collector struct {
	mu     sync.Mutex
	events []event.Event
}

func (c *collector) Write(e *event.Event) error {
	c.mu.Lock()
	c.events = append(c.events, *e)
	c.mu.Unlock()
	return nil
}

func (c *collector) Close() error { return nil }

// lines renders the collected events as Maltrail log lines (UTC).
func (c *collector) lines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.events))
	for i := range c.events {
		out[i] = strings.TrimSuffix(string(c.events[i].AppendLine(nil, time.UTC)), "\n")
	}
	return out
}

type harness struct {
	engine *Engine
	stage  *throttle.Stage
	out    *collector
}

// newHarness wires a real engine, throttle stage and whitelist/UA data the
// way the spoor command does, with events collected in memory.
func newHarness(tb testing.TB, set *trails.Set, cfg Config) *harness {
	tb.Helper()
	return newHarnessWith(tb, set, cfg, maltrailWhitelist(tb))
}

// newHarnessWith is newHarness with the given whitelist (nil for none).
func newHarnessWith(tb testing.TB, set *trails.Set, cfg Config, wl *trails.Whitelist) *harness {
	tb.Helper()
	out := &collector{}
	h := newHarnessTo(tb, set, cfg, out, wl)
	h.out = out
	return h
}

func maltrailWhitelist(tb testing.TB) *trails.Whitelist {
	tb.Helper()
	wl, err := trails.LoadWhitelist(testdata(tb, "maltrail", "data", "whitelist.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	return wl
}

// newHarnessTo wires the engine with events going to sink.
func newHarnessTo(tb testing.TB, set *trails.Set, cfg Config, sink output.Sink, wl *trails.Whitelist) *harness {
	tb.Helper()
	ua, err := heuristic.LoadUA(testdata(tb, "maltrail", "data", "ua.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	stage := throttle.New(throttle.DefaultConfig(), sink)
	e, err := New(cfg, Deps{Trails: set, Whitelist: wl, UA: ua, Out: stage}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &harness{engine: e, stage: stage}
}

// replay reads capture files through the engine with n workers and flushes.
func (h *harness) replay(tb testing.TB, n int, files ...string) []string {
	tb.Helper()
	src, err := capture.OpenFiles(files)
	if err != nil {
		tb.Fatal(err)
	}
	defer src.Close()
	if err := h.engine.Read(context.Background(), src, n, h.stage); err != nil {
		tb.Fatal(err)
	}
	if err := h.stage.Flush(); err != nil {
		tb.Fatal(err)
	}
	return h.out.lines()
}

func loadTrails(tb testing.TB, path string) *trails.Set {
	tb.Helper()
	set, err := trails.Load(path, trails.LoadOptions{})
	if err != nil {
		tb.Fatalf("cannot load trails %s: %v", path, err)
	}
	return set
}
