// Package modules runs the Terraform modules' own tests (`tofu test`) and
// boots a real collector from the collector module's rendering. It needs
// the tofu binary ($TF_ACC_TERRAFORM_PATH, from tools/build-tofu.sh).
package modules

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spoorsec/spoor/terraform/internal/client"
	"github.com/spoorsec/spoor/terraform/internal/testcollector"
)

// harness is what TestMain prepared; nil fields mean "skip".
var harness struct {
	tofu      string
	spoor     string
	cliConfig string // dev_overrides for this provider
	collector *testcollector.Collector
	dir       string
}

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	harness.tofu = os.Getenv("TF_ACC_TERRAFORM_PATH")
	if harness.tofu == "" {
		return m.Run() // the tests skip, saying why
	}
	dir, err := os.MkdirTemp("", "spoor-tfmod-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	harness.dir = dir
	if err := prepare(dir); err != nil {
		fmt.Fprintln(os.Stderr, "modules:", err)
		return 1
	}
	code := m.Run()
	if err := harness.collector.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "collector:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// prepare builds the provider and spoor, writes a CLI configuration that
// points OpenTofu at the provider build, and starts a collector.
func prepare(dir string) error {
	root, err := testcollector.RepoRoot()
	if err != nil {
		return err
	}
	pluginDir := filepath.Join(dir, "plugins")
	build := exec.Command("go", "build", "-o", filepath.Join(pluginDir, "terraform-provider-spoor"), ".")
	build.Dir = filepath.Join(root, "terraform")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("cannot build the provider: %w\n%s", err, out)
	}
	harness.cliConfig = filepath.Join(dir, "tofurc")
	rc := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.opentofu.org/spoorsec/spoor" = %q
  }
  # No registry is reachable: refuse them all at once.
  direct {
    exclude = ["registry.opentofu.org/*/*", "registry.terraform.io/*/*"]
  }
}
`, pluginDir)
	if err := os.WriteFile(harness.cliConfig, []byte(rc), 0o644); err != nil {
		return err
	}
	if harness.spoor, err = testcollector.SpoorBinary(root, dir); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	harness.collector, err = testcollector.Start(ctx, harness.spoor, filepath.Join(dir, "collector"))
	return err
}

func needTofu(t *testing.T) {
	t.Helper()
	if harness.tofu == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH is not set: build OpenTofu with terraform/tools/build-tofu.sh (terraform/test.sh does)")
	}
}

// tofu runs the CLI in dir with a private data directory and returns its
// combined output.
func tofu(t *testing.T, dir string, env map[string]string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(harness.tofu, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+harness.cliConfig, "CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1", "TF_INPUT=0", "TF_DATA_DIR="+filepath.Join(t.TempDir(), "tfdata"))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// passed is tofu test's closing line when every run passed.
var passed = regexp.MustCompile(`(?m)^Success! (\d+) passed, 0 failed`)

// tofuTest runs `tofu test` in a module and fails with its output.
func tofuTest(t *testing.T, module string, env map[string]string) {
	t.Helper()
	dir, err := filepath.Abs(module)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tofu(t, dir, env, "test", "-no-color")
	t.Log(out)
	if err != nil {
		t.Fatalf("tofu test in %s: %v", module, err)
	}
	if m := passed.FindStringSubmatch(out); m == nil || m[1] == "0" {
		t.Fatalf("tofu test in %s: got no \"Success! N passed, 0 failed\" with N > 0", module)
	}
}

// TestCollectorModule runs the collector module's tofu tests: plan and
// apply of its rendering, and the refusals of bad inputs.
func TestCollectorModule(t *testing.T) {
	needTofu(t)
	tofuTest(t, "collector", nil)
}

// TestTenantModule runs the tenant module's tofu tests against the real
// collector: onboarding, a sensor added and rotated, a webhook dropped.
func TestTenantModule(t *testing.T) {
	needTofu(t)
	tofuTest(t, "tenant", harness.collector.Env())
	// tofu test destroys what it made: nothing may be left behind.
	api := adminClient(t)
	if _, err := api.Tenant(context.Background(), "tftest-acme"); !client.IsNotFound(err) {
		t.Fatalf("tenant tftest-acme after tofu test: got err %v, want 404", err)
	}
}

func adminClient(t *testing.T) *client.Client {
	t.Helper()
	c := harness.collector
	pem, err := os.ReadFile(c.CACertFile)
	if err != nil {
		t.Fatal(err)
	}
	api, err := client.New(client.Config{URL: c.URL, Username: c.Username, Password: c.Password, Tenant: c.Tenant, CACertPEM: pem})
	if err != nil {
		t.Fatal(err)
	}
	return api
}

// selfSigned makes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "module test collector"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
}

// TestCollectorModuleBootsCollector renders a collector's files with the
// module (own TLS certificate, embedded store, admin password), installs
// them as cloud-init would, and starts the real collector from them: it
// must serve HTTPS with that certificate and let the admin log in.
func TestCollectorModuleBootsCollector(t *testing.T) {
	needTofu(t)
	work := t.TempDir()
	etc, data := filepath.Join(work, "etc"), filepath.Join(work, "data")
	cert, key := selfSigned(t)
	port, err := testcollector.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	moduleDir, err := filepath.Abs("collector")
	if err != nil {
		t.Fatal(err)
	}
	const password = "module-admin-password"
	root := fmt.Sprintf(`
module "collector" {
  source              = %q
  listen_address      = "127.0.0.1"
  https_port          = %d
  udp_port            = null
  config_dir          = %q
  data_dir            = %q
  tls_certificate_pem = var.cert
  tls_private_key_pem = var.key
  admin_password      = %q
  log_level           = "warn"
}

variable "cert" { type = string }
variable "key" {
  type      = string
  sensitive = true
}

# cloud-init's files as JSON, so that the test needs no YAML parser.
output "write_files" {
  value     = jsonencode(yamldecode(module.collector.cloud_init).write_files)
  sensitive = true
}
`, moduleDir, port, etc, data, password)
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(root), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TF_VAR_cert": cert, "TF_VAR_key": key}
	// One data directory for init, apply and output.
	tfdata := filepath.Join(work, ".tfdata")
	env["TF_DATA_DIR"] = tfdata
	for _, args := range [][]string{{"init", "-no-color"}, {"apply", "-auto-approve", "-no-color"}} {
		if out, err := tofu(t, work, env, args...); err != nil {
			t.Fatalf("tofu %s: %v\n%s", args[0], err, out)
		}
	}
	out, err := tofu(t, work, env, "output", "-raw", "write_files")
	if err != nil {
		t.Fatalf("tofu output: %v\n%s", err, out)
	}
	files := installFiles(t, out, etc)
	envFile, ok := files["/etc/default/spoor-collector"]
	if !ok {
		t.Fatalf("cloud-init writes no /etc/default/spoor-collector; got %v", keys(files))
	}
	wantEnv := "SPOOR_ADMIN_PASSWORD='" + password + "'\n"
	if envFile != wantEnv {
		t.Fatalf("environment file: got %q, want %q", envFile, wantEnv)
	}
	c, err := testcollector.StartConfigured(context.Background(), harness.spoor, work,
		fmt.Sprintf("https://127.0.0.1:%d", port), filepath.Join(etc, "tls", "collector.crt"),
		[]string{"collector", "--config", filepath.Join(etc, "spoor.yaml")},
		[]string{"SPOOR_ADMIN_PASSWORD=" + password})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	}()
	api, err := client.New(client.Config{URL: c.URL, Username: "admin", Password: password, CACertPEM: []byte(cert)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := api.Tenant(context.Background(), "mssp")
	if err != nil {
		t.Fatalf("admin of the module-rendered collector: %v", err)
	}
	if got.ID != "mssp" {
		t.Fatalf("operator tenant: got %q, want mssp", got.ID)
	}
	if _, err := os.Stat(filepath.Join(data, "tls")); err == nil {
		t.Errorf("the collector generated a self-signed certificate in %s/tls although the module gave it one", data)
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// installFiles writes cloud-init's write_files that belong under dir (the
// configuration and TLS files) with their modes, as cloud-init would, and
// returns every file's content by path.
func installFiles(t *testing.T, writeFilesJSON, dir string) map[string]string {
	t.Helper()
	var list []struct{ Path, Permissions, Content string }
	if err := json.Unmarshal([]byte(writeFilesJSON), &list); err != nil {
		t.Fatalf("write_files: %v", err)
	}
	out := make(map[string]string, len(list))
	for _, f := range list {
		out[f.Path] = f.Content
		if !strings.HasPrefix(f.Path, dir+"/") {
			continue
		}
		mode, err := strconv.ParseUint(f.Permissions, 8, 32)
		if err != nil {
			t.Fatalf("%s: permissions %q: %v", f.Path, f.Permissions, err)
		}
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f.Path, []byte(f.Content), os.FileMode(mode)); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
