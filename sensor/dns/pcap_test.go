package dns

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/spoorsec/spoor/sensor/decode"
)

// dnsPayload is the DNS part of one captured frame.
type dnsPayload struct {
	frame int // 1-based, as Wireshark numbers them
	tcp   bool
	data  []byte
}

// readDNS returns the port-53 UDP and TCP payloads of a capture, in order.
func readDNS(tb testing.TB, path string) []dnsPayload {
	tb.Helper()
	c := shared.ReadCapture(tb, path)
	var out []dnsPayload
	for i, data := range c.Frames {
		var p decode.Packet
		if decode.Decode(decode.LinkType(c.Link), data, &p) != nil || (p.SrcPort != 53 && p.DstPort != 53) {
			continue
		}
		switch p.Proto {
		case decode.ProtoUDP:
			out = append(out, dnsPayload{frame: i + 1, data: p.Payload})
		case decode.ProtoTCP:
			if len(p.Payload) > 0 {
				out = append(out, dnsPayload{frame: i + 1, tcp: true, data: p.Payload})
			}
		}
	}
	return out
}

func pcapPath(tb testing.TB, parts ...string) string {
	return filepath.Join(append([]string{testdataDir(tb), "pcaps"}, parts...)...)
}

// TestMaltrailDNSCorpus checks the DNS captures of Maltrail's corpus.
func TestMaltrailDNSCorpus(t *testing.T) {
	a := netip.MustParseAddr
	tests := []struct {
		file  string
		names []string
	}{
		{"dns_queries.pcap", []string{"evil-test-domain.com", "www.evil-parent.com", "badsite.onion.to", "evilname.ip-adress.com",
			"dga1234.wildcard-test.com", "clean.example.org"}},
		{"dns_ignored_suffixes.pcap", []string{"dga1234.example", "host.local", "1.0.0.127.in-addr.arpa", "x.intranet.corp"}},
		{"dns_dga_labels.pcap", []string{"xkqwzlvbnmfghjd.com", "google.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			msgs := readDNS(t, pcapPath(t, "maltrail", tt.file))
			if len(msgs) != len(tt.names) {
				t.Fatalf("DNS packets: got %d, want %d", len(msgs), len(tt.names))
			}
			var m Message
			for i, d := range msgs {
				if err := m.Parse(d.data); err != nil {
					t.Fatalf("frame %d: %v", d.frame, err)
				}
				if string(m.Name) != tt.names[i] || m.QType != TypeA || m.QClass != 1 || m.ID != 0x1337 {
					t.Errorf("frame %d: got %q type %d class %d id %#x, want %q A IN 0x1337", d.frame, m.Name, m.QType, m.QClass, m.ID, tt.names[i])
				}
			}
		})
	}

	t.Run("dns_dga_labels.pcap rcode", func(t *testing.T) {
		for _, d := range readDNS(t, pcapPath(t, "maltrail", "dns_dga_labels.pcap")) {
			var m Message
			if err := m.Parse(d.data); err != nil || !m.Response() || m.Rcode() != 3 || m.Flags&0xff != 0x83 {
				t.Errorf("frame %d: got err %v response %v rcode %d, want an NXDOMAIN response with byte 3 = 0x83", d.frame, err, m.Response(), m.Rcode())
			}
		}
	})

	t.Run("dns_responses.pcap", func(t *testing.T) {
		// The first answer name is a compression pointer, the second is
		// written out in full: both must reach the A record.
		want := []struct {
			name string
			addr netip.Addr
		}{{"sinkholed.com", a("198.51.100.90")}, {"parked.com", a("198.51.100.91")}}
		msgs := readDNS(t, pcapPath(t, "maltrail", "dns_responses.pcap"))
		if len(msgs) != len(want) {
			t.Fatalf("DNS packets: got %d, want %d", len(msgs), len(want))
		}
		for i, d := range msgs {
			var m Message
			if err := m.Parse(d.data); err != nil {
				t.Fatalf("frame %d: %v", d.frame, err)
			}
			wantAnswers := []Answer{{Type: TypeA, TTL: 60, Addr: want[i].addr}}
			if string(m.Name) != want[i].name || m.Flags&0xff != 0x80 || m.Partial || !equalAnswers(m.Answers, wantAnswers) {
				t.Errorf("frame %d: got %q flags %#04x partial %v answers %+v, want %q NOERROR %+v",
					d.frame, m.Name, m.Flags, m.Partial, m.Answers, want[i].name, wantAnswers)
			}
		}
	})

	t.Run("dns_malformed.pcap", func(t *testing.T) {
		wantErr := []error{
			ErrTruncated, // header only, QDCOUNT 1
			ErrTruncated, // name without its root label
			ErrTruncated, // a 63-byte label with 5 bytes
			ErrMalformed, // compression pointer to itself (Maltrail reads it as a 192-byte label)
			nil,          // response whose announced answer is missing
			ErrTruncated, // 5 bytes
			ErrTruncated, // empty
		}
		msgs := readDNS(t, pcapPath(t, "maltrail", "dns_malformed.pcap"))
		if len(msgs) != len(wantErr) {
			t.Fatalf("DNS packets: got %d, want %d", len(msgs), len(wantErr))
		}
		for i, d := range msgs {
			var m Message
			if err := m.Parse(d.data); !errors.Is(err, wantErr[i]) {
				t.Errorf("frame %d: got %v, want %v", d.frame, err, wantErr[i])
			}
		}
		var m Message
		if err := m.Parse(msgs[4].data); err != nil || string(m.Name) != "evil.com" || !m.Partial || len(m.Answers) != 0 {
			t.Errorf("frame 5: got err %v name %q partial %v answers %d, want evil.com, partial, no answers", err, m.Name, m.Partial, len(m.Answers))
		}
	})
}

func equalAnswers(got, want []Answer) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// TestRealResponses checks named responses from other projects' captures
// against the values their own test oracles state.
func TestRealResponses(t *testing.T) {
	a := netip.MustParseAddr
	t.Run("suricata cond-log-dns-dig", func(t *testing.T) {
		msgs := readDNS(t, pcapPath(t, "suricata-verify", "cond-log-dns-dig", "input.pcap"))
		var m Message
		if err := m.Parse(msgs[1].data); err != nil {
			t.Fatal(err)
		}
		want := []Answer{{Type: 5, TTL: 3544}, {Type: TypeA, TTL: 244, Addr: a("192.0.78.24")}, {Type: TypeA, TTL: 244, Addr: a("192.0.78.25")}}
		if m.ID != 36146 || string(m.Name) != "www.suricata-ids.org" || !equalAnswers(m.Answers, want) {
			t.Errorf("got id %d %q %+v, want 36146 www.suricata-ids.org %+v", m.ID, m.Name, m.Answers, want)
		}
	})
	t.Run("arkime dns-punycode", func(t *testing.T) {
		msgs := readDNS(t, pcapPath(t, "arkime", "dns-punycode.pcap"))
		for _, d := range msgs {
			var m Message
			if err := m.Parse(d.data); err != nil || string(m.Name) != "xn--80a0adav.xn--80ao21a" || m.QType != 6 {
				t.Errorf("frame %d: got %q type %d err %v, want xn--80a0adav.xn--80ao21a SOA", d.frame, m.Name, m.QType, err)
			}
		}
	})
	t.Run("arkime dns-tcp", func(t *testing.T) {
		msgs := readDNS(t, pcapPath(t, "arkime", "dns-tcp.pcap"))
		want := []struct {
			name    string
			answers int
			first   netip.Addr
		}{{"google.com", 0, netip.Addr{}}, {"google.com", 11, a("74.125.228.46")}, {"aol.com", 0, netip.Addr{}}, {"aol.com", 5, a("205.188.100.58")}}
		if len(msgs) != len(want) {
			t.Fatalf("TCP DNS segments: got %d, want %d", len(msgs), len(want))
		}
		for i, d := range msgs {
			var m Message
			if err := ParseTCP(d.data, &m); err != nil {
				t.Fatalf("frame %d: %v", d.frame, err)
			}
			if string(m.Name) != want[i].name || len(m.Answers) != want[i].answers || m.Partial {
				t.Errorf("frame %d: got %q with %d answers (partial %v), want %q with %d", d.frame, m.Name, len(m.Answers), m.Partial, want[i].name, want[i].answers)
			}
			if want[i].answers > 0 && m.Answers[0].Addr != want[i].first {
				t.Errorf("frame %d: first answer got %v, want %v", d.frame, m.Answers[0].Addr, want[i].first)
			}
		}
	})
}

// TestAgainstGopacket parses every port-53 message of every capture in the
// test data with both Parse and gopacket's DNS layer and compares them.
func TestAgainstGopacket(t *testing.T) {
	root := filepath.Join(testdataDir(t), "pcaps")
	var paths []string
	err := filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if strings.HasSuffix(path, ".pcap") || strings.HasSuffix(path, ".pcapng") {
			paths = append(paths, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, path := range paths {
		var m Message
		for _, d := range readDNS(t, path) {
			data := d.data
			if d.tcp {
				if len(data) < 2 || int(binary.BigEndian.Uint16(data)) != len(data)-2 {
					continue // only whole single-message segments
				}
				data = data[2:]
			}
			var g layers.DNS
			if g.DecodeFromBytes(data, gopacket.NilDecodeFeedback) != nil {
				continue
			}
			if err := m.Parse(data); err != nil {
				t.Errorf("%s frame %d: got %v, gopacket decoded it", path, d.frame, err)
				continue
			}
			total++
			compareGopacket(t, path, d.frame, &m, &g)
		}
	}
	t.Logf("compared %d DNS messages", total)
	if total < 500 {
		t.Errorf("compared %d messages, want the test data's 500+", total)
	}
}

func compareGopacket(t *testing.T, path string, frame int, m *Message, g *layers.DNS) {
	t.Helper()
	if m.ID != g.ID || m.Response() != g.QR || m.Opcode() != uint8(g.OpCode) || m.Rcode() != uint8(g.ResponseCode) ||
		m.QDCount != g.QDCount || m.ANCount != g.ANCount {
		t.Errorf("%s frame %d: header got %+v, gopacket id %d qr %v opcode %d rcode %d qd %d an %d",
			path, frame, m, g.ID, g.QR, g.OpCode, g.ResponseCode, g.QDCount, g.ANCount)
	}
	if len(g.Questions) > 0 {
		q := g.Questions[0]
		if !bytes.ContainsRune(m.Name, '\\') && string(m.Name) != strings.ToLower(string(q.Name)) {
			t.Errorf("%s frame %d: Name got %q, gopacket %q", path, frame, m.Name, q.Name)
		}
		if m.QType != uint16(q.Type) || m.QClass != uint16(q.Class) {
			t.Errorf("%s frame %d: type/class got %d/%d, gopacket %d/%d", path, frame, m.QType, m.QClass, q.Type, q.Class)
		}
	}
	n := min(len(g.Answers), MaxAnswers)
	if len(m.Answers) != n || m.Partial {
		t.Fatalf("%s frame %d: got %d answers (partial %v), gopacket %d", path, frame, len(m.Answers), m.Partial, n)
	}
	for i, ga := range g.Answers[:n] {
		want := Answer{Type: uint16(ga.Type), TTL: ga.TTL}
		if ga.Type == layers.DNSTypeA || ga.Type == layers.DNSTypeAAAA {
			want.Addr, _ = netip.AddrFromSlice(ga.IP)
			if ga.Type == layers.DNSTypeA {
				want.Addr = want.Addr.Unmap()
			}
		}
		if m.Answers[i] != want {
			t.Errorf("%s frame %d: answer %d got %+v, gopacket %+v", path, frame, i, m.Answers[i], want)
		}
	}
}
