package modules

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/spoorsec/spoor/terraform/internal/testcollector"
)

// TestTenantModuleSensorConfigShips applies the tenant module for real
// and runs `spoor sensor --config` with the configuration file it
// rendered, reading a capture: the sensor must authenticate with the
// rendered token, trust the collector through the rendered CA path, ship
// every event (it exits non-zero otherwise), and the collector must have
// seen it. Then the module is destroyed.
func TestTenantModuleSensorConfigShips(t *testing.T) {
	needTofu(t)
	root, err := testcollector.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	corpus := testcollector.Testdata(t, root, "pcaps", "maltrail")
	// The module is applied as the root module (a copy): a root calling it
	// would need `tofu init`, which a development override of the provider
	// does not allow.
	work := t.TempDir()
	tfs, err := filepath.Glob(filepath.Join("tenant", "*.tf"))
	if err != nil || len(tfs) == 0 {
		t.Fatalf("tenant module files: %v %v", tfs, err)
	}
	for _, f := range tfs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vars := fmt.Sprintf(`
tenant_id         = "tfe2e"
name              = "End to end"
admin_username    = "e2e.admin"
admin_password    = "e2e-admin-password"
collector_url     = %q
collector_ca_path = %q
trails_path       = %q
sensors = {
  "e2e-sensor" = {}
}
`, harness.collector.URL, harness.collector.CACertFile, filepath.Join(corpus, "trails.csv"))
	if err := os.WriteFile(filepath.Join(work, "terraform.tfvars"), []byte(vars), 0o600); err != nil {
		t.Fatal(err)
	}
	env := harness.collector.Env()
	env["TF_DATA_DIR"] = filepath.Join(work, ".tfdata")
	if out, err := tofu(t, work, env, "apply", "-auto-approve", "-no-color"); err != nil {
		t.Fatalf("tofu apply: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := tofu(t, work, env, "destroy", "-auto-approve", "-no-color"); err != nil {
			t.Errorf("tofu destroy: %v\n%s", err, out)
		}
	})
	out, err := tofu(t, work, env, "output", "-json")
	if err != nil {
		t.Fatalf("tofu output: %v\n%s", err, out)
	}
	var outputs struct {
		SensorConfigs struct{ Value map[string]string } `json:"sensor_configs"`
		SensorIDs     struct{ Value map[string]string } `json:"sensor_ids"`
	}
	if err := json.Unmarshal([]byte(out), &outputs); err != nil {
		t.Fatalf("tofu output -json: %v", err)
	}
	cfg, ok := outputs.SensorConfigs.Value["e2e-sensor"]
	if !ok {
		t.Fatalf("sensor_configs: got %v, want e2e-sensor", outputs.SensorConfigs.Value)
	}
	cfgFile := filepath.Join(work, "sensor.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	// Only what a test host cannot use is overridden: the capture to read
	// instead of live interfaces, and writable log and spool directories.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, harness.spoor, "sensor", "--config", cfgFile,
		"-r", filepath.Join(corpus, "dns_queries.pcap"),
		"--log-dir", filepath.Join(work, "log"), "--spool-dir", filepath.Join(work, "spool"), "--ship-timeout", "1m")
	cmd.Env = append(os.Environ(), "TZ=UTC")
	if sout, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("spoor sensor with the rendered configuration: %v\n%s", err, sout)
	}

	id := outputs.SensorIDs.Value["e2e-sensor"]
	s, err := adminClient(t).Sensor(context.Background(), "tfe2e", id)
	if err != nil {
		t.Fatal(err)
	}
	if s.LastSeen == nil {
		t.Fatalf("sensor %s: got last_seen null after shipping, want the time of its batches", id)
	}
}
