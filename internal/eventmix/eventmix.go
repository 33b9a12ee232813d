// Package eventmix generates a realistic day of detection events for
// tests and benchmarks: malware lookups, C2 over TLS, phishing URLs,
// scanners, a malvertising flood, DGA and DNS-exhaustion heuristics, port
// scans and a custom trail, from a few sensors, busier in working hours.
package eventmix

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/spoorsec/spoor/event"
)

// indicator is one kind of detection the generator emits.
type indicator struct {
	weight int
	gen    func(r *rand.Rand, e *event.Event, net string)
}

func internalIP(r *rand.Rand, net string, hosts int) string {
	h := r.IntN(hosts)
	return fmt.Sprintf("%s.%d.%d", net, 1+h/250, 1+h%250)
}

// indicators is the mix: malware DNS lookups, C2 over TLS,
// phishing URLs, scanners and attackers hitting exposed services, a
// malvertising flood, DGA and DNS-exhaustion heuristics, port scans and a
// custom trail.
func indicators(prefix string) []indicator {
	dns := func(trail, info string) func(r *rand.Rand, e *event.Event, net string) {
		return func(r *rand.Rand, e *event.Event, net string) {
			e.SrcIP, e.SrcPort = internalIP(r, net, 40), fmt.Sprint(49152+r.IntN(16000))
			e.DstIP, e.DstPort, e.Proto, e.Type = net+".0.53", "53", "UDP", event.TypeDNS
			e.Trail, e.Info, e.Reference = trail, info, "(static)"
			e.Context.DNSQType = 1
		}
	}
	return []indicator{
		{30, dns(prefix+"-c2.example.net", "zeus (malware)")},
		{20, dns("loader."+prefix+".example.org", "emotet (malware)")},
		{12, dns(prefix+"rat.example.com", "asyncrat (malware)")},
		{18, dns("dyn."+prefix+".example", "dynamic domain (suspicious)")},
		{10, func(r *rand.Rand, e *event.Event, net string) {
			e.SrcIP, e.SrcPort = internalIP(r, net, 25), fmt.Sprint(49152+r.IntN(16000))
			e.DstIP, e.DstPort, e.Proto, e.Type = "192.0.2.44", "443", "TCP", event.TypeIP
			e.Trail, e.Info, e.Reference = "192.0.2.44", "cobalt strike (malware)", "abuse.example"
			e.Context.TLSSNI, e.Context.JA4 = "cdn-"+prefix+".example", "t13d1516h2_8daaf6152771_02713d6af862"
		}},
		{8, func(r *rand.Rand, e *event.Event, net string) {
			e.SrcIP, e.SrcPort = internalIP(r, net, 30), fmt.Sprint(49152+r.IntN(16000))
			e.DstIP, e.DstPort, e.Proto, e.Type = "198.51.100.80", "80", "TCP", event.TypeURL
			e.Trail, e.Info, e.Reference = "login-"+prefix+".example/verify.php", "phishing (malicious)", "openphish.example"
			e.Context.HTTPMethod, e.Context.HTTPHost, e.Context.HTTPURI = "GET", "login-"+prefix+".example", "/verify.php?id=42"
			e.Context.HTTPUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
		}},
		{25, func(r *rand.Rand, e *event.Event, net string) {
			src := fmt.Sprintf("203.0.113.%d", 1+r.IntN(12))
			e.SrcIP, e.SrcPort = src, fmt.Sprint(30000+r.IntN(30000))
			e.DstIP, e.DstPort, e.Proto, e.Type = net+".0.10", []string{"22", "3389", "445"}[r.IntN(3)], "TCP", event.TypeIP
			e.Trail, e.Info, e.Reference = src, "known attacker", "blocklist.example"
		}},
		{25, func(r *rand.Rand, e *event.Event, net string) {
			src := fmt.Sprintf("198.18.%d.%d", r.IntN(4), 1+r.IntN(20))
			e.SrcIP, e.SrcPort = src, fmt.Sprint(30000+r.IntN(30000))
			e.DstIP, e.DstPort, e.Proto, e.Type = net+".0.10", fmt.Sprint([]int{23, 80, 443, 8080, 5900}[r.IntN(5)]), "TCP", event.TypeIP
			e.Trail, e.Info, e.Reference = src, "mass scanner", "(static)"
		}},
		{15, func(r *rand.Rand, e *event.Event, net string) {
			e.SrcIP, e.SrcPort = internalIP(r, net, 400), fmt.Sprint(49152+r.IntN(16000))
			e.DstIP, e.DstPort, e.Proto, e.Type = net+".0.53", "53", "UDP", event.TypeDNS
			e.Trail, e.Info, e.Reference = "ads.malvert-"+prefix+".example", "malvertising (malicious)", "(static)"
		}},
		{6, func(r *rand.Rand, e *event.Event, net string) {
			e.SrcIP, e.SrcPort = internalIP(r, net, 3), fmt.Sprint(49152+r.IntN(16000))
			e.DstIP, e.DstPort, e.Proto, e.Type = net+".0.53", "53", "UDP", event.TypeDNS
			label := make([]byte, 12)
			for i := range label {
				label[i] = byte('a' + r.IntN(26))
			}
			e.Trail, e.Info, e.Reference = "("+string(label)+").com", "potential dga domain (suspicious)", "(heuristic)"
		}},
		{3, func(r *rand.Rand, e *event.Event, net string) {
			e.SrcIP, e.SrcPort = internalIP(r, net, 60), fmt.Sprint(49152+r.IntN(16000))
			e.DstIP, e.DstPort, e.Proto, e.Type = net+".0.53", "53", "UDP", event.TypeDNS
			e.Trail, e.Info, e.Reference = fmt.Sprintf("(x%04d).victim-%s.example", r.IntN(5000), prefix), "potential dns exhaustion (suspicious)", "(heuristic)"
		}},
		{4, func(r *rand.Rand, e *event.Event, net string) {
			src := internalIP(r, net, 2)
			e.SrcIP, e.SrcPort = src, fmt.Sprint(40000+r.IntN(1000))
			e.DstIP, e.DstPort, e.Proto, e.Type = internalIP(r, net, 200), fmt.Sprint(1+r.IntN(1024)), "TCP", event.TypeIP
			e.Trail, e.Info, e.Reference = src, "potential port scanning", "(heuristic)"
			e.Count = 1 + r.IntN(20)
		}},
		{2, func(r *rand.Rand, e *event.Event, net string) {
			e.SrcIP, e.SrcPort = internalIP(r, net, 5), fmt.Sprint(49152+r.IntN(16000))
			e.DstIP, e.DstPort, e.Proto, e.Type = "192.0.2.200", "8443", "TCP", event.TypeIPort
			e.Trail, e.Info, e.Reference = "192.0.2.200:8443", prefix+" red team c2 (custom)", "(custom)"
		}},
	}
}

// Day returns n events spread over the UTC day that starts at day, in
// time order (as sensors ship them); prefix names the tenant's domains and
// sensors, net is its internal /16 ("10.1"). The same seed gives the same
// events.
func Day(day time.Time, n int, prefix, net string, seed uint64) []event.Event {
	r := rand.New(rand.NewPCG(seed, 7))
	ind := indicators(prefix)
	total := 0
	for _, in := range ind {
		total += in.weight
	}
	sensors := []string{"edge-" + prefix + "-1", "edge-" + prefix + "-2", "dc-" + prefix + "-core"}
	evs := make([]event.Event, 0, n)
	for range n {
		// Working hours are busier: half the events fall 08:00–18:00.
		sec := r.IntN(86400)
		if r.IntN(2) == 0 {
			sec = 8*3600 + r.IntN(10*3600)
		}
		e := event.Event{Time: day.Add(time.Duration(sec)*time.Second + time.Duration(r.IntN(1e6))*time.Microsecond),
			Sensor: sensors[r.IntN(len(sensors))]}
		pick := r.IntN(total)
		for _, in := range ind {
			if pick < in.weight {
				in.gen(r, &e, net)
				break
			}
			pick -= in.weight
		}
		evs = append(evs, e)
	}
	slices.SortStableFunc(evs, func(a, b event.Event) int { return a.Time.Compare(b.Time) })
	return evs
}
