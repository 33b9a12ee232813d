package trafficgen

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spoorsec/spoor/sensor/capture"
	"github.com/spoorsec/spoor/sensor/decode"
	"github.com/spoorsec/spoor/sensor/dns"
	"github.com/spoorsec/spoor/sensor/httpmsg"
	"github.com/spoorsec/spoor/sensor/tlshello"
)

var testDay = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// backdated returns a generator of n packets spread over testDay, with
// indicators from Maltrail's static trails.
func backdated(tb testing.TB, seed uint64, n int64, malicious float64) *Generator {
	tb.Helper()
	set, _ := staticTrails(tb)
	g, err := New(Config{Seed: seed, Count: n, From: testDay, To: testDay.Add(24 * time.Hour), Malicious: malicious,
		Indicators: staticSample(tb)}, set)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// pcapBytes writes g as a pcap file in memory.
func pcapBytes(tb testing.TB, g *Generator) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if _, err := WritePcap(&buf, g); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestFramesParse reads a generated capture back through the sensor's
// capture reader and decoders: every frame decodes with valid checksums,
// and DNS, HTTP and TLS payloads parse as what they claim to be.
func TestFramesParse(t *testing.T) {
	const n = 60_000
	path := filepath.Join(t.TempDir(), "gen.pcap")
	if err := os.WriteFile(path, pcapBytes(t, backdated(t, 7, n, 0)), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := capture.OpenFiles([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var (
		p      capture.Packet
		pkt    decode.Packet
		msg    dns.Message
		req    httpmsg.Request
		hello  tlshello.ClientHello
		count  = map[string]int{}
		last   time.Time
		frames int
	)
	for {
		err := src.Next(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		frames++
		if p.Link != decode.LinkEthernet {
			t.Fatalf("frame %d: got link %d, want Ethernet", frames, p.Link)
		}
		if p.Time.Before(last) || p.Time.Before(testDay) || !p.Time.Before(testDay.Add(24*time.Hour)) {
			t.Fatalf("frame %d: time %s out of order or outside the day (previous %s)", frames, p.Time, last)
		}
		last = p.Time
		if err := decode.Decode(p.Link, p.Data, &pkt); err != nil {
			t.Fatalf("frame %d: %v", frames, err)
		}
		if err := checksums(p.Data); err != nil {
			t.Fatalf("frame %d: %v", frames, err)
		}
		if pkt.Version == 6 {
			count["ipv6"]++
		}
		switch {
		case pkt.Proto == protoUDP && (pkt.SrcPort == 53 || pkt.DstPort == 53):
			if err := msg.Parse(pkt.Payload); err != nil || msg.Partial || len(msg.Name) == 0 {
				t.Fatalf("frame %d: DNS message does not parse: %v (partial %v)", frames, err, msg.Partial)
			}
			count["dns"]++
			if msg.Response() && msg.Rcode() == rcodeNXName {
				count["nxdomain"]++
			}
		case pkt.Proto == protoTCP && len(pkt.Payload) > 5 && pkt.Payload[0] == 0x16 && pkt.Payload[1] == 3 && pkt.Payload[5] == 1:
			if err := tlshello.ParseRecords(pkt.Payload, &hello); err != nil || len(hello.SNI) == 0 {
				t.Fatalf("frame %d: ClientHello does not parse: %v", frames, err)
			}
			count["clienthello"]++
		case pkt.Proto == protoTCP && bytes.HasPrefix(pkt.Payload, []byte("GET ")):
			if !req.Parse(pkt.Payload) || !req.HasHost || !req.HasUserAgent {
				t.Fatalf("frame %d: HTTP request does not parse: %q", frames, pkt.Payload)
			}
			count["http"]++
		case pkt.Proto == protoTCP && pkt.TCPFlags == flagSYN:
			count["syn"]++
		case pkt.Proto == protoICMP || pkt.Proto == protoICMPv6:
			count["ping"]++
		}
	}
	if frames != n {
		t.Errorf("got %d frames, want %d", frames, n)
	}
	for _, k := range []string{"ipv6", "dns", "nxdomain", "clienthello", "http", "syn", "ping"} {
		if count[k] == 0 {
			t.Errorf("got no %s frames in %d", k, n)
		}
	}
	t.Logf("frames by kind: %v", count)
}

// checksums verifies the IPv4 header checksum and the TCP, UDP and ICMP
// checksums of an Ethernet frame.
func checksums(f []byte) error {
	ethType := binary.BigEndian.Uint16(f[12:])
	ip := f[14:]
	var pseudo uint32
	var proto uint8
	var l4 []byte
	switch ethType {
	case 0x0800:
		if fold(sum(0, ip[:20])) != 0xffff {
			return errors.New("bad IPv4 header checksum")
		}
		proto = ip[9]
		l4 = ip[20:binary.BigEndian.Uint16(ip[2:])]
		pseudo = sum(0, ip[12:20]) + uint32(proto) + uint32(len(l4))
	case 0x86dd:
		proto = ip[6]
		l4 = ip[40 : 40+int(binary.BigEndian.Uint16(ip[4:]))]
		pseudo = sum(0, ip[8:40]) + uint32(proto) + uint32(len(l4))
	default:
		return errors.New("not IP")
	}
	if proto == protoICMP {
		pseudo = 0
	}
	if got := fold(sum(pseudo, l4)); got != 0xffff {
		return errors.New("bad transport checksum")
	}
	return nil
}

// TestDeterministic checks that a seed fixes the traffic and that another
// seed changes it.
func TestDeterministic(t *testing.T) {
	a := pcapBytes(t, backdated(t, 42, 20_000, 0))
	b := pcapBytes(t, backdated(t, 42, 20_000, 0))
	if !bytes.Equal(a, b) {
		t.Errorf("two runs with seed 42 differ (%d and %d bytes)", len(a), len(b))
	}
	c := pcapBytes(t, backdated(t, 43, 20_000, 0))
	if bytes.Equal(a, c) {
		t.Error("seeds 42 and 43 gave the same traffic")
	}
}

// TestDayShape checks that back-dated traffic follows the working day:
// office hours are busier than the night.
func TestDayShape(t *testing.T) {
	g := backdated(t, 1, 100_000, 0)
	var hours [24]int
	var p capture.Packet
	for g.Next(&p) == nil {
		hours[p.Time.UTC().Hour()]++
	}
	if hours[10] < 3*hours[2] {
		t.Errorf("got %d packets at 10:00 and %d at 02:00, want office hours at least 3x busier", hours[10], hours[2])
	}
	for h, n := range hours {
		if n == 0 {
			t.Errorf("got no packets in hour %d", h)
		}
	}
}

// TestPaced checks real-time pacing and that Close interrupts a pacing
// wait.
func TestPaced(t *testing.T) {
	t.Run("rate", func(t *testing.T) {
		g, err := New(Config{Seed: 1, Rate: 2000, Count: 600}, nil)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		var p capture.Packet
		n := 0
		for g.Next(&p) == nil {
			if d := p.Time.Sub(time.Now()); d > time.Second || d < -time.Second {
				t.Fatalf("packet %d: time %s is not the current time", n, p.Time)
			}
			n++
		}
		took := time.Since(start)
		if n != 600 {
			t.Errorf("got %d packets, want 600", n)
		}
		if took < 250*time.Millisecond || took > 5*time.Second {
			t.Errorf("600 packets at 2000/s took %s, want about 300ms", took)
		}
	})
	t.Run("close", func(t *testing.T) {
		g, err := New(Config{Seed: 1, Rate: 0.1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var p capture.Packet
		if err := g.Next(&p); err != nil { // the first packet is due at once
			t.Fatal(err)
		}
		time.AfterFunc(50*time.Millisecond, func() { g.Close() })
		start := time.Now()
		if err := g.Next(&p); !errors.Is(err, io.EOF) {
			t.Fatalf("got %v after Close, want io.EOF", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("Close took %s to stop a pacing wait", took)
		}
	})
}

// TestConfigErrors checks the refused configurations.
func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"span without count", Config{From: testDay, To: testDay.Add(time.Hour)}},
		{"empty span", Config{Count: 10, From: testDay, To: testDay}},
		{"negative rate", Config{Rate: -1}},
		{"too many hosts", Config{Hosts: 1000}},
		{"one host", Config{Hosts: 1}},
		{"share above one", Config{Malicious: 1.5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg, nil); err == nil {
				t.Errorf("New(%+v) succeeded, want an error", tc.cfg)
			}
		})
	}
}
