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

func webhookConfig(tenant, url, severity string, throttle int, enabled bool) string {
	return fmt.Sprintf(`
resource "spoor_tenant" "t" {
  id   = %q
  name = "Webhook test"
}

resource "spoor_webhook" "w" {
  tenant           = spoor_tenant.t.id
  url              = %q
  min_severity     = %q
  throttle_seconds = %d
  enabled          = %t
}
`, tenant, url, severity, throttle, enabled)
}

// wantWebhook checks the collector's only webhook of tenant.
func wantWebhook(tenant, url, severity string, throttle int64, enabled bool) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id := s.RootModule().Resources["spoor_webhook.w"].Primary.Attributes["webhook_id"]
		w, err := api.Webhook(context.Background(), tenant, id)
		if err != nil {
			return err
		}
		got := [4]any{w.URL, w.MinSeverity, w.ThrottleSeconds, w.Enabled}
		if want := [4]any{url, severity, throttle, enabled}; got != want {
			return fmt.Errorf("collector's webhook: got %v, want %v", got, want)
		}
		return nil
	}
}

// TestAccWebhook creates a webhook (its signing secret lands in state,
// sensitive), updates it in place, imports it, and shows a change made
// outside Terraform as drift that apply undoes; the collector's URL
// policy reaches the user as a diagnostic.
func TestAccWebhook(t *testing.T) {
	tenant := acctest.RandomWithPrefix("tf-hook")
	addr := "spoor_webhook.w"
	url := "https://hooks.example.com/services/T0/B0?token=abc"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers,
		Steps: []resource.TestStep{
			{
				Config: webhookConfig(tenant, url, "medium", 60, true),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret"), knownvalue.StringRegexp(regexp.MustCompile(`^whsec_`))),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("secret")),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("url")),
				},
				Check: wantWebhook(tenant, url, "medium", 60, true),
			},
			{
				Config: webhookConfig(tenant, url, "high", 600, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret"), knownvalue.StringRegexp(regexp.MustCompile(`^whsec_`))),
				},
				Check: wantWebhook(tenant, url, "high", 600, false),
			},
			{
				ResourceName: addr, ImportState: true, ImportStateIdFunc: stateID(addr),
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"secret"},
			},
			{
				PreConfig: func() {
					list, err := webhooksOf(tenant)
					if err != nil || len(list) != 1 {
						t.Fatalf("webhooks: got %v %v, want one", list, err)
					}
					if _, err := api.UpdateWebhook(context.Background(), tenant, list[0], client.WebhookRequest{
						URL: "https://attacker.example.net/x", MinSeverity: "low", ThrottleSeconds: 0, Enabled: true}); err != nil {
						t.Fatal(err)
					}
				},
				Config: webhookConfig(tenant, url, "high", 600, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: wantWebhook(tenant, url, "high", 600, false),
			},
			{
				Config:      webhookConfig(tenant, "http://hooks.example.com/x", "high", 600, false),
				ExpectError: regexp.MustCompile(`(?s)Cannot update webhook.*url must be https`),
			},
		},
	})
}

func webhooksOf(tenant string) ([]string, error) {
	var out struct {
		Webhooks []client.Webhook `json:"webhooks"`
	}
	if err := api.Do(context.Background(), "GET", "/tenants/"+tenant+"/webhooks", nil, &out); err != nil {
		return nil, err
	}
	ids := make([]string, len(out.Webhooks))
	for i, w := range out.Webhooks {
		ids[i] = w.ID
	}
	return ids, nil
}
