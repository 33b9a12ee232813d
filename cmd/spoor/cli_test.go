package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spoorsec/spoor/internal/shared"
)

// spoorBin is the spoor binary built once for the command-line tests.
var spoorBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "spoor-cli")
	if err != nil {
		panic(err)
	}
	spoorBin = filepath.Join(dir, "spoor")
	if out, err := exec.Command("go", "build", "-o", spoorBin, ".").CombinedOutput(); err != nil {
		panic("cannot build spoor: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func testdata(tb testing.TB, elem ...string) string { return shared.Testdata(tb, elem...) }

func spoor(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(spoorBin, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestSensorOfflineContract runs the command-line contract: read captures,
// write Maltrail day logs, exit 0.
func TestSensorOfflineContract(t *testing.T) {
	logDir := t.TempDir()
	corpus := testdata(t, "pcaps", "maltrail")
	out, err := spoor(t, "sensor",
		"-r", filepath.Join(corpus, "dns_queries.pcap")+","+filepath.Join(corpus, "ip_trails.pcap"),
		"--trails", filepath.Join(corpus, "trails.csv"), "--log-dir", logDir, "--name", "cli-test")
	if err != nil {
		t.Fatalf("spoor sensor: %v\n%s", err, out)
	}
	logs, _ := filepath.Glob(filepath.Join(logDir, "*.log"))
	if len(logs) != 1 || filepath.Base(logs[0]) != "2023-11-14.log" {
		t.Fatalf("got day logs %v, want 2023-11-14.log", logs)
	}
	raw, err := os.ReadFile(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 8 {
		t.Errorf("got %d events, want 8:\n%s", len(lines), raw)
	}
	want := `"2023-11-14 22:13:20.000000" cli-test 10.0.0.66 50000 8.8.8.8 53 UDP DNS evil-test-domain.com "malware (test)" (static)`
	if lines[0] != want {
		t.Errorf("first line:\ngot  %s\nwant %s", lines[0], want)
	}
	if st, _ := os.Stat(logs[0]); st.Mode().Perm() != 0o644 {
		t.Errorf("got mode %v, want 0644", st.Mode().Perm())
	}
}

// TestSensorBadInput checks that bad input fails with a clear message.
func TestSensorBadInput(t *testing.T) {
	dir := t.TempDir()
	notPcap := filepath.Join(dir, "notes.txt")
	os.WriteFile(notPcap, []byte("hello\n"), 0o644)
	badTrails := filepath.Join(dir, "unreadable.csv")
	os.WriteFile(badTrails, []byte("x"), 0o000)
	trails := testdata(t, "pcaps", "maltrail", "trails.csv")
	pcap := testdata(t, "pcaps", "maltrail", "icmp.pcap")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing capture", []string{"-r", filepath.Join(dir, "nope.pcap"), "--trails", trails, "--console"}, "no such file"},
		{"not a capture", []string{"-r", notPcap, "--trails", trails, "--console"}, "not a pcap or pcapng capture"},
		{"missing trails", []string{"-r", pcap, "--trails", filepath.Join(dir, "none.csv"), "--console"}, "cannot load trails"},
		{"no trails flag", []string{"-r", pcap, "--console"}, "no trails given"},
		{"no output", []string{"-r", pcap, "--trails", trails}, "no output"},
		{"unknown flag", []string{"--bogus"}, "unknown flag"},
	}
	if os.Geteuid() != 0 { // root reads mode-000 files
		tests = append(tests, struct {
			name string
			args []string
			want string
		}{"unreadable trails", []string{"-r", pcap, "--trails", badTrails, "--console"}, "cannot load trails"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := spoor(t, append([]string{"sensor"}, tt.args...)...)
			if err == nil {
				t.Fatalf("got exit 0, want failure; output:\n%s", out)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("got output %q, want it to mention %q", out, tt.want)
			}
		})
	}
}

// TestSensorStdinAndConfig reads a capture from standard input with the
// settings from a YAML file and an environment variable.
func TestSensorStdinAndConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "spoor.yaml")
	os.WriteFile(cfg, []byte("sensor:\n  trails: "+testdata(t, "pcaps", "maltrail", "trails.csv")+"\n  console: true\n"), 0o644)
	f, err := os.Open(testdata(t, "pcaps", "maltrail", "icmp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(spoorBin, "sensor", "--config", cfg, "-r", "-")
	cmd.Stdin = f
	cmd.Env = append(os.Environ(), "TZ=UTC", "SPOOR_SENSOR_NAME=from-env")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("spoor sensor: %v", err)
	}
	if !strings.Contains(string(out), " from-env ") || !strings.Contains(string(out), "66.66.66.66") {
		t.Errorf("got %q, want an ICMP event from sensor from-env", out)
	}
}
