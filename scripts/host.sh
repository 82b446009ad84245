#!/usr/bin/env bash
# Host provisioning for ./platform: packages (apt), a JDK >= 21, the database (AGENCY_DB_URL, else a local
# PostgreSQL + pgvector installed and started here, else an existing local one, else Docker) and the secrets of
# docker compose's .env. Sourced by ./platform, which defines say/warn/die, ROOT_DIR, STATE_DIR, ENV_FILE and
# MIN_JAVA first; its functions change nothing until called.
#
# What a fresh Debian/Ubuntu machine gets, as root: postgresql (and pgvector, built from Debian's trixie source
# package where it is not packaged, e.g. Debian 12), chromium + chromedriver for the console's browser test,
# prometheus + prometheus-alertmanager for the alerting test, curl.

# ---------------------------------------------------------------------------- packages

is_root() { [[ $(id -u) -eq 0 ]]; }

is_debian_like() {
  [[ -r /etc/os-release ]] || return 1
  local id="" id_like=""
  id=$(. /etc/os-release && echo "${ID:-}")
  id_like=$(. /etc/os-release && echo "${ID_LIKE:-}")
  [[ " $id $id_like " == *" debian "* || " $id $id_like " == *" ubuntu "* ]]
}

# run_step "message" cmd args...  -> one progress line, output kept in a log, tail shown on failure
run_step() {
  local msg=$1; shift
  mkdir -p "$STATE_DIR"
  local log="$STATE_DIR/provision.log"
  say "$msg"
  { printf '\n### %s\n### %s\n' "$(date '+%F %T')" "$*"; } >>"$log"
  if ! "$@" >>"$log" 2>&1; then
    printf 'platform: ERROR: step failed: %s\n--- last 30 lines of %s ---\n' "$msg" "$log" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
}

APT_UPDATED=0
apt_update_once() {
  if [[ $APT_UPDATED -eq 0 ]]; then
    run_step "apt-get update" apt-get update -q
    APT_UPDATED=1
  fi
}

apt_install() {
  apt_update_once
  run_step "apt-get install $*" apt-get install -y -q --no-install-recommends "$@"
}

ensure_curl() {
  command -v curl >/dev/null 2>&1 && return 0
  if is_root && command -v apt-get >/dev/null 2>&1; then
    apt_install curl ca-certificates
  else
    die "curl is required but not installed (Debian/Ubuntu: sudo apt-get install -y curl)"
  fi
}

# The web console's browser test (realtime-gateway ConsoleBrowserTest) drives Debian's Chromium through chromedriver.
ensure_browser() {
  if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    return 0
  fi
  if is_root && command -v apt-get >/dev/null 2>&1; then
    say "chromium/chromedriver missing: installing them for the web console's browser test"
    apt_install chromium chromium-driver
  else
    warn "chromium and chromedriver are missing and cannot be installed here (needs root and apt-get):" \
      "the console browser test is skipped, or fails with CI=true (Debian/Ubuntu: sudo apt-get install -y chromium chromium-driver)"
  fi
}

# AlertingIT (platform-tests) runs Debian's Prometheus and Alertmanager with the project's configuration and checks
# it with promtool and amtool. Installed once; on a systemd host the packages also start their own services, which
# the tests do not use (they start their own processes on free ports).
ensure_monitoring_tools() {
  if [[ -x /usr/bin/prometheus && -x /usr/bin/promtool && -x /usr/bin/prometheus-alertmanager && -x /usr/bin/amtool ]]; then
    return 0
  fi
  if is_root && command -v apt-get >/dev/null 2>&1; then
    say "prometheus/alertmanager missing: installing them for the alerting test"
    apt_install prometheus prometheus-alertmanager
  else
    warn "prometheus and prometheus-alertmanager are missing and cannot be installed here (needs root and apt-get):" \
      "the alerting test is skipped, or fails with CI=true (Debian/Ubuntu: sudo apt-get install -y prometheus prometheus-alertmanager)"
  fi
}

# ---------------------------------------------------------------------------- JDK

# java_major <java-binary>  -> prints the feature version (8, 17, 21, 25 ...) or nothing
java_major() {
  local v
  v=$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}') || return 0
  [[ -n $v ]] || return 0
  if [[ $v == 1.* ]]; then v=${v#1.}; fi
  v=${v%%[.+-]*}
  [[ $v =~ ^[0-9]+$ ]] && echo "$v"
  return 0
}

# jdk_ok <java_home>  -> true if it holds java+javac with version >= MIN_JAVA
jdk_ok() {
  local home=$1 major
  [[ -x $home/bin/java && -x $home/bin/javac ]] || return 1
  major=$(java_major "$home/bin/java")
  [[ -n $major && $major -ge $MIN_JAVA ]]
}

select_jdk() {
  local home="" candidate best="" best_major=0 major
  if [[ -n ${JAVA_HOME:-} ]] && jdk_ok "$JAVA_HOME"; then
    home=$JAVA_HOME
  elif command -v java >/dev/null 2>&1 && candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")") \
       && jdk_ok "$candidate"; then
    home=$candidate
  else
    for candidate in /usr/lib/jvm/*; do
      [[ -d $candidate ]] || continue
      jdk_ok "$candidate" || continue
      major=$(java_major "$candidate/bin/java")
      if [[ $major -gt $best_major ]]; then best=$candidate; best_major=$major; fi
    done
    home=$best
  fi
  if [[ -z $home ]]; then
    die "no JDK >= $MIN_JAVA found (checked \$JAVA_HOME, java on PATH, /usr/lib/jvm/*).
  Install one, e.g.:
    Debian 13 / Ubuntu 24.04:  sudo apt-get install -y openjdk-21-jdk
    Debian 12 / others:        Eclipse Temurin 21+ from https://adoptium.net (apt package temurin-21-jdk)
  or point JAVA_HOME at an existing JDK >= $MIN_JAVA."
  fi
  export JAVA_HOME=$home
  export PATH="$JAVA_HOME/bin:$PATH"
  say "using JDK $(java_major "$JAVA_HOME/bin/java") at $JAVA_HOME"
}

# ---------------------------------------------------------------------------- database

DB_SOURCE=""

pg_as_postgres() {  # psql as the postgres superuser on the local cluster
  (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@")
}

# Picks the cluster to use: highest version named "main", else highest version of any.
detect_cluster() {
  local line
  line=$(pg_lsclusters -h 2>/dev/null | awk '$2=="main"' | sort -k1,1nr | head -n1)
  [[ -n $line ]] || line=$(pg_lsclusters -h 2>/dev/null | sort -k1,1nr | head -n1)
  [[ -n $line ]] || return 1
  read -r PG_VERSION PG_CLUSTER PG_PORT PG_STATUS _ <<<"$line"
}

install_pgvector() {
  local ver=$1
  local control="/usr/share/postgresql/$ver/extension/vector.control"
  [[ -f $control ]] && return 0

  # 1) a packaged build (Debian 13+, Ubuntu 24.04+, PGDG repositories)
  apt_update_once
  if apt-cache policy "postgresql-$ver-pgvector" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    apt_install "postgresql-$ver-pgvector"
    [[ -f $control ]] && return 0
  fi

  # 2) build from the Debian trixie source package (pgvector for PG15 is not packaged in Debian 12)
  local src_list=/etc/apt/sources.list.d/agency-pgvector-src.list
  say "pgvector for PostgreSQL $ver is not packaged here; building it from source"
  echo "deb-src http://deb.debian.org/debian trixie main" >"$src_list"
  run_step "apt-get update (with trixie deb-src for pgvector)" apt-get update -q
  local tmp
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  run_step "downloading pgvector source" bash -c "cd '$tmp' && apt-get source -q --download-only pgvector"
  rm -f "$src_list"   # only needed for the download; keeps later apt-get updates lean
  local orig
  orig=$(ls "$tmp"/pgvector_*.orig.tar.* 2>/dev/null | head -n1)
  [[ -n $orig ]] || die "pgvector source download produced no pgvector_*.orig.tar.* (see $STATE_DIR/provision.log)"
  run_step "unpacking $(basename "$orig")" tar -xf "$orig" -C "$tmp"
  apt_install "postgresql-server-dev-$ver" build-essential
  local dir
  dir=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'pgvector*' | head -n1)
  [[ -n $dir ]] || die "could not find the unpacked pgvector directory in $tmp"
  local pg_config="/usr/lib/postgresql/$ver/bin/pg_config"
  run_step "building pgvector ($(basename "$dir"))" make -C "$dir" PG_CONFIG="$pg_config"
  run_step "installing pgvector" make -C "$dir" PG_CONFIG="$pg_config" install
  rm -rf "$tmp"
  trap - EXIT
  [[ -f $control ]] || die "pgvector was built but $control is missing"
}

provision_local_postgres() {
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    apt_install postgresql
  fi
  if ! detect_cluster; then
    local ver
    ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n1)
    [[ -n $ver ]] || die "PostgreSQL is installed but no server version found under /usr/lib/postgresql"
    run_step "creating PostgreSQL cluster $ver/main" pg_createcluster "$ver" main
    detect_cluster || die "no PostgreSQL cluster found after pg_createcluster"
  fi

  # building pgvector installs postgresql-server-dev, which can upgrade the server package under a running cluster:
  # its old binary then fails to load the new plpgsql.so ("undefined symbol"), so such a cluster is restarted
  local server_before server_after
  server_before=$(stat -c %Y "/usr/lib/postgresql/$PG_VERSION/bin/postgres" 2>/dev/null || true)
  install_pgvector "$PG_VERSION"
  server_after=$(stat -c %Y "/usr/lib/postgresql/$PG_VERSION/bin/postgres" 2>/dev/null || true)
  if [[ $PG_STATUS == online* && $server_before != "$server_after" ]]; then
    run_step "restarting PostgreSQL cluster $PG_VERSION/$PG_CLUSTER (its packages were upgraded while it ran)" \
      pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart
  fi

  if [[ $PG_STATUS != online* ]]; then
    run_step "starting PostgreSQL cluster $PG_VERSION/$PG_CLUSTER (port $PG_PORT)" \
      pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
  fi
  local i
  for ((i = 0; i < 60; i++)); do
    pg_isready -q -h localhost -p "$PG_PORT" && break
    sleep 0.5
  done
  pg_isready -q -h localhost -p "$PG_PORT" || die "PostgreSQL $PG_VERSION/$PG_CLUSTER did not become ready on port $PG_PORT (see /var/log/postgresql/)"

  # role, database, extension -- all idempotent, a single round trip each
  local has_role has_db
  has_role=$(pg_as_postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='agency'")
  if [[ $has_role != 1 ]]; then
    say "creating role agency"
    pg_as_postgres -d postgres -c "CREATE ROLE agency LOGIN CREATEDB PASSWORD 'agency'"
  fi
  has_db=$(pg_as_postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='agency'")
  if [[ $has_db != 1 ]]; then
    say "creating database agency"
    pg_as_postgres -d postgres -c "CREATE DATABASE agency OWNER agency"
  fi
  local db
  for db in template1 agency; do
    PGOPTIONS='-c client_min_messages=warning' pg_as_postgres -d "$db" -c "CREATE EXTENSION IF NOT EXISTS vector"
  done

  export AGENCY_DB_URL="jdbc:postgresql://localhost:$PG_PORT/agency"
  export AGENCY_DB_USERNAME=agency AGENCY_DB_PASSWORD=agency
  DB_SOURCE="local PostgreSQL $PG_VERSION/$PG_CLUSTER (pgvector $(pg_as_postgres -d agency -tAc "SELECT extversion FROM pg_extension WHERE extname='vector'"))"
}

compose_file() {
  local f
  for f in compose.yaml compose.yml docker-compose.yaml docker-compose.yml; do
    [[ -f $f ]] && { echo "$f"; return 0; }
  done
  return 1
}

provision_docker_postgres() {
  local exec_cmd db_password
  ensure_compose_env   # the database password comes from .env, like docker compose's own
  db_password=$(env_file_value "$ENV_FILE" AGENCY_DB_PASSWORD)
  if compose_file >/dev/null; then
    run_step "docker compose up -d postgres" docker compose up -d postgres
    exec_cmd=(docker compose exec -T postgres)
  else
    say "no compose file found; using a plain container named agency-postgres"
    if docker container inspect agency-postgres >/dev/null 2>&1; then
      run_step "starting container agency-postgres" docker start agency-postgres
    else
      run_step "docker run pgvector/pgvector:pg17" docker run -d --name agency-postgres \
        -e POSTGRES_USER=agency -e POSTGRES_PASSWORD="$db_password" -e POSTGRES_DB=agency \
        -p 127.0.0.1:5432:5432 pgvector/pgvector:pg17
    fi
    exec_cmd=(docker exec agency-postgres)
  fi
  say "waiting for PostgreSQL in Docker to accept connections"
  local i
  for ((i = 0; i < 90; i++)); do
    # -h 127.0.0.1: the image's init phase only listens on the unix socket
    "${exec_cmd[@]}" pg_isready -q -h 127.0.0.1 -U agency -d agency >/dev/null 2>&1 && break
    sleep 1
  done
  "${exec_cmd[@]}" pg_isready -q -h 127.0.0.1 -U agency -d agency >/dev/null 2>&1 \
    || die "PostgreSQL container did not become ready within 90 s (docker logs)"
  local db
  for db in template1 agency; do
    "${exec_cmd[@]}" psql -X -q -U agency -d "$db" -c "SET client_min_messages=warning; CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
  done
  # a volume made before .env existed keeps its old password: the role takes the one in .env (hex, no quoting needed)
  "${exec_cmd[@]}" psql -X -q -U agency -d agency -c "ALTER ROLE agency PASSWORD '$db_password'" >/dev/null
  export AGENCY_DB_URL="jdbc:postgresql://localhost:5432/agency"
  export AGENCY_DB_USERNAME=agency AGENCY_DB_PASSWORD="$db_password"
  DB_SOURCE="Docker (pgvector/pgvector:pg17 on 127.0.0.1 only, password from .env)"
}

# An already provisioned local database usable without root (developer machines).
local_db_reachable() {
  command -v psql >/dev/null 2>&1 || return 1
  PGPASSWORD=agency PGCONNECT_TIMEOUT=3 psql -X -q -h localhost -p 5432 -U agency -d agency \
    -tAc "SELECT 1 FROM pg_extension WHERE extname='vector'" 2>/dev/null | grep -q 1
}

ensure_database() {
  if [[ -n ${AGENCY_DB_URL:-} ]]; then
    export AGENCY_DB_URL AGENCY_DB_USERNAME="${AGENCY_DB_USERNAME:-agency}" AGENCY_DB_PASSWORD="${AGENCY_DB_PASSWORD:-agency}"
    DB_SOURCE="AGENCY_DB_URL from the environment"
  elif is_debian_like && is_root; then
    provision_local_postgres
  elif local_db_reachable; then
    export AGENCY_DB_URL="jdbc:postgresql://localhost:5432/agency" AGENCY_DB_USERNAME=agency AGENCY_DB_PASSWORD=agency
    DB_SOURCE="existing local PostgreSQL (agency@localhost:5432)"
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    provision_docker_postgres
  else
    local hint
    if is_debian_like; then
      hint="run './platform db' once as root (sudo) to install PostgreSQL + pgvector locally,"
    else
      hint="install PostgreSQL with the pgvector extension (role/password/db: agency/agency/agency, 'CREATE EXTENSION vector' in template1 and agency),"
    fi
    die "no database available. Either:
  - $hint
  - or install and start Docker (Docker Engine / Docker Desktop) so 'docker compose up -d postgres' works,
  - or point AGENCY_DB_URL (+ AGENCY_DB_USERNAME, AGENCY_DB_PASSWORD) at a PostgreSQL with pgvector."
  fi
  say "database: $AGENCY_DB_URL (user $AGENCY_DB_USERNAME) via $DB_SOURCE"
}

# ---------------------------------------------------------------------------- docker compose secrets

env_file_value() {  # env_file_value <file> <key> -> the last value of key (empty if absent)
  [[ -f $1 ]] || return 0
  sed -n "s/^$2=//p" "$1" | tail -n1
}

# Sets <key> in <file> unless it already has a value (values in use are never replaced: the database volume and the
# sealed data depend on them). Returns 0 if it wrote a value.
set_env_value_if_empty() {
  local file=$1 key=$2 value=$3 tmp
  [[ -n $(env_file_value "$file" "$key") ]] && return 1
  tmp=$(mktemp "$file.XXXXXX")
  awk -v k="$key" -v v="$value" '
    index($0, k "=") == 1 && !done { print k "=" v; done = 1; next }
    { print }
    END { if (!done) print k "=" v }' "$file" >"$tmp"
  chmod 600 "$tmp"
  mv -f "$tmp" "$file"
}

# .env for docker compose: started from .env.example, every empty secret filled with a random value, mode 600.
ENV_WRITTEN=()
ensure_compose_env() {
  command -v openssl >/dev/null 2>&1 || die "openssl is required to generate secrets (apt-get install -y openssl)"
  if [[ ! -f $ENV_FILE ]]; then
    (umask 077 && if [[ -f $ROOT_DIR/.env.example ]]; then cp "$ROOT_DIR/.env.example" "$ENV_FILE"; else : >"$ENV_FILE"; fi)
  fi
  chmod 600 "$ENV_FILE"
  ENV_WRITTEN=()
  set_env_value_if_empty "$ENV_FILE" AGENCY_MASTER_KEY "$(openssl rand -base64 32)" && ENV_WRITTEN+=(AGENCY_MASTER_KEY)
  set_env_value_if_empty "$ENV_FILE" AGENCY_DB_PASSWORD "$(openssl rand -hex 24)" && ENV_WRITTEN+=(AGENCY_DB_PASSWORD)
  set_env_value_if_empty "$ENV_FILE" AGENCY_USAGE_INGEST_SECRET "$(openssl rand -base64 32)" \
    && ENV_WRITTEN+=(AGENCY_USAGE_INGEST_SECRET)
  set_env_value_if_empty "$ENV_FILE" GRAFANA_ADMIN_PASSWORD "$(openssl rand -hex 16)" && ENV_WRITTEN+=(GRAFANA_ADMIN_PASSWORD)
  set_env_value_if_empty "$ENV_FILE" AGENCY_ADMIN_PASSWORD "$(openssl rand -base64 18 | tr -d '\n/+=')" \
    && ENV_WRITTEN+=(AGENCY_ADMIN_PASSWORD)
  if ((${#ENV_WRITTEN[@]})); then say "wrote random ${ENV_WRITTEN[*]} into .env (mode 600)"; fi
  return 0
}

