// Package sensor is Spoor's detection engine: it turns decoded packets into
// Maltrail events by matching trails and running Maltrail's heuristics.
//
// An Engine holds what all workers share (the trail set, whitelist,
// heuristic trackers and the event stage); each capture goroutine owns a
// Worker with its own decoding buffers, so the per-packet path takes no
// locks and allocates nothing in steady state.
package sensor

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync/atomic"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/sensor/heuristic"
	"github.com/spoorsec/spoor/sensor/throttle"
	"github.com/spoorsec/spoor/trails"
)

// Config selects what the engine inspects. The zero value is not useful;
// start from DefaultConfig.
type Config struct {
	Name string // sensor name written in every event

	Heuristics bool             // Maltrail's USE_HEURISTICS
	Trackers   heuristic.Config // thresholds, window and disabled heuristics

	// CheckHostDomains matches HTTP Host headers against domain trails.
	// Maltrail leaves it off, so a download whose DNS lookup was not
	// captured goes unseen; Spoor turns it on.
	CheckHostDomains bool
	CheckMissingHost bool // Maltrail's CHECK_MISSING_HOST heuristic
	CheckSNI         bool // TLS and QUIC server names, IPv4 and IPv6
	CheckCerts       bool // SHA-1 of TLS server certificates
}

// DefaultConfig is Maltrail's shipped behaviour plus Spoor's improvements.
func DefaultConfig() Config {
	return Config{
		Name:             "spoor",
		Heuristics:       true,
		Trackers:         heuristic.DefaultConfig(),
		CheckHostDomains: true,
		CheckSNI:         true,
		CheckCerts:       true,
	}
}

// Emitter receives events: in production the throttle stage in front of
// the sinks.
type Emitter interface {
	Process(e *event.Event) error
}

// Deps are the engine's collaborators.
type Deps struct {
	Trails    *trails.Set
	Whitelist *trails.Whitelist     // may be nil
	UA        *heuristic.UAMatcher  // may be nil: no User-Agent heuristic
	Ignore    *throttle.IgnoreRules // may be nil
	Out       Emitter
}

// Stats are the engine's counters, summed over workers.
type Stats struct {
	Packets      uint64
	NotIP        uint64 // frames carrying something other than IPv4/IPv6 (ARP, LLDP, ...)
	DecodeErrors uint64 // truncated or malformed headers
	Events       uint64 // events handed to the emitter
	Whitelisted  uint64 // events dropped because src or dst is whitelisted
	Ignored      uint64 // events dropped by ignore rules
	EmitErrors   uint64
}

// Engine is shared by all workers.
type Engine struct {
	cfg    Config
	trails atomic.Pointer[trails.Set]
	gen    atomic.Uint64 // trail generation: workers drop caches when it moves
	wl     *liveWhitelist
	ua     *heuristic.UAMatcher
	ignore *throttle.IgnoreRules
	trk    *heuristic.Trackers
	out    Emitter
	log    *slog.Logger

	packets, notIP, decodeErrors, events, whitelisted, ignored, emitErrors atomic.Uint64
}

// New builds an engine.
func New(cfg Config, deps Deps, log *slog.Logger) (*Engine, error) {
	if deps.Trails == nil {
		return nil, errors.New("sensor: no trail set")
	}
	if deps.Out == nil {
		return nil, errors.New("sensor: no event output")
	}
	if log == nil {
		log = slog.Default()
	}
	e := &Engine{
		cfg:    cfg,
		wl:     new(liveWhitelist),
		ua:     deps.UA,
		ignore: deps.Ignore,
		out:    deps.Out,
		log:    log,
	}
	e.wl.p.Store(deps.Whitelist)
	e.trk = heuristic.NewTrackers(cfg.Trackers, e.wl)
	e.trails.Store(deps.Trails)
	return e, nil
}

// on reports whether a heuristic is enabled (see heuristic.Names).
func (e *Engine) on(name string) bool { return e.cfg.Heuristics && e.cfg.Trackers.Enabled(name) }

// onUngated is on for the heuristics Maltrail runs even with
// USE_HEURISTICS off (sinkhole and seized-domain responses, suspicious
// content types, IoT-malware downloads): only naming them disables them.
func (e *Engine) onUngated(name string) bool { return e.cfg.Trackers.Enabled(name) }

// liveWhitelist is the engine's whitelist, swapped by SetWhitelist while
// workers read it; a nil whitelist is empty.
type liveWhitelist struct {
	p atomic.Pointer[trails.Whitelist]
}

func (l *liveWhitelist) Domain(name string) bool { return l.p.Load().Domain(name) }
func (l *liveWhitelist) IP(a netip.Addr) bool    { return l.p.Load().IP(a) }

// SetWhitelist swaps the whitelist atomically (nil: none); workers and
// heuristics use it from their next check.
func (e *Engine) SetWhitelist(w *trails.Whitelist) { e.wl.p.Store(w) }

// ErrTrailsShrank is returned by SetTrails for a set less than half the size
// of the current one: far more often a broken download than a real change.
var ErrTrailsShrank = errors.New("new trail set is less than half the size of the current one")

// SetTrails swaps the trail set atomically; workers pick it up on their next
// packet without pausing capture.
func (e *Engine) SetTrails(s *trails.Set) error {
	cur := e.trails.Load()
	if cur != nil && s.Len()*2 < cur.Len() {
		return fmt.Errorf("%w (%d < %d/2)", ErrTrailsShrank, s.Len(), cur.Len())
	}
	e.trails.Store(s)
	e.gen.Add(1)
	return nil
}

// ReplaceTrails swaps the trail set like SetTrails without the size check,
// for callers that decide themselves which changes are plausible (a tenant
// deleting its own custom trails is not a broken download).
func (e *Engine) ReplaceTrails(s *trails.Set) {
	e.trails.Store(s)
	e.gen.Add(1)
}

// Trails returns the trail set in use.
func (e *Engine) Trails() *trails.Set { return e.trails.Load() }

// Stats returns a snapshot of the counters.
func (e *Engine) Stats() Stats {
	return Stats{
		Packets:      e.packets.Load(),
		NotIP:        e.notIP.Load(),
		DecodeErrors: e.decodeErrors.Load(),
		Events:       e.events.Load(),
		Whitelisted:  e.whitelisted.Load(),
		Ignored:      e.ignored.Load(),
		EmitErrors:   e.emitErrors.Load(),
	}
}

// emit applies Maltrail's event-time rules (ignore list, then the src/dst
// whitelist, which DNS events are exempt from) and hands the event on.
func (e *Engine) emit(ev *event.Event, src, dst netip.Addr) {
	if e.ignore.Match(ev) {
		e.ignored.Add(1)
		return
	}
	if ev.Type != event.TypeDNS && (e.wl.IP(src) || e.wl.IP(dst)) {
		e.whitelisted.Add(1)
		return
	}
	e.events.Add(1)
	if err := e.out.Process(ev); err != nil {
		if e.emitErrors.Add(1) == 1 {
			e.log.Error("cannot write event", "err", err)
		}
	}
}
