package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/spoorsec/spoor/terraform/internal/client"
)

func userConfig(tenant, role string, disabled bool, password, version string) string {
	return fmt.Sprintf(`
resource "spoor_tenant" "t" {
  id   = %q
  name = "User test"
}

resource "spoor_user" "u" {
  tenant           = spoor_tenant.t.id
  username         = "soc.lead@example.com"
  role             = %q
  disabled         = %t
  password         = %q
  password_version = %q
}
`, tenant, role, disabled, password, version)
}

// canLogIn checks whether the user can log in with password.
func canLogIn(tenant, password string, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		pem, err := os.ReadFile(collector.CACertFile)
		if err != nil {
			return err
		}
		c, err := client.New(client.Config{URL: collector.URL, Username: "soc.lead@example.com",
			Password: password, Tenant: tenant, CACertPEM: pem})
		if err != nil {
			return err
		}
		_, err = c.Tenant(context.Background(), tenant)
		if got := err == nil; got != want {
			return fmt.Errorf("login with %q: got success %t (%v), want %t", password, got, err, want)
		}
		return nil
	}
}

func wantUser(tenant, role string, disabled bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		u, err := api.User(context.Background(), tenant, "soc.lead@example.com")
		if err != nil {
			return err
		}
		if u.Role != role || u.Disabled != disabled {
			return fmt.Errorf("collector has role %s disabled %t, want %s %t", u.Role, u.Disabled, role, disabled)
		}
		return nil
	}
}

// TestAccUser shows the write-only password reaching the collector (the
// user logs in with it) without entering state, a password change through
// password_version, role and disabled updated in place, import, and drift.
func TestAccUser(t *testing.T) {
	tenant := acctest.RandomWithPrefix("tf-user")
	addr := "spoor_user.u"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers,
		Steps: []resource.TestStep{
			{
				Config: userConfig(tenant, "tenant-admin", false, "first-password-123", "1"),
				Check: resource.ComposeAggregateTestCheckFunc(
					wantUser(tenant, "tenant-admin", false),
					canLogIn(tenant, "first-password-123", true),
					resource.TestCheckNoResourceAttr(addr, "password"),
					resource.TestCheckResourceAttr(addr, "id", tenant+"/soc.lead@example.com"),
				),
			},
			{
				// A new password without a new version is not sent.
				Config:   userConfig(tenant, "tenant-admin", false, "second-password-456", "1"),
				PlanOnly: true,
			},
			{
				Config: userConfig(tenant, "analyst", false, "second-password-456", "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					wantUser(tenant, "analyst", false),
					canLogIn(tenant, "second-password-456", true),
					canLogIn(tenant, "first-password-123", false),
				),
			},
			{
				ResourceName: addr, ImportState: true, ImportStateId: tenant + "/soc.lead@example.com",
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"password_version"},
			},
			{
				// Drift: disabled outside Terraform; the plan shows it.
				PreConfig: func() {
					yes := true
					if _, err := api.UpdateUser(context.Background(), tenant, "soc.lead@example.com", client.UserChange{Disabled: &yes}); err != nil {
						t.Fatal(err)
					}
				},
				Config: userConfig(tenant, "analyst", false, "second-password-456", "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					wantUser(tenant, "analyst", false),
					canLogIn(tenant, "second-password-456", true),
				),
			},
			{
				Config: userConfig(tenant, "viewer", true, "second-password-456", "2"),
				Check: resource.ComposeAggregateTestCheckFunc(
					wantUser(tenant, "viewer", true),
					canLogIn(tenant, "second-password-456", false),
				),
			},
			{
				// The collector refuses mssp-admin outside the operator tenant.
				Config:      userConfig(tenant, "mssp-admin", true, "second-password-456", "2"),
				ExpectError: regexp.MustCompile(`(?s)Cannot update user.*mssp-admin exists only in the operator tenant`),
			},
		},
	})
}
