variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-central-1"
}

variable "name" {
  description = "Name prefix of the resources."
  type        = string
  default     = "spoor-collector"
}

variable "vpc_id" {
  description = "VPC of the collector."
  type        = string
}

variable "subnet_id" {
  description = "Subnet of the collector (public, or reachable by the sensors)."
  type        = string
}

variable "instance_type" {
  description = "Instance type: the embedded engine wants 4+ GiB of memory."
  type        = string
  default     = "m7i.large"
}

variable "data_volume_gib" {
  description = "Size of the event store's volume."
  type        = number
  default     = 200
}

variable "sensor_cidrs" {
  description = "Networks the sensors ship from (HTTPS and UDP ingest)."
  type        = list(string)
}

variable "admin_cidrs" {
  description = "Networks of the MSSP's operators (API, dashboard); SSH is not opened, use SSM."
  type        = list(string)
}

variable "admin_password" {
  description = "First MSSP admin's password."
  type        = string
  sensitive   = true
}

variable "spoor_binary_url" {
  description = "Where the instance downloads the spoor binary."
  type        = string
}

variable "spoor_binary_sha256" {
  description = "Its SHA-256."
  type        = string
}

variable "chdb_library_url" {
  description = "Where the instance downloads libchdb.so."
  type        = string
}

variable "chdb_library_sha256" {
  description = "Its SHA-256."
  type        = string
}
