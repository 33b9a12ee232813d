package trafficgen

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/spoorsec/spoor/sensor/capture"
	"github.com/spoorsec/spoor/sensor/decode"
	"github.com/spoorsec/spoor/trails"
)

// Config shapes the traffic.
type Config struct {
	// Seed makes the traffic reproducible: the same seed, trail set and
	// configuration give the same packets.
	Seed uint64
	// Hosts is the number of internal hosts (2-200; default 24).
	Hosts int
	// Count stops the generator after this many packets; 0 runs until
	// Close (real-time mode only).
	Count int64
	// Rate paces real-time traffic at this many packets per second; 0
	// generates as fast as it can.
	Rate float64
	// From and To back-date the traffic: Count packets spread over
	// [From, To) with a working-day shape (quiet nights, busy office
	// hours). Zero: packets carry the current time.
	From, To time.Time
	// Malicious is the share of conversations that carry an indicator or
	// trip a heuristic (default 0.2; negative: none, benign traffic only).
	Malicious float64
	// PerKind is how many trails of each kind are sampled from the set
	// (default 200).
	PerKind int
	// Indicators, when set, are used instead of sampling the trail set
	// again (sampling walks every trail: about a second for 1.6M).
	Indicators *Indicators
}

// Generator produces Ethernet frames. It implements capture.Source; it is
// not safe for concurrent use, except that Close may be called from any
// goroutine to stop a paced generator.
type Generator struct {
	cfg  Config
	rng  *rand.Rand
	net  *network
	in   *Indicators
	sess session
	next int // next frame of sess

	emitted int64
	last    time.Time
	start   time.Time // session start (back-dated) or pacing origin
	sched   *schedule
	pace    time.Time

	done     chan struct{}
	stopOnce sync.Once
	now      func() time.Time
}

// New returns a generator drawing its indicators from set (nil: benign
// traffic and heuristics only).
func New(cfg Config, set *trails.Set) (*Generator, error) {
	if cfg.Hosts == 0 {
		cfg.Hosts = 24
	}
	if cfg.Malicious == 0 {
		cfg.Malicious = 0.2
	}
	if cfg.PerKind == 0 {
		cfg.PerKind = 200
	}
	if cfg.Rate < 0 || cfg.Count < 0 || cfg.Malicious > 1 {
		return nil, errors.New("trafficgen: negative rate or count, or a malicious share above 1")
	}
	g := &Generator{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x7a11)), done: make(chan struct{}), now: time.Now}
	if !cfg.From.IsZero() || !cfg.To.IsZero() {
		if cfg.Count == 0 {
			return nil, errors.New("trafficgen: back-dated traffic needs a packet count")
		}
		if !cfg.To.After(cfg.From) {
			return nil, fmt.Errorf("trafficgen: empty time span %s - %s", cfg.From, cfg.To)
		}
		g.sched = newSchedule(cfg.From, cfg.To)
	}
	var err error
	if g.net, err = newNetwork(g.rng, cfg.Hosts, set); err != nil {
		return nil, err
	}
	g.in = &Indicators{}
	if cfg.Indicators != nil {
		g.in = cfg.Indicators
	} else if set != nil {
		if g.in, err = SampleTrails(set, cfg.PerKind, cfg.Seed); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// Indicators returns the trails the generator puts on the wire.
func (g *Generator) Indicators() *Indicators { return g.in }

// Emitted returns the number of packets produced so far.
func (g *Generator) Emitted() int64 { return g.emitted }

// Next returns the next frame (Ethernet). p.Data is valid until the next
// call. It returns io.EOF after Count packets or once Close was called.
func (g *Generator) Next(p *capture.Packet) error {
	if g.cfg.Count > 0 && g.emitted >= g.cfg.Count {
		return io.EOF
	}
	select {
	case <-g.done:
		return io.EOF
	default:
	}
	if g.next == len(g.sess.ends) {
		g.newSession()
	}
	i := g.next
	g.next++
	from := 0
	if i > 0 {
		from = g.sess.ends[i-1]
	}
	t, err := g.timestamp(i)
	if err != nil {
		return err
	}
	g.emitted++
	p.Data, p.Time, p.Link = g.sess.buf[from:g.sess.ends[i]], t, decode.LinkEthernet
	return nil
}

// timestamp returns the time of frame i of the current session, pacing
// real-time traffic.
func (g *Generator) timestamp(i int) (time.Time, error) {
	if g.sched != nil {
		if i == 0 {
			g.start = g.sched.at(float64(g.emitted) / float64(g.cfg.Count))
		} else {
			g.start = g.start.Add(g.sess.gaps[i])
		}
		t := g.start
		if t.Before(g.last) {
			t = g.last
		}
		if !t.Before(g.cfg.To) {
			t = g.cfg.To.Add(-time.Microsecond) // a session running past the span's end
		}
		g.last = t
		return t, nil
	}
	if g.cfg.Rate > 0 {
		if g.pace.IsZero() {
			g.pace = g.now()
		}
		if wait := g.due().Sub(g.now()); wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-g.done:
				timer.Stop()
				return time.Time{}, io.EOF
			case <-timer.C:
			}
		}
	}
	t := g.now()
	if t.Before(g.last) {
		t = g.last
	}
	g.last = t
	return t, nil
}

// Ready reports whether Next would return without waiting to pace the
// packet, so a writer knows when to flush what it holds.
func (g *Generator) Ready() bool {
	if g.cfg.Rate <= 0 || g.sched != nil || g.pace.IsZero() {
		return true
	}
	return !g.due().After(g.now())
}

func (g *Generator) due() time.Time {
	return g.pace.Add(time.Duration(float64(g.emitted) / g.cfg.Rate * float64(time.Second)))
}

// Close stops the generator: Next returns io.EOF from then on, also when
// it is waiting to pace a packet. Close may be called concurrently.
func (g *Generator) Close() error {
	g.stopOnce.Do(func() { close(g.done) })
	return nil
}

// schedule maps a fraction of the traffic to a time in [from, to), denser
// in office hours.
type schedule struct {
	segs  []segment
	total float64
}

type segment struct {
	start  time.Time
	dur    time.Duration
	weight float64 // per second
	before float64 // cumulative weight of earlier segments
}

// hourWeight is the relative activity of each hour of the day (UTC).
var hourWeight = [24]float64{0.25, 0.2, 0.2, 0.2, 0.25, 0.3, 0.45, 0.7, 1, 1, 1, 0.95, 0.85, 0.95, 1, 1, 0.95, 0.85, 0.7, 0.6, 0.5, 0.45, 0.35, 0.3}

func newSchedule(from, to time.Time) *schedule {
	s := &schedule{}
	for t := from; t.Before(to); {
		end := t.Truncate(time.Hour).Add(time.Hour)
		if end.After(to) {
			end = to
		}
		w := hourWeight[t.UTC().Hour()]
		seg := segment{start: t, dur: end.Sub(t), weight: w, before: s.total}
		s.total += w * seg.dur.Seconds()
		s.segs = append(s.segs, seg)
		t = end
	}
	return s
}

func (s *schedule) at(f float64) time.Time {
	target := f * s.total
	lo, hi := 0, len(s.segs)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if s.segs[mid].before <= target {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	seg := s.segs[lo]
	off := (target - seg.before) / seg.weight
	d := time.Duration(off * float64(time.Second))
	if d >= seg.dur {
		d = seg.dur - time.Microsecond
	}
	return seg.start.Add(d)
}
