#!/usr/bin/env bash
# Checks deploy/systemd/: every unit passes `systemd-analyze verify`, and
# `systemd-analyze security` rates each service's exposure no worse than the
# bound below (lower is better), so that a hardening option lost in an edit
# fails here. Runs offline against a scratch root holding the units, this
# machine's systemd units and a freshly built spoor; needs no running
# systemd. A few seconds with a warm Go build cache.
#
#   bash deploy/units-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
command -v systemd-analyze >/dev/null || { echo "units-test: systemd-analyze is missing (apt-get install systemd)" >&2; exit 1; }

# Highest accepted exposure per service (measured with systemd 252: 1.2,
# 1.9 and 1.1).
declare -A bound=([spoor-collector.service]=1.3 [spoor-sensor@eth1.service]=2.0 [spoor-trails.service]=1.2)

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
units="$root/etc/systemd/system"
mkdir -p "$units" "$root/usr/local/bin" "$root/usr/bin" "$root/lib/systemd"
cp -a /lib/systemd/system "$root/lib/systemd/"
cp "$(command -v systemctl)" "$root/usr/bin/"
go build -o "$root/usr/local/bin/spoor" ./cmd/spoor
cp deploy/systemd/*.service deploy/systemd/*.timer "$units/"
ln -s spoor-sensor@.service "$units/spoor-sensor@eth1.service"

passed=0 failed=0
check() { # check NAME COMMAND...
  local out
  if out="$("${@:2}" 2>&1)"; then
    passed=$((passed + 1))
    echo "ok   $1"
  else
    failed=$((failed + 1))
    echo "FAIL $1"
    printf '%s\n' "$out" | sed 's/^/     /'
  fi
}
for f in "$units"/*.service "$units"/*.timer; do
  name="$(basename "$f")"
  [ "$name" = "spoor-sensor@.service" ] && continue
  check "verify $name" systemd-analyze verify --root="$root" "/etc/systemd/system/$name"
done
exposure() { # exposure UNIT BOUND
  local level
  level="$(systemd-analyze security --offline=yes --root="$root" "$1" 2>&1 |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')"
  [ -n "$level" ] || { echo "no exposure level for $1"; return 1; }
  echo "exposure $level, bound $2"
  awk -v got="$level" -v want="$2" 'BEGIN { exit !(got <= want) }' ||
    { echo "got exposure $level, want at most $2"; return 1; }
}
for unit in "${!bound[@]}"; do
  check "security $unit <= ${bound[$unit]}" exposure "$unit" "${bound[$unit]}"
done
echo "units-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
