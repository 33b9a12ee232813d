package trafficgen

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/event"
)

func heuristicEvent(e *event.Event) bool { return e.Reference == "(heuristic)" }

func internal(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && (a.IsPrivate())
}

// TestDetected runs generated traffic through the real sensor engine with
// Maltrail's static trails and checks that every kind of activity the
// generator makes is reported, and that trail events carry the trail's own
// info and reference.
func TestDetected(t *testing.T) {
	set, wl := staticTrails(t)
	events, st := detect(t, set, wl, backdated(t, 3, 300_000, 0), 1)
	if st.DecodeErrors != 0 || st.NotIP != 0 {
		t.Errorf("got %d decode errors and %d non-IP frames, want none", st.DecodeErrors, st.NotIP)
	}
	cases := []struct {
		name string
		min  int
		is   func(e *event.Event) bool
	}{
		{"trail domain in a DNS query", 100, func(e *event.Event) bool {
			return e.Type == event.TypeDNS && !heuristicEvent(e) && e.Proto == "UDP" && e.Context.DNSQType != 0
		}},
		{"trail domain in TLS SNI", 100, func(e *event.Event) bool {
			return e.Type == event.TypeDNS && !heuristicEvent(e) && e.Context.TLSSNI != "" && e.Context.JA4 != ""
		}},
		{"trail domain in an HTTP Host header", 30, func(e *event.Event) bool {
			return e.Type == event.TypeDNS && !heuristicEvent(e) && e.Context.HTTPHost != ""
		}},
		{"trail URL", 100, func(e *event.Event) bool { return e.Type == event.TypeURL && !heuristicEvent(e) }},
		{"connection to a trail address", 100, func(e *event.Event) bool {
			return e.Type == event.TypeIP && !heuristicEvent(e) && e.Proto == "TCP" && internal(e.SrcIP)
		}},
		{"ping of a trail address", 10, func(e *event.Event) bool { return e.Type == event.TypeIP && e.Proto == "ICMP" }},
		{"connection to a trail address:port", 50, func(e *event.Event) bool { return e.Type == event.TypeIPort }},
		{"probe from a listed attacker", 50, func(e *event.Event) bool {
			return e.Type == event.TypeIP && !heuristicEvent(e) && !internal(e.SrcIP) && internal(e.DstIP)
		}},
		{"port scan", 50, func(e *event.Event) bool { return e.Info == "potential port scanning" }},
		{"web scan", 20, func(e *event.Event) bool { return e.Info == "potential web scanning" }},
		{"tool User-Agent", 100, func(e *event.Event) bool { return e.Type == event.TypeUA }},
		{"attack request", 100, func(e *event.Event) bool {
			return heuristicEvent(e) && e.Type == event.TypeURL && strings.HasPrefix(e.Info, "potential ") && strings.Contains(e.Info, "(suspicious)")
		}},
		{"direct executable download", 100, func(e *event.Event) bool { return strings.HasPrefix(e.Info, "direct ") }},
		{"DGA-like NXDOMAIN", 100, func(e *event.Event) bool { return strings.Contains(e.Info, "threshold no such domain") }},
		{"excessive NXDOMAIN", 20, func(e *event.Event) bool { return e.Info == "excessive no such domain (suspicious)" }},
		{"sinkholed or parked answer", 20, func(e *event.Event) bool {
			return strings.HasPrefix(e.Info, "sinkholed by") || e.Info == "parked site (suspicious)"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			for i := range events {
				if tc.is(&events[i]) {
					n++
				}
			}
			if n < tc.min {
				t.Errorf("got %d events, want at least %d (of %d)", n, tc.min, len(events))
			}
		})
	}
	t.Run("trail events carry the trail's entry", func(t *testing.T) {
		checked := 0
		for _, e := range events {
			if heuristicEvent(&e) {
				continue
			}
			var ok bool
			var info, ref string
			switch e.Type {
			case event.TypeDNS:
				name := e.Trail
				if i := strings.LastIndex(name, ")."); strings.HasPrefix(name, "(") && i >= 0 {
					name = name[i+2:]
				}
				ent, found := set.Lookup(name)
				ok, info, ref = found, ent.Info, ent.Reference
			case event.TypeIP:
				a, err := netip.ParseAddr(strings.Fields(e.Trail)[0])
				if err != nil {
					t.Fatalf("IP event trail %q: %v", e.Trail, err)
				}
				ent, found := set.LookupIP(a)
				ok, info, ref = found, ent.Info, ent.Reference
			default:
				continue
			}
			if !ok || info != e.Info || ref != e.Reference {
				t.Fatalf("event %s %q: got info %q reference %q, trail set says %q %q (found %v)", e.Type, e.Trail, e.Info, e.Reference, info, ref, ok)
			}
			checked++
		}
		if checked < 1000 {
			t.Errorf("checked %d trail events, want at least 1000", checked)
		}
	})
	t.Logf("%d packets, %d events", st.Packets, len(events))
}

// TestBenignQuiet checks that the benign part of the traffic raises no
// event against the full static trail set: every alert in the demo comes
// from an indicator or a heuristic the generator meant to trip.
func TestBenignQuiet(t *testing.T) {
	set, wl := staticTrails(t)
	events, st := detect(t, set, wl, backdated(t, 9, 200_000, -1), 1)
	for i, e := range events {
		if i == 5 {
			break
		}
		t.Errorf("benign traffic raised %s %q (%s) from %s to %s:%s", e.Type, e.Trail, e.Info, e.SrcIP, e.DstIP, e.DstPort)
	}
	if len(events) > 0 {
		t.Errorf("got %d events from %d benign packets, want none", len(events), st.Packets)
	}
}
