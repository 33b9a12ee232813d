#!/usr/bin/env bash
# Runs Spoor locally with its defaults and fills it with traffic:
#   - a collector with the embedded ClickHouse engine, API and dashboard on
#     https://127.0.0.1:8443 (self-signed certificate);
#   - the MSSP admin, a demo tenant with an analyst login, and a sensor;
#   - yesterday's and today's history: generated traffic (DNS, HTTP, TLS,
#     scans) carrying indicators from Maltrail's static trails, back-dated and
#     replayed through the sensor (and, once, the real captures of
#     ../shared/testdata);
#   - a live sensor fed by the generator at a modest rate, so the dashboard's
#     live view moves;
#   - with internet access, Maltrail's public feeds merged into the trail set
#     in the background (the live sensor restarts on the new set).
# Everything runs in the foreground; Ctrl-C stops it.
#
# Run scripts/setup.sh first. State lives in .cache/demo (delete it to start
# over). Environment: SPOOR_DEMO_LISTEN (host:port), SPOOR_DEMO_STATE (state
# directory), SPOOR_DEMO_RATE (live packets per second), SPOOR_DEMO_HISTORY
# (packets per day of history), SPOOR_DEMO_FEEDS=0 (never fetch feeds).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
export CHDB_LIB_PATH="${CHDB_LIB_PATH:-$(bash scripts/chdb.sh)}"

listen="${SPOOR_DEMO_LISTEN:-127.0.0.1:8443}"
state="${SPOOR_DEMO_STATE:-.cache/demo}"
rate="${SPOOR_DEMO_RATE:-40}"
history="${SPOOR_DEMO_HISTORY:-400000}"
data="$state/data"
testdata=../shared/testdata
mkdir -p "$state"
go build -o "$state/spoor" ./cmd/spoor
spoor="$state/spoor"

secret() { head -c 18 /dev/urandom | base64 | tr -d '/+='; }
log() { printf 'demo: %s\n' "$*" >&2; }

password_file="$state/admin-password"
[ -s "$password_file" ] || secret > "$password_file"
password=$(cat "$password_file")

# Maltrail's static trails, compiled once for a fast sensor start (in the
# background while the tenant is set up).
trails="$state/trails/trails.bin"
compile=
if [ ! -s "$trails" ]; then
  "$spoor" trails update --offline --static "$testdata/maltrail/trails" --out "$state/trails" >"$state/trails-compile.log" 2>&1 &
  compile=$!
fi

# Enrol the demo tenant, its sensor and analyst once, while no collector
# holds the data directory.
if [ ! -s "$state/sensor.json" ]; then
  "$spoor" admin tenant create --data-dir "$data" --id demo --name "Demo Co" --retention-days 3650 >/dev/null
  "$spoor" admin sensor enroll --data-dir "$data" --tenant demo --name demo-sensor --json > "$state/sensor.json"
fi
token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$state/sensor.json")
if [ ! -s "$state/analyst-password" ]; then
  analyst_password=$(secret)
  printf '%s\n' "$analyst_password" |
    "$spoor" admin user create --data-dir "$data" --tenant demo --username analyst --role analyst --password-stdin >/dev/null
  printf '%s\n' "$analyst_password" > "$state/analyst-password"
fi
analyst_password=$(cat "$state/analyst-password")

if [ -n "$compile" ] && ! wait "$compile"; then
  log "cannot compile the static trails:"; cat "$state/trails-compile.log" >&2
  exit 1
fi

pids=()
# Stop in reverse order: sensors hand their last events to the collector
# before it stops.
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/${listen%:*}/${listen##*:}") 2>/dev/null; }
if port_open; then
  log "$listen is in use by another program: stop it or set SPOOR_DEMO_LISTEN"
  exit 1
fi
SPOOR_ADMIN_PASSWORD="$password" "$spoor" collector --data-dir "$data" --listen "$listen" &
pids+=($!)
up=
for _ in $(seq 1 120); do
  kill -0 "${pids[0]}" 2>/dev/null || break
  if port_open; then up=1; break; fi
  sleep 0.5
done
[ -n "$up" ] || { log "the collector did not start listening on $listen"; exit 1; }

# Sensor flags shared by the history replays and the live sensor.
sensor_flags=(--name demo-sensor --trails "$trails"
  --whitelist "$testdata/maltrail/data/whitelist.txt" --ua-file "$testdata/maltrail/data/ua.txt"
  --log-dir "$state/logs" --collector "https://$listen" --token "$token" --tls-insecure
  --trails-cache "$state/trails-cache")

# History: a day of generated traffic for yesterday and for today so far,
# each day once (the seed is the day, so a rerun adds nothing twice).
for day in yesterday today; do
  date=$(date -u -d "$day" +%F)
  [ -e "$state/history-$date" ] && continue
  log "generating $history packets of traffic for $date"
  "$spoor" demo gen --trails "$trails" --day "$date" --count "$history" --seed "$(date -u -d "$date" +%s)" -w - |
    "$spoor" sensor -r - "${sensor_flags[@]}" --spool-dir "$state/spool-history" 2>>"$state/sensor.log"
  touch "$state/history-$date"
done

# The real captures of the test data, once (their events keep their dates).
if [ ! -e "$state/history-captures" ] && [ -d "$testdata/pcaps" ]; then
  captures=$(find "$testdata/pcaps" -name '*.pcap' | sort | paste -sd, -)
  "$spoor" sensor -r "$captures" "${sensor_flags[@]}" --spool-dir "$state/spool-history" 2>>"$state/sensor.log"
  touch "$state/history-captures"
fi

# The live sensor: generated traffic at $rate packets per second, now.
live=
start_live() {
  "$spoor" demo run "${sensor_flags[@]}" --rate "$rate" --seed "$(date +%s)" --spool-dir "$state/spool-live" 2>>"$state/sensor.log" &
  live=$!
  pids+=("$live")
}
start_live

# Public feeds, in the background and only with internet access: merged
# into the trail set, then the live sensor restarts on it.
feeds=
if [ "${SPOOR_DEMO_FEEDS:-1}" != 0 ] && curl -sI --max-time 5 https://raw.githubusercontent.com >/dev/null 2>&1; then
  feeds="being fetched in the background (log: $state/trails-update.log)"
  (
    if "$spoor" trails update --static "$testdata/maltrail/trails" --out "$state/trails" >"$state/trails-update.log" 2>&1; then
      touch "$state/feeds-updated"
    fi
  ) &
  pids+=($!)
else
  feeds="not fetched (no internet access): Maltrail's static trails only"
fi

cat <<EOT

Spoor is running (self-signed certificate):
  dashboard:    https://$listen/
  demo tenant:  user "analyst", password "$analyst_password" (tenant "demo")
  MSSP admin:   user "admin", password "$password" (tenant "mssp")
  traffic:      yesterday and today seeded; sensor "demo-sensor" adds live traffic at $rate packets/s
  public feeds: $feeds
  API:          curl -sk https://$listen/api/v1/auth/login -d '{"username":"analyst","password":"$analyst_password"}'
                then POST https://$listen/api/v1/tenants/demo/sql with {"query":"SELECT type, count() FROM events GROUP BY type"}
                (OpenAPI document: https://$listen/api/v1/openapi.json)
  logs:         sensor $state/sensor.log, day logs $state/logs
Ctrl-C stops everything.
EOT

# Wait on the collector; restart the live sensor on a new trail set once.
while kill -0 "${pids[0]}" 2>/dev/null; do
  if [ -e "$state/feeds-updated" ]; then
    rm -f "$state/feeds-updated"
    log "public feeds merged into the trail set; restarting the live sensor"
    kill "$live" 2>/dev/null || true
    wait "$live" 2>/dev/null || true
    start_live
  fi
  if ! kill -0 "$live" 2>/dev/null; then
    log "the live sensor stopped (see $state/sensor.log); restarting it"
    sleep 5
    start_live
  fi
  sleep 2
done
log "the collector stopped"
exit 1
