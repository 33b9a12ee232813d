#!/usr/bin/env bash
# Installs what building and testing Spoor needs on Debian: Go (expected at
# /usr/local/go or on PATH), libpcap headers for the capture filter compiler,
# npm (to fetch the embedded ClickHouse engine), the engine itself
# (scripts/chdb.sh, into the git-ignored .cache/) and the Go modules.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "setup: Go is not installed (https://go.dev/dl/)" >&2; exit 1; }
missing=()
dpkg -s libpcap-dev >/dev/null 2>&1 || missing+=(libpcap-dev)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
bash scripts/chdb.sh >/dev/null
go mod download
