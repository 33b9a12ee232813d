# The collector module renders files only: no provider is needed.
terraform {
  required_version = ">= 1.8.0"
}
