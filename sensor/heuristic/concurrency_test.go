package heuristic

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
)

// feedEvent is one tracker call of a replayed capture.
type feedEvent struct {
	at       float64
	kind     byte // 't' TCP, 'u' UDP, 'w' web, 'q' DNS query, 'n' NXDOMAIN
	src, dst netip.Addr
	sport    uint16
	dport    uint16
	flags    uint8
	text     string
}

func (e feedEvent) apply(tr *Trackers) []Alert {
	switch e.kind {
	case 't':
		return tr.TCPProbe(e.at, e.src, e.dst, e.sport, e.dport, e.flags)
	case 'u':
		return tr.UDPProbe(e.at, e.src, e.dst, e.sport, e.dport)
	case 'w':
		return tr.WebRequest(e.at, e.src, e.dst, e.sport, e.dport, e.text)
	case 'q':
		a, _ := tr.DNSQuery(e.at, e.src, e.dst, e.sport, e.dport, e.text)
		return a
	case 'n':
		return tr.NXDomain(e.at, e.src, e.dst, e.sport, e.dport, e.text, nil)
	}
	panic("BUG: unknown event kind")
}

func v4(a, b, c, d int) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a), byte(b), byte(c), byte(d)})
}

// syntheticCapture mixes benign traffic with every tracked attack, in
// packet-time order over about two minutes.
func syntheticCapture(seed uint64) []feedEvent {
	rng := rand.New(rand.NewPCG(seed, 99))
	var ev []feedEvent
	add := func(e feedEvent) { ev = append(ev, e) }
	jitter := func() float64 { return rng.Float64() * 0.9 }
	web := v4(10, 0, 0, 80)

	// Benign: 60 local hosts opening a few connections each, browsing.
	for h := 0; h < 60; h++ {
		src := v4(192, 168, 3, h+1)
		for k := 0; k < 5; k++ {
			at := t0 + float64(rng.IntN(120)) + jitter()
			add(feedEvent{at: at, kind: 't', src: src, dst: web, sport: uint16(40000 + k), dport: 443, flags: flagsSYN})
			add(feedEvent{at: at, kind: 'w', src: src, dst: scanner, sport: uint16(40000 + k), dport: 80, text: fmt.Sprintf("/page%d/x", k)})
		}
	}
	// Port scans by external hosts in distinct /16s, one slow scan below
	// the threshold, a NULL scan and a UDP scan.
	for s := 0; s < 4; s++ {
		src, start := v4(1, 10+s, 0, 1), t0+float64(10+17*s)
		for p := 0; p < 50; p++ {
			add(feedEvent{at: start + float64(p)*0.3, kind: 't', src: src, dst: v4(192, 168, 9, s+1), sport: 55000, dport: uint16(20 + p), flags: flagsSYN})
		}
	}
	for p := 0; p < 12; p++ {
		add(feedEvent{at: t0 + float64(p)*8, kind: 't', src: v4(1, 20, 0, 1), dst: web, sport: 55001, dport: uint16(100 + p), flags: flagsSYN})
	}
	for p := 0; p < 30; p++ {
		add(feedEvent{at: t0 + 40 + float64(p)*0.1, kind: 't', src: v4(1, 21, 0, 1), dst: web, sport: 55002, dport: uint16(200 + p), flags: flagsNULL})
		add(feedEvent{at: t0 + 70 + float64(p)*0.2, kind: 'u', src: v4(1, 22, 0, 1), dst: web, sport: 55003, dport: uint16(300 + p)})
	}
	// A worm in the local network and one outside it.
	for h := 0; h < 40; h++ {
		add(feedEvent{at: t0 + 60 + float64(h)*0.2, kind: 't', src: v4(192, 168, 1, 66), dst: v4(172, 20, 0, h+1), sport: uint16(41000 + h), dport: 445, flags: flagsSYN})
		add(feedEvent{at: t0 + 61 + float64(h)*0.2, kind: 't', src: v4(1, 23, 0, 1), dst: v4(172, 20, 1, h+1), sport: uint16(42000 + h), dport: 3389, flags: flagsSYN})
	}
	// Web scans.
	for s := 0; s < 2; s++ {
		for k := 0; k < 15; k++ {
			add(feedEvent{at: t0 + 30 + float64(s*40+k), kind: 'w', src: v4(1, 30+s, 0, 1), dst: web, sport: uint16(43000 + k), dport: 80, text: fmt.Sprintf("/probe%d/", k)})
		}
	}
	// NXDOMAIN: one name hammered, a random-subdomain flood, DGA names.
	remote := v4(100, 64, 7, 7)
	for i := 0; i < 25; i++ {
		add(feedEvent{at: t0 + 5 + float64(i), kind: 'n', src: resolver, dst: remote, sport: 53, dport: 5353, text: "gone.example.net"})
		add(feedEvent{at: t0 + 5 + float64(i), kind: 'n', src: resolver, dst: remote, sport: 53, dport: 5354, text: fmt.Sprintf("x%d.flood.org", i)})
	}
	for _, n := range []string{"xkqwzlvbnmfghjd.com", "bcbcbcbcbcbcbcbcbcbc.net"} {
		add(feedEvent{at: t0 + 50, kind: 'n', src: resolver, dst: remote, sport: 53, dport: 5355, text: n})
	}
	// DNS exhaustion: 1100 random subdomains in 20 s.
	for i := 0; i < 1100; i++ {
		add(feedEvent{at: t0 + 80 + float64(i)/55, kind: 'q', src: client, dst: resolver, sport: 5356, dport: 53, text: fmt.Sprintf("%x.target.com", rng.Uint64())})
	}
	slices.SortStableFunc(ev, func(a, b feedEvent) int {
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	return ev
}

// identity is what must not depend on the number of workers: which
// heuristic fired, for which key, how often. The probe shown in an alert
// (Maltrail's "first seen" ports, the first infected host) and the names
// listed in a flood trail depend on which packets arrived before the
// threshold was crossed, so they are left out.
func identity(a Alert) string {
	trail := a.Trail
	if a.Type == typeDNS && strings.HasPrefix(trail, "(") {
		trail = trail[strings.LastIndexByte(trail, ')')+1:]
	}
	dst := a.Dst.String()
	if a.Type == typePort {
		dst = ""
	}
	return strings.Join([]string{a.Type, a.Info, a.Src.String(), dst, a.Proto, trail}, "|")
}

func replay(events []feedEvent, workers int) map[string]int {
	tr := NewTrackers(DefaultConfig(), nil)
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(events); i += workers {
				for _, a := range events[i].apply(tr) {
					mu.Lock()
					got[identity(a)]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return got
}

func TestSameAlertsWhateverTheWorkers(t *testing.T) {
	events := syntheticCapture(1)
	want := replay(events, 1)
	// Every heuristic must be represented, or the comparison proves little.
	for _, info := range []string{infoPortScan, infoUDPScan, infoInfection, infoWebScan, infoNXDomain, infoDNSExhaustion, "entropy threshold no such domain (suspicious)", "consonant threshold no such domain (suspicious)"} {
		found := false
		for k := range want {
			found = found || strings.Contains(k, "|"+info+"|")
		}
		if !found {
			t.Fatalf("single worker raised no %q alert: %v", info, want)
		}
	}
	for _, k := range []string{
		"IP|potential port scanning|1.20.0.1|10.0.0.80|TCP|1.20.0.1", // slow scan
		"PORT|potential infection|1.23.0.1||TCP|3389",                // outside the local prefix
	} {
		if want[k] != 0 {
			t.Errorf("single worker raised %q", k)
		}
	}
	for round := 0; round < 5; round++ {
		if got := replay(events, 4); !maps.Equal(got, want) {
			t.Fatalf("round %d: 4 workers raised\n%v\nwant (1 worker)\n%v", round, got, want)
		}
	}
}

// TestSameAlertsWhateverTheOrder delivers the capture with every event
// delayed by up to 5 s, as workers lagging behind each other would.
func TestSameAlertsWhateverTheOrder(t *testing.T) {
	events := syntheticCapture(2)
	want := replay(events, 1)
	rng := rand.New(rand.NewPCG(3, 4))
	for round := 0; round < 5; round++ {
		late := slices.Clone(events)
		delay := make(map[*feedEvent]float64, len(late))
		for i := range late {
			delay[&late[i]] = late[i].at + rng.Float64()*5
		}
		idx := make([]int, len(late))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			da, db := delay[&late[a]], delay[&late[b]]
			switch {
			case da < db:
				return -1
			case da > db:
				return 1
			}
			return 0
		})
		shuffled := make([]feedEvent, len(late))
		for i, j := range idx {
			shuffled[i] = late[j]
		}
		if got := replay(shuffled, 1); !maps.Equal(got, want) {
			t.Fatalf("round %d: delayed delivery raised\n%v\nwant\n%v", round, got, want)
		}
	}
}
