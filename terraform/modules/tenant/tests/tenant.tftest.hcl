# Onboards a customer against a running collector (the provider reads
# SPOOR_URL, SPOOR_USERNAME, SPOOR_PASSWORD and SPOOR_CA_CERTIFICATE_FILE)
# and checks the sensor configuration files it renders.

variables {
  tenant_id      = "tftest-acme"
  name           = "Acme Corp"
  time_zone      = "Europe/Berlin"
  admin_username = "acme.admin"
  admin_password = "acme-admin-password-1"
  collector_url  = "https://collector.example.net:8443"
  sensors = {
    "edge-gw-1" = { interfaces = ["eth1"] }
    "branch-7"  = { transport = "udp" }
  }
  custom_trails = {
    "evil.example" = "acme threat intel"
    "203.0.113.66" = "acme threat intel"
  }
  whitelist = {
    "updates.example.org" = "patch server"
  }
  webhook = {
    url          = "https://hooks.example.com/acme?token=t0k3n"
    min_severity = "medium"
  }
}

run "onboard" {
  command = apply

  assert {
    condition     = output.tenant_id == "tftest-acme" && spoor_tenant.this.time_zone == "Europe/Berlin"
    error_message = "the tenant must be created as given"
  }
  assert {
    condition     = spoor_user.admin.role == "tenant-admin" && spoor_user.admin.id == "tftest-acme/acme.admin"
    error_message = "the admin must be a tenant-admin of the tenant"
  }
  assert {
    condition     = length(output.sensor_ids) == 2 && alltrue([for id in values(output.sensor_ids) : startswith(id, "s")])
    error_message = "both sensors must be enrolled"
  }
  assert {
    condition = yamldecode(nonsensitive(output.sensor_configs["edge-gw-1"])).sensor == {
      name       = "edge-gw-1"
      interfaces = ["eth1"]
      trails     = "/var/lib/spoor/trails/trails.bin"
      log_dir    = "/var/log/spoor/edge-gw-1"
      tenant     = "tftest-acme"
      collector  = "https://collector.example.net:8443"
      token      = nonsensitive(spoor_sensor.this["edge-gw-1"].token)
      ca         = "/etc/spoor/collector.crt"
    }
    error_message = "the HTTPS sensor's configuration must carry its token, tenant, collector and CA"
  }
  assert {
    condition     = startswith(yamldecode(nonsensitive(output.sensor_configs["edge-gw-1"])).sensor.token, "spoor_s_")
    error_message = "the token must be a sensor token"
  }
  assert {
    condition = yamldecode(nonsensitive(output.sensor_configs["branch-7"])).sensor.collector == "udp://collector.example.net:8443" && (
      yamldecode(nonsensitive(output.sensor_configs["branch-7"])).sensor.udp_key_id == spoor_sensor.this["branch-7"].udp_key_id
    ) && !can(yamldecode(nonsensitive(output.sensor_configs["branch-7"])).sensor.token)
    error_message = "the UDP sensor's configuration must carry its UDP key and no token"
  }
  assert {
    condition     = spoor_custom_trails.this[0].entries == tomap(var.custom_trails) && spoor_whitelist.this[0].entries == tomap(var.whitelist)
    error_message = "the lists must hold what was given"
  }
  assert {
    condition     = startswith(nonsensitive(output.webhook_secret), "whsec_") && spoor_webhook.this[0].min_severity == "medium"
    error_message = "the webhook must exist and its secret be output"
  }
}

run "add_sensor_rotate_and_drop_webhook" {
  command = apply

  variables {
    sensors = {
      "edge-gw-1" = { interfaces = ["eth1"], rotation = "2" }
      "branch-7"  = { transport = "udp" }
      "dc-core"   = { interfaces = ["bond0", "bond1"] }
    }
    webhook = null
    # Test-only variables: OpenTofu reads run.<name> in variables, not in
    # assertions.
    onboard_sensor_ids     = run.onboard.sensor_ids
    onboard_sensor_configs = run.onboard.sensor_configs
  }

  assert {
    condition     = length(output.sensor_ids) == 3 && var.onboard_sensor_ids["branch-7"] == output.sensor_ids["branch-7"]
    error_message = "a new sensor must be enrolled without touching the others"
  }
  assert {
    condition     = var.onboard_sensor_ids["edge-gw-1"] == output.sensor_ids["edge-gw-1"] && yamldecode(nonsensitive(var.onboard_sensor_configs["edge-gw-1"])).sensor.token != yamldecode(nonsensitive(output.sensor_configs["edge-gw-1"])).sensor.token
    error_message = "rotation must give the same sensor a new token"
  }
  assert {
    condition     = yamldecode(nonsensitive(output.sensor_configs["dc-core"])).sensor.interfaces == ["bond0", "bond1"]
    error_message = "the new sensor's configuration must list its interfaces"
  }
  assert {
    condition     = length(spoor_webhook.this) == 0 && output.webhook_secret == null
    error_message = "webhook = null must remove the webhook"
  }
}

run "bad_transport_refused" {
  command = plan

  variables {
    sensors = { "x" = { transport = "carrier-pigeon" } }
  }

  expect_failures = [var.sensors]
}
