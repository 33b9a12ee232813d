#!/usr/bin/env bash
# Sets up and runs every test: vet, unit, golden and real-capture tests
# (fuzz targets run over their seed corpora), the web console in headless
# Chromium, the systemd units (systemd-analyze), and the Terraform provider
# and modules against a real collector with OpenTofu built from source
# (terraform/test.sh; minutes the first time, then cached in .cache/).
# Test data is read from ../shared/testdata beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$PATH:/usr/local/go/bin"
test -d ../shared/testdata || { echo "test: ../shared/testdata is missing" >&2; exit 1; }
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
[ -z "$unformatted" ] || { echo "test: gofmt needed: $unformatted" >&2; exit 1; }
go vet ./...
go test -count=1 -timeout 20m ./...
bash deploy/units-test.sh
bash terraform/test.sh
