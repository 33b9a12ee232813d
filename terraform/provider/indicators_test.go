package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/spoorsec/spoor/terraform/internal/client"
)

func hclMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "    %q = %q\n", k, m[k])
	}
	return b.String()
}

func listsConfig(tenant string, trails, whitelist map[string]string) string {
	return fmt.Sprintf(`
resource "spoor_tenant" "t" {
  id   = %q
  name = "Lists test"
}

resource "spoor_custom_trails" "c" {
  tenant = spoor_tenant.t.id
  entries = {
%s  }
}

resource "spoor_whitelist" "w" {
  tenant = spoor_tenant.t.id
  entries = {
%s  }
}
`, tenant, hclMap(trails), hclMap(whitelist))
}

// wantList checks the collector's list equals want.
func wantList(l client.IndicatorList, tenant string, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := api.Indicators(context.Background(), l, tenant)
		if err != nil {
			return err
		}
		if m := toMap(got); !maps.Equal(m, want) {
			return fmt.Errorf("collector's %s list: got %v, want %v", l.Noun(), m, want)
		}
		return nil
	}
}

// TestAccIndicatorLists manages a tenant's custom trails and whitelist:
// add, change a note, remove; import; an entry added outside Terraform
// shows in the plan and apply removes it; one removed outside is put
// back; a spelling the collector would store differently is refused at
// plan time.
func TestAccIndicatorLists(t *testing.T) {
	tenant := acctest.RandomWithPrefix("tf-lists")
	trails1 := map[string]string{"evil.example": "apt-x c2", "203.0.113.7": "scanner", "198.51.100.0/24": "bulletproof hosting"}
	white1 := map[string]string{"updates.example.org": "vendor updates", "192.0.2.10": ""}
	trails2 := map[string]string{"evil.example": "apt-x c2 (confirmed)", "bad.example/dl/payload.exe": "dropper"}
	white2 := map[string]string{"updates.example.org": "vendor updates"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers,
		Steps: []resource.TestStep{
			{
				Config: listsConfig(tenant, trails1, white1),
				Check: resource.ComposeAggregateTestCheckFunc(
					wantList(client.CustomTrails, tenant, trails1),
					wantList(client.Whitelist, tenant, white1),
				),
			},
			{
				Config: listsConfig(tenant, trails2, white2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("spoor_custom_trails.c", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("spoor_whitelist.w", plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					wantList(client.CustomTrails, tenant, trails2),
					wantList(client.Whitelist, tenant, white2),
				),
			},
			{ResourceName: "spoor_custom_trails.c", ImportState: true, ImportStateId: tenant, ImportStateVerify: true},
			{ResourceName: "spoor_whitelist.w", ImportState: true, ImportStateId: tenant, ImportStateVerify: true},
			{
				// Drift: a trail added and a whitelist entry removed by hand.
				PreConfig: func() {
					ctx := context.Background()
					if _, err := api.AddIndicators(ctx, client.CustomTrails, tenant, []client.Indicator{{Value: "added-by-hand.example", Note: "manual"}}); err != nil {
						t.Fatal(err)
					}
					if err := api.RemoveIndicators(ctx, client.Whitelist, tenant, []string{"updates.example.org"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             listsConfig(tenant, trails2, white2),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: listsConfig(tenant, trails2, white2),
				Check: resource.ComposeAggregateTestCheckFunc(
					wantList(client.CustomTrails, tenant, trails2),
					wantList(client.Whitelist, tenant, white2),
				),
			},
			{
				Config:      listsConfig(tenant, map[string]string{"Evil.Example": "x"}, white2),
				ExpectError: regexp.MustCompile(`write it in lower case: evil\.example`),
			},
			{
				Config:      listsConfig(tenant, map[string]string{"https://evil.example/x": "x"}, white2),
				ExpectError: regexp.MustCompile(`without the scheme`),
			},
			{
				// Custom trails need an info (the collector would fill one in).
				Config:      listsConfig(tenant, map[string]string{"evil.example": ""}, white2),
				ExpectError: regexp.MustCompile(`(?i)length must be at least 1`),
			},
			{
				// What only the collector can judge fails with its message.
				Config:      listsConfig(tenant, map[string]string{"10.0.0.1/8": "x"}, white2),
				ExpectError: regexp.MustCompile(`(?s)Cannot add custom trails.*host bits set; write 10\.0\.0\.0/8`),
			},
		},
	})
}

// TestAccIndicatorListTakeover refuses to take over a list that already
// has entries, pointing to import instead.
func TestAccIndicatorListTakeover(t *testing.T) {
	tenant := acctest.RandomWithPrefix("tf-take")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
resource "spoor_tenant" "t" {
  id   = %q
  name = "Takeover test"
}
`, tenant),
			},
			{
				PreConfig: func() {
					if _, err := api.AddIndicators(context.Background(), client.Whitelist, tenant, []client.Indicator{{Value: "192.0.2.1"}}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      listsConfig(tenant, map[string]string{"evil.example": "x"}, map[string]string{"192.0.2.1": ""}),
				ExpectError: regexp.MustCompile(`(?s)already has 1 whitelist entries.*tofu import`),
			},
		},
	})
}
