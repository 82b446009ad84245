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

# Each service runs from its extracted jar (faster class loading) with a JDK AOT cache made by a training run
# (JEP 483/514: classes loaded and linked ahead of time), which cuts start-up CPU about threefold. Both are
# redone only when the jar changes. Set AGENCY_AOT=false to skip the training runs.
aot_enabled() {  # the JDK AOT cache (-XX:AOTCacheOutput) exists from JDK 25 on
  [[ ${AGENCY_AOT:-true} == true ]] && (($(java_major "$JAVA_HOME/bin/java") >= 25))
}

runtime_up_to_date() {
  local s=$1
  [[ -f $RUN_DIR/$s/$s.jar && ! $RUN_DIR/$s/$s.jar -ot $(jar_of "$s") ]] || return 1
  ! aot_enabled || [[ -f $RUN_DIR/$s/app.aot ]]
}

prepare_runtime_one() {
  local s=$1 dir="$RUN_DIR/$1"
  rm -rf "$dir" && mkdir -p "$dir"
  "$JAVA_HOME/bin/java" -Djarmode=tools -jar "$(jar_of "$s")" extract --destination "$dir" >"$LOG_DIR/$s.prepare.log" 2>&1 \
    || { tail -n 20 "$LOG_DIR/$s.prepare.log" >&2; die "could not extract $(jar_of "$s")"; }
  touch "$dir/$s.jar"
  aot_enabled || return 0
  local -a opts
  read -r -a opts <<<"${JAVA_OPTS-$DEFAULT_JAVA_OPTS}"
  [[ -n ${MGMT_PORT[$s]:-} ]] && opts+=(-Dmanagement.server.port=0)
  if ! "$JAVA_HOME/bin/java" ${opts[@]+"${opts[@]}"} -XX:AOTCacheOutput="$dir/app.aot" -Dspring.context.exit=onRefresh \
      -Dserver.port=0 -jar "$dir/$s.jar" >>"$LOG_DIR/$s.prepare.log" 2>&1; then
    warn "AOT training run of $s failed (see .platform/logs/$s.prepare.log); it will start without the cache"
    rm -f "$dir/app.aot"
  fi
}

prepare_runtime() {
  local s pending=() t0=$SECONDS
  for s in "${SERVICES[@]}"; do runtime_up_to_date "$s" || pending+=("$s"); done
  ((${#pending[@]})) || return 0
  say "preparing ${#pending[@]} service runtime(s): extracted jars + AOT cache training runs (once per build) ..."
  local -a pids=()
  for s in "${pending[@]}"; do
    prepare_runtime_one "$s" &
    pids+=($!)
    if ((${#pids[@]} >= 2)); then wait "${pids[0]}" || true; pids=("${pids[@]:1}"); fi
  done
  for s in "${pids[@]}"; do wait "$s" || true; done
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
  local -a env_vars=("SERVER_PORT=$port")
  if ((PORT_BASE != 8080)); then  # the built-in defaults name the 8080-8085 ports: point every service at its peers
    local url="http://localhost"
    env_vars+=("AGENCY_SECURITY_JWKS_URI=$url:${PORT[auth-service]}/.well-known/jwks.json"
      "AGENCY_CLIENTS_AUTH_BASE_URL=$url:${PORT[auth-service]}"
      "AGENCY_CLIENTS_MEMORY_BASE_URL=$url:${PORT[memory-service]}"
      "AGENCY_CLIENTS_TOOL_BASE_URL=$url:${PORT[tool-service]}"
      "AGENCY_CLIENTS_MULTIMODAL_BASE_URL=$url:${PORT[multimodal-service]}"
      "AGENCY_GATEWAY_ROUTES_AUTH_URI=$url:${PORT[auth-service]}"
      "AGENCY_GATEWAY_ROUTES_MEMORY_URI=$url:${PORT[memory-service]}"
      "AGENCY_GATEWAY_ROUTES_TOOL_URI=$url:${PORT[tool-service]}"
      "AGENCY_GATEWAY_ROUTES_ORCHESTRATION_URI=$url:${PORT[orchestration-service]}"
      "AGENCY_GATEWAY_ROUTES_MULTIMODAL_URI=$url:${PORT[multimodal-service]}")
  fi
  [[ -n $mgmt ]] && env_vars+=("MANAGEMENT_SERVER_PORT=$mgmt")
  env "${env_vars[@]}" nohup "$JAVA_HOME/bin/java" ${opts[@]+"${opts[@]}"} -jar "$jar" \
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

