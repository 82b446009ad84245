#!/usr/bin/env bash
# Building and running the services for ./platform: the Maven build (when sources changed), each service's runtime
# (extracted jar + JDK AOT cache), starting, stopping and health of the processes, and their secrets. Sourced by
# ./platform after scripts/host.sh; reads SERVICES, PORT, MGMT_PORT and SHORT_NAMES (from platform.services).

# ---------------------------------------------------------------------------- build

jar_of() { echo "$1/target/$1.jar"; }

build_up_to_date() {
  local s jar oldest=""
  for s in "${SERVICES[@]}"; do
    jar=$(jar_of "$s")
    [[ -f $jar ]] || return 1
    if [[ -z $oldest || $jar -ot $oldest ]]; then oldest=$jar; fi
  done
  local newer
  # load-tests/ (Gatling, chaos) is not part of the services' build (the Gatling module is outside the reactor): editing a
  # simulation must not rebuild the jars under a running benchmark
  newer=$(find . -path '*/target' -prune -o -path './.platform' -prune -o -path './.git' -prune -o \
    -path './load-tests' -prune -o -type f \( -name pom.xml -o -path './*/src/*' \) -newer "$oldest" -print -quit 2>/dev/null)
  [[ -z $newer ]]
}

build() {
  if build_up_to_date; then
    say "build is up to date (no src/ or pom.xml newer than the jars) - skipping"
    return 0
  fi
  [[ -x ./mvnw ]] || die "./mvnw not found or not executable in $ROOT_DIR"
  say "building (./mvnw -B -q -Dmaven.test.skip=true package) ..."
  local t0=$SECONDS
  ./mvnw -B -q -Dmaven.test.skip=true package || die "build failed (see Maven output above)"
  local s
  for s in "${SERVICES[@]}"; do
    [[ -f $(jar_of "$s") ]] || die "build succeeded but $(jar_of "$s") is missing"
  done
  say "build finished in $((SECONDS - t0)) s"
}

# Each service runs from its extracted jar (faster class loading) with a JDK AOT cache (JEP 483/514/515: classes
# loaded and linked ahead of time, and the method profiles of the training run). The training run starts all six
# services together on ports of their own, drives a realistic workload through their gateway
# (scripts/TrainingWorkload.java: sign-up, memories, tools, chat, a workflow) and stops them, and each JVM writes its
# cache as it exits: a service that has just started then finds its hot paths' classes and profiles in the cache
# instead of learning them from the first minutes of traffic. Should that fail, each service is trained alone up to
# its context refresh (start-up classes only). Both are redone only when the jar changes. AGENCY_AOT=false skips them.
aot_enabled() {  # the JDK AOT cache (-XX:AOTCacheOutput) exists from JDK 25 on
  [[ ${AGENCY_AOT:-true} == true ]] && (($(java_major "$JAVA_HOME/bin/java") >= 25))
}

runtime_up_to_date() {
  local s=$1
  [[ -f $RUN_DIR/$s/$s.jar && ! $RUN_DIR/$s/$s.jar -ot $(jar_of "$s") ]] || return 1
  ! aot_enabled || [[ -f $RUN_DIR/$s/app.aot ]]
}

extract_runtime() {
  local s=$1 dir="$RUN_DIR/$1"
  rm -rf "$dir" && mkdir -p "$dir"
  "$JAVA_HOME/bin/java" -Djarmode=tools -jar "$(jar_of "$s")" extract --destination "$dir" >"$LOG_DIR/$s.prepare.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/$s.prepare.log" >&2; die "could not extract $(jar_of "$s")"; }
  touch "$dir/$s.jar"
}

# The fallback training of one service: up to its context refresh, no request served.
train_on_refresh() {
  local s=$1 dir="$RUN_DIR/$1"
  local -a opts
  read -r -a opts <<<"${JAVA_OPTS-$DEFAULT_JAVA_OPTS}"
  [[ -n ${MGMT_PORT[$s]:-} ]] && opts+=(-Dmanagement.server.port=0)
  if ! "$JAVA_HOME/bin/java" ${opts[@]+"${opts[@]}"} -XX:AOTCacheOutput="$dir/app.aot" -Dspring.context.exit=onRefresh \
      -Dserver.port=0 -jar "$dir/$s.jar" >>"$LOG_DIR/$s.prepare.log" 2>&1; then
    warn "AOT training run of $s failed (see .platform/logs/$s.prepare.log); it will start without the cache"
    rm -f "$dir/app.aot"
  fi
}

# A port base for the training run whose seven ports are all free: AGENCY_AOT_TRAINING_PORT_BASE, else one derived
# from this checkout's path (two checkouts training at once rarely pick the same), moved on while ports are taken.
training_port_base() {
  local base tries p free
  base=${AGENCY_AOT_TRAINING_PORT_BASE:-$((20080 + $(cksum <<<"$ROOT_DIR" | cut -d' ' -f1) % 400 * 100))}
  for ((tries = 0; tries < 20; tries++, base = (base - 20080 + 100) % 40000 + 20080)); do
    ((base == PORT_BASE)) && continue
    free=1
    for p in $(seq "$base" $((base + 5))) $((base + 1000)); do
      if port_in_use "$p"; then free=0; break; fi
    done
    ((free)) && { echo "$base"; return 0; }
    [[ -n ${AGENCY_AOT_TRAINING_PORT_BASE:-} ]] && break
  done
  return 1
}

# The training run with a workload: every service on the training ports, those in $@ recording their cache
# (-XX:AOTCacheOutput), the others on the cache they have; then the workload, then a graceful stop (SIGTERM), on
# which each recording JVM writes its cache. Fails unless every service in $@ has written one.
train_with_workload() {
  local -a record=("$@")
  local base s p
  base=$(training_port_base) || { warn "no free ports for the AOT training run"; return 1; }
  local -A pid=()
  local -a opts
  say "AOT training run: all services on ports $base-$((base + 5)), a workload through the gateway, then a stop ..."
  # an interrupted launcher leaves no training JVM behind
  trap 'for p in "${pid[@]}"; do kill -KILL "$p" 2>/dev/null; done; exit 130' INT TERM
  for s in "${SERVICES[@]}"; do
    read -r -a opts <<<"${JAVA_OPTS-$DEFAULT_JAVA_OPTS}"
    if [[ " ${record[*]} " == *" $s "* ]]; then
      rm -f "$RUN_DIR/$s/app.aot"
      opts+=("-XX:AOTCacheOutput=$RUN_DIR/$s/app.aot")
    elif [[ -f $RUN_DIR/$s/app.aot ]]; then
      opts+=("-XX:AOTCache=$RUN_DIR/$s/app.aot")
    fi
    service_env "$s" "$base"
    env "${SERVICE_ENV[@]}" "$JAVA_HOME/bin/java" ${opts[@]+"${opts[@]}"} -jar "$RUN_DIR/$s/$s.jar" \
      >>"$LOG_DIR/$s.prepare.log" 2>&1 </dev/null &
    pid[$s]=$!
  done
  local ok=1 deadline=$((SECONDS + ${AGENCY_START_TIMEOUT:-180}))
  for s in "${SERVICES[@]}"; do
    p=$(health_port "$s")
    p=$((p - PORT_BASE + base))
    until readiness_ok "$p"; do
      if ! kill -0 "${pid[$s]}" 2>/dev/null || ((SECONDS >= deadline)); then
        warn "AOT training run: $s did not become ready (see .platform/logs/$s.prepare.log)"
        ok=0
        break 2
      fi
      sleep 1
    done
  done
  if ((ok)); then
    "$JAVA_HOME/bin/java" "$ROOT_DIR/scripts/TrainingWorkload.java" "http://localhost:$base" \
      "${AGENCY_AOT_TRAINING_SECONDS:-20}" >"$LOG_DIR/aot-training.log" 2>&1 \
      || warn "the AOT training workload had errors (see .platform/logs/aot-training.log); the caches are kept"
    tail -n 1 "$LOG_DIR/aot-training.log" | sed 's/^/platform: /'
  fi
  for s in "${SERVICES[@]}"; do kill -TERM "${pid[$s]}" 2>/dev/null || true; done
  deadline=$((SECONDS + 120))  # each recording JVM assembles its cache on the way out
  for s in "${SERVICES[@]}"; do
    while kill -0 "${pid[$s]}" 2>/dev/null && ((SECONDS < deadline)); do sleep 1; done
    kill -KILL "${pid[$s]}" 2>/dev/null || true
    wait "${pid[$s]}" 2>/dev/null || true
  done
  trap - INT TERM
  ((ok)) || return 1
  for s in "${record[@]}"; do
    [[ -f $RUN_DIR/$s/app.aot ]] || { warn "AOT training run: $s wrote no cache"; return 1; }
  done
}

prepare_runtime() {
  local s pending=() t0=$SECONDS
  for s in "${SERVICES[@]}"; do runtime_up_to_date "$s" || pending+=("$s"); done
  ((${#pending[@]})) || return 0
  if aot_enabled; then
    say "preparing ${#pending[@]} service runtime(s): extracted jars + AOT cache training run (once per build) ..."
  else
    say "preparing ${#pending[@]} service runtime(s): extracted jars ..."
  fi
  for s in "${pending[@]}"; do extract_runtime "$s"; done
  if aot_enabled && ! train_with_workload "${pending[@]}"; then
    warn "falling back to training each service up to its context refresh (start-up classes only)"
    local -a pids=()
    for s in "${pending[@]}"; do
      [[ -f $RUN_DIR/$s/app.aot ]] && continue
      train_on_refresh "$s" &
      pids+=($!)
      if ((${#pids[@]} >= 2)); then wait "${pids[0]}" || true; pids=("${pids[@]:1}"); fi
    done
    for s in ${pids[@]+"${pids[@]}"}; do wait "$s" || true; done
  fi
  say "runtimes prepared in $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------------------- processes

resolve_service() {  # a service's name or one of its short names (platform.services) -> its name
  local n=$1 s
  for s in "${SERVICES[@]}"; do
    if [[ $n == "$s" || ",${SHORT_NAMES[$s]}," == *",$n,"* ]]; then
      echo "$s"
      return 0
    fi
  done
  return 1
}

pid_file() { echo "$STATE_DIR/$1.pid"; }

# Prints the pid if the service recorded in its pid file is alive (and really is that service).
running_pid() {
  local f pid
  f=$(pid_file "$1")
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r /proc/$pid/cmdline ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$1.jar" || return 1
  fi
  echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_secret() {  # ensure_secret <file> <openssl rand args...>
  local file=$1; shift
  if [[ ! -s $file ]]; then
    (umask 077 && openssl rand "$@" | tr -d '\n' >"$file")
    SECRET_GENERATED=1
  fi
  chmod 600 "$file"
}

prepare_secrets() {
  command -v openssl >/dev/null 2>&1 || die "openssl is required to generate secrets (apt-get install -y openssl) or set AGENCY_MASTER_KEY"
  ensure_state_dir
  SECRET_GENERATED=0
  if [[ -z ${AGENCY_MASTER_KEY:-} ]]; then
    ensure_secret "$STATE_DIR/master-key" -base64 32
    [[ $SECRET_GENERATED == 1 ]] && say "generated a master key in .platform/master-key"
    AGENCY_MASTER_KEY=$(<"$STATE_DIR/master-key")
  fi
  export AGENCY_MASTER_KEY   # every service inherits it: auth, tool and orchestration refuse to start without it
  if [[ -z ${AGENCY_USAGE_INGEST_SECRET:-} ]]; then
    # shared by the services that record usage and auth-service, which refuses usage events without it
    ensure_secret "$STATE_DIR/usage-secret" -base64 32
    AGENCY_USAGE_INGEST_SECRET=$(<"$STATE_DIR/usage-secret")
  fi
  export AGENCY_USAGE_INGEST_SECRET
  export AGENCY_ADMIN_USERNAME="${AGENCY_ADMIN_USERNAME:-admin}"
  if [[ -z ${AGENCY_ADMIN_PASSWORD:-} ]]; then
    # auth-service generates the first admin's password into this file (mode 600), never into its log
    unset AGENCY_ADMIN_PASSWORD
    export AGENCY_ADMIN_PASSWORD_FILE="$ADMIN_PW_FILE"
  fi
}

# The admin login line of the summary: the password as configured, or as auth-service wrote it on its first start.
admin_login() {
  local user=${AGENCY_ADMIN_USERNAME:-admin}
  if [[ -n ${AGENCY_ADMIN_PASSWORD:-} ]]; then
    printf "username '%s'  password '%s'  (from AGENCY_ADMIN_PASSWORD)" "$user" "$AGENCY_ADMIN_PASSWORD"
  elif [[ -s $ADMIN_PW_FILE ]]; then
    printf "username '%s'  password '%s'  (generated on the first start, kept in .platform/admin-password)" \
      "$user" "$(<"$ADMIN_PW_FILE")"
  else
    printf "username '%s'  password unknown here: the admin existed before .platform/admin-password was written" "$user"
  fi
}

# SERVICE_ENV: the environment of service $1 on port base $2 - its port, its management port, and its peers' URLs.
service_env() {
  local s=$1 offset=$(($2 - PORT_BASE)) url="http://localhost"
  SERVICE_ENV=("SERVER_PORT=$((PORT[$s] + offset))")
  if (($2 != 8080)); then  # the built-in defaults name the 8080-8085 ports: point every service at its peers
    local auth=$((PORT[auth-service] + offset)) memory=$((PORT[memory-service] + offset))
    local tool=$((PORT[tool-service] + offset)) orchestration=$((PORT[orchestration-service] + offset))
    local multimodal=$((PORT[multimodal-service] + offset)) gateway=$((PORT[realtime-gateway] + offset))
    SERVICE_ENV+=("AGENCY_SECURITY_JWKS_URI=$url:$auth/.well-known/jwks.json"
      "AGENCY_CLIENTS_AUTH_BASE_URL=$url:$auth"
      "AGENCY_CLIENTS_MEMORY_BASE_URL=$url:$memory"
      "AGENCY_CLIENTS_TOOL_BASE_URL=$url:$tool"
      "AGENCY_CLIENTS_ORCHESTRATION_BASE_URL=$url:$orchestration"
      "AGENCY_CLIENTS_MULTIMODAL_BASE_URL=$url:$multimodal"
      "AGENCY_CLIENTS_GATEWAY_BASE_URL=$url:$gateway"
      "AGENCY_GATEWAY_ROUTES_AUTH_URI=$url:$auth"
      "AGENCY_GATEWAY_ROUTES_MEMORY_URI=$url:$memory"
      "AGENCY_GATEWAY_ROUTES_TOOL_URI=$url:$tool"
      "AGENCY_GATEWAY_ROUTES_ORCHESTRATION_URI=$url:$orchestration"
      "AGENCY_GATEWAY_ROUTES_MULTIMODAL_URI=$url:$multimodal")
  fi
  [[ -n ${MGMT_PORT[$s]:-} ]] && SERVICE_ENV+=("MANAGEMENT_SERVER_PORT=$((MGMT_PORT[$s] + offset))")
  return 0
}

start_service() {
  local s=$1 port=${PORT[$1]} mgmt=${MGMT_PORT[$1]:-} jar pid p
  jar=$(jar_of "$s")
  [[ -f $jar ]] || die "$jar not found (run ./mvnw -B -Dmaven.test.skip=true package)"
  for p in "$port" ${mgmt:+"$mgmt"}; do
    if port_in_use "$p"; then
      die "port $p (needed by $s) is already in use by another process; free it or stop that process"
    fi
  done
  local -a opts
  read -r -a opts <<<"${JAVA_OPTS-$DEFAULT_JAVA_OPTS}"
  if [[ -f $RUN_DIR/$s/$s.jar ]]; then
    jar="$RUN_DIR/$s/$s.jar"
    [[ -f $RUN_DIR/$s/app.aot ]] && opts+=("-XX:AOTCache=$RUN_DIR/$s/app.aot")
  fi
  service_env "$s" "$PORT_BASE"
  env "${SERVICE_ENV[@]}" nohup "$JAVA_HOME/bin/java" ${opts[@]+"${opts[@]}"} -jar "$jar" \
    >"$LOG_DIR/$s.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$(pid_file "$s")"
  say "started $s (pid $pid, port $port${mgmt:+, management port $mgmt}, log .platform/logs/$s.log)"
}

readiness_ok() {
  local body
  body=$(curl -fsS -m 2 "http://localhost:$1/actuator/health/readiness" 2>/dev/null) || return 1
  [[ $body == *'"status":"UP"'* ]]
}

fail_service() {
  local s=$1 reason=$2
  printf 'platform: ERROR: %s %s\n--- last 30 lines of .platform/logs/%s.log ---\n' "$s" "$reason" "$s" >&2
  tail -n 30 "$LOG_DIR/$s.log" >&2 2>/dev/null || true
  printf -- '---\nplatform: other services were left running; stop everything with ./platform down\n' >&2
  exit 1
}

wait_ready() {
  local timeout=${AGENCY_START_TIMEOUT:-180}
  local deadline=$((SECONDS + timeout))
  local -a pending=("$@")
  say "waiting for readiness of ${#pending[@]} service(s) (timeout ${timeout} s) ..."
  while ((${#pending[@]})); do
    local -a still=()
    local s
    for s in "${pending[@]}"; do
      if ! running_pid "$s" >/dev/null; then
        fail_service "$s" "exited during startup"
      elif readiness_ok "$(health_port "$s")"; then
        say "$s is ready (port ${PORT[$s]})"
      else
        still+=("$s")
      fi
    done
    pending=(${still[@]+"${still[@]}"})
    ((${#pending[@]})) || break
    if ((SECONDS >= deadline)); then
      fail_service "${pending[0]}" "did not become ready within ${timeout} s (not ready: ${pending[*]})"
    fi
    sleep 2
  done
}

print_summary() {
  cat <<EOF

  Gateway:      $GATEWAY_URL
  Web console:  $GATEWAY_URL/console/
  API docs:     $GATEWAY_URL/swagger-ui.html   (OpenAPI: $GATEWAY_URL/v3/api-docs)
  MCP server:   $GATEWAY_URL/mcp   (streamable HTTP; Authorization: Bearer <token or API key>)
  Admin login:  $(admin_login)

  ./platform status            health of all services
  ./platform logs <service>    follow a log (auth, memory, tool, orchestration, multimodal, gateway)
  ./platform down              stop all services

EOF
}

