package sensor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/sensor/decode"
	"github.com/spoorsec/spoor/sensor/heuristic"
	"github.com/spoorsec/spoor/sensor/quic/quictest"
	"github.com/spoorsec/spoor/trails"
)

const unitTrails = `example.com,quic test (malware),(static)
evil-aaaa.test-domain.net,aaaa test (malware),(static)
203.0.113.7,ptr test (malware),(static)
2001:db8::66,v6 ptr test (malware),(static)
split-hello.example.org,split hello (malware),(static)
`

func unitSet(t *testing.T) *trails.Set {
	t.Helper()
	p := filepath.Join(t.TempDir(), "trails.csv")
	if err := os.WriteFile(p, []byte(unitTrails), 0o644); err != nil {
		t.Fatal(err)
	}
	return loadTrails(t, p)
}

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// feed runs frames through one worker and returns the flushed events.
func feed(t *testing.T, h *harness, frames ...[]byte) []event.Event {
	t.Helper()
	w := h.engine.NewWorker()
	for i, f := range frames {
		w.Process(decode.LinkEthernet, f, t0.Add(time.Duration(i)*time.Millisecond))
	}
	if err := h.stage.Flush(); err != nil {
		t.Fatal(err)
	}
	return h.out.events
}

func TestQUICInitialSNI(t *testing.T) {
	h := newHarnessWith(t, unitSet(t), DefaultConfig(), nil)
	pkt := quictest.Bytes(quictest.ClientInitialV1)
	evs := feed(t, h, udpFrame("2001:db8::1", "2001:db8::2", 50000, 443, pkt))
	if len(evs) != 1 || evs[0].Trail != "example.com" || evs[0].Proto != "UDP" || evs[0].Type != event.TypeDNS {
		t.Fatalf("got %+v, want one UDP DNS event for example.com", evs)
	}
	if !strings.HasPrefix(evs[0].Context.JA4, "q13d") || evs[0].Context.TLSSNI != "example.com" {
		t.Errorf("got context %+v, want QUIC JA4 and SNI", evs[0].Context)
	}
}

func TestQUICOffWhenSNIChecksOff(t *testing.T) {
	cfg := DefaultConfig()
	cfg.CheckSNI = false
	h := newHarnessWith(t, unitSet(t), cfg, nil)
	if evs := feed(t, h, udpFrame("192.0.2.1", "192.0.2.2", 50000, 443, quictest.Bytes(quictest.ClientInitialV1))); len(evs) != 0 {
		t.Fatalf("got %+v, want no events", evs)
	}
}

// TestAAAAAndPTRQueries covers two of Maltrail's blind spots: AAAA queries
// are matched like A queries, and reverse lookups of listed addresses are
// reported.
func TestAAAAAndPTRQueries(t *testing.T) {
	h := newHarnessWith(t, unitSet(t), DefaultConfig(), nil)
	evs := feed(t, h,
		udpFrame("192.0.2.10", "192.0.2.53", 40000, 53, dnsQuery("evil-aaaa.test-domain.net", 28)),
		udpFrame("192.0.2.10", "192.0.2.53", 40001, 53, dnsQuery("7.113.0.203.in-addr.arpa", 12)),
		udpFrame("192.0.2.10", "192.0.2.53", 40002, 53, dnsQuery("6.6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", 12)),
		udpFrame("192.0.2.10", "192.0.2.53", 40003, 53, dnsQuery("8.113.0.203.in-addr.arpa", 12)),
	)
	want := []struct{ trail, info string }{
		{"evil-aaaa.test-domain.net", "aaaa test (malware)"},
		{"203.0.113.7 (7.113.0.203.in-addr.arpa)", "ptr test (malware)"},
		{"2001:db8::66 (6.6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa)", "v6 ptr test (malware)"},
	}
	if len(evs) != len(want) {
		t.Fatalf("got %d events %+v, want %d", len(evs), evs, len(want))
	}
	for i, w := range want {
		if evs[i].Trail != w.trail || evs[i].Info != w.info || evs[i].Type != event.TypeDNS {
			t.Errorf("event %d: got %s %q %q, want DNS %q %q", i, evs[i].Type, evs[i].Trail, evs[i].Info, w.trail, w.info)
		}
		if evs[i].Context.DNSQType == 0 {
			t.Errorf("event %d: got no DNS qtype in context", i)
		}
	}
}

// TestSplitClientHello reassembles a ClientHello whose SNI falls in the
// second TCP segment.
func TestSplitClientHello(t *testing.T) {
	hello := clientHelloRecord("split-hello.example.org")
	cut := len(hello) - 10
	h := newHarnessWith(t, unitSet(t), DefaultConfig(), nil)
	evs := feed(t, h,
		tcpFrame("198.51.100.4", "192.0.2.80", 41000, 443, 1000, 0x18, hello[:cut]),
		tcpFrame("198.51.100.4", "192.0.2.80", 41000, 443, 1000+uint32(cut), 0x18, hello[cut:]),
	)
	if len(evs) != 1 || evs[0].Trail != "split-hello.example.org" || evs[0].Context.JA4 == "" {
		t.Fatalf("got %+v, want one event for the reassembled SNI with JA4", evs)
	}
}

// clientHelloRecord is a minimal TLS 1.2 ClientHello record with an SNI.
func clientHelloRecord(sni string) []byte {
	ext := []byte{0, 0} // server_name
	list := append([]byte{0, byte(len(sni))}, sni...)
	list = append([]byte{0}, list...)
	list = append([]byte{byte(len(list) >> 8), byte(len(list))}, list...)
	ext = append(ext, byte(len(list)>>8), byte(len(list)))
	ext = append(ext, list...)
	body := []byte{0x03, 0x03}
	body = append(body, make([]byte, 32)...) // random
	body = append(body, 0)                   // session id
	body = append(body, 0, 2, 0x13, 0x01)    // cipher suites
	body = append(body, 1, 0)                // compression
	body = append(body, byte(len(ext)>>8), byte(len(ext)))
	body = append(body, ext...)
	msg := append([]byte{1, 0, byte(len(body) >> 8), byte(len(body))}, body...)
	return append([]byte{0x16, 0x03, 0x01, byte(len(msg) >> 8), byte(len(msg))}, msg...)
}

// TestEveryHeuristicSwitchable replays the heuristic corpus with each
// heuristic disabled in turn: its events disappear, the others stay.
func TestEveryHeuristicSwitchable(t *testing.T) {
	corpus := testdata(t, "pcaps", "maltrail")
	set := loadTrails(t, filepath.Join(corpus, "trails.csv"))
	// has matches event lines containing any of subs.
	has := func(subs ...string) func(string) bool {
		return func(l string) bool {
			for _, s := range subs {
				if strings.Contains(l, s) {
					return true
				}
			}
			return false
		}
	}
	cases := []struct {
		name, pcap string
		match      func(line string) bool
	}{
		{heuristic.SuspiciousRequestName, "http_heuristics.pcap", func(l string) bool {
			return strings.Contains(l, " TCP URL ") && has("injection", "traversal", "code execution")(l)
		}},
		{heuristic.SuspiciousPost, "http_heuristics.pcap", has("(POST ")},
		{heuristic.IoTMalwareDownload, "http_heuristics.pcap", has("iot-malware")},
		{heuristic.ProxyProbe, "http_heuristics.pcap", has("proxy probe")},
		{heuristic.DirectDownloadName, "http_heuristics.pcap", has("direct .exe download")},
		{heuristic.SuspiciousUserAgent, "http_heuristics.pcap", has("user agent")},
		{heuristic.SinkholeResponseName, "http_responses.pcap", has("sinkhole response")},
		{heuristic.SeizedDomain, "http_responses.pcap", has("seized domain")},
		{heuristic.SuspiciousContent, "http_responses.pcap", has("content type")},
		{heuristic.SinkholedDomain, "dns_responses.pcap", has("sinkholed by")},
		{heuristic.ParkedDomain, "dns_responses.pcap", has("parked site")},
		{heuristic.ExcessiveNXDomain, "dns_nxdomain_flood.pcap", has("excessive no such domain")},
		{heuristic.DGANXDomain, "dns_dga_labels.pcap", has("threshold no such domain")},
		{heuristic.PortScanning, "port_scan.pcap", has("potential port scanning")},
		{heuristic.UDPScanning, "udp_scan.pcap", has("potential udp scanning")},
		{heuristic.Infection, "infection_scan.pcap", has("potential infection")},
		{heuristic.WebScanning, "web_scan.pcap", has("potential web scanning")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			count := func(disabled map[string]bool) (hits, total int) {
				cfg := DefaultConfig()
				cfg.Trackers.Disabled = disabled
				h := newHarness(t, set, cfg)
				lines := h.replay(t, 1, filepath.Join(corpus, c.pcap))
				for _, l := range lines {
					if c.match(l) {
						hits++
					}
				}
				return hits, len(lines)
			}
			on, totalOn := count(nil)
			off, totalOff := count(map[string]bool{c.name: true})
			if on == 0 || off != 0 {
				t.Fatalf("got %d matching events enabled and %d disabled, want some and none", on, off)
			}
			if totalOn-on != totalOff {
				t.Errorf("disabling %s removed other events: %d total enabled, %d disabled", c.name, totalOn, totalOff)
			}
		})
	}
	if n := len(heuristic.Names()); n != 21 {
		t.Errorf("got %d heuristic names, want Maltrail's 21", n)
	}
}
