#!/usr/bin/env bash
# Builds Spoor's two container images (Dockerfile targets collector and
# sensor) with buildah and checks them with podman, without a Docker engine
# and without any container registry: the base images are Debian bookworm
# made here with debootstrap, and the builder is that plus this machine's Go
# toolchain, substituted for the Dockerfile's through its GO_IMAGE and
# DEBIAN_IMAGE build arguments. Everything else is the real build: the
# Dockerfile's own apt-get, go mod download and npm steps run as written.
#
#   bash deploy/image-test.sh
#
# Measured on a busy 2-core machine: about 30 minutes the first time, about
# 6 minutes after source changes, 1 minute when nothing changed.
#
# Checks: the engine version pinned in the Dockerfile is store/chdb's; both
# images run as uid 10001 and print `spoor version`; the collector image has
# its health check, ports and volume, starts on its built-in configuration,
# turns healthy (its own HEALTHCHECK command), serves /healthz over HTTPS,
# listens for UDP ingest and stops cleanly on SIGTERM; the sensor's capture
# binary carries exactly cap_net_raw and cap_net_admin, cannot start without
# them and, given them, captures on an interface as a non-root user and
# reports DNS queries for a trail. Then the systemd units run under a real
# systemd in a container: the collector answers /healthz and the sensor
# captures and logs, each with the intended user, capabilities and seccomp.
#
# Idempotent: the debootstrap tree, the base images and buildah's layer
# cache are kept in .cache/image-test/ (git-ignored), in their own
# containers-storage, apart from the machine's. Needs root (debootstrap,
# chroot builds); installs podman, buildah, runc and debootstrap with
# apt-get if they are missing. IMAGE_TEST_STORAGE_DRIVER=vfs forces the
# slow driver where overlay mounts are not allowed; IMAGE_TEST_KEEP=1 keeps
# the test containers for inspection; IMAGE_TEST_CACHE=DIR keeps the state
# elsewhere (e.g. outside a CI run's fresh clone, to start warm).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
cache="${IMAGE_TEST_CACHE:-$root/.cache/image-test}"
cache="$(mkdir -p "$cache" && cd "$cache" && pwd)"
ns="localhost/spoor-image-test"
started=$SECONDS

say() { printf '[image-test %4ds] %s\n' "$((SECONDS - started))" "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "run as root (debootstrap and chroot builds need it)"
missing=()
for tool in podman buildah debootstrap runc; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
mkdir -p "$cache"

# A storage of our own, on overlay when this kernel lets us mount one.
driver="${IMAGE_TEST_STORAGE_DRIVER:-}"
if [ -z "$driver" ]; then
  probe="$(mktemp -d "$cache/overlay-probe.XXXXXX")"
  mkdir "$probe/l" "$probe/u" "$probe/w" "$probe/m"
  if mount -t overlay overlay -o "lowerdir=$probe/l,upperdir=$probe/u,workdir=$probe/w" "$probe/m" 2>/dev/null; then
    umount "$probe/m"
    driver=overlay
  else
    driver=vfs
  fi
  rm -rf "$probe"
fi
store=(--root "$cache/storage-$driver" --runroot "/run/spoor-image-test-$driver" --storage-driver "$driver")
bh() { buildah "${store[@]}" "$@"; }
# runc rather than crun: crun refuses hybrid cgroup hierarchies. Explicit
# limits: podman's default RLIMIT_NOFILE is above what an unprivileged
# sandbox may set.
pm() { podman "${store[@]}" --runtime runc --cgroup-manager cgroupfs --events-backend file "$@"; }
nofile="$(ulimit -Hn)"
[ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ] && nofile=65536
prun() { pm run --ulimit "nofile=$nofile:$nofile" --ulimit nproc=4096:4096 "$@"; }
have_image() { bh inspect --type image "$1" >/dev/null 2>&1; }
say "storage driver $driver"

# The engine version is pinned in three places; they must agree.
want_chdb="$(sed -n 's/^const Version = "\(.*\)"$/\1/p' store/chdb/find.go)"
got_chdb="$(sed -n 's/^ARG CHDB_VERSION=//p' Dockerfile)"
[ -n "$want_chdb" ] && [ "$got_chdb" = "$want_chdb" ] ||
  fail "Dockerfile CHDB_VERSION is '$got_chdb', store/chdb.Version is '$want_chdb'"
grep -q "CHDB_NPM_VERSION:-$want_chdb}" scripts/chdb.sh ||
  fail "scripts/chdb.sh does not default to libchdb $want_chdb"

# --- base images -----------------------------------------------------------
debian="$ns/debian:bookworm"
tarball="$cache/debian-bookworm-minbase.tar"
if [ ! -s "$tarball" ]; then
  say "debootstrap bookworm (minbase)"
  tree="$cache/rootfs.tmp"
  rm -rf "$tree"
  debootstrap --variant=minbase bookworm "$tree" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 20 "$cache/debootstrap.log" >&2; fail "debootstrap failed (log: $cache/debootstrap.log)"; }
  chroot "$tree" apt-get clean
  rm -rf "$tree"/var/lib/apt/lists/* "$tree"/tmp/* "$tree"/var/log/*.log
  tar --numeric-owner --xattrs -C "$tree" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$tree"
fi
# The build host's own trusted CAs (/usr/local/share/ca-certificates, e.g.
# of a TLS-inspecting proxy) go into the test base images, where each stage
# that installs ca-certificates trusts them. The Dockerfile knows nothing
# of them.
if ! have_image "$debian"; then
  say "importing $debian"
  pm import --quiet --change 'CMD ["/bin/bash"]' "$tarball" "$ns/debian-minbase:bookworm" >/dev/null
  ctr="$(bh from --pull=never --name spoor-image-test-debian "$ns/debian-minbase:bookworm")"
  trap 'bh rm "$ctr" >/dev/null 2>&1 || true' EXIT
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    bh copy "$ctr" /usr/local/share/ca-certificates/ /usr/local/share/ca-certificates/ >/dev/null
  fi
  bh commit --quiet "$ctr" "$debian" >/dev/null
  bh rm "$ctr" >/dev/null
  trap - EXIT
fi

goroot="$(go env GOROOT 2>/dev/null || echo /usr/local/go)"
gover="$("$goroot/bin/go" env GOVERSION)"
golang="$ns/golang:${gover#go}-bookworm"
if ! have_image "$golang"; then
  say "making $golang from $debian and $goroot"
  ctr="$(bh from --pull=never --name spoor-image-test-golang "$debian")"
  trap 'bh rm "$ctr" >/dev/null 2>&1 || true' EXIT
  bh run --isolation chroot "$ctr" -- sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null && rm -rf /var/lib/apt/lists/*'
  bh copy "$ctr" "$goroot" /usr/local/go >/dev/null
  bh config --env GOPATH=/go --env GOTOOLCHAIN=local \
    --env PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --workingdir /go "$ctr"
  bh commit --quiet "$ctr" "$golang" >/dev/null
  bh rm "$ctr" >/dev/null
  trap - EXIT
fi

# --- the images ------------------------------------------------------------
version="$(git describe --tags --always --dirty 2>/dev/null || echo dev)"
collector="$ns/spoor-collector:test"
sensor="$ns/spoor-sensor:test"
build() {
  local target="$1" tag="$2" t0=$SECONDS
  say "building target $target"
  bh bud --quiet --layers --format docker --isolation chroot --pull=never \
    --build-arg "GO_IMAGE=$golang" --build-arg "DEBIAN_IMAGE=$debian" \
    --build-arg "VERSION=$version" --build-arg "GOPROXY=$(go env GOPROXY)" \
    --target "$target" --tag "$tag" . >"$cache/build-$target.log" 2>&1 ||
    { tail -n 30 "$cache/build-$target.log" >&2; fail "build of $target failed (log: $cache/build-$target.log)"; }
  say "built $tag in $((SECONDS - t0))s"
}
build sensor "$sensor"
build collector "$collector"

# --- checks ----------------------------------------------------------------
inspect() { pm image inspect --format "$2" "$1"; }
expect() { # expect WHAT GOT WANT
  [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
  say "ok: $1 = $3"
}
expect "collector user" "$(inspect "$collector" '{{.Config.User}}')" "10001:10001"
expect "sensor user" "$(inspect "$sensor" '{{.Config.User}}')" "10001:10001"
expect "collector entrypoint" "$(inspect "$collector" '{{json .Config.Entrypoint}}')" '["spoor","collector","--config","/etc/spoor/spoor.yaml"]'
expect "sensor entrypoint" "$(inspect "$sensor" '{{json .Config.Entrypoint}}')" '["/usr/local/libexec/spoor/spoor","sensor","--config","/etc/spoor/sensor.yaml"]'
expect "collector ports" "$(inspect "$collector" '{{range $p, $_ := .Config.ExposedPorts}}{{$p}} {{end}}')" "8443/tcp 8443/udp "
expect "collector volumes" "$(inspect "$collector" '{{range $v, $_ := .Config.Volumes}}{{$v}} {{end}}')" "/var/lib/spoor "
inspect "$collector" '{{json .Config.Healthcheck}}' | grep -q 'SPOOR_HEALTHCHECK_URL' ||
  fail "collector image has no health check (built without --format docker?)"
say "ok: collector health check present"
say "collector image $(($(inspect "$collector" '{{.Size}}') / 1000000)) MB, sensor image $(($(inspect "$sensor" '{{.Size}}') / 1000000)) MB"

expect "collector spoor version" "$(prun --rm --network none --no-healthcheck --entrypoint spoor "$collector" version)" "spoor $version"
expect "sensor id" "$(prun --rm --network none --cap-add NET_RAW --cap-add NET_ADMIN --entrypoint id "$sensor" -u)" "10001"

# The capture binary's file capabilities, read from its xattr on the host;
# the plain binary has none.
capbin=/usr/local/libexec/spoor/spoor
mnt="$(pm image mount "$sensor")"
getcap=getcap; command -v getcap >/dev/null || getcap=/usr/sbin/getcap
caps="$("$getcap" "$mnt$capbin")"
plain="$("$getcap" "$mnt/usr/local/bin/spoor")"
pm image unmount "$sensor" >/dev/null
expect "sensor file capabilities" "${caps##* }" "cap_net_admin,cap_net_raw=ep"
expect "plain binary file capabilities" "$plain" ""
if out="$(prun --rm --network none --cap-drop ALL --entrypoint "$capbin" "$sensor" version 2>&1)"; then
  fail "the capture binary started without capabilities: $out"
fi
say "ok: the capture binary does not start without its capabilities ($(tail -n 1 <<<"$out"))"
expect "sensor image capture binary version" "$(prun --rm --network none --cap-drop ALL --cap-add NET_RAW --cap-add NET_ADMIN --entrypoint "$capbin" "$sensor" version)" "spoor $version"
expect "sensor image plain binary version" "$(prun --rm --network none --cap-drop ALL --entrypoint spoor "$sensor" version)" "spoor $version"

# The sensor captures as uid 10001 on its container's loopback and reports
# DNS queries for a domain trail (sent with bash's /dev/udp). ".com": the
# sensor ignores queries for reserved names such as .example.
say "sensor: live capture of DNS queries on lo"
trails="$cache/trails"
mkdir -p "$trails"
printf 'spoor-image-test.com,image test trail (malware),image-test\n' >"$trails/trails.csv"
query='\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x10spoor-image-test\x03com\x00\x00\x01\x00\x01'
sensor_log="$(prun --rm --network none --cap-drop ALL --cap-add NET_RAW --cap-add NET_ADMIN \
  -v "$trails:/trails:ro" --entrypoint /bin/bash "$sensor" -c '
    /usr/local/libexec/spoor/spoor sensor --config /etc/spoor/sensor.yaml \
      --trails /trails/trails.csv -i lo --console --log-dir "" &
    pid=$!
    for i in $(seq 1 30); do
      sleep 0.2
      printf "'"$query"'" >/dev/udp/127.0.0.1/53 2>/dev/null || true
    done
    sleep 1
    kill -TERM $pid
    for i in $(seq 1 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
    if kill -0 $pid 2>/dev/null; then echo "SENSOR-IGNORED-SIGTERM"; kill -KILL $pid; fi
    wait $pid || true' 2>&1)" || { printf '%s\n' "$sensor_log" >&2; fail "the sensor container failed"; }
grep -q 'capturing.*interface=lo' <<<"$sensor_log" ||
  { printf '%s\n' "$sensor_log" >&2; fail "the sensor did not capture"; }
grep -q 'spoor-image-test.com "image test trail' <<<"$sensor_log" ||
  { printf '%s\n' "$sensor_log" >&2; fail "the sensor reported no event for the trail"; }
say "ok: the sensor reported $(grep -c 'spoor-image-test.com "image test trail' <<<"$sensor_log") event(s) for the trail"
! grep -q SENSOR-IGNORED-SIGTERM <<<"$sensor_log" ||
  fail "the sensor did not stop within 5 s of SIGTERM on an idle link (killed)"
say "ok: the sensor stopped on SIGTERM"

# The collector on its built-in configuration, in a network namespace of
# its own (--network none: loopback only, nothing reachable from outside).
name=spoor-image-test-collector
volume=spoor-image-test-data
pm rm --force --ignore "$name" >/dev/null
pm volume rm --force "$volume" >/dev/null 2>&1 || true
cleanup() {
  if [ "${IMAGE_TEST_KEEP:-0}" != 1 ]; then
    pm rm --force --ignore "$name" >/dev/null 2>&1 || true
    pm volume rm --force "$volume" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
say "collector: start"
t0=$SECONDS
# (podman complains on stderr that it has no systemd to schedule health
# checks with; they are run below by hand.)
prun -d --name "$name" --network none -v "$volume:/var/lib/spoor" \
  -e SPOOR_ADMIN_PASSWORD=image-test-password-1 "$collector" >/dev/null 2>"$cache/collector-run.log" ||
  { cat "$cache/collector-run.log" >&2; fail "cannot start the collector"; }
healthy=""
for _ in $(seq 1 120); do
  if pm healthcheck run "$name" >/dev/null 2>&1; then
    healthy=yes
    break
  fi
  [ "$(pm inspect --format '{{.State.Running}}' "$name")" = true ] ||
    { pm logs "$name" >&2; fail "the collector exited"; }
  sleep 1
done
[ -n "$healthy" ] || { pm logs "$name" >&2; fail "the collector did not become healthy in 120 s"; }
say "ok: collector healthy after $((SECONDS - t0))s"
expect "GET /healthz" "$(pm exec "$name" curl -fsSk https://127.0.0.1:8443/healthz)" '{"status":"ok"}'
# 8443 is 20FB: a UDP socket bound to it means UDP ingest is on.
pm exec "$name" grep -qE ':20FB [0-9A-F]+:0000 07' /proc/net/udp /proc/net/udp6 ||
  fail "the collector does not listen for UDP on 8443"
say "ok: UDP ingest listening on 8443"
expect "data directory owner" "$(pm exec "$name" stat -c %u /var/lib/spoor/data)" "10001"
pm stop --time 60 "$name" >/dev/null
expect "collector exit code after SIGTERM" "$(pm inspect --format '{{.State.ExitCode}}' "$name")" "0"
pm logs "$name" 2>&1 | grep -q 'collector stopped' || { pm logs "$name" >&2; fail "no clean stop in the log"; }
say "ok: collector stopped cleanly"

# --- the systemd units, under a real systemd ------------------------------
# A privileged container (its own network namespace, loopback only) boots
# Debian's systemd with the units, and the collector image's spoor and
# libchdb, installed as deploy/README.md says. The sandboxing is then
# systemd's own: if an option keeps spoor from working, this fails.
sdbase="$ns/systemd:bookworm"
if ! have_image "$sdbase"; then
  say "making $sdbase"
  ctr="$(bh from --pull=never --name spoor-image-test-sdbase "$debian")"
  bh run --isolation chroot "$ctr" -- sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd systemd-sysv dbus ca-certificates curl libpcap0.8 tzdata >/dev/null && rm -rf /var/lib/apt/lists/*'
  bh config --cmd '' --entrypoint '["/lib/systemd/systemd"]' --stop-signal SIGRTMIN+3 "$ctr"
  bh commit --quiet "$ctr" "$sdbase" >/dev/null
  bh rm "$ctr" >/dev/null
fi
sd=spoor-image-test-systemd
pm rm --force --ignore "$sd" >/dev/null
cleanup() {
  if [ "${IMAGE_TEST_KEEP:-0}" != 1 ]; then
    pm rm --force --ignore "$name" "$sd" >/dev/null 2>&1 || true
    pm volume rm --force "$volume" >/dev/null 2>&1 || true
  fi
}
say "systemd: boot"
prun -d --name "$sd" --privileged --systemd=always --network none "$sdbase" >/dev/null
state=""
for _ in $(seq 1 60); do
  state="$(pm exec "$sd" systemctl is-system-running 2>/dev/null || true)"
  [ "$state" = running ] || [ "$state" = degraded ] && break
  sleep 1
done
[ "$state" = running ] || [ "$state" = degraded ] || fail "systemd in the container is '$state'"
mnt="$(pm image mount "$collector")"
pm cp "$mnt/usr/local/bin/spoor" "$sd:/usr/local/bin/spoor"
pm cp "$mnt/usr/local/lib/libchdb.so" "$sd:/usr/local/lib/libchdb.so"
pm image unmount "$collector" >/dev/null
pm exec "$sd" mkdir -p /etc/sysusers.d /etc/tmpfiles.d
pm cp deploy/systemd/spoor.sysusers.conf "$sd:/etc/sysusers.d/spoor.conf"
pm cp deploy/systemd/spoor.tmpfiles.conf "$sd:/etc/tmpfiles.d/spoor.conf"
for f in deploy/systemd/*.service deploy/systemd/*.timer; do pm cp "$f" "$sd:/etc/systemd/system/"; done
pm cp "$trails/trails.csv" "$sd:/root/trails.csv"
pm exec "$sd" bash -c '
  set -e
  systemd-sysusers
  systemd-tmpfiles --create /etc/tmpfiles.d/spoor.conf
  printf "collector:\n  listen: 0.0.0.0:8443\nstore:\n  data_dir: /var/lib/spoor/data\n" >/etc/spoor/spoor.yaml
  install -m 0600 /dev/null /etc/default/spoor-collector
  echo SPOOR_ADMIN_PASSWORD=image-test-password-1 >/etc/default/spoor-collector
  install -d -o spoor -g spoor /var/lib/spoor/trails
  install -o spoor -g spoor -m 0644 /root/trails.csv /var/lib/spoor/trails/trails.csv
  printf "sensor:\n  interfaces: [lo]\n  trails: /var/lib/spoor/trails/trails.csv\n  log_dir: /var/log/spoor/lo\n" >/etc/spoor/sensor-lo.yaml
  systemctl daemon-reload
  systemctl start spoor-collector.service spoor-sensor@lo.service'
# proc_status UNIT: the Uid, capability, no_new_privs and seccomp lines of
# the unit's main process, one line.
proc_status() {
  pm exec "$sd" bash -c 'pid="$(systemctl show -p MainPID --value "$1")"
    [ "$pid" != 0 ] || { echo "not running"; exit; }
    grep -E "^(Uid|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):" "/proc/$pid/status" | tr -s "\t" " " | sort | tr "\n" ";"' _ "$1"
}
uid="$(pm exec "$sd" id -u spoor)"
healthy=""
for _ in $(seq 1 120); do
  if pm exec "$sd" curl -fsSk -o /dev/null https://127.0.0.1:8443/healthz 2>/dev/null; then
    healthy=yes
    break
  fi
  sleep 1
done
[ -n "$healthy" ] || { pm exec "$sd" journalctl -u spoor-collector --no-pager >&2; fail "spoor-collector.service did not answer /healthz"; }
say "ok: spoor-collector.service answers /healthz"
expect "spoor-collector.service process" "$(proc_status spoor-collector.service)" \
  "CapAmb: 0000000000000000;CapBnd: 0000000000000000;CapEff: 0000000000000000;NoNewPrivs: 1;Seccomp: 2;Uid: $uid $uid $uid $uid;"
expect "spoor-sensor@lo.service process" "$(proc_status spoor-sensor@lo.service)" \
  "CapAmb: 0000000000003000;CapBnd: 0000000000003000;CapEff: 0000000000003000;NoNewPrivs: 1;Seccomp: 2;Uid: $uid $uid $uid $uid;"
pm exec "$sd" bash -c 'for i in $(seq 1 20); do
    printf "'"$query"'" >/dev/udp/127.0.0.1/53 2>/dev/null || true
    sleep 0.2
  done'
logged=""
for _ in $(seq 1 20); do
  if pm exec "$sd" sh -c 'cat /var/log/spoor/lo/*.log 2>/dev/null' | grep -q 'spoor-image-test.com'; then
    logged=yes
    break
  fi
  sleep 1
done
[ -n "$logged" ] || { pm exec "$sd" journalctl -u spoor-sensor@lo --no-pager >&2; fail "spoor-sensor@lo.service logged no event"; }
say "ok: spoor-sensor@lo.service captured and logged to /var/log/spoor/lo as $(pm exec "$sd" stat -c %U /var/log/spoor/lo)"
pm exec "$sd" systemctl stop spoor-collector.service
expect "spoor-collector.service after stop" "$(pm exec "$sd" systemctl show -p Result --value spoor-collector.service)" "success"

say "PASS in $((SECONDS - started))s"
