package collector

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spoorsec/spoor/internal/shared"
	"github.com/spoorsec/spoor/store/chdb"

	"github.com/spoorsec/spoor/event"
	"github.com/spoorsec/spoor/sensor/ship"
)

// The fault tests run the real spoor binary: collectors that are killed
// with SIGKILL and restarted on the same data directory, and a shipping
// sensor (spoor bench ship) killed mid-stream. They check that what was
// acknowledged is stored exactly once and that spools deliver the rest.

// faultDowntime is how long the outage test keeps the collector down
// (SPOOR_FAULT_DOWNTIME, default 20s).
func faultDowntime(tb testing.TB) time.Duration {
	if s := os.Getenv("SPOOR_FAULT_DOWNTIME"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			tb.Fatalf("SPOOR_FAULT_DOWNTIME: %v", err)
		}
		return d
	}
	return 20 * time.Second
}

var (
	buildOnce sync.Once
	spoorBin  string
	buildErr  error
)

// spoorBinary builds cmd/spoor once per test run.
func spoorBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "spoor-fault-bin-")
		if err != nil {
			buildErr = err
			return
		}
		spoorBin = filepath.Join(dir, "spoor")
		out, err := exec.Command("go", "build", "-o", spoorBin, "../cmd/spoor").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return spoorBin
}

// spoorEnv is the environment of spoor subprocesses.
func spoorEnv(tb testing.TB) []string {
	lib, err := chdb.FindLibrary()
	if err != nil {
		tb.Fatal(err)
	}
	return append(os.Environ(), "CHDB_LIB_PATH="+lib)
}

// runSpoor runs a spoor command to completion and returns its standard
// output.
func runSpoor(tb testing.TB, args ...string) string {
	tb.Helper()
	cmd := exec.Command(spoorBinary(tb), args...)
	cmd.Env = spoorEnv(tb)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("spoor %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// faultEnv is a data directory with a tenant and an enrolled sensor, and
// the collector subprocess serving it.
type faultEnv struct {
	dir, addr, token, tenant string
	udp                      bool // serve UDP ingest on addr too
	proc                     *exec.Cmd
	exited                   chan error
	logs                     *os.File
}

func newFaultEnv(tb testing.TB) *faultEnv {
	tb.Helper()
	dir := tb.TempDir()
	f := &faultEnv{dir: filepath.Join(dir, "data"), tenant: "acme"}
	runSpoor(tb, "admin", "tenant", "create", "--data-dir", f.dir, "--id", f.tenant, "--name", "Acme")
	var enr struct{ Token string }
	if err := json.Unmarshal([]byte(runSpoor(tb, "admin", "sensor", "enroll", "--data-dir", f.dir, "--tenant", f.tenant, "--name", "edge", "--json")), &enr); err != nil {
		tb.Fatal(err)
	}
	f.token = enr.Token
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	f.addr = ln.Addr().String()
	ln.Close()
	if f.logs, err = os.Create(filepath.Join(dir, "collector.log")); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if f.proc != nil {
			f.proc.Process.Kill()
			<-f.exited
		}
		f.logs.Close()
		if tb.Failed() {
			b, _ := os.ReadFile(f.logs.Name())
			tb.Logf("collector log:\n%s", b)
		}
	})
	return f
}

// start runs the collector and waits until it answers /healthz.
func (f *faultEnv) start(tb testing.TB) {
	tb.Helper()
	udp := "off"
	if f.udp {
		udp = f.addr
	}
	cmd := exec.Command(spoorBinary(tb), "collector", "--data-dir", f.dir, "--listen", f.addr, "--udp-listen", udp)
	cmd.Env = spoorEnv(tb)
	cmd.Stdout, cmd.Stderr = f.logs, f.logs
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	f.proc, f.exited = cmd, make(chan error, 1)
	go func() { f.exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := f.client(tb).Get("https://" + f.addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case err := <-f.exited:
			f.proc = nil
			tb.Fatalf("collector exited at start: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			tb.Fatal("collector not healthy after 60 s")
		}
	}
}

// stop signals the collector and waits for it to exit.
func (f *faultEnv) stop(tb testing.TB, sig syscall.Signal) {
	tb.Helper()
	if err := f.proc.Process.Signal(sig); err != nil {
		tb.Fatal(err)
	}
	err := <-f.exited
	f.proc = nil
	if sig == syscall.SIGTERM && err != nil {
		tb.Fatalf("collector exit after SIGTERM: %v, want 0", err)
	}
}

func (f *faultEnv) caFile() string { return filepath.Join(f.dir, "tls", SelfSignedCert) }

func (f *faultEnv) tls(tb testing.TB) *tls.Config {
	tb.Helper()
	pem, err := os.ReadFile(f.caFile())
	if err != nil {
		return &tls.Config{InsecureSkipVerify: true} // not generated yet: only /healthz polls get here
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &tls.Config{RootCAs: pool}
}

func (f *faultEnv) client(tb testing.TB) *http.Client {
	return &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: f.tls(tb)}}
}

// trails exports the stored events (collector stopped) and counts trails.
func (f *faultEnv) trails(tb testing.TB) map[string]int {
	tb.Helper()
	out := runSpoor(tb, "admin", "events", "export", "--data-dir", f.dir, "--tenant", f.tenant)
	got := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e struct{ Trail string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			tb.Fatal(err)
		}
		got[e.Trail]++
	}
	return got
}

// checkPrefixOnce fails unless the stored trails are name(0)..name(m-1),
// each exactly once, for some m ≥ atLeast; it returns m.
func checkPrefixOnce(tb testing.TB, got map[string]int, name func(int) string, atLeast int) int {
	tb.Helper()
	dups := 0
	for trail, n := range got {
		if n != 1 {
			dups++
			if dups <= 3 {
				tb.Errorf("trail %s stored %d times", trail, n)
			}
		}
	}
	m := len(got)
	for i := 0; i < m; i++ {
		if got[name(i)] == 0 {
			tb.Fatalf("stored %d events, but %s is missing: not a prefix of what was written", m, name(i))
		}
	}
	if dups > 0 || m < atLeast {
		tb.Fatalf("stored %d distinct events (%d duplicated), want at least %d, each once", m, dups, atLeast)
	}
	return m
}

// streamer writes events tag-0, tag-1, ... to a shipper at a steady rate.
type streamer struct {
	sh      *ship.Shipper
	tag     string
	rate    int
	written int
	stop    chan struct{}
	done    chan struct{}
}

func startStream(sh *ship.Shipper, tag string, rate int) *streamer {
	s := &streamer{sh: sh, tag: tag, rate: rate, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
			for i := 0; i < s.rate/100; i++ {
				e := event.Event{Time: time.Now(), Sensor: "edge", SrcIP: "10.0.0.2", DstIP: "192.0.2.7", DstPort: "443", Proto: "TCP",
					Type: event.TypeIP, Trail: s.tag + "-" + strconv.Itoa(s.written), Info: "malware", Reference: "(static)"}
				s.sh.Write(&e)
				s.written++
			}
		}
	}()
	return s
}

// streamTrail names the trails a streamer with tag writes.
func streamTrail(tag string) func(int) string {
	return func(i int) string { return tag + "-" + strconv.Itoa(i) }
}

// end stops the stream and returns how many events it wrote.
func (s *streamer) end() int {
	close(s.stop)
	<-s.done
	return s.written
}

func newFaultShipper(tb testing.TB, f *faultEnv) *ship.Shipper {
	tb.Helper()
	sh, err := ship.New(ship.Options{URL: "https://" + f.addr, Token: f.token, TLS: f.tls(tb), SpoolDir: tb.TempDir(),
		BatchEvents: 1000, Linger: 100 * time.Millisecond, Overflow: ship.Block, Logger: quiet,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, RequestTimeout: 10 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sh.Close() })
	return sh
}

func flushShipper(tb testing.TB, sh *ship.Shipper) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := sh.Flush(ctx); err != nil {
		tb.Fatalf("Flush: %v (stats %+v)", err, sh.Stats())
	}
}

// TestFaultCollectorKilled kills the collector (SIGKILL) twice during a
// steady stream: every acknowledged batch is stored once, and the
// shipper's spool delivers the rest.
func TestFaultCollectorKilled(t *testing.T) {
	f := newFaultEnv(t)
	f.start(t)
	sh := newFaultShipper(t, f)
	s := startStream(sh, "kill", 5000)
	for round := 0; round < 2; round++ {
		time.Sleep(1500 * time.Millisecond)
		acked := sh.Stats().Acked
		f.stop(t, syscall.SIGKILL)
		t.Logf("round %d: collector killed with %d events acknowledged", round, acked)
		time.Sleep(time.Second)
		f.start(t)
	}
	time.Sleep(time.Second)
	n := s.end()
	flushShipper(t, sh)
	st := sh.Stats()
	f.stop(t, syscall.SIGTERM)
	if st.Acked != uint64(n) || st.Dropped != 0 || st.Rejected != 0 {
		t.Fatalf("shipper stats %+v: want all %d events acknowledged", st, n)
	}
	if got := checkPrefixOnce(t, f.trails(t), streamTrail("kill"), n); got != n {
		t.Fatalf("stored %d events, want %d", got, n)
	}
	logs, _ := os.ReadFile(f.logs.Name())
	repaired := strings.Count(string(logs), "deduplicated but is not stored")
	t.Logf("%d events written across two SIGKILLs, %d retries, %d batches re-stored after a cut-off insert: all stored exactly once",
		n, st.Retries, repaired)
}

// TestFaultCollectorDown keeps the collector down for a while during a
// stream: the spool holds everything and delivers it on recovery.
func TestFaultCollectorDown(t *testing.T) {
	down := faultDowntime(t)
	f := newFaultEnv(t)
	f.start(t)
	sh := newFaultShipper(t, f)
	s := startStream(sh, "down", 2000)
	time.Sleep(time.Second)
	f.stop(t, syscall.SIGTERM)
	time.Sleep(down)
	during := sh.Stats()
	if during.Spool.Records == 0 {
		t.Errorf("after %v down the spool is empty: stats %+v", down, during)
	}
	f.start(t)
	time.Sleep(time.Second)
	n := s.end()
	flushShipper(t, sh)
	f.stop(t, syscall.SIGTERM)
	if got := checkPrefixOnce(t, f.trails(t), streamTrail("down"), n); got != n {
		t.Fatalf("stored %d events, want %d", got, n)
	}
	t.Logf("collector down %v with %d batches spooled: all %d events stored exactly once", down, during.Spool.Records, n)
}

// TestFaultSensorKilled kills a shipping sensor (spoor bench ship) with
// SIGKILL mid-stream and restarts it on its spool: everything it had
// spooled is delivered, once.
func TestFaultSensorKilled(t *testing.T) {
	f := newFaultEnv(t)
	f.start(t)
	spool := t.TempDir()
	args := []string{"bench", "ship", "--collector", "https://" + f.addr, "--token", f.token, "--ca", f.caFile(),
		"--spool-dir", spool, "--tag", "sk", "--batch-events", "2000", "--progress", "50ms"}
	cmd := exec.Command(spoorBinary(t), append(args, "--events", "1000000", "--rate", "20000")...)
	cmd.Env = spoorEnv(t)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var spooled, acked uint64
	sc := bufio.NewScanner(stdout)
	// readUntil follows the progress lines until cond holds.
	readUntil := func(cond func() bool) {
		for sc.Scan() {
			var p struct{ Spooled, Acked uint64 }
			if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
				t.Fatalf("progress line %q: %v", sc.Text(), err)
			}
			spooled, acked = p.Spooled, p.Acked
			if cond() {
				return
			}
		}
		t.Fatalf("sensor ended early: %d events spooled, %d acknowledged", spooled, acked)
	}
	// Stream with the collector up, then down so batches pile up in the
	// spool, then kill the sensor.
	readUntil(func() bool { return acked >= 10_000 })
	f.stop(t, syscall.SIGTERM)
	readUntil(func() bool { return spooled >= acked+20_000 })
	cmd.Process.Kill()
	cmd.Wait()
	t.Logf("sensor killed with %d events spooled, %d of them acknowledged", spooled, acked)
	f.start(t)
	// Resume: deliver what the spool holds, write nothing new.
	runSpoor(t, append(args, "--events", "0", "--timeout", "2m")...)
	f.stop(t, syscall.SIGTERM)
	// spoor bench ship's trails start TAG-N.example.com (URL trails go on
	// with a path).
	byEvent := map[string]int{}
	for trail, n := range f.trails(t) {
		name, _, _ := strings.Cut(trail, ".example.com")
		byEvent[name] += n
	}
	m := checkPrefixOnce(t, byEvent, streamTrail("sk"), int(spooled))
	t.Logf("after the restart %d events are stored exactly once (%d were reported spooled)", m, spooled)
}

// TestSensorContract runs the command-line contract: `spoor sensor -r
// FILES --trails T --log-dir DIR --collector URL --token T --ca CA` writes
// its day logs, ships every event, and exits 0 once all are acknowledged;
// the stored events are the logged ones. Over UDP (--collector udp://...)
// the same events arrive, signed, without acknowledgement.
func TestSensorContract(t *testing.T) {
	for _, transport := range []string{"https", "udp"} {
		t.Run(transport, func(t *testing.T) {
			f := newFaultEnv(t)
			f.udp = transport == "udp"
			// The captures are from 2023: keep them past the default retention.
			runSpoor(t, "admin", "tenant", "create", "--data-dir", f.dir, "--id", "replay", "--name", "Replay", "--retention-days", "3650")
			var enr struct {
				Token    string `json:"token"`
				UDPKeyID string `json:"udp_key_id"`
				UDPKey   string `json:"udp_key"`
			}
			out := runSpoor(t, "admin", "sensor", "enroll", "--data-dir", f.dir, "--tenant", "replay", "--name", "cli", "--json")
			if err := json.Unmarshal([]byte(out), &enr); err != nil {
				t.Fatal(err)
			}
			f.tenant, f.token = "replay", enr.Token
			f.start(t)
			corpus := filepath.Join(testdataDir(t), "pcaps", "maltrail")
			pcaps, _ := filepath.Glob(filepath.Join(corpus, "*.pcap"))
			logDir := t.TempDir()
			args := []string{"sensor", "-r", strings.Join(pcaps, ","), "--trails", filepath.Join(corpus, "trails.csv"), "--log-dir", logDir}
			if transport == "https" {
				args = append(args, "--collector", "https://"+f.addr, "--token", f.token, "--ca", f.caFile(),
					"--spool-dir", t.TempDir(), "--ship-timeout", "1m")
			} else {
				args = append(args, "--collector", "udp://"+f.addr, "--udp-key-id", enr.UDPKeyID, "--udp-key", enr.UDPKey)
			}
			cmd := exec.Command(spoorBinary(t), args...)
			cmd.Env = append(spoorEnv(t), "TZ=UTC")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("spoor sensor: %v\n%s", err, out)
			}
			f.stop(t, syscall.SIGTERM) // a collector stopping stores the UDP events it holds
			logged := loggedTrails(t, logDir)
			got := f.trails(t)
			total := 0
			for _, n := range logged {
				total += n
			}
			if total < 20 || len(got) != len(logged) {
				t.Fatalf("logged %d events (%d trails), stored %d trails: want the same trails, and at least 20 events", total, len(logged), len(got))
			}
			for trail, n := range logged {
				if got[trail] != n {
					t.Errorf("trail %q: logged %d times, stored %d", trail, n, got[trail])
				}
			}
		})
	}
}

// loggedTrails counts the trails of the Maltrail day logs in dir.
func loggedTrails(tb testing.TB, dir string) map[string]int {
	tb.Helper()
	logged := map[string]int{}
	logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	for _, l := range logs {
		b, err := os.ReadFile(l)
		if err != nil {
			tb.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			// "date time" sensor src sport dst dport proto type trail info reference
			if fs := splitLogLine(line); len(fs) > 8 {
				logged[fs[8]]++
			}
		}
	}
	return logged
}

func testdataDir(tb testing.TB) string { return shared.Testdata(tb) }

// splitLogLine splits a Maltrail log line into fields, honouring quotes.
func splitLogLine(line string) []string {
	var out []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		end := strings.IndexByte(line, ' ')
		if line[0] == '"' {
			end = strings.IndexByte(line[1:], '"') + 2
		}
		if end <= 0 || end > len(line) {
			return append(out, strings.Trim(line, `"`))
		}
		out = append(out, strings.Trim(line[:end], `"`))
		line = line[end:]
	}
	return out
}
