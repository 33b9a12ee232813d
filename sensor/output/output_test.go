package output

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spoorsec/spoor/internal/shared"

	"github.com/spoorsec/spoor/event"
)

func testEvent(t time.Time) *event.Event {
	return &event.Event{
		Time:      t,
		Sensor:    "gw",
		SrcIP:     "10.0.0.5",
		SrcPort:   "50000",
		DstIP:     "66.66.66.66",
		DstPort:   "443",
		Proto:     "TCP",
		Type:      event.TypeIP,
		Trail:     "66.66.66.66",
		Info:      "malware (test)",
		Reference: "(static)",
	}
}

func readFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestDayLogLocalDates(t *testing.T) {
	dir := t.TempDir()
	loc := time.FixedZone("UTC+2", 2*3600)
	// 21:59:59 and 22:00:00 UTC straddle local midnight in UTC+2.
	before := time.Date(2024, 1, 11, 21, 59, 59, 500000000, time.UTC)
	after := before.Add(time.Second)

	// Maltrail chmods new files to 0644 whatever the umask says.
	old := syscall.Umask(0o077)
	d, err := NewDayLog(dir, loc)
	if err == nil {
		for _, tm := range []time.Time{before, after, before} {
			if err = d.Write(testEvent(tm)); err != nil {
				break
			}
		}
	}
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	lineAt := func(tm time.Time) string { return string(testEvent(tm).AppendLine(nil, loc)) }
	for _, tc := range []struct {
		file string
		want string
	}{
		{"2024-01-11.log", lineAt(before) + lineAt(before)},
		{"2024-01-12.log", lineAt(after)},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			if got := readFile(t, path); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != 0o644 {
				t.Errorf("mode %v, want 0644", got)
			}
		})
	}
	if !strings.HasPrefix(lineAt(after), `"2024-01-12 00:00:00.500000" gw `) {
		t.Errorf("line %q is not in local time", lineAt(after))
	}
}

func TestDayLogAppendsToExisting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "2024-01-11.log")
	if err := os.WriteFile(path, []byte("earlier\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := NewDayLog(dir, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	e := testEvent(time.Date(2024, 1, 11, 12, 0, 0, 0, time.UTC))
	if err := d.Write(e); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if got, want := readFile(t, path), "earlier\n"+string(e.AppendLine(nil, time.UTC)); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	st, _ := os.Stat(path)
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("an existing file's mode changed to %v, want it left at 0600", got)
	}
	if err := d.Write(e); err == nil {
		t.Error("Write after Close succeeded, want an error")
	}
}

func TestDayLogConcurrentWholeLines(t *testing.T) {
	dir := t.TempDir()
	d, err := NewDayLog(dir, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				e := testEvent(time.Date(2024, 1, 11, 0, 0, 0, 0, time.UTC))
				e.Trail = fmt.Sprintf("w%d-%d.example %s", w, i, strings.Repeat("x", 300))
				if err := d.Write(e); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	d.Close()
	lines := strings.Split(strings.TrimSuffix(readFile(t, filepath.Join(dir, "2024-01-11.log")), "\n"), "\n")
	if len(lines) != writers*each {
		t.Fatalf("got %d lines, want %d", len(lines), writers*each)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, `"2024-01-11 00:00:00.000000" gw `) || !strings.HasSuffix(l, ` "malware (test)" (static)`) {
			t.Fatalf("torn line %q", l)
		}
	}
}

func TestConsole(t *testing.T) {
	e := testEvent(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	line := string(e.AppendLine(nil, time.UTC))
	for _, tc := range []struct {
		name  string
		color bool
		want  string
	}{
		{"plain", false, line},
		{"color", true, event.Colorize(line)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			s := NewConsoleIn(&buf, tc.color, time.UTC)
			if err := s.Write(e); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if event.Colorize(line) == line {
		t.Error("colour test is vacuous: Colorize left the line unchanged")
	}
}

// listenUDP opens a collector on a loopback address.
func listenUDP(tb testing.TB, network, addr string) *net.UDPConn {
	tb.Helper()
	c, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(mustAddrPort(tb, addr)))
	if err != nil {
		tb.Skipf("cannot listen on %s: %v", addr, err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

func mustAddrPort(tb testing.TB, s string) netip.AddrPort {
	tb.Helper()
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		tb.Fatal(err)
	}
	return ap
}

func receive(tb testing.TB, c *net.UDPConn) string {
	tb.Helper()
	buf := make([]byte, 65536)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := c.ReadFromUDP(buf)
	if err != nil {
		tb.Fatalf("no datagram: %v", err)
	}
	return string(buf[:n])
}

func TestUDPSinks(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	e := testEvent(time.Date(2020, 12, 24, 15, 5, 55, 123456000, loc))
	e.Count = 4

	v4a := listenUDP(t, "udp4", "127.0.0.1:0")
	v4b := listenUDP(t, "udp4", "127.0.0.1:0")
	targets := []string{v4a.LocalAddr().String(), v4b.LocalAddr().String()}
	conns := []*net.UDPConn{v4a, v4b}
	if v6, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback}); err == nil {
		t.Cleanup(func() { v6.Close() })
		targets = append(targets, v6.LocalAddr().String()) // "[::1]:port"
		conns = append(conns, v6)
	} else {
		t.Logf("no IPv6 loopback: %v", err)
	}

	for _, tc := range []struct {
		name string
		open func() (Sink, error)
		want string
	}{
		{"CEF", func() (Sink, error) { return NewCEF(targets, "beast", "0.1.0", "2020-12-24") },
			"Dec 24 15:05:55 beast CEF:0|Maltrail|sensor|0.1.0|2020-12-24|malware (test)|2|src=10.0.0.5 spt=50000 dst=66.66.66.66 dpt=443 trail=66.66.66.66 ref=(static) cnt=4"},
		{"JSON", func() (Sink, error) { return NewJSON(targets, "beast") },
			`{"timestamp": 1608818755, "sensor": "beast", "severity": "high", "src_ip": "10.0.0.5", "src_port": 50000, "dst_ip": "66.66.66.66", "dst_port": 443, "proto": "TCP", "type": "IP", "trail": "66.66.66.66", "info": "malware (test)", "reference": "(static)", "count": 4}`},
		{"LogServer", func() (Sink, error) { return NewLogServer(targets, loc) },
			`1608818755 "2020-12-24 15:05:55.123456" gw 10.0.0.5 50000 66.66.66.66 443 TCP IP 66.66.66.66 "malware (test)" (static)` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.open()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Write(e); err != nil {
				t.Fatal(err)
			}
			for i, c := range conns {
				if got := receive(t, c); got != tc.want {
					t.Errorf("target %s: got  %q\nwant %q", targets[i], got, tc.want)
				}
			}
		})
	}
}

func TestCEFSetTrailsDate(t *testing.T) {
	c := listenUDP(t, "udp4", "127.0.0.1:0")
	s, err := NewCEF([]string{c.LocalAddr().String()}, "h", "1", "2020-01-01")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.(*CEF).SetTrailsDate("2021-02-03")
	if err := s.Write(testEvent(time.Now())); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, c); !strings.Contains(got, "|1|2021-02-03|") {
		t.Errorf("got %q, want signature id 2021-02-03", got)
	}
}

func TestUDPTargetErrors(t *testing.T) {
	for _, target := range []string{"", "1.2.3.4", "host:", "host:0", "host:70000", ":514", "[::1]"} {
		t.Run(target, func(t *testing.T) {
			if _, err := NewJSON([]string{target}, "h"); err == nil {
				t.Errorf("NewJSON(%q) succeeded, want an error", target)
			}
		})
	}
	if _, err := NewJSON(nil, "h"); err == nil {
		t.Error("NewJSON with no targets succeeded, want an error")
	}
}

func TestUnresolvableTargetFailsWrites(t *testing.T) {
	good := listenUDP(t, "udp4", "127.0.0.1:0")
	s, err := NewJSON([]string{"no-such-host.invalid:514", good.LocalAddr().String()}, "h")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Write(testEvent(time.Now()))
	if err == nil || !strings.Contains(err.Error(), "no-such-host.invalid") {
		t.Errorf("got error %v, want one naming the unresolvable target", err)
	}
	if got := receive(t, good); !strings.HasPrefix(got, `{"timestamp": `) {
		t.Errorf("the good target got %q, want the event anyway", got)
	}
}

func testdataDir(tb testing.TB) string { return shared.Testdata(tb) }

// TestSplitHostPortVectors runs Maltrail's parse_host_port vectors; a row
// without a host or a port must be refused, since there is nowhere to send.
func TestSplitHostPortVectors(t *testing.T) {
	for _, f := range shared.Vectors(t, "parse_host_port.tsv", 3) {
		t.Run(f[0], func(t *testing.T) {
			host, port, err := splitHostPort(f[0])
			if f[1] == "" || f[2] == "" {
				if err == nil {
					t.Errorf("splitHostPort(%q) = %q, %d; want an error", f[0], host, port)
				}
				return
			}
			if err != nil || host != f[1] || fmt.Sprint(port) != f[2] {
				t.Errorf("splitHostPort(%q) = %q, %d, %v; want %q, %s", f[0], host, port, err, f[1], f[2])
			}
		})
	}
}

func TestSplitTargets(t *testing.T) {
	got := SplitTargets(" 10.0.0.1:514, [::1]:514;host:1\tother:2 ,")
	want := []string{"10.0.0.1:514", "[::1]:514", "host:1", "other:2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMulti(t *testing.T) {
	dir := t.TempDir()
	good, err := NewDayLog(filepath.Join(dir, "good"), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	closed, err := NewDayLog(filepath.Join(dir, "closed"), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	var console bytes.Buffer
	m := Multi(closed, good, NewConsoleIn(&console, false, time.UTC))
	e := testEvent(time.Date(2024, 1, 11, 0, 0, 0, 0, time.UTC))
	for range 2 {
		if err := m.Write(e); err == nil {
			t.Fatal("Write succeeded with a closed sink, want an error")
		}
	}
	if got := m.(*MultiSink).Errors(); got != 2 {
		t.Errorf("Errors() = %d, want 2", got)
	}
	line := string(e.AppendLine(nil, time.UTC))
	if got := readFile(t, filepath.Join(dir, "good", "2024-01-11.log")); got != line+line {
		t.Errorf("the healthy sink got %q, want both events", got)
	}
	if console.String() != line+line {
		t.Errorf("console got %q, want both events", console.String())
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}
