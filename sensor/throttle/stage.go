// Package throttle is the stage between detection and the sinks that keeps
// event volume bounded without losing detections. In the order of
// Maltrail's core/log.py log_event (after the engine's ignore rules and
// whitelist):
//
//  1. Condensing: an event whose info names a noisy class ("attacker",
//     "port scanning", …) is held under (sensor, src_ip, trail) for
//     CondensePeriod and comes out as one event whose differing columns
//     are sorted, comma-joined sets, Count being the number condensed.
//  2. Throttling (summarize mode, the Rust sensor's default): the first
//     Burst events per (sensor, src_ip, trail) and Window pass at once;
//     later ones are held and come out as one such merged event when the
//     window closes. Nothing is dropped silently: every held event is
//     accounted for in a summary's Count.
//
// Time is packet time: each event advances the stage clock, and Advance
// lets the engine close windows when traffic stops. Output order is
// deterministic: groups closing together are emitted sorted by key.
//
// The package also loads Maltrail's ignore rules (USER_IGNORELIST and
// IGNORE_EVENTS_REGEX), which the engine applies before this stage.
package throttle

import (
	"cmp"
	"container/list"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/sensor/output"
)

// Stats are the stage's counters since New.
type Stats struct {
	Passed         uint64 // events written as they came
	Summarised     uint64 // detections folded into throttle summaries
	Summaries      uint64 // summary events emitted
	Condensed      uint64 // events held for condensing
	CondensedLines uint64 // condensed events emitted (into the throttle)
	Evicted        uint64 // groups emitted early to respect MaxKeys
	Dropped        uint64 // legacy mode only: events discarded as Maltrail does
	WriteErrors    uint64 // failed sink writes

	Keys         int // throttle windows open now
	CondenseKeys int // condensing groups open now
}

// key identifies a throttle window or condensing group. The sensor is part
// of it so one stage can serve several sensors.
type key struct{ sensor, ip, trail string }

func (k key) clone() key {
	return key{strings.Clone(k.sensor), strings.Clone(k.ip), strings.Clone(k.trail)}
}

func compareKeys(a, b key) int {
	return cmp.Or(strings.Compare(a.sensor, b.sensor), strings.Compare(a.ip, b.ip), strings.Compare(a.trail, b.trail))
}

// group is a throttle window or a condensing group.
type group struct {
	key      key
	deadline time.Time     // packet time at which it closes
	passed   int           // events written in this window (throttle)
	held     aggregate     // events held
	queue    *list.Element // in deadline order
	use      *list.Element // in LRU order (throttle only)
}

// Stage throttles and condenses events on their way to a sink. It is safe
// for concurrent use; sink writes happen under its lock, in order.
type Stage struct {
	cfg Config
	out output.Sink

	mu    sync.Mutex
	clock time.Time // latest packet time seen
	errs  []error   // write errors of the current call

	windows map[key]*group
	expiry  *list.List // *group, deadline order (deadlines only grow)
	lru     *list.List // *group, least recently used first

	condensing map[key]*group
	condQueue  *list.List // *group, deadline order

	legacyBucket int64
	legacyActive bool
	legacySeen   map[key]struct{}

	stats Stats
}

// New returns a stage writing to out. It panics if cfg is invalid: check
// Config.Validate when loading configuration.
func New(cfg Config, out output.Sink) *Stage {
	if err := cfg.Validate(); err != nil {
		panic(fmt.Sprintf("BUG: throttle.New with invalid config: %v", err))
	}
	if out == nil {
		panic("BUG: throttle.New without a sink")
	}
	if cfg.Mode == "" {
		cfg.Mode = ModeSummarize
	}
	return &Stage{
		cfg:        cfg,
		out:        out,
		windows:    make(map[key]*group),
		expiry:     list.New(),
		lru:        list.New(),
		condensing: make(map[key]*group),
		condQueue:  list.New(),
		legacySeen: make(map[key]struct{}),
	}
}

// Process takes one event: it first advances the clock to e.Time (closing
// due windows), then writes, holds or condenses e. It does not retain e.
// The error joins the sink errors of everything written during the call.
func (s *Stage) Process(e *event.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(e.Time)
	if s.condensable(e.Info) {
		s.condense(e)
	} else {
		s.throttle(e)
	}
	return s.takeErrors()
}

// Advance closes the windows and condensing groups due at packet time now;
// the engine calls it periodically so a burst that stops is still reported.
func (s *Stage) Advance(now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(now)
	return s.takeErrors()
}

// Flush emits everything held, whatever the clock says: at the end of
// offline input and at shutdown. Condensed events pass through the
// throttle first, as in Maltrail, then every window's summary is emitted.
func (s *Stage) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range sortedGroups(s.condQueue) {
		s.flushCondensing(g)
	}
	for _, g := range sortedGroups(s.expiry) {
		s.closeWindow(g)
	}
	s.legacyActive = false
	clear(s.legacySeen)
	return s.takeErrors()
}

// Stats returns a snapshot of the counters.
func (s *Stage) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Keys = len(s.windows)
	st.CondenseKeys = len(s.condensing)
	return st
}

func (s *Stage) takeErrors() error {
	err := errors.Join(s.errs...)
	clear(s.errs)
	s.errs = s.errs[:0]
	return err
}

func (s *Stage) write(e *event.Event) {
	if err := s.out.Write(e); err != nil {
		s.stats.WriteErrors++
		s.errs = append(s.errs, err)
	}
}

// advance moves the clock to now (never back) and closes what is due, in
// deadline order across both tables; at equal deadlines windows close
// before condensed events enter the throttle.
func (s *Stage) advance(now time.Time) {
	if now.After(s.clock) {
		s.clock = now
	}
	for {
		w, c := dueFront(s.expiry, s.clock), dueFront(s.condQueue, s.clock)
		switch {
		case w != nil && (c == nil || !c.deadline.Before(w.deadline)):
			for _, g := range dueBatch(s.expiry, w.deadline) {
				s.closeWindow(g)
			}
		case c != nil:
			for _, g := range dueBatch(s.condQueue, c.deadline) {
				s.flushCondensing(g)
			}
		default:
			return
		}
	}
}

// dueFront returns the first group of q if it is due at now.
func dueFront(q *list.List, now time.Time) *group {
	f := q.Front()
	if f == nil {
		return nil
	}
	if g := f.Value.(*group); !g.deadline.After(now) {
		return g
	}
	return nil
}

// dueBatch returns the leading groups of q with the given deadline, sorted
// by key.
func dueBatch(q *list.List, deadline time.Time) []*group {
	var batch []*group
	for el := q.Front(); el != nil; el = el.Next() {
		g := el.Value.(*group)
		if !g.deadline.Equal(deadline) {
			break
		}
		batch = append(batch, g)
	}
	slices.SortFunc(batch, func(a, b *group) int { return compareKeys(a.key, b.key) })
	return batch
}

// sortedGroups returns every group of q by deadline, then key.
func sortedGroups(q *list.List) []*group {
	all := make([]*group, 0, q.Len())
	for el := q.Front(); el != nil; el = el.Next() {
		all = append(all, el.Value.(*group))
	}
	slices.SortStableFunc(all, func(a, b *group) int {
		return cmp.Or(a.deadline.Compare(b.deadline), compareKeys(a.key, b.key))
	})
	return all
}

func (s *Stage) condensable(info string) bool {
	for _, k := range s.cfg.CondenseKeywords {
		if strings.Contains(info, k) {
			return true
		}
	}
	return false
}

func (s *Stage) condense(e *event.Event) {
	k := key{e.Sensor, e.SrcIP, e.Trail}
	g := s.condensing[k]
	if g == nil {
		if len(s.condensing) >= s.cfg.MaxKeys {
			s.stats.Evicted++
			s.flushCondensing(s.condQueue.Front().Value.(*group))
		}
		g = &group{key: k.clone(), deadline: s.clock.Add(s.cfg.CondensePeriod)}
		g.queue = s.condQueue.PushBack(g)
		s.condensing[g.key] = g
	}
	g.held.add(e, s.cfg.MaxCondensed)
	s.stats.Condensed++
}

// flushCondensing emits a condensing group's event into the throttle.
func (s *Stage) flushCondensing(g *group) {
	delete(s.condensing, g.key)
	s.condQueue.Remove(g.queue)
	e := g.held.event()
	s.stats.CondensedLines++
	s.throttle(&e)
}

func (s *Stage) throttle(e *event.Event) {
	switch s.cfg.Mode {
	case ModeOff:
		s.stats.Passed++
		s.write(e)
	case ModeLegacy:
		s.throttleLegacy(e)
	default:
		s.throttleSummarize(e)
	}
}

func (s *Stage) throttleSummarize(e *event.Event) {
	k := key{e.Sensor, e.SrcIP, e.Trail}
	g := s.windows[k]
	if g == nil {
		if len(s.windows) >= s.cfg.MaxKeys {
			s.stats.Evicted++
			s.closeWindow(s.lru.Front().Value.(*group))
		}
		// The clock never goes back, so deadlines are appended in order.
		g = &group{key: k.clone(), deadline: s.clock.Add(s.cfg.Window)}
		g.queue = s.expiry.PushBack(g)
		g.use = s.lru.PushBack(g)
		s.windows[g.key] = g
	} else {
		s.lru.MoveToBack(g.use)
	}
	if g.passed < s.cfg.Burst {
		g.passed++
		s.stats.Passed++
		s.write(e)
		return
	}
	g.held.add(e, s.cfg.MaxCondensed)
	s.stats.Summarised += uint64(weight(e))
}

// closeWindow ends a throttle window, emitting its summary if it held
// anything. The next event of the key opens a fresh window.
func (s *Stage) closeWindow(g *group) {
	delete(s.windows, g.key)
	s.expiry.Remove(g.queue)
	s.lru.Remove(g.use)
	if g.held.count == 0 {
		return
	}
	e := g.held.event()
	s.stats.Summaries++
	s.write(&e)
}

// throttleLegacy is core/log.py's bucket throttle, per stage rather than
// per Maltrail worker process.
func (s *Stage) throttleLegacy(e *event.Event) {
	width := int64(s.cfg.Window / time.Second)
	sec := e.Time.Unix()
	bucket := sec / width
	if sec%width != 0 && sec < 0 {
		bucket-- // Python floors
	}
	if !s.legacyActive || bucket != s.legacyBucket {
		// Maltrail starts the new bucket without recording this event.
		s.legacyActive, s.legacyBucket = true, bucket
		clear(s.legacySeen)
		s.stats.Passed++
		s.write(e)
		return
	}
	src, dst := key{e.Sensor, e.SrcIP, e.Trail}, key{e.Sensor, e.DstIP, e.Trail}
	_, seenSrc := s.legacySeen[src]
	_, seenDst := s.legacySeen[dst]
	if seenSrc || seenDst {
		s.stats.Dropped++
		return
	}
	if len(s.legacySeen) < 2*s.cfg.MaxKeys {
		s.legacySeen[src.clone()] = struct{}{}
		s.legacySeen[dst.clone()] = struct{}{}
	}
	s.stats.Passed++
	s.write(e)
}
