output "tenant_id" {
  description = "The tenant's ID."
  value       = spoor_tenant.this.id
}

output "sensor_ids" {
  description = "Sensor name => the collector's sensor ID."
  value       = { for name, s in spoor_sensor.this : name => s.sensor_id }
}

output "sensor_configs" {
  description = "Sensor name => YAML for `spoor sensor --config` (install with mode 0600: it holds the sensor's credentials)."
  value       = local.sensor_configs
  sensitive   = true
}

output "webhook_secret" {
  description = "The webhook's signing secret (verify deliveries with it), or null."
  value       = one(spoor_webhook.this[*].secret)
  sensitive   = true
}
