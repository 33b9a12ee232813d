package sensor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/event"
)

// realTrails names indicators that the real captures contain (from their
// READMEs and oracle files), as a Maltrail trails.csv.
const realTrails = `wikimedia.org,wiki test (malware),(static)
gstatic.com,gstatic test (malware),(static)
2c322ae2b7fe91391345e070b63668978bb1c9da,test c2 cert (suspicious),abuse.ch
internetbadguys.com,badguys (malware),(static)
hobbeach.com,hobbeach (malware),(static)
144.139.247.220,emotet (malware),(static)
blog.cloudflare.com,cloudflare test (malware),(static)
cloudflare-ech.com,ech test (malware),(static)
net1.bg,net1 test (malware),(static)
xn--80ao21a,punycode tld (suspicious),(static)
aol.com,aol test (malware),(static)
bro.org,bro test (malware),(static)
172.217.11.78,ping test (malware),(static)
sixxs.net,sixxs test (malware),(static)
`

// want is the part of an event a real-traffic case asserts.
type want struct {
	typ                  event.Type
	trail, info          string
	src, dst, dport, pro string
}

// TestRealTraffic replays real captures from Zeek, Arkime, Suricata and
// nDPI against trails naming what they contain, and checks each detection's
// type, trail and endpoints. It runs without Maltrail's whitelist, which
// rightly covers some of these (Google's networks, gstatic.com):
// TestRealTrafficWhitelisted checks that side.
func TestRealTraffic(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "trails.csv")
	if err := os.WriteFile(csv, []byte(realTrails), 0o644); err != nil {
		t.Fatal(err)
	}
	set := loadTrails(t, csv)
	cases := []struct {
		pcap string
		want []want
	}{
		{"zeek/Traces/wikipedia.pcap", []want{
			{event.TypeDNS, "(upload).wikimedia.org", "wiki test (malware)", "141.142.220.118", "141.142.2.2", "53", "UDP"},
		}},
		{"zeek/Traces/tls/tls-conn-with-extensions.pcap", []want{
			{event.TypeDNS, "(ssl).gstatic.com", "gstatic test (malware)", "192.168.1.105", "74.125.224.79", "443", "TCP"},
		}},
		{"zeek/Traces/tls/ssl.v3.pcap", []want{
			{event.TypeCert, "2c322ae2b7fe91391345e070b63668978bb1c9da", "test c2 cert (suspicious)", "194.127.84.106", "192.150.187.164", "", "TCP"},
		}},
		{"zeek/Traces/tls/tls13-ech.pcap", []want{
			{event.TypeDNS, "cloudflare-ech.com", "ech test (malware)", "192.168.20.65", "162.159.138.85", "443", "TCP"},
		}},
		{"ndpi/malware.pcap", []want{
			{event.TypeDNS, "(www).internetbadguys.com", "badguys (malware)", "192.168.7.7", "67.215.92.210", "80", "TCP"},
			{event.TypeDNS, "(www).internetbadguys.com", "badguys (malware)", "192.168.7.7", "67.215.92.210", "443", "TCP"},
			{event.TypeDNS, "hobbeach.com", "hobbeach (malware)", "192.168.0.20", "193.109.85.123", "443", "TCP"},
			{event.TypeIP, "144.139.247.220", "emotet (malware)", "192.168.7.7", "144.139.247.220", "", "ICMP"},
		}},
		{"arkime/tls13.pcap", []want{
			{event.TypeDNS, "blog.cloudflare.com", "cloudflare test (malware)", "", "", "443", "TCP"},
		}},
		{"suricata-verify/bug-814/input.pcap", []want{
			{event.TypeDNS, "(www).net1.bg", "net1 test (malware)", "fe80::20c:29ff:fef3:cf38", "fe80::20c:29ff:faf2:ab42", "80", "TCP"},
			{event.TypeUA, "", "user agent (suspicious)", "fe80::20c:29ff:fef3:cf38", "fe80::20c:29ff:faf2:ab42", "80", "TCP"},
		}},
		{"arkime/dns-punycode.pcap", []want{
			{event.TypeDNS, "(xn--80a0adav).xn--80ao21a", "punycode tld (suspicious)", "10.5.4.3", "10.3.4.5", "53", "UDP"},
		}},
		{"arkime/dns-tcp.pcap", []want{
			{event.TypeDNS, "aol.com", "aol test (malware)", "10.180.156.141", "10.2.95.39", "53", "TCP"},
		}},
		{"zeek/Traces/http/proxy.pcap", []want{
			{event.TypeDNS, "bro.org", "bro test (malware)", "192.168.56.1", "192.168.56.101", "80", "TCP"},
		}},
		{"zeek/Traces/icmp/5-pings.pcap", []want{
			{event.TypeIP, "172.217.11.78", "ping test (malware)", "172.16.133.2", "172.217.11.78", "", "ICMP"},
		}},
		{"arkime/v6-http.pcap", []want{
			{event.TypeDNS, "(cl-1985.ham-01.de).sixxs.net", "sixxs test (malware)", "2001:6f8:102d::2d0:9ff:fee3:e8de", "2001:6f8:900:7c0::2", "80", "TCP"},
		}},
		{"ndpi/synscan.pcap", []want{
			{event.TypeIP, "172.16.0.8", "potential port scanning", "172.16.0.8", "64.13.134.52", "", "TCP"},
		}},
	}
	for _, c := range cases {
		t.Run(c.pcap, func(t *testing.T) {
			h := newHarnessWith(t, set, DefaultConfig(), nil)
			h.replay(t, 1, testdata(t, "pcaps", c.pcap))
			for _, w := range c.want {
				if !h.out.has(w) {
					t.Errorf("missing %+v in:\n%s", w, strings.Join(h.out.lines(), "\n"))
				}
			}
		})
	}
}

// TestRealTrafficWhitelisted checks that Maltrail's whitelist drops
// detections of whitelisted domains and of events whose endpoints are in
// whitelisted networks, and nothing else.
func TestRealTrafficWhitelisted(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "trails.csv")
	if err := os.WriteFile(csv, []byte(realTrails), 0o644); err != nil {
		t.Fatal(err)
	}
	set := loadTrails(t, csv)
	for _, pcap := range []string{"zeek/Traces/tls/tls-conn-with-extensions.pcap", "zeek/Traces/icmp/5-pings.pcap"} {
		h := newHarness(t, set, DefaultConfig())
		if lines := h.replay(t, 1, testdata(t, "pcaps", pcap)); len(lines) != 0 {
			t.Errorf("%s: got events through the whitelist:\n%s", pcap, strings.Join(lines, "\n"))
		}
	}
	h := newHarness(t, set, DefaultConfig())
	if lines := h.replay(t, 1, testdata(t, "pcaps", "ndpi/malware.pcap")); len(lines) == 0 {
		t.Error("ndpi/malware.pcap: got no events, want its non-whitelisted detections")
	}
}

// has reports whether an event matches w; empty fields of w match anything.
func (c *collector) has(w want) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.events {
		if e.Type == w.typ && match(e.Trail, w.trail) && e.Info == w.info && match(e.SrcIP, w.src) &&
			match(e.DstIP, w.dst) && match(e.DstPort, w.dport) && e.Proto == w.pro {
			return true
		}
	}
	return false
}

func match(got, want string) bool { return want == "" || got == want }
