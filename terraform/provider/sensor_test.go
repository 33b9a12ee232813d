package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func sensorConfig(tenant, name, rotation string, revoked bool) string {
	return fmt.Sprintf(`
resource "spoor_tenant" "t" {
  id   = %q
  name = "Sensor test"
}

resource "spoor_sensor" "s" {
  tenant   = spoor_tenant.t.id
  name     = %q
  rotation = %q
  revoked  = %t
}

data "spoor_sensors" "all" {
  tenant     = spoor_tenant.t.id
  depends_on = [spoor_sensor.s]
}

data "spoor_tenant" "t" {
  id         = spoor_tenant.t.id
  depends_on = [spoor_tenant.t]
}
`, tenant, name, rotation, revoked)
}

// ingestStatus posts an empty batch with token and returns the status:
// the collector answers 401 to an unknown token, 403 to a revoked one,
// and something else (the batch is malformed) to a valid one.
func ingestStatus(token string) (int, error) {
	hc, err := collector.HTTPClient()
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequest(http.MethodPost, collector.URL+"/api/v1/ingest", strings.NewReader(""))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// tokenAccepted checks the collector's verdict on the sensor's token in
// state; credentials are cached for a second, so it retries briefly.
func tokenAccepted(addr string, want bool, saved *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		tok := rs.Primary.Attributes["token"]
		if saved != nil && *saved != "" {
			tok = *saved // an earlier token, kept by rememberToken
		}
		var status int
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
			var err error
			if status, err = ingestStatus(tok); err != nil {
				return err
			}
			if (status != http.StatusUnauthorized && status != http.StatusForbidden) == want {
				return nil
			}
		}
		return fmt.Errorf("ingest with the token: got %d, want accepted=%t", status, want)
	}
}

func rememberToken(addr string, into *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		*into = s.RootModule().Resources[addr].Primary.Attributes["token"]
		if *into == "" {
			return fmt.Errorf("%s has no token", addr)
		}
		return nil
	}
}

// TestAccSensor enrolls a sensor whose token the collector accepts,
// rotates it (new token and UDP key; the old token stops working),
// imports it, re-creates it after deletion outside Terraform, shows an
// outside revocation as a planned replacement, and revokes it.
func TestAccSensor(t *testing.T) {
	tenant := acctest.RandomWithPrefix("tf-sensor")
	addr := "spoor_sensor.s"
	var first string
	differ := statecheck.CompareValue(compare.ValuesDiffer())
	keyDiffer := statecheck.CompareValue(compare.ValuesDiffer())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providers,
		Steps: []resource.TestStep{
			{
				Config: sensorConfig(tenant, "edge-gw-1", "r1", false),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("token"), knownvalue.StringRegexp(regexp.MustCompile(`^spoor_s_`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("udp_key"), knownvalue.NotNull()),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("token")),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("udp_key")),
					differ.AddStateValue(addr, tfjsonpath.New("token")),
					keyDiffer.AddStateValue(addr, tfjsonpath.New("udp_key")),
					statecheck.ExpectKnownValue("data.spoor_sensors.all", tfjsonpath.New("sensors"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"name": knownvalue.StringExact("edge-gw-1"), "revoked": knownvalue.Bool(false), "last_seen": knownvalue.Null(),
						}),
					})),
					statecheck.ExpectKnownValue("data.spoor_tenant.t", tfjsonpath.New("name"), knownvalue.StringExact("Sensor test")),
					statecheck.ExpectKnownValue("data.spoor_tenant.t", tfjsonpath.New("retention_days"), knownvalue.Int64Exact(90)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					tokenAccepted(addr, true, nil),
					rememberToken(addr, &first),
					resource.TestCheckResourceAttrPair(addr, "sensor_id", "data.spoor_sensors.all", "sensors.0.id"),
					resource.TestCheckResourceAttrPair(addr, "udp_key_id", "data.spoor_sensors.all", "sensors.0.udp_key_id"),
				),
			},
			{
				Config: sensorConfig(tenant, "edge-gw-1", "r2", false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("token")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					differ.AddStateValue(addr, tfjsonpath.New("token")),
					keyDiffer.AddStateValue(addr, tfjsonpath.New("udp_key")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					tokenAccepted(addr, true, nil),
					tokenAccepted(addr, false, &first),
				),
			},
			{
				ResourceName: addr, ImportState: true, ImportStateIdFunc: stateID(addr),
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"token", "udp_key", "rotation"},
			},
			{
				// Deleted outside Terraform: the plan enrolls it again.
				PreConfig: func() {
					deleteAllSensors(t, tenant)
				},
				Config: sensorConfig(tenant, "edge-gw-1", "r2", false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
				Check: tokenAccepted(addr, true, nil),
			},
			{
				// Revoked outside Terraform: un-revoking means a new sensor.
				PreConfig: func() {
					list, err := api.Sensors(context.Background(), tenant)
					if err != nil || len(list) != 1 {
						t.Fatalf("sensors: got %v %v, want one", list, err)
					}
					if _, err := api.RevokeSensor(context.Background(), tenant, list[0].ID); err != nil {
						t.Fatal(err)
					}
				},
				Config:             sensorConfig(tenant, "edge-gw-1", "r2", false),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: sensorConfig(tenant, "edge-gw-1", "r2", false),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: tokenAccepted(addr, true, nil),
			},
			{
				Config: sensorConfig(tenant, "edge-gw-1", "r2", true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "revoked", "true"),
					tokenAccepted(addr, false, nil),
				),
			},
			{
				Config:      sensorConfig(tenant, "edge-gw-1", "r3", true),
				ExpectError: regexp.MustCompile(`Cannot rotate a revoked sensor`),
			},
		},
	})
}

// stateID returns the id attribute of addr, as import wants it.
func stateID(addr string) resource.ImportStateIdFunc {
	return func(s *terraform.State) (string, error) {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return "", fmt.Errorf("%s not in state", addr)
		}
		return rs.Primary.ID, nil
	}
}

func deleteAllSensors(t *testing.T, tenant string) {
	t.Helper()
	list, err := api.Sensors(context.Background(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if err := api.DeleteSensor(context.Background(), tenant, s.ID); err != nil {
			t.Fatal(err)
		}
	}
}
