#!/usr/bin/env bash
# Runs Spoor locally with its defaults: a collector with the embedded
# ClickHouse engine (API on https://127.0.0.1:8443), a demo tenant with one
# sensor, and that sensor replaying the real captures of ../shared/testdata
# against Maltrail's static trails, shipping every event to the collector.
# The collector keeps running in the foreground; Ctrl-C stops it.
#
# Run scripts/setup.sh first. State lives in .cache/demo (delete it to start over).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
export CHDB_LIB_PATH="${CHDB_LIB_PATH:-$(bash scripts/chdb.sh)}"

listen="${SPOOR_DEMO_LISTEN:-127.0.0.1:8443}"
state=.cache/demo
data="$state/data"
testdata=../shared/testdata
mkdir -p "$state"
go build -o "$state/spoor" ./cmd/spoor
spoor="$state/spoor"

password_file="$state/admin-password"
[ -s "$password_file" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$password_file"
password=$(cat "$password_file")

# Enrol the demo tenant and sensor once, while no collector holds the data directory.
if [ ! -s "$state/sensor.json" ]; then
  "$spoor" admin tenant create --data-dir "$data" --id demo --name "Demo Co" --retention-days 3650 >/dev/null
  "$spoor" admin sensor enroll --data-dir "$data" --tenant demo --name demo-sensor --json > "$state/sensor.json"
fi
token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$state/sensor.json")

# Maltrail's static trails, compiled once for a fast sensor start.
if [ ! -s "$state/trails/trails.bin" ]; then
  "$spoor" trails update --offline --static "$testdata/maltrail/trails" --out "$state/trails" >/dev/null
fi

SPOOR_ADMIN_PASSWORD="$password" "$spoor" collector --data-dir "$data" --listen "$listen" &
collector=$!
trap 'kill $collector 2>/dev/null; wait $collector 2>/dev/null' EXIT
for _ in $(seq 1 60); do
  "$spoor" version >/dev/null && (exec 3<>"/dev/tcp/${listen%:*}/${listen##*:}") 2>/dev/null && break
  sleep 1
done

captures=$(find "$testdata/pcaps" -name '*.pcap' | sort | paste -sd, -)
"$spoor" sensor --name demo-sensor -r "$captures" \
  --trails "$state/trails/trails.bin" \
  --whitelist "$testdata/maltrail/data/whitelist.txt" --ua-file "$testdata/maltrail/data/ua.txt" \
  --log-dir "$state/logs" --spool-dir "$state/spool" \
  --collector "https://$listen" --token "$token" --tls-insecure

cat <<EOT

Spoor is running: collector and API on https://$listen (self-signed certificate).
  MSSP admin:   user "admin", password "$password" (tenant "mssp")
  demo tenant:  "demo", sensor "demo-sensor"; its day logs are in $state/logs
  try:          curl -sk https://$listen/api/v1/auth/login -d '{"username":"admin","password":"$password"}'
                then POST https://$listen/api/v1/tenants/demo/sql with {"query":"SELECT type, count() FROM events GROUP BY type"}
                (OpenAPI document: https://$listen/api/v1/openapi.json)
Ctrl-C stops the collector.
EOT
wait $collector
