package provider

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/spoorsec/spoor/terraform/internal/client"
	"github.com/spoorsec/spoor/terraform/internal/testcollector"
)

// collector is the real collector the acceptance tests run against; nil
// without TF_ACC (the tests then skip).
var collector *testcollector.Collector

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "spoor-tfacc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	root, err := testcollector.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	bin, err := testcollector.SpoorBinary(root, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	collector, err = testcollector.Start(ctx, bin, dir)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot start a collector:", err)
		return 1
	}
	if api, err = newAdminClient(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		collector.Stop()
		return 1
	}
	for k, v := range collector.Env() {
		os.Setenv(k, v)
	}
	code := m.Run()
	if err := collector.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "collector:", err)
		if code == 0 {
			code = 1
		}
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "collector log (tail):\n%s\n", collector.LogTail(30))
	}
	return code
}

// providers serves this provider in-process to the CLI.
var providers = map[string]func() (tfprotov6.ProviderServer, error){
	"spoor": providerserver.NewProtocol6WithError(New("test")()),
}

// api is a client logged in as the collector's MSSP admin, for changing
// things outside Terraform and checking what Terraform did (only set
// under TF_ACC, so use it in PreConfig and Check functions).
var api *client.Client

func newAdminClient() (*client.Client, error) {
	pem, err := os.ReadFile(collector.CACertFile)
	if err != nil {
		return nil, err
	}
	return client.New(client.Config{URL: collector.URL, Username: collector.Username,
		Password: collector.Password, Tenant: collector.Tenant, CACertPEM: pem})
}
