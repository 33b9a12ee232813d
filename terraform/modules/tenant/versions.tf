terraform {
  required_version = ">= 1.11.0" # write-only attributes (the admin's password)
  required_providers {
    spoor = {
      source = "spoorsec/spoor"
    }
  }
}
