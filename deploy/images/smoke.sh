#!/usr/bin/env bash
# Runs service images built by `-Pimages` without Docker, as a container runtime would: unpacks
# each image's layers (in the order of its manifest) into a root file system and starts its
# entrypoint there under chroot, as uid 65532, with the image's environment and a /proc. Then it
# checks what a runtime would: /healthz and /readyz through the image's own HealthProbe, an ask
# through the ingest API, and a clean stop on SIGTERM.
#
#   sudo deploy/images/smoke.sh [SERVICE ...]     ingest-api, router-worker, result-store (default: all)
#
# Kafka and PostgreSQL come from KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL (with DATABASE_USER and
# DATABASE_PASSWORD) when set, otherwise from a dev stack this script starts (`./askpipe dev`) and
# stops. The services share the host's network, on ports from SMOKE_PORT (default 18080) up, and
# their operations ports (OPS_PORT, on loopback) from SMOKE_PORT + 100 up.
# SMOKE_MEMORY (default 1g) stands for the container's memory limit (-XX:MaxRAM), since a chroot
# has no cgroup of its own. Needs root (chroot, mount), GNU tar and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."

[ "$(id -u)" = 0 ] || { echo "smoke: needs root (chroot and a /proc mount)" >&2; exit 1; }
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(ingest-api router-worker result-store)
for service in "${services[@]}"; do
  [ -f "$service/target/jib-image.tar" ] || {
    echo "smoke: no $service/target/jib-image.tar; build the images first:" >&2
    echo "  ./mvnw -B package -pl ingest-api,router-worker,result-store -am -DskipTests -Pimages" >&2
    exit 1
  }
done
chroot=$(command -v chroot)
port=${SMOKE_PORT:-18080}
memory=${SMOKE_MEMORY:-1g}
probe_flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx16m -XX:-UsePerfData)

work=$(mktemp -d /tmp/askpipe-smoke.XXXXXX)
pids=()
dev_pid=""
cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  if [ -n "$dev_pid" ]; then
    kill -TERM "$dev_pid" 2>/dev/null
    wait "$dev_pid" 2>/dev/null
  fi
  for proc in "$work"/*/rootfs/proc; do
    mountpoint -q "$proc" && umount "$proc"
  done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# JSON arrays of plain strings, as Jib writes them: "Key":["a","b"] -> one element a line
json_array() {
  sed -n "s/.*\"$1\":\[\([^]]*\)\].*/\1/p" "$2" | tr ',' '\n' | sed 's/^"//; s/"$//'
}

if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ] || [ -z "${DATABASE_URL:-}" ]; then
  echo "smoke: starting a dev stack for Kafka and PostgreSQL (./askpipe dev)"
  HTTP_PORT=0 ASKPIPE_DEV_KEY_FILE="$work/dev-key" LOG_LEVEL=WARN ./askpipe dev >"$work/dev.log" 2>&1 &
  dev_pid=$!
  for _ in $(seq 600); do
    grep -q 'askpipe is up' "$work/dev.log" && break
    kill -0 "$dev_pid" 2>/dev/null || { tail -20 "$work/dev.log" >&2; exit 1; }
    sleep 1
  done
  grep -q 'askpipe is up' "$work/dev.log" || { echo "smoke: the dev stack did not start" >&2; exit 1; }
  KAFKA_BOOTSTRAP_SERVERS=$(sed -n 's/^ *Kafka bootstrap *//p' "$work/dev.log")
  DATABASE_URL=$(sed -n 's/^ *JDBC URL *\([^ ]*\).*/\1/p' "$work/dev.log")
  DATABASE_USER=$(sed -n 's/^ *JDBC URL .*(user \(.*\))/\1/p' "$work/dev.log")
  DATABASE_PASSWORD=postgres # the embedded server's
  dev_url=$(sed -n 's/^ *client URL *//p' "$work/dev.log")
  echo "smoke: Kafka $KAFKA_BOOTSTRAP_SERVERS, PostgreSQL $DATABASE_URL, dev stack $dev_url"
fi

# unpacks SERVICE's image into $work/SERVICE/rootfs, with what a runtime adds: /proc, /dev, /etc/hosts
unpack() {
  local service=$1 dir=$work/$1
  mkdir -p "$dir/image" "$dir/rootfs"
  tar -xf "$service/target/jib-image.tar" -C "$dir/image"
  for layer in $(json_array Layers "$dir/image/manifest.json"); do
    # Jib's layers carry libarchive's creation times, which GNU tar does not know
    tar -xzf "$dir/image/$layer" -C "$dir/rootfs" --numeric-owner --warning=no-unknown-keyword
  done
  local unpacked
  unpacked=$(du -sh --apparent-size "$dir/rootfs" | cut -f1)
  mkdir -p "$dir/rootfs/proc" "$dir/rootfs/dev"
  mknod -m 666 "$dir/rootfs/dev/null" c 1 3
  mknod -m 666 "$dir/rootfs/dev/zero" c 1 5
  mknod -m 666 "$dir/rootfs/dev/random" c 1 8
  mknod -m 666 "$dir/rootfs/dev/urandom" c 1 9
  cp /etc/hosts /etc/resolv.conf "$dir/rootfs/etc/" 2>/dev/null || true
  mount -t proc proc "$dir/rootfs/proc"
  echo "smoke: $service: $(du -sh --apparent-size "$service/target/jib-image.tar" | cut -f1) tarball," \
    "$unpacked unpacked, user $(sed -n 's/.*"User":"\([^"]*\)".*/\1/p' "$dir/image/config.json")"
}

# runs COMMAND... in SERVICE's root file system as its image says: its user, its environment
in_image() {
  local service=$1 dir=$work/$1
  shift
  local user
  user=$(sed -n 's/.*"User":"\([^"]*\)".*/\1/p' "$dir/image/config.json")
  mapfile -t image_env < <(json_array Env "$dir/image/config.json")
  env -i "${image_env[@]}" "${service_env[@]}" \
    "$chroot" --userspec="$user" --groups="${user#*:}" "$dir/rootfs" "$@"
}

# the same in the background, the process's id in $!: env and chroot exec the entrypoint, so it is
# the JVM's, which gets the SIGTERM a runtime sends to stop a container
start_in_image() {
  local service=$1 dir=$work/$1
  shift
  local user
  user=$(sed -n 's/.*"User":"\([^"]*\)".*/\1/p' "$dir/image/config.json")
  mapfile -t image_env < <(json_array Env "$dir/image/config.json")
  exec env -i "${image_env[@]}" "${service_env[@]}" \
    "$chroot" --userspec="$user" --groups="${user#*:}" "$dir/rootfs" "$@"
}

# the probe a compose healthcheck runs: java -cp @/app/jib-classpath-file io.askpipe.common.service.HealthProbe PATH
probe() {
  in_image "$1" java "${probe_flags[@]}" -cp @/app/jib-classpath-file io.askpipe.common.service.HealthProbe "$2"
}

status=0
index=0
declare -A service_ports ops_ports service_pids
for service in "${services[@]}"; do
  unpack "$service"
  service_port=$((port + index))
  ops_port=$((port + 100 + index))
  index=$((index + 1))
  service_env=(
    "HTTP_PORT=$service_port" "OPS_PORT=$ops_port" "OPS_HOST=127.0.0.1"
    "KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS"
    "DATABASE_URL=$DATABASE_URL" "DATABASE_USER=${DATABASE_USER:-postgres}" "DATABASE_PASSWORD=${DATABASE_PASSWORD:-}"
    "JAVA_TOOL_OPTIONS=-XX:MaxRAM=$memory"
    "ASKPIPE_PROFILE=dev" "WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8"
  )
  mapfile -t entrypoint < <(json_array Entrypoint "$work/$service/image/config.json")
  echo "smoke: $service: version $(in_image "$service" java -version 2>&1 | grep -m1 version)"
  echo "smoke: $service: starting ${entrypoint[*]} on port $service_port, operations on $ops_port"
  start_in_image "$service" "${entrypoint[@]}" >"$work/$service.log" 2>&1 &
  service_pids[$service]=$!
  pids+=($!)
  service_ports[$service]=$service_port
  ops_ports[$service]=$ops_port
done

for service in "${services[@]}"; do
  service_env=("HTTP_PORT=${service_ports[$service]}" "OPS_PORT=${ops_ports[$service]}" "OPS_HOST=127.0.0.1")
  started=$(date +%s)
  until probe "$service" /healthz >"$work/probe.out" 2>&1; do
    if ! kill -0 "${service_pids[$service]}" 2>/dev/null || [ $(($(date +%s) - started)) -gt 120 ]; then
      echo "smoke: $service: FAILED to come up; its log:" >&2
      tail -30 "$work/$service.log" >&2
      exit 1
    fi
    sleep 1
  done
  echo "smoke: $service: HealthProbe /healthz -> exit 0: $(cat "$work/probe.out")"
  until probe "$service" /readyz >"$work/probe.out" 2>&1; do
    [ $(($(date +%s) - started)) -lt 120 ] || break
    sleep 1
  done
  if probe "$service" /readyz >"$work/probe.out" 2>&1; then
    echo "smoke: $service: HealthProbe /readyz -> exit 0: $(cat "$work/probe.out")"
  else
    echo "smoke: $service: HealthProbe /readyz -> FAILED: $(cat "$work/probe.out")" >&2
    status=1
  fi
  begin=$(date +%s%N)
  probe "$service" /healthz >/dev/null 2>&1 || true
  echo "smoke: $service: one probe takes $((($(date +%s%N) - begin) / 1000000)) ms"
  pid=${service_pids[$service]}
  echo "smoke: $service: process $pid runs as $(awk '/^Uid:/ { print "uid " $2 } /^Gid:/ { print "gid " $2 }' /proc/"$pid"/status | paste -sd' ')," \
    "heap max $(curl -s "http://127.0.0.1:${ops_ports[$service]}/metrics" |
      awk '/^jvm_memory_max_bytes\{.*area="heap"/ { sum += $NF } END { printf "%d MiB", sum / 1048576 }')" \
    "of SMOKE_MEMORY=$memory"
done

if [ -n "${service_ports[ingest-api]:-}" ] && [ -n "$dev_pid" ]; then
  key=$(cat "$work/dev-key")
  ask=$(curl -s -X POST "http://127.0.0.1:${service_ports[ingest-api]}/v1/ask" -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: smoke-$$" -d '{"prompt":"Are you in a container?"}')
  id=$(sed -n 's/.*"request_id":"\([^"]*\)".*/\1/p' <<<"$ask")
  answer=$(curl -s -H "Authorization: Bearer $key" "$dev_url/v1/ask/$id?wait=20")
  if grep -q '"status":"succeeded"' <<<"$answer"; then
    echo "smoke: ingest-api: an ask submitted to the image was answered: ${answer:0:160}..."
  else
    echo "smoke: ingest-api: the ask was not answered: $ask / $answer" >&2
    status=1
  fi
fi

for service in "${services[@]}"; do
  pid=${service_pids[$service]}
  kill -TERM "$pid"
  for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  code=0
  kill -0 "$pid" 2>/dev/null && { echo "smoke: $service: still running 60 s after SIGTERM" >&2; code=timeout; }
  [ "$code" = timeout ] || wait "$pid" || code=$?
  echo "smoke: $service: SIGTERM -> exit $code; last log message: $(sed -n 's/.*"message":"\([^"]*\)".*/\1/p' "$work/$service.log" | tail -1)"
  [ "$code" = 0 ] || [ "$code" = 143 ] || status=1
done
pids=()
[ "$status" = 0 ] && echo "smoke: passed" || echo "smoke: FAILED" >&2
exit "$status"
