#!/usr/bin/env bash
# The performance figures of record in one short run, against a running platform: each row of the performance table
# in docs/BENCHMARKS.md, measured the same way every time, so a regression shows in minutes. Not a test.
#
# Start the platform with the REST rate limits ON (the shared store is part of every request's cost) but high enough
# that no benchmark request is refused:
#
#   AGENCY_GATEWAY_RATE_LIMIT_CLASSES_DEFAULT_CAPACITY=100000000 AGENCY_GATEWAY_RATE_LIMIT_CLASSES_AUTH_CAPACITY=100000000 \
#   AGENCY_GATEWAY_REALTIME_MAX_CONNECTIONS_PER_USER=100000 AGENCY_GATEWAY_REALTIME_RATE_CAPACITY=100000 \
#   AGENCY_GATEWAY_REALTIME_RATE_PER_SECOND=100000 AGENCY_ORCHESTRATION_CHAT_MAX_TURNS_PER_USER=1000 ./platform up
#
# (the second line and AGENCY_ORCHESTRATION_CHAT_MAX_TURNS_PER_USER only for the chat row, whose chats are one user's)
#   load-tests/bench.sh [rows...]     rows: gateway openloop memory chat (default: all); BENCH_SECONDS=15 per run
#
# gateway   authenticated GET /api/v1/users/me, wrk closed loop at 4 and 32 connections, straight to auth-service and
#           through the gateway; requests/s, p50, p99, the gateway's share of direct throughput, and the CPU time per
#           request of the gateway and of auth-service (from /proc). Tokens of BENCH_USERS users (default 50), round
#           robin (load-tests/gateway-overhead/).
# openloop  the same request at a fixed 300/s (open loop, latency from the scheduled send): what the gateway adds
#           below saturation, at p50 and p99.
# memory    memory-service add throughput (single adds, 8 clients) and hybrid search latency at BENCH_MEMORIES
#           (default 10000) memories over 100 users (load-tests/memory-latency/memory_latency.py; it seeds by SQL).
# chat      time to first chunk of BENCH_CHATS (default 50) concurrent streaming chats over the gateway's WebSocket
#           (load-tests/ws-gateway/WsBench.java, local provider), three rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=("$@")
((${#rows[@]})) || rows=(gateway openloop memory chat)
seconds=${BENCH_SECONDS:-15}
gateway=${GATEWAY_URL:-http://localhost:8080}
auth=${AUTH_URL:-http://localhost:8081}
say() { printf '\n== %s\n' "$*"; }
warn() { echo "bench: $*" >&2; }
die() { warn "$*"; exit 1; }
MIN_JAVA=21
source scripts/host.sh # select_jdk: the launcher's choice of a JDK >= 21
select_jdk >/dev/null
java=$JAVA_HOME/bin/java
tokens=$(mktemp)
trap 'rm -f "$tokens"' EXIT

ticks() { [[ -n ${1:-} && -r /proc/$1/stat ]] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
pid_of() { cat ".platform/$1.pid" 2>/dev/null || true; }
field() { awk -v k="$1" '{for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2)}'; }

# wrk run with per-process CPU per request: prints "rps=… p50=… p99=… non2xx=… cpu_gateway=…ms cpu_auth=…ms"
closed_loop() {
  local url=$1 conns=$2 gw au g0 a0 out reqs
  gw=$(pid_of realtime-gateway); au=$(pid_of auth-service)
  g0=$(ticks "$gw"); a0=$(ticks "$au")
  out=$(TOKENS=$tokens wrk -t2 -c"$conns" -d"${seconds}s" --latency -s load-tests/gateway-overhead/tokens.lua "$url")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  awk -v g=$(($(ticks "$gw") - g0)) -v a=$(($(ticks "$au") - a0)) -v r="$reqs" -v hz="$(getconf CLK_TCK)" '
    /Requests\/sec/ {rps = $2} $1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2} /Non-2xx/ {non = $NF}
    END {printf "rps=%s p50=%s p99=%s non2xx=%d cpu_gateway=%.3fms cpu_auth=%.3fms\n", rps, p50, p99, non, \
      g * 1000 / hz / r, a * 1000 / hz / r}' <<<"$out"
}

ms() { sed -E 's/([0-9.]+)us/\1 0.001/; s/([0-9.]+)ms/\1 1/; s/([0-9.]+)s$/\1 1000/' <<<"$1" | awk '{printf "%.3f", $1 * $2}'; }

need_tokens() {
  [[ -s $tokens ]] && return
  command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
  load-tests/gateway-overhead/users.sh "$tokens" "${BENCH_USERS:-50}"
  local limit
  limit=$(curl -fsS -D - -o /dev/null -H "Authorization: Bearer $(head -1 "$tokens")" "$gateway/api/v1/users/me" \
    | awk 'tolower($1) == "ratelimit-limit:" {print $2 + 0}')
  if [[ -z $limit ]]; then
    echo "note: the gateway's rate limits are off; the figures leave out the shared store's cost" >&2
  elif ((limit < 1000000)); then
    echo "the gateway's rate limits would refuse benchmark requests: start the platform as this script's header says" >&2
    exit 1
  fi
}

for row in "${rows[@]}"; do
  case $row in
    gateway)
      need_tokens
      for conns in 4 32; do
        say "gateway overhead, GET /api/v1/users/me, $conns connections, ${seconds}s per run (after a ${seconds}s warm-up each)"
        TOKENS=$tokens wrk -t2 -c"$conns" -d"${seconds}s" -s load-tests/gateway-overhead/tokens.lua "$auth/api/v1/users/me" >/dev/null
        TOKENS=$tokens wrk -t2 -c"$conns" -d"${seconds}s" -s load-tests/gateway-overhead/tokens.lua "$gateway/api/v1/users/me" >/dev/null
        direct=$(closed_loop "$auth/api/v1/users/me" "$conns")
        via=$(closed_loop "$gateway/api/v1/users/me" "$conns")
        echo "direct:  $direct"
        echo "gateway: $via"
        awk -v d="$(field rps <<<"$direct")" -v g="$(field rps <<<"$via")" \
            -v dp="$(ms "$(field p50 <<<"$direct")")" -v gp="$(ms "$(field p50 <<<"$via")")" \
            'BEGIN {printf "gateway/direct: throughput %.0f %%, p50 %.2fx\n", 100 * g / d, gp / dp}'
      done
      ;;
    openloop)
      need_tokens
      say "below saturation: 300 requests/s for ${seconds}s, open loop"
      "$java" load-tests/gateway-overhead/OpenLoop.java "$auth/api/v1/users/me" 300 "$seconds" "$tokens" >/dev/null # warm-up
      "$java" load-tests/gateway-overhead/OpenLoop.java "$gateway/api/v1/users/me" 300 "$seconds" "$tokens" >/dev/null
      "$java" load-tests/gateway-overhead/OpenLoop.java "$auth/api/v1/users/me" 300 "$seconds" "$tokens"
      "$java" load-tests/gateway-overhead/OpenLoop.java "$gateway/api/v1/users/me" 300 "$seconds" "$tokens"
      ;;
    memory)
      say "memory-service: adds and search at ${BENCH_MEMORIES:-10000} memories"
      python3 load-tests/memory-latency/memory_latency.py --admin-password "$(cat .platform/admin-password)" \
        --db-name "${BENCH_DB_NAME:-agency}" --pid "$(pid_of memory-service)" --single 400 --batched 0 \
        --add-warmup 100 --sizes "${BENCH_MEMORIES:-10000}" --queries 300
      ;;
    chat)
      say "chat: time to first chunk, ${BENCH_CHATS:-50} concurrent streaming chats, 3 rounds"
      "$java" load-tests/ws-gateway/WsBench.java ttfc "${BENCH_CHATS:-50}" 3
      ;;
    *) echo "unknown row '$row' (gateway openloop memory chat)" >&2; exit 2 ;;
  esac
done
