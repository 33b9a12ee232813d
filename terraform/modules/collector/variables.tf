variable "listen_address" {
  description = "Address the collector listens on for HTTPS (ingest, API, dashboard)."
  type        = string
  default     = "0.0.0.0"
}

variable "https_port" {
  description = "HTTPS port (ingest, API, dashboard, /healthz)."
  type        = number
  default     = 8443
  validation {
    condition     = var.https_port >= 1 && var.https_port <= 65535 && floor(var.https_port) == var.https_port
    error_message = "https_port must be a port number, 1 to 65535."
  }
}

variable "udp_port" {
  description = "UDP ingest port (signed datagrams from sensors); the HTTPS port by default, null turns UDP ingest off."
  type        = number
  default     = 8443
  validation {
    condition     = var.udp_port == null ? true : (var.udp_port >= 1 && var.udp_port <= 65535 && floor(var.udp_port) == var.udp_port)
    error_message = "udp_port must be a port number, 1 to 65535, or null for no UDP ingest."
  }
}

variable "config_dir" {
  description = "Directory of spoor.yaml and the TLS files on the host."
  type        = string
  default     = "/etc/spoor"
}

variable "data_dir" {
  description = "Embedded store's directory (ignored with clickhouse_dsn). The self-signed certificate, if any, is kept in DATA_DIR/tls."
  type        = string
  default     = "/var/lib/spoor/data"
}

variable "data_device" {
  description = "Block device for /var/lib/spoor (e.g. /dev/nvme1n1): waited for (it may be attached after boot), formatted ext4 if blank, mounted by label; null keeps the data on the root disk."
  type        = string
  default     = null
}

variable "clickhouse_dsn" {
  description = "ClickHouse server or cluster DSN (clickhouse://user:pass@host:9000/spoor) instead of the embedded engine."
  type        = string
  default     = null
  sensitive   = true
  validation {
    condition     = var.clickhouse_dsn == null ? true : can(regex("^clickhouse://", var.clickhouse_dsn))
    error_message = "clickhouse_dsn must start with clickhouse://."
  }
}

variable "clickhouse_cluster" {
  description = "ClickHouse cluster name (ON CLUSTER, Replicated tables); only with clickhouse_dsn."
  type        = string
  default     = null
}

variable "signing_keys" {
  description = "API token signing keys, ID => base64 of at least 32 bytes. Required with clickhouse_dsn (every replica needs the same); an embedded collector makes its own."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "signing_key_id" {
  description = "Which of signing_keys signs new tokens (default: the last ID in sort order)."
  type        = string
  default     = null
}

variable "tls_certificate_pem" {
  description = "PEM certificate chain the collector serves; null makes it generate and keep a self-signed one (give that to sensors as their CA)."
  type        = string
  default     = null
}

variable "tls_private_key_pem" {
  description = "PEM private key of tls_certificate_pem."
  type        = string
  default     = null
  sensitive   = true
}

variable "admin_password" {
  description = "Password of the first MSSP admin (user admin in the operator tenant), used on first start only; null makes the collector print one in its log."
  type        = string
  default     = null
  sensitive   = true
  validation {
    condition     = var.admin_password == null ? true : length(var.admin_password) >= 12
    error_message = "admin_password must be at least 12 characters."
  }
}

variable "operator_tenant" {
  description = "Tenant of the MSSP's own users."
  type        = string
  default     = "mssp"
  validation {
    condition     = can(regex("^[a-z0-9_-]{1,64}$", var.operator_tenant))
    error_message = "operator_tenant must be 1 to 64 characters of a-z 0-9 - _."
  }
}

variable "trusted_proxies" {
  description = "Proxies (addresses or networks) whose X-Forwarded-For is trusted."
  type        = list(string)
  default     = []
}

variable "log_level" {
  description = "debug, info, warn or error."
  type        = string
  default     = "info"
  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error."
  }
}

variable "rate_limit" {
  description = "Events per second per sensor (0: unlimited)."
  type        = number
  default     = 0
}

variable "spoor_binary_url" {
  description = "Where cloud-init downloads the spoor binary from (a release asset or an internal mirror); null if the image already has /usr/local/bin/spoor."
  type        = string
  default     = null
}

variable "spoor_binary_sha256" {
  description = "SHA-256 (hex) of the binary at spoor_binary_url; the download is refused on mismatch."
  type        = string
  default     = null
  validation {
    condition     = var.spoor_binary_sha256 == null ? true : can(regex("^[0-9a-f]{64}$", var.spoor_binary_sha256))
    error_message = "spoor_binary_sha256 must be 64 lower-case hex digits."
  }
}

variable "chdb_library_url" {
  description = "Where cloud-init downloads libchdb.so (the embedded engine) from; null if the image already has /usr/local/lib/libchdb.so. Unused with clickhouse_dsn."
  type        = string
  default     = null
}

variable "chdb_library_sha256" {
  description = "SHA-256 (hex) of the library at chdb_library_url."
  type        = string
  default     = null
  validation {
    condition     = var.chdb_library_sha256 == null ? true : can(regex("^[0-9a-f]{64}$", var.chdb_library_sha256))
    error_message = "chdb_library_sha256 must be 64 lower-case hex digits."
  }
}
