output "config_yaml" {
  description = "spoor.yaml for the collector (install at config_path)."
  value       = local.config_yaml
  sensitive   = true # may carry the ClickHouse DSN and signing keys

  precondition {
    condition     = local.embedded || length(var.signing_keys) > 0
    error_message = "With clickhouse_dsn, give signing_keys: every collector replica must sign API tokens with the same keys."
  }
  precondition {
    condition     = local.embedded || var.chdb_library_url == null
    error_message = "chdb_library_url is for the embedded engine; a collector on clickhouse_dsn does not load it."
  }
  precondition {
    condition     = var.clickhouse_cluster == null || !local.embedded
    error_message = "clickhouse_cluster needs clickhouse_dsn."
  }
  precondition {
    condition     = (var.tls_certificate_pem == null) == (var.tls_private_key_pem == null)
    error_message = "Give both tls_certificate_pem and tls_private_key_pem, or neither (self-signed)."
  }
  precondition {
    condition     = (var.spoor_binary_url == null) == (var.spoor_binary_sha256 == null) && (var.chdb_library_url == null) == (var.chdb_library_sha256 == null)
    error_message = "Every download URL needs its sha256, and a sha256 its URL."
  }
  precondition {
    condition     = local.signing_key_id == null || contains(keys(var.signing_keys), coalesce(local.signing_key_id, "-"))
    error_message = "signing_key_id must name one of signing_keys."
  }
}

output "config_path" {
  description = "Where the unit reads the configuration."
  value       = local.config_path
}

output "systemd_unit" {
  description = "spoor-collector.service (identical to deploy/systemd/spoor-collector.service)."
  value       = local.systemd_unit
}

output "systemd_dropin" {
  description = "Drop-in for spoor-collector.service.d when config_dir is not /etc/spoor (null otherwise)."
  value       = local.systemd_dropin
}

output "environment_file" {
  description = "Contents of /etc/default/spoor-collector (the first admin's password)."
  value       = local.environment_file
  sensitive   = true
}

output "cloud_init" {
  description = "cloud-init user data (#cloud-config) that installs and starts the collector."
  value       = local.cloud_init
  sensitive   = true
}

output "listen" {
  description = "HTTPS listen address."
  value       = local.listen
}

output "udp_listen" {
  description = "UDP ingest address: \"off\", or null when it shares the HTTPS address."
  value       = local.udp_listen
}

output "ca_certificate_path" {
  description = "On the host: the certificate sensors and the provider must trust (yours, or the self-signed one the collector generates on first start)."
  value       = local.ca_certificate_path
}

output "firewall_rules" {
  description = "Inbound ports to open: [{protocol, port, description}]."
  value       = local.firewall_rules
}
