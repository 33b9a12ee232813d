package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spoorsec/spoor/store/chdb"
)

// The end-to-end test of per-tenant trail delivery: a real collector with
// the embedded store and the API, tenants A and B with one sensor each, a
// custom trail added for A through the API while both sensors run; then a
// capture that hits it is replayed on both, and only A's sensor reports it,
// in its day log and in A's events in the store.

const (
	e2ePoll       = time.Second
	e2eOverlayTTL = time.Minute // longer than the test: only the API's invalidation can deliver in time
	// customDomain is in tls_sni.pcap (a TLS SNI) and not in the global
	// set the collector serves (Maltrail's fixture trails.csv), where
	// tls-evil.example, the capture's other name, is.
	customDomain = "clean.example"
	globalDomain = "tls-evil.example"
)

// proc is a spoor subprocess whose standard error is scanned line by line.
type proc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser

	mu    sync.Mutex
	lines []string
	grew  chan struct{}
	done  chan error
}

func startSpoor(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(spoorBin, args...), grew: make(chan struct{}, 1), done: make(chan error, 1)}
	p.cmd.Env = append(append(os.Environ(), "TZ=UTC"), env...)
	stdin, err := p.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdin = stdin
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
			select {
			case p.grew <- struct{}{}:
			default:
			}
		}
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
		}
	})
	return p
}

// waitLine waits up to limit for a standard error line containing every
// part, and returns it.
func (p *proc) waitLine(t *testing.T, limit time.Duration, parts ...string) string {
	t.Helper()
	deadline := time.After(limit)
	for {
		if l, ok := p.find(parts...); ok {
			return l
		}
		select {
		case <-p.grew:
		case <-deadline:
			t.Fatalf("no line with %q within %v; stderr:\n%s", parts, limit, p.output())
		}
	}
}

func (p *proc) find(parts ...string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
next:
	for _, l := range p.lines {
		for _, part := range parts {
			if !strings.Contains(l, part) {
				continue next
			}
		}
		return l, true
	}
	return "", false
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// wait waits for the process to exit with status 0.
func (p *proc) wait(t *testing.T, limit time.Duration) {
	t.Helper()
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("%s: %v; stderr:\n%s", p.cmd.Args[1], err, p.output())
		}
	case <-time.After(limit):
		t.Fatalf("%s still running after %v; stderr:\n%s", p.cmd.Args[1], limit, p.output())
	}
}

// apiClient talks to the collector's API with an access token.
type apiClient struct {
	base, token string
	hc          *http.Client
}

func (c *apiClient) call(t *testing.T, method, path string, body any, want int) []byte {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: got %d %s, want %d", method, path, resp.StatusCode, out, want)
	}
	return out
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// enrollSensor creates tenant id with one sensor and returns its token.
func enrollSensor(t *testing.T, env []string, data, id string) string {
	t.Helper()
	run := func(args ...string) []byte {
		cmd := exec.Command(spoorBin, args...)
		cmd.Env = append(os.Environ(), env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("spoor %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return out
	}
	run("admin", "tenant", "create", "--data-dir", data, "--id", id, "--name", "Tenant "+id)
	out := run("admin", "sensor", "enroll", "--data-dir", data, "--tenant", id, "--name", "sensor-"+id, "--json")
	var cred struct{ Token string }
	if err := json.Unmarshal(out, &cred); err != nil || cred.Token == "" {
		t.Fatalf("enrolment answer %q: %v", out, err)
	}
	return cred.Token
}

func TestTrailDeliveryEndToEnd(t *testing.T) {
	lib, err := chdb.FindLibrary()
	if err != nil {
		t.Fatalf("the embedded engine is part of the set-up (scripts/setup.sh): %v", err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	env := []string{"CHDB_LIB_PATH=" + lib}
	tokA := enrollSensor(t, env, data, "tena")
	tokB := enrollSensor(t, env, data, "tenb")

	addr := freePort(t)
	const password = "e2e-admin-password-42"
	col := startSpoor(t, append(env, "SPOOR_ADMIN_PASSWORD="+password), "collector", "--data-dir", data, "--listen", addr,
		"--udp-listen", "off", "--trails", testdata(t, "pcaps", "maltrail", "trails.csv"),
		"--overlay-ttl", e2eOverlayTTL.String(), "--log-level", "debug")
	col.waitLine(t, 2*time.Minute, "collector listening")
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	api := &apiClient{base: "https://" + addr, hc: hc}
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(api.call(t, http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "admin", "password": password}, http.StatusOK), &login); err != nil {
		t.Fatal(err)
	}
	api.token = login.AccessToken

	sensor := func(name, tok string) *proc {
		return startSpoor(t, nil, "sensor", "--name", name, "-r", "-",
			"--collector", "https://"+addr, "--token", tok, "--tls-insecure",
			"--trails-poll", e2ePoll.String(), "--trails-cache", filepath.Join(dir, name, "trails"),
			"--spool-dir", filepath.Join(dir, name, "spool"), "--log-dir", filepath.Join(dir, name, "logs"))
	}
	sa, sb := sensor("sensor-a", tokA), sensor("sensor-b", tokB)
	for _, s := range []*proc{sa, sb} {
		s.waitLine(t, time.Minute, "trails from the collector", "trails=20", "custom=0")
	}

	// /check looks indicators up in the global set the collector serves.
	var check struct {
		Found     bool   `json:"found"`
		Reference string `json:"reference"`
	}
	if err := json.Unmarshal(api.call(t, http.MethodGet, "/api/v1/check?q=https://"+globalDomain+"/x", nil, http.StatusOK), &check); err != nil {
		t.Fatal(err)
	}
	if !check.Found {
		t.Errorf("/check of the global trail %s: not found, want found", globalDomain)
	}

	// A custom trail added through the API while the sensors run reaches
	// A's sensor within one poll interval (plus the round trip): the API
	// drops the collector's cached overlay of the tenant.
	added := time.Now()
	api.call(t, http.MethodPost, "/api/v1/tenants/tena/trails", map[string]string{"trail": customDomain, "info": "tenant a watch"}, http.StatusCreated)
	sa.waitLine(t, 10*time.Second, "trails updated", "custom=1")
	took := time.Since(added)
	t.Logf("custom trail on sensor A %v after the API call (poll %v, overlay TTL %v)", took, e2ePoll, e2eOverlayTTL)
	if limit := e2ePoll + time.Second; took > limit {
		t.Errorf("custom trail reached sensor A after %v, want within %v", took, limit)
	}
	time.Sleep(2 * e2ePoll) // B polls too
	if l, ok := sb.find("trails updated"); ok {
		t.Errorf("sensor B changed its trails (%s), want A's custom trail kept from it", l)
	}

	capture, err := os.ReadFile(testdata(t, "pcaps", "maltrail", "tls_sni.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*proc{sa, sb} {
		if _, err := s.stdin.Write(capture); err != nil {
			t.Fatal(err)
		}
		s.stdin.Close()
	}
	sa.wait(t, time.Minute)
	sb.wait(t, time.Minute)

	dayLog := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name, "logs", "2023-11-14.log"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	t.Run("day logs", func(t *testing.T) {
		la, lb := dayLog("sensor-a"), dayLog("sensor-b")
		if !strings.Contains(la, " "+customDomain+` "tenant a watch" (custom)`) {
			t.Errorf("sensor A's log has no (custom) event for %s:\n%s", customDomain, la)
		}
		if strings.Contains(lb, customDomain) {
			t.Errorf("sensor B's log has an event for A's custom trail %s:\n%s", customDomain, lb)
		}
		for name, l := range map[string]string{"A": la, "B": lb} {
			if !strings.Contains(l, " "+globalDomain+" ") {
				t.Errorf("sensor %s's log has no event for the global trail %s:\n%s", name, globalDomain, l)
			}
		}
	})

	t.Run("stored events", func(t *testing.T) {
		trailsOf := func(tenant string) []string {
			var res struct {
				Rows []json.RawMessage `json:"rows"`
			}
			out := api.call(t, http.MethodPost, "/api/v1/tenants/"+tenant+"/sql",
				map[string]string{"query": "SELECT trail, reference FROM events ORDER BY trail"}, http.StatusOK)
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("SQL answer %s: %v", out, err)
			}
			var got []string
			for _, r := range res.Rows {
				got = append(got, string(r))
			}
			return got
		}
		a, b := fmt.Sprint(trailsOf("tena")), fmt.Sprint(trailsOf("tenb"))
		if !strings.Contains(a, customDomain) || !strings.Contains(a, "(custom)") || !strings.Contains(a, globalDomain) {
			t.Errorf("tenant A's events: got %s, want %s (custom) and %s", a, customDomain, globalDomain)
		}
		if strings.Contains(b, customDomain) || !strings.Contains(b, globalDomain) {
			t.Errorf("tenant B's events: got %s, want %s and not %s", b, globalDomain, customDomain)
		}
	})

	t.Run("collector metrics", func(t *testing.T) {
		resp, err := hc.Get(api.base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		for _, want := range []string{
			`spoor_trails_requests_total{code="200",resource="global"} 2`,
			`spoor_trails_requests_total{code="304",resource="global"}`,
			`spoor_trails_requests_total{code="304",resource="overlay"}`,
			`spoor_trails_global_trails 20`,
		} {
			if !strings.Contains(string(body), want) {
				t.Errorf("collector metrics lack %q", want)
			}
		}
	})
}
