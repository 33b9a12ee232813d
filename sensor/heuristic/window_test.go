package heuristic

import (
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
)

// refAlertEpochs is the sliding-window condition computed by brute force:
// the epochs q holding a second s such that more than threshold distinct
// items were probed in the w seconds ending at s.
func refAlertEpochs(probes []refProbe, w int64, threshold int) []int64 {
	var out []int64
	seconds := map[int64]bool{}
	for _, p := range probes {
		seconds[p.sec] = true
	}
	alerted := map[int64]bool{}
	for s := range seconds {
		items := map[uint64]bool{}
		for _, p := range probes {
			if p.sec > s-w && p.sec <= s {
				items[p.item] = true
			}
		}
		if len(items) > threshold && !alerted[s/w] {
			alerted[s/w] = true
			out = append(out, s/w)
		}
	}
	slices.Sort(out)
	return out
}

type refProbe struct {
	sec  int64
	item uint64
}

func newTestWindow(w int64, threshold int) *windowTracker[int] {
	var keys atomic.Int64
	return newWindowTracker[int](w, threshold, &keys)
}

func allow(int, probe) gateResult { return gateAlert }

// TestWindowMatchesReference replays random probe sequences, each also in
// a locally shuffled order, and compares the alerted epochs with the
// brute-force condition.
func TestWindowMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 300; iter++ {
		w := int64(1 + rng.IntN(40))
		threshold := 1 + rng.IntN(12)
		span := w * int64(1+rng.IntN(6))
		n := rng.IntN(80)
		base := int64(1_700_000_000 + rng.IntN(1000))
		probes := make([]refProbe, n)
		for i := range probes {
			probes[i] = refProbe{sec: base + rng.Int64N(span), item: uint64(rng.IntN(3 * threshold))}
		}
		slices.SortFunc(probes, func(a, b refProbe) int { return int(a.sec - b.sec) })
		want := refAlertEpochs(probes, w, threshold)

		// Deliver in time order, then with each probe delayed by up to w.
		delayed := slices.Clone(probes)
		jitter := make([]int64, len(delayed))
		for i := range jitter {
			jitter[i] = delayed[i].sec + rng.Int64N(w)
		}
		order := make([]int, len(delayed))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return int(jitter[a] - jitter[b]) })
		for _, run := range []struct {
			name  string
			order []int
		}{{"in order", nil}, {"shuffled", order}} {
			tr := newTestWindow(w, threshold)
			var got []int64
			for i := range probes {
				p := probes[i]
				if run.order != nil {
					p = probes[run.order[i]]
				}
				f, k := tr.observe(float64(p.sec)+0.5, 7, uint64(7), p.item, probe{t: float64(p.sec)}, allow)
				for _, x := range f[:k] {
					got = append(got, x.epoch)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("iteration %d %s (w=%d threshold=%d): alerted epochs %v, want %v\nprobes %v", iter, run.name, w, threshold, got, want, probes)
			}
		}
	}
}

func TestWindowBounds(t *testing.T) {
	t.Run("items per key", func(t *testing.T) {
		tr := newTestWindow(30, 10)
		for i := 0; i < 4*maxItemsPerKey; i++ {
			tr.observe(100, 1, uint64(1), uint64(i), probe{t: 100}, allow)
		}
		e := tr.shards[1].entries[1]
		if len(e.items) != maxItemsPerKey {
			t.Errorf("got %d items, want %d", len(e.items), maxItemsPerKey)
		}
	})
	t.Run("keys", func(t *testing.T) {
		tr := newTestWindow(30, 10)
		for k := 0; k < maxKeys+5000; k++ {
			tr.observe(100, k, uint64(k), 1, probe{t: 100}, allow)
		}
		if got := tr.keys.Load(); got != maxKeys {
			t.Errorf("got %d keys, want %d", got, maxKeys)
		}
	})
	t.Run("old keys pruned", func(t *testing.T) {
		tr := newTestWindow(30, 10)
		for k := 0; k < 1000; k++ {
			tr.observe(100, k, uint64(k), 1, probe{t: 100}, allow)
		}
		// Four epochs later every shard prunes on its next packet.
		for k := 0; k < numShards; k++ {
			tr.observe(100+4*30, 100000+k, uint64(100000+k), 1, probe{t: 220}, allow)
		}
		if got := tr.keys.Load(); got != numShards {
			t.Errorf("got %d keys after pruning, want %d", got, numShards)
		}
	})
	t.Run("late packets dropped", func(t *testing.T) {
		tr := newTestWindow(10, 1)
		tr.observe(1000, 1, uint64(1), 1, probe{t: 1000}, allow)
		f, n := tr.observe(969, 1, uint64(1), 2, probe{t: 969}, allow) // three epochs back
		if n != 0 {
			t.Errorf("late probe raised %v", f[:n])
		}
	})
}

func TestWindowGate(t *testing.T) {
	tr := newTestWindow(30, 2)
	verdict := gateWait
	gate := func(int, probe) gateResult { return verdict }
	var fired int
	for i := 0; i < 5; i++ {
		_, n := tr.observe(100, 1, uint64(1), uint64(i), probe{t: 100}, gate)
		fired += n
	}
	if fired != 0 {
		t.Fatalf("got %d alerts while the gate waits, want 0", fired)
	}
	verdict = gateAlert
	// A repeated probe (no new item) re-asks a waiting gate.
	if _, n := tr.observe(101, 1, uint64(1), 0, probe{t: 101}, gate); n != 1 {
		t.Fatalf("got %d alerts once the gate opens, want 1", n)
	}
	if _, n := tr.observe(102, 1, uint64(1), 9, probe{t: 102}, gate); n != 0 {
		t.Fatalf("got %d more alerts in the same window, want 0", n)
	}
}

func TestWindowRepresentative(t *testing.T) {
	tr := newTestWindow(30, 2)
	// Epoch 3 is 90-119. Probes at 100 (sport 3), 95 (sport 1, late), 101.
	tr.observe(100, 1, uint64(1), 1, probe{t: 100, sport: 3}, allow)
	tr.observe(95, 1, uint64(1), 2, probe{t: 95, sport: 1}, allow)
	f, n := tr.observe(101, 1, uint64(1), 3, probe{t: 101, sport: 2}, allow)
	if n != 1 || f[0].probe.sport != 1 {
		t.Fatalf("got %d alerts, probe %+v; want the earliest probe (sport 1)", n, f[0].probe)
	}
}
