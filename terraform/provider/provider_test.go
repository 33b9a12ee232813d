package provider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// otherCA makes a CA certificate that did not sign the collector's.
func otherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "not the collector"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// TestAccProviderConfig shows what a misconfigured provider says: a wrong
// password, a collector certificate the CA does not vouch for, an
// unreadable CA file, and a missing URL; then the environment's settings
// work.
func TestAccProviderConfig(t *testing.T) {
	const data = `
data "spoor_tenant" "op" {
  id = "mssp"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers,
		Steps: []resource.TestStep{
			{
				// Explicit settings win over the environment. (Not the
				// admin's name: failed logins count towards its lockout.)
				Config: `provider "spoor" {
  username = "nobody"
  password = "not-the-password"
}` + data,
				ExpectError: regexp.MustCompile(`(?s)cannot log in.*401.*Check the provider's username and password`),
			},
			{
				Config: fmt.Sprintf(`provider "spoor" {
  ca_certificate = <<EOT
%sEOT
}`, otherCA(t)) + data,
				ExpectError: regexp.MustCompile(`(?s)certificate.*Give the provider the collector's CA certificate`),
			},
			{
				Config:      `provider "spoor" { ca_certificate_file = "/nonexistent/collector.crt" }` + data,
				ExpectError: regexp.MustCompile(`(?s)Cannot read the CA certificate.*no such file`),
			},
			{
				Config:      `provider "spoor" { url = "" }` + data,
				ExpectError: regexp.MustCompile(`(?s)Missing provider setting.*SPOOR_URL`),
			},
			{
				// The environment's settings and CA work.
				Config: data,
				Check:  resource.TestCheckResourceAttr("data.spoor_tenant.op", "time_zone", "UTC"),
			},
		},
	})
}
