#!/usr/bin/env bash
# ./platform compose-test: the compose file, for real, on a machine without Docker (Debian/Ubuntu, root). Installs
# podman, podman-compose, buildah, runc and debootstrap with apt; builds a base image from Debian packages (JDK,
# PostgreSQL + pgvector, Prometheus, Alertmanager) the way the launcher provisions a host; builds every service image
# from the Dockerfile (target runtime-prebuilt: the jars this checkout built) and the stand-in images for PostgreSQL,
# Prometheus and Alertmanager; starts docker-compose.yml with podman-compose on ports 38080+, waits for health, runs
# the walking-skeleton journey against the gateway, prints what ran and tears everything down.
# Sourced by ./platform after host.sh (say/warn/die, run_step, apt_install, select_jdk, install_pgvector).

CT_DIR="$STATE_DIR/compose-test"           # podman wrapper, containers.conf, build contexts, logs
CT_PROJECT=agency-compose-test              # podman-compose project: containers, network and volumes are named after it
CT_BASE_REPO=localhost/agency/base
CT_IMAGE_TAG=compose-test
CT_PORT_BASE=${AGENCY_COMPOSE_TEST_PORT_BASE:-38080}
# services of docker-compose.yml that have no Debian package (no image can be pulled here): kept for users, not started
CT_SKIPPED=(grafana jaeger)
CT_LOG="$CT_DIR/compose-test.log"
CT_GATEWAY_URL="http://127.0.0.1:$CT_PORT_BASE"
declare -A CT_TIME=()

ct_log() { mkdir -p "$CT_DIR"; printf '\n### %s %s\n' "$(date '+%F %T')" "$*" >>"$CT_LOG"; }

# ---------------------------------------------------------------------------- podman as it works here

ct_ensure_tools() {
  if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
    die "compose-test needs root and apt-get (Debian/Ubuntu): it installs podman, podman-compose, buildah, runc, debootstrap"
  fi
  local missing=() cmd pkg
  for cmd in podman:podman podman-compose:podman-compose buildah:buildah runc:runc debootstrap:debootstrap \
             aardvark-dns:aardvark-dns netavark:netavark; do
    pkg=${cmd#*:}; cmd=${cmd%%:*}
    case $cmd in
      aardvark-dns|netavark) [[ -x /usr/lib/podman/$cmd ]] || missing+=("$pkg") ;;
      *) command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg") ;;
    esac
  done
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
}

# crun (podman's default here) fails with "setrlimit RLIMIT_NPROC: Operation not permitted" and "cgroups in hybrid
# mode not supported": every podman call, podman-compose's included, goes through a wrapper that selects runc and
# cgroupfs, with a containers.conf that sets no default ulimits.
ct_podman_setup() {
  mkdir -p "$CT_DIR/bin"
  printf '[containers]\ndefault_ulimits = []\n' >"$CT_DIR/containers.conf"
  printf '#!/bin/sh\nexec /usr/bin/podman --runtime runc --cgroup-manager=cgroupfs "$@"\n' >"$CT_DIR/bin/podman"
  chmod 0755 "$CT_DIR/bin/podman"
  export CONTAINERS_CONF="$CT_DIR/containers.conf"
  export PATH="$CT_DIR/bin:$PATH"
}

# ---------------------------------------------------------------------------- the base image

# The base's cache key: what goes into it (the recipe below, host.sh's apt and pgvector functions, the JDK's release
# file). Edit any of them and the next run builds a new base.
ct_base_key() {
  { declare -f ct_base_image apt_install install_pgvector; cat "$JAVA_HOME/release"; } | sha256sum | cut -c1-12
}

# debootstrap a Debian bookworm root file system, install PostgreSQL and pgvector in it with the launcher's own
# functions (host.sh's apt_install and install_pgvector, run inside the chroot), Prometheus and Alertmanager from
# Debian, copy in the JDK the launcher selected (select_jdk: JAVA_HOME, java on PATH or /usr/lib/jvm, >= 21; Debian
# 12 packages no JDK 21), then tar | podman import. Cached by key: a second run takes a second.
ct_base_image() {
  local key image t0=$SECONDS
  key=$(ct_base_key)
  image="$CT_BASE_REPO:bookworm-$key"
  if podman image exists "$image"; then
    say "base image $image is cached"
    podman tag "$image" "$CT_BASE_REPO:bookworm"
    CT_TIME[base]="cached"
    return 0
  fi
  local rootfs="$CT_DIR/rootfs"
  ct_base_cleanup
  rm -rf "$rootfs"
  mkdir -p "$rootfs"
  local mirror=${AGENCY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
  run_step "debootstrap bookworm (minbase) into $rootfs" debootstrap --variant=minbase \
    --include=ca-certificates,wget,procps,tzdata,libgomp1,fontconfig,adduser bookworm "$rootfs" "$mirror"
  # no services start inside the chroot; no cluster is created by the package (the image's entrypoint makes one)
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
  mkdir -p "$rootfs/etc/postgresql-common"
  printf 'create_main_cluster = false\n' >"$rootfs/etc/postgresql-common/createcluster.conf"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mount -t proc proc "$rootfs/proc"
  trap ct_base_cleanup EXIT
  mkdir -p "$rootfs/tmp/agency"
  cp "$ROOT_DIR/scripts/host.sh" "$rootfs/tmp/agency/host.sh"
  # the launcher's provisioning, run as root inside the new system
  run_step "installing PostgreSQL 15 + pgvector, Prometheus, Alertmanager in the base (host.sh, in the chroot)" \
    chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    /bin/bash -c 'set -euo pipefail
      say() { printf "base: %s\n" "$*"; }; warn() { say "WARNING: $*" >&2; }; die() { say "ERROR: $*" >&2; exit 1; }
      STATE_DIR=/tmp/agency/state MIN_JAVA=21
      . /tmp/agency/host.sh
      apt_install -o Dpkg::Options::=--force-confold postgresql-15 prometheus prometheus-alertmanager
      install_pgvector 15
      apt-get purge -y -q --auto-remove -o APT::AutoRemove::RecommendsImportant=false \
        -o APT::AutoRemove::SuggestsImportant=false postgresql-server-dev-15 build-essential
      apt-get clean
      rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /tmp/agency /usr/sbin/policy-rc.d
      test -f /usr/share/postgresql/15/extension/vector.control'
  ct_base_cleanup
  trap - EXIT
  say "copying the JDK the launcher selected ($JAVA_HOME) into the base as /opt/jdk"
  mkdir -p "$rootfs/opt/jdk"
  cp -a "$JAVA_HOME/." "$rootfs/opt/jdk/"
  : >"$rootfs/etc/resolv.conf"
  run_step "podman import $image" bash -c "tar -C '$rootfs' --numeric-owner -cf - . | podman import \
    --change 'ENV PATH=/opt/jdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV JAVA_HOME=/opt/jdk' --change 'ENV LANG=C.UTF-8' --change 'CMD [\"/bin/bash\"]' - '$image'"
  podman tag "$image" "$CT_BASE_REPO:bookworm"
  rm -rf "$rootfs"
  CT_TIME[base]="$((SECONDS - t0)) s"
  say "base image $image built in ${CT_TIME[base]}"
}

ct_base_cleanup() {
  local rootfs="$CT_DIR/rootfs"
  if mountpoint -q "$rootfs/proc" 2>/dev/null; then umount "$rootfs/proc" || umount -l "$rootfs/proc"; fi
}

# ---------------------------------------------------------------------------- images

# Every service from the project's Dockerfile, target runtime-prebuilt: the jars the launcher built (no Maven inside
# a container: nothing reaches Maven Central from one here), on the local base. Context: the jars only.
ct_service_images() {
  local t0=$SECONDS ctx="$CT_DIR/context" s base="$CT_BASE_REPO:bookworm"
  build   # the launcher's: ./mvnw package when a source is newer than the jars
  CT_TIME[jars]="$((SECONDS - t0)) s"
  t0=$SECONDS
  rm -rf "$ctx"
  for s in "${SERVICES[@]}"; do
    mkdir -p "$ctx/$s/target"
    ln "$(jar_of "$s")" "$ctx/$s/target/$s.jar" 2>/dev/null || cp "$(jar_of "$s")" "$ctx/$s/target/$s.jar"
  done
  for s in "${SERVICES[@]}"; do
    run_step "podman build $s (Dockerfile, target runtime-prebuilt)" podman build -q --target runtime-prebuilt \
      --build-arg MODULE="$s" --build-arg JDK_IMAGE="$base" --build-arg JRE_IMAGE="$base" \
      -f "$ROOT_DIR/Dockerfile" -t "agency/$s:$CT_IMAGE_TAG" "$ctx"
  done
  rm -rf "$ctx"
  CT_TIME[services]="$((SECONDS - t0)) s"
}

# The images compose pulls from public registries, made from the local base instead (Debian packages). Alertmanager
# only if the compose file has the service.
ct_infra_images() {
  local t0=$SECONDS name dir="$ROOT_DIR/scripts/containers"
  for name in "${CT_INFRA[@]}"; do
    run_step "podman build $name (scripts/containers/$name.Containerfile)" podman build -q \
      --build-arg BASE_IMAGE="$CT_BASE_REPO:bookworm" -f "$dir/$name.Containerfile" \
      -t "localhost/agency/$name:$CT_IMAGE_TAG" "$dir"
  done
  CT_TIME[infra]="$((SECONDS - t0)) s"
}

# ---------------------------------------------------------------------------- compose

ct_compose() { podman-compose -p "$CT_PROJECT" -f "$CT_DIR/docker-compose.yml" "$@"; }

# podman-compose 1.0 reads docker-compose.yml with two differences from Docker Compose, so it gets a copy in $CT_DIR
# where (1) ${NAME:-} (empty default) is ${NAME}: 1.0 leaves ${NAME:-} in the value as literal text, and (2) the
# relative bind mounts and build contexts are absolute. Reading the copy, it also ignores a .env next to the
# original (which would override the proof's own secrets and ports). Nothing else changes.
ct_render_compose() {
  sed -e 's/\${\([A-Za-z_][A-Za-z0-9_]*\):-}/${\1}/g' \
      -e "s#^\([[:space:]]*- \)\./#\1$ROOT_DIR/#" \
      -e "s#:-\./#:-$ROOT_DIR/#g" \
      -e "s#context: \.,#context: $ROOT_DIR,#" "$ROOT_DIR/docker-compose.yml" >"$CT_DIR/docker-compose.yml"
}

ct_compose_services() {  # the services of docker-compose.yml, one a line
  python3 -c 'import sys, yaml; print("\n".join(yaml.safe_load(open(sys.argv[1]))["services"]))' \
    "$ROOT_DIR/docker-compose.yml"
}

# The local image stands in for a pulled one: through the service's ${AGENCY_<NAME>_IMAGE:-...} when the compose file
# has one, else by tagging the local build with the image name the compose file names (podman finds it locally and
# pulls nothing).
ct_stand_in() {
  local service=$1 raw local_image="localhost/agency/$1:$CT_IMAGE_TAG"
  raw=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["services"][sys.argv[2]]["image"])' \
    "$ROOT_DIR/docker-compose.yml" "$service")
  if [[ $raw =~ ^\$\{([A-Z0-9_]+):-.*\}$ ]]; then
    export "${BASH_REMATCH[1]}=$local_image"
  else
    podman tag "$local_image" "$raw"
  fi
}

# The environment compose reads: throwaway secrets, ports 38080+, the local images.
ct_environment() {
  export AGENCY_IMAGE_TAG=$CT_IMAGE_TAG
  export AGENCY_DB_PASSWORD AGENCY_MASTER_KEY AGENCY_USAGE_INGEST_SECRET GRAFANA_ADMIN_PASSWORD AGENCY_ADMIN_PASSWORD
  AGENCY_DB_PASSWORD=$(openssl rand -hex 24)
  AGENCY_MASTER_KEY=$(openssl rand -base64 32)
  AGENCY_USAGE_INGEST_SECRET=$(openssl rand -base64 32)
  GRAFANA_ADMIN_PASSWORD=$(openssl rand -hex 16)
  AGENCY_ADMIN_PASSWORD=$(openssl rand -hex 16)
  export AGENCY_GATEWAY_PORT=$CT_PORT_BASE AGENCY_POSTGRES_PORT=$((CT_PORT_BASE + 352))
  export AGENCY_PROMETHEUS_PORT=$((CT_PORT_BASE + 10)) AGENCY_ALERTMANAGER_PORT=$((CT_PORT_BASE + 13))
  export AGENCY_GRAFANA_PORT=$((CT_PORT_BASE + 20)) AGENCY_JAEGER_UI_PORT=$((CT_PORT_BASE + 30))
  local service
  for service in "${CT_INFRA[@]}"; do ct_stand_in "$service"; done
  # no trace collector runs in the proof (Jaeger has no Debian package): no exporter rather than failed exports
  export AGENCY_OTLP_ENDPOINT=""
}

ct_container() { echo "${CT_PROJECT}_$1_1"; }

# The proof's host ports must be free. 38080+ lies in Linux's ephemeral range (32768-60999): an outgoing connection
# may hold one for a moment, so a busy port is waited for up to 15 s before giving up.
ct_ports_free() {
  local p i busy
  for ((i = 0; i < 15; i++)); do
    busy=()
    for p in "$AGENCY_GATEWAY_PORT" "$AGENCY_POSTGRES_PORT" "$AGENCY_PROMETHEUS_PORT" "$AGENCY_ALERTMANAGER_PORT"; do
      # any socket with that local port, a client's included (a connect test sees only listeners)
      if command -v ss >/dev/null 2>&1; then
        [[ -n $(ss -Htan "( sport = :$p )" 2>/dev/null) ]] && busy+=("$p")
      elif port_in_use "$p"; then
        busy+=("$p")
      fi
    done
    ((${#busy[@]} == 0)) && return 0
    sleep 1
  done
  die "host ports ${busy[*]} are in use; choose other ones with AGENCY_COMPOSE_TEST_PORT_BASE (e.g. 29080)"
}

# healthy <service>: podman 4.3 runs healthchecks from systemd timers, which this machine has not; run it directly
ct_healthy() { podman healthcheck run "$(ct_container "$1")" >/dev/null 2>&1; }

# start <services...> and wait until each is healthy (podman-compose 1.0 does not wait for depends_on conditions:
# the proof starts them in the order of their service_healthy dependencies)
ct_up_and_wait() { ct_start "$@" && ct_wait "$@"; }

ct_start() {
  (($#)) || return 0
  ct_log "up $*"
  ct_compose up -d --no-build --no-deps "$@" >>"$CT_LOG" 2>&1 || die "podman-compose up $* failed (see $CT_LOG)"
}

ct_wait() {
  local timeout=${CT_WAIT_TIMEOUT:-${AGENCY_COMPOSE_TEST_TIMEOUT:-420}} s pending t0=$SECONDS
  pending=("$@")
  while ((${#pending[@]})); do
    local still=()
    for s in "${pending[@]}"; do
      if ct_healthy "$s"; then
        say "  $s healthy after $((SECONDS - t0)) s"
        CT_STARTED+=("$s")
      else
        still+=("$s")
      fi
    done
    pending=("${still[@]+"${still[@]}"}")
    ((${#pending[@]})) || break
    if ((SECONDS - t0 > timeout)); then
      for s in "${pending[@]}"; do
        warn "$s not healthy after ${timeout} s; its last log lines:"
        podman logs --tail 30 "$(ct_container "$s")" >&2 || true
      done
      return 1
    fi
    sleep 3
  done
}

ct_keep_logs() {  # the containers' logs, kept in .platform/compose-test/logs/ when the proof failed
  local s
  mkdir -p "$CT_DIR/logs"
  for s in $(ct_compose_services); do
    podman logs "$(ct_container "$s")" >"$CT_DIR/logs/$s.log" 2>&1 || rm -f "$CT_DIR/logs/$s.log"
  done
  say "container logs kept in ${CT_DIR#"$ROOT_DIR"/}/logs/"
}

ct_down() {
  say "tearing down (podman-compose down, volumes removed)"
  ct_log "down"
  ct_compose down -v >>"$CT_LOG" 2>&1 || true
  # podman-compose 1.0's down leaves the named volumes and the network of services it did not start
  local v
  for v in $(podman volume ls -q --filter "label=io.podman.compose.project=$CT_PROJECT" 2>/dev/null); do
    podman volume rm -f "$v" >>"$CT_LOG" 2>&1 || true
  done
  podman network rm -f "${CT_PROJECT}_default" >>"$CT_LOG" 2>&1 || true
}

# ---------------------------------------------------------------------------- the journey

# shellcheck source=scripts/compose-journey.sh
. "$ROOT_DIR/scripts/compose-journey.sh"

# ---------------------------------------------------------------------------- the command

CT_STARTED=()
CT_INFRA=()
CT_NOTES=()

cmd_compose_test() {
  local t0=$SECONDS all=() s skipped=() not_started=() rc=0
  ensure_state_dir
  mkdir -p "$CT_DIR"
  : >"$CT_LOG"
  if [[ ${1:-} == --journey-only ]]; then   # against a compose install that runs already (CI: docker compose)
    CT_GATEWAY_URL=${2:-http://127.0.0.1:8080}
    command -v jq >/dev/null 2>&1 || die "jq is required (apt-get install -y jq)"
    say "walking-skeleton journey against $CT_GATEWAY_URL"
    ct_journey || die "journey FAILED against $CT_GATEWAY_URL"
    say "journey passed in ${CT_TIME[journey]}"
    return 0
  fi
  select_jdk
  ct_ensure_tools
  command -v jq >/dev/null 2>&1 || apt_install jq
  ensure_curl
  ct_podman_setup
  mapfile -t all < <(ct_compose_services)
  CT_INFRA=(postgres prometheus)
  # hook for Alertmanager: built and started when docker-compose.yml has the service
  [[ " ${all[*]} " == *" alertmanager "* ]] && CT_INFRA+=(alertmanager)
  for s in "${all[@]}"; do
    [[ " ${CT_SKIPPED[*]} " == *" $s "* ]] && skipped+=("$s")
  done

  ct_base_image
  ct_infra_images
  ct_service_images
  ct_environment
  ct_render_compose
  ct_down >/dev/null 2>&1 || true   # leftovers of an interrupted run
  ct_ports_free
  trap 'ct_down' EXIT

  local t_up=$SECONDS
  say "starting docker-compose.yml with podman-compose (project $CT_PROJECT, gateway on port $CT_PORT_BASE)"
  local rest=() extras=("${CT_INFRA[@]:1}")
  for s in "${SERVICES[@]}"; do [[ $s == auth-service ]] || rest+=("$s"); done
  # the database, auth-service (the JWKS), then the other services; the monitoring stand-ins start beside them
  # (nothing waits for them, as in the compose file) and are waited for after the journey, so that a stand-in that
  # fails is reported without hiding the services' result
  if ct_up_and_wait postgres && ct_up_and_wait auth-service && ct_start "${extras[@]}" \
     && ct_up_and_wait "${rest[@]}"; then
    CT_TIME[up]="$((SECONDS - t_up)) s"
    say "running the walking-skeleton journey against $CT_GATEWAY_URL"
    ct_journey || rc=1
    if ((${#extras[@]})); then CT_WAIT_TIMEOUT=120 ct_wait "${extras[@]}" || rc=1; fi
    if [[ " ${CT_STARTED[*]} " == *" prometheus "* ]]; then ct_prometheus_scrapes || rc=1; fi
  else
    CT_TIME[up]="failed after $((SECONDS - t_up)) s"
    rc=1
  fi
  for s in "${all[@]}"; do
    [[ " ${CT_STARTED[*]} ${skipped[*]} " == *" $s "* ]] || not_started+=("$s")
  done
  if ((rc != 0)); then ct_keep_logs; fi
  ct_down
  trap - EXIT
  ct_summary "$rc" "$((SECONDS - t0))"
  return "$rc"
}

ct_summary() {
  local rc=$1 total=$2 line
  cat <<EOF

==================== compose-test summary ====================
compose file:       docker-compose.yml (podman-compose $(podman-compose version 2>/dev/null | sed -n 's/^podman-composer* version *//p' | head -n1), podman $(podman version --format '{{.Client.Version}}' 2>/dev/null), runc, cgroupfs)
started, healthy:   ${CT_STARTED[*]:-none}
not started here:   ${skipped[*]:-none} (no Debian package and no image can be pulled here; kept in the compose file for users)
failed to start:    ${not_started[*]:-none}
images:             base $CT_BASE_REPO:bookworm (debootstrap + JDK + PostgreSQL 15/pgvector + Prometheus + Alertmanager),
                    agency/<service>:$CT_IMAGE_TAG (Dockerfile target runtime-prebuilt), ${CT_INFRA[*]} (scripts/containers)
timings:            base image ${CT_TIME[base]:-?}, infra images ${CT_TIME[infra]:-?}, jars ${CT_TIME[jars]:-?}, service images ${CT_TIME[services]:-?},
                    up to healthy ${CT_TIME[up]:-?}, journey ${CT_TIME[journey]:-?}, total ${total} s
journey (gateway $CT_GATEWAY_URL):
EOF
  for line in "${CT_JOURNEY_STEPS[@]+"${CT_JOURNEY_STEPS[@]}"}"; do printf '  %s\n' "$line"; done
  for line in "${CT_NOTES[@]+"${CT_NOTES[@]}"}"; do printf 'note:               %s\n' "$line"; done
  if ((rc == 0)); then
    printf 'result:             PASSED (everything torn down; log: %s)\n' "${CT_LOG#"$ROOT_DIR"/}"
  else
    printf 'result:             FAILED (everything torn down; log: %s)\n' "${CT_LOG#"$ROOT_DIR"/}"
  fi
}
