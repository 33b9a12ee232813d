# Onboards one customer: the tenant, its first administrator, its
# sensors, custom trails, whitelist and webhook alert, and a ready
# configuration file for each sensor.

resource "spoor_tenant" "this" {
  id             = var.tenant_id
  name           = var.name
  retention_days = var.retention_days
  time_zone      = var.time_zone
}

resource "spoor_user" "admin" {
  tenant           = spoor_tenant.this.id
  username         = var.admin_username
  role             = "tenant-admin"
  password         = var.admin_password
  password_version = var.admin_password_version
}

resource "spoor_sensor" "this" {
  for_each = var.sensors

  tenant   = spoor_tenant.this.id
  name     = each.key
  rotation = each.value.rotation
}

resource "spoor_custom_trails" "this" {
  count = length(var.custom_trails) > 0 ? 1 : 0

  tenant  = spoor_tenant.this.id
  entries = var.custom_trails
}

resource "spoor_whitelist" "this" {
  count = length(var.whitelist) > 0 ? 1 : 0

  tenant  = spoor_tenant.this.id
  entries = var.whitelist
}

resource "spoor_webhook" "this" {
  # The webhook is sensitive (its URL may carry a token); whether there is
  # one is not.
  count = nonsensitive(var.webhook != null) ? 1 : 0

  tenant           = spoor_tenant.this.id
  url              = var.webhook.url
  min_severity     = var.webhook.min_severity
  throttle_seconds = var.webhook.throttle_seconds
}

locals {
  udp_address = coalesce(var.collector_udp_address, trimprefix(var.collector_url, "https://"))

  # One `spoor sensor --config` file per sensor (keys as in
  # spoor.example.yaml).
  sensor_configs = {
    for name, s in var.sensors : name => "# Spoor sensor ${name} of tenant ${var.tenant_id}; rendered by Terraform, holds credentials (mode 0600).\n${yamlencode({
      sensor = merge(
        {
          name       = name
          interfaces = s.interfaces
          trails     = var.trails_path
          log_dir    = "/var/log/spoor/${name}"
          tenant     = spoor_tenant.this.id
        },
        s.transport == "https" ? {
          collector = var.collector_url
          token     = spoor_sensor.this[name].token
          } : {
          collector  = "udp://${local.udp_address}"
          udp_key_id = spoor_sensor.this[name].udp_key_id
          udp_key    = spoor_sensor.this[name].udp_key
        },
        var.collector_ca_path == null ? {} : { ca = var.collector_ca_path },
      )
    })}"
  }
}
