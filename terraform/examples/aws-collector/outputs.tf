output "collector_url" {
  description = "The collector's URL for sensors, operators and the Spoor provider."
  value       = "https://${aws_instance.collector.public_dns}:8443"
}

output "ca_certificate_path" {
  description = "On the instance: the self-signed certificate to give sensors and the provider (fetch it with SSM)."
  value       = module.collector.ca_certificate_path
}
