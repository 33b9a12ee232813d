#!/usr/bin/env bash
# Installs what building and running Spoor needs on Debian: Go (expected at
# /usr/local/go or on PATH), libpcap headers for the capture filter compiler,
# npm (the embedded ClickHouse engine and the web console's libraries), the
# engine itself (scripts/chdb.sh, into the git-ignored .cache/), the web
# console (webui/build.sh, into the git-ignored webui/dist, which the binary
# embeds: build it before `go build`) and the Go modules. With --test it
# also installs what only the tests need: Chromium (the console's browser
# tests) and systemd (systemd-analyze checks the service units).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "setup: Go is not installed (https://go.dev/dl/)" >&2; exit 1; }
missing=()
dpkg -s libpcap-dev >/dev/null 2>&1 || missing+=(libpcap-dev)
command -v npm >/dev/null || missing+=(npm)
if [ "${1:-}" = --test ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v systemd-analyze >/dev/null || missing+=(systemd)
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
bash scripts/chdb.sh >/dev/null
bash webui/build.sh >/dev/null
go mod download
