variable "tenant_id" {
  description = "Tenant ID: 1 to 64 characters of a-z 0-9 - _."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9_-]{1,64}$", var.tenant_id))
    error_message = "tenant_id must be 1 to 64 characters of a-z 0-9 - _."
  }
}

variable "name" {
  description = "The customer's display name."
  type        = string
}

variable "retention_days" {
  description = "Days events are kept (1 to 3650)."
  type        = number
  default     = 90
}

variable "time_zone" {
  description = "IANA time zone whose midnights bound the tenant's days."
  type        = string
  default     = "UTC"
}

variable "admin_username" {
  description = "The tenant's first administrator (role tenant-admin)."
  type        = string
}

variable "admin_password" {
  description = "That administrator's password, sent write-only (never stored in state)."
  type        = string
  sensitive   = true
}

variable "admin_password_version" {
  description = "Change it to send admin_password again (e.g. after changing it)."
  type        = string
  default     = "1"
}

variable "sensors" {
  description = "Sensors to enroll, by name: the interfaces each captures on, and whether it ships over HTTPS (batches, spooled) or UDP (signed datagrams)."
  type = map(object({
    interfaces = optional(list(string), ["any"])
    transport  = optional(string, "https")
    rotation   = optional(string, "1")
  }))
  default = {}
  validation {
    condition     = alltrue([for s in var.sensors : contains(["https", "udp"], s.transport)])
    error_message = "A sensor's transport must be https or udp."
  }
}

variable "custom_trails" {
  description = "The tenant's own trails (IP, network, domain or host/path, as the collector stores them: lower case, no scheme) => info."
  type        = map(string)
  default     = {}
}

variable "whitelist" {
  description = "Entries never reported for this tenant => comment."
  type        = map(string)
  default     = {}
}

variable "webhook" {
  description = "A webhook alert for this tenant's events, or null."
  type = object({
    url              = string
    min_severity     = optional(string, "high")
    throttle_seconds = optional(number, 300)
  })
  default   = null
  sensitive = true
}

variable "collector_url" {
  description = "The collector's HTTPS URL as sensors reach it, e.g. https://collector.example.net:8443."
  type        = string
  validation {
    condition     = can(regex("^https://[^/]+$", var.collector_url))
    error_message = "collector_url must be https://HOST[:PORT] with no path."
  }
}

variable "collector_udp_address" {
  description = "HOST:PORT of the collector's UDP ingest, for sensors with transport udp (default: the host and port of collector_url)."
  type        = string
  default     = null
}

variable "collector_ca_path" {
  description = "Path, on the sensor hosts, of the collector's CA certificate (null if its certificate is publicly trusted)."
  type        = string
  default     = "/etc/spoor/collector.crt"
}

variable "trails_path" {
  description = "The trail set on the sensor hosts (from `spoor trails update`)."
  type        = string
  default     = "/var/lib/spoor/trails/trails.bin"
}
