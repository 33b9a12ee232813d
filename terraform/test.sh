#!/usr/bin/env bash
# Tests Spoor's Terraform provider and modules with a real OpenTofu CLI and
# a real collector: builds OpenTofu (tools/build-tofu.sh, minutes the first
# time, then cached) and spoor, checks formatting (gofmt, tofu fmt), vets,
# and runs every Go test of this module with TF_ACC=1: the provider's
# acceptance tests, the modules' `tofu test` runs and the examples' HCL
# checks. Each test binary that needs one starts its own collector.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
export PATH="$PATH:/usr/local/go/bin"

tofu=$(bash "$here/tools/build-tofu.sh")
export CHDB_LIB_PATH="${CHDB_LIB_PATH:-$(bash "$root/scripts/chdb.sh")}"
mkdir -p "$root/.cache/spoor-tf"
(cd "$root" && go build -o "$root/.cache/spoor-tf/spoor" ./cmd/spoor)
export SPOOR_BIN="$root/.cache/spoor-tf/spoor"

export TF_CLI_CONFIG_FILE="$here/tools/tofurc" CHECKPOINT_DISABLE=1
cd "$here"
unformatted=$(gofmt -l .)
[ -z "$unformatted" ] || { echo "terraform/test.sh: gofmt needed: $unformatted" >&2; exit 1; }
"$tofu" fmt -check -recursive -diff .
go vet ./...

export TF_ACC=1 TF_ACC_TERRAFORM_PATH="$tofu" TF_ACC_PROVIDER_HOST=registry.opentofu.org
# One package at a time: each starts an embedded-ClickHouse collector.
go test -count=1 -p 1 -timeout 30m ./...
