package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/spoorsec/spoor/terraform/internal/client"
)

func tenantConfig(id, name string, retention int, zone string) string {
	return fmt.Sprintf(`
resource "spoor_tenant" "t" {
  id             = %q
  name           = %q
  retention_days = %d
  time_zone      = %q
}
`, id, name, retention, zone)
}

// wantTenant checks the collector holds the tenant as given.
func wantTenant(id, name string, retention int64, zone string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := api.Tenant(context.Background(), id)
		if err != nil {
			return err
		}
		want := client.Tenant{ID: id, Name: name, RetentionDays: retention, TimeZone: zone, CreatedAt: got.CreatedAt}
		if got != want {
			return fmt.Errorf("collector has %+v, want %+v", got, want)
		}
		return nil
	}
}

// TestAccTenant creates, updates in place, imports and deletes a tenant,
// and shows that a change made outside Terraform appears in the plan and
// is undone by apply, and that a tenant deleted outside is re-created.
func TestAccTenant(t *testing.T) {
	id := acctest.RandomWithPrefix("tf-tenant")
	addr := "spoor_tenant.t"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers,
		CheckDestroy: func(*terraform.State) error {
			if _, err := api.Tenant(context.Background(), id); !client.IsNotFound(err) {
				return fmt.Errorf("tenant %s after destroy: got err %v, want 404", id, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: tenantConfig(id, "Acme Corp", 30, "Europe/Berlin"),
				Check:  wantTenant(id, "Acme Corp", 30, "Europe/Berlin"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT`))),
				},
			},
			{
				Config: tenantConfig(id, "Acme Corporation", 365, "America/New_York"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: wantTenant(id, "Acme Corporation", 365, "America/New_York"),
			},
			{
				ResourceName: addr, ImportState: true, ImportStateId: id, ImportStateVerify: true,
			},
			{
				// Drift: renamed outside Terraform; the plan shows it.
				PreConfig: func() {
					if _, err := api.UpdateTenant(context.Background(), client.Tenant{ID: id, Name: "Renamed by hand",
						RetentionDays: 365, TimeZone: "America/New_York"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             tenantConfig(id, "Acme Corporation", 365, "America/New_York"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// Apply undoes the drift in place.
				Config: tenantConfig(id, "Acme Corporation", 365, "America/New_York"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("Acme Corporation")),
				}},
				Check: wantTenant(id, "Acme Corporation", 365, "America/New_York"),
			},
			{
				// Deleted outside Terraform: the plan re-creates it.
				PreConfig: func() {
					if err := api.DeleteTenant(context.Background(), id); err != nil {
						t.Fatal(err)
					}
				},
				Config: tenantConfig(id, "Acme Corporation", 365, "America/New_York"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
				Check: wantTenant(id, "Acme Corporation", 365, "America/New_York"),
			},
		},
	})
}

// TestAccTenantErrors shows the collector's refusals as diagnostics.
func TestAccTenantErrors(t *testing.T) {
	id := acctest.RandomWithPrefix("tf-bad")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers,
		Steps: []resource.TestStep{
			{
				// Checked by the provider before anything is sent.
				Config:      tenantConfig("Upper_Case", "x", 30, "UTC"),
				ExpectError: regexp.MustCompile(`must be 1 to 64 characters of a-z 0-9 - _`),
			},
			{
				// Checked by the collector: its message reaches the user.
				Config:      tenantConfig(id, "x", 30, "Mars/Olympus_Mons"),
				ExpectError: regexp.MustCompile(`(?s)Cannot create tenant.*400 Bad Request.*time_zone must be an IANA time zone`),
			},
			{
				// The operator tenant exists: 409 with a hint to import it.
				Config:      tenantConfig("mssp", "Operator", 90, "UTC"),
				ExpectError: regexp.MustCompile(`(?s)409 Conflict.*tenant mssp already exists`),
			},
		},
	})
}
