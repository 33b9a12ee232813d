// Package testcollector starts a real Spoor collector (the spoor binary
// with its embedded ClickHouse) for the provider's and modules' tests,
// and builds the binaries those tests drive.
package testcollector

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Collector is a running collector.
type Collector struct {
	// URL is its base URL (https://127.0.0.1:PORT).
	URL string
	// CACertFile is its self-signed certificate, the trust anchor to give
	// clients.
	CACertFile string
	// Username, Tenant and Password are the first MSSP admin's.
	Username, Tenant, Password string
	// DataDir holds its store, certificate and log.
	DataDir string

	cmd     *exec.Cmd
	logFile string
	done    chan error
}

// RepoRoot returns the Spoor repository root (the parent of terraform/).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("module github.com/spoorsec/spoor\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the spoor repository root above the working directory")
		}
		dir = parent
	}
}

// SpoorBinary returns $SPOOR_BIN, or builds cmd/spoor into dir.
func SpoorBinary(root, dir string) (string, error) {
	if p := os.Getenv("SPOOR_BIN"); p != "" {
		return p, nil
	}
	bin := filepath.Join(dir, "spoor")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/spoor")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("cannot build spoor: %w\n%s", err, out)
	}
	return bin, nil
}

// chdbLibrary returns $CHDB_LIB_PATH, or what scripts/chdb.sh prints.
func chdbLibrary(root string) (string, error) {
	if p := os.Getenv("CHDB_LIB_PATH"); p != "" {
		return p, nil
	}
	cmd := exec.Command("bash", "scripts/chdb.sh")
	cmd.Dir = root
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("cannot find libchdb (scripts/chdb.sh): %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// freePort asks the kernel for a free loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start runs `spoor collector` on a free loopback port with a fresh data
// directory under dir and waits until /healthz answers over verified TLS.
func Start(ctx context.Context, spoorBin, dir string) (*Collector, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	lib, err := chdbLibrary(root)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("cannot pick a port: %w", err)
	}
	pw := make([]byte, 16)
	if _, err := rand.Read(pw); err != nil {
		return nil, err
	}
	c := &Collector{
		URL:      fmt.Sprintf("https://127.0.0.1:%d", port),
		Username: "admin", Tenant: "mssp", Password: hex.EncodeToString(pw),
		DataDir: filepath.Join(dir, "data"),
		logFile: filepath.Join(dir, "collector.log"),
		done:    make(chan error, 1),
	}
	c.CACertFile = filepath.Join(c.DataDir, "tls", "collector.crt")
	args := []string{"collector", "--data-dir", c.DataDir,
		"--listen", fmt.Sprintf("127.0.0.1:%d", port), "--udp-listen", "off", "--log-level", "warn",
		// Revocations and rotations must show within a test's patience.
		"--credential-ttl", "1s"}
	if err := c.run(ctx, spoorBin, args, []string{"CHDB_LIB_PATH=" + lib, "SPOOR_ADMIN_PASSWORD=" + c.Password}); err != nil {
		return nil, err
	}
	return c, nil
}

// StartConfigured runs `spoor collector` with the given arguments and
// extra environment (e.g. --config FILE), for a collector whose URL and
// certificate the caller knows, and waits until it is healthy.
func StartConfigured(ctx context.Context, spoorBin, dir, url, caCertFile string, args, env []string) (*Collector, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	lib, err := chdbLibrary(root)
	if err != nil {
		return nil, err
	}
	c := &Collector{URL: url, CACertFile: caCertFile, logFile: filepath.Join(dir, "collector.log"), done: make(chan error, 1)}
	if err := c.run(ctx, spoorBin, args, append([]string{"CHDB_LIB_PATH=" + lib}, env...)); err != nil {
		return nil, err
	}
	return c, nil
}

// FreePort returns a loopback TCP port free at the time of the call.
func FreePort() (int, error) { return freePort() }

func (c *Collector) run(ctx context.Context, bin string, args, env []string) error {
	log, err := os.Create(c.logFile)
	if err != nil {
		return err
	}
	defer log.Close()
	c.cmd = exec.Command(bin, args...)
	c.cmd.Env = append(os.Environ(), env...)
	c.cmd.Stdout, c.cmd.Stderr = log, log
	if err := c.cmd.Start(); err != nil {
		return fmt.Errorf("cannot start the collector: %w", err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	if err := c.waitHealthy(ctx, 3*time.Minute); err != nil {
		c.Stop()
		return fmt.Errorf("%w\ncollector log:\n%s", err, c.LogTail(40))
	}
	return nil
}

func (c *Collector) waitHealthy(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		select {
		case err := <-c.done:
			c.done <- err
			return fmt.Errorf("collector exited before it was healthy: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
		hc, err := c.HTTPClient()
		if err != nil {
			last = err // the certificate is written at start-up
			continue
		}
		resp, err := hc.Get(c.URL + "/healthz")
		if err != nil {
			last = err
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		last = fmt.Errorf("/healthz: %s", resp.Status)
	}
	return fmt.Errorf("collector not healthy after %s: %v", limit, last)
}

// HTTPClient trusts only the collector's certificate.
func (c *Collector) HTTPClient() (*http.Client, error) {
	pem, err := os.ReadFile(c.CACertFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no certificate", c.CACertFile)
	}
	return &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}, nil
}

// Env is the provider's environment for this collector.
func (c *Collector) Env() map[string]string {
	return map[string]string{
		"SPOOR_URL": c.URL, "SPOOR_USERNAME": c.Username, "SPOOR_PASSWORD": c.Password,
		"SPOOR_TENANT": c.Tenant, "SPOOR_CA_CERTIFICATE_FILE": c.CACertFile,
	}
}

// LogTail returns the last n lines of the collector's log.
func (c *Collector) LogTail(n int) string {
	f, err := os.Open(c.logFile)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// Stop asks the collector to shut down (SIGTERM) and kills it if it has
// not within 30 seconds.
func (c *Collector) Stop() error {
	if c.cmd == nil || c.cmd.Process == nil {
		return nil
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		c.done <- err
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("collector exited with %v\n%s", err, c.LogTail(20))
		}
		return err
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		return fmt.Errorf("collector did not stop within 30 s; killed")
	}
}

// Testdata returns a path under the shared test data, ../shared/testdata
// beside the repository root (the main module's internal/shared.Testdata
// is out of this module's reach), failing tb if it is missing.
func Testdata(tb testing.TB, root string, elem ...string) string {
	tb.Helper()
	dir := filepath.Join(filepath.Dir(root), "shared", "testdata")
	if _, err := os.Stat(dir); err != nil {
		tb.Fatalf("test data missing: %v", err)
	}
	return filepath.Join(append([]string{dir}, elem...)...)
}
