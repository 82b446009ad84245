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
#   load-tests/bench.sh [rows...]     rows: gateway openloop adds search saturate chatopen (default: all; also memory,
#                                      chat); BENCH_SECONDS=15 per run
#
# gateway   authenticated GET /api/v1/users/me, wrk closed loop at 4 and 32 connections, straight to auth-service and
#           through the gateway; requests/s, p50, p99, the gateway's share of direct throughput, and the CPU time per
#           request of the gateway and of auth-service (from /proc). Tokens of BENCH_USERS users (default 100), round
#           robin (load-tests/gateway-overhead/).
# openloop  the same request at a fixed 300/s (open loop, latency from the scheduled send): what the gateway adds
#           below saturation, at p50 and p99.
# adds      single memory adds (`infer=false`, new text each, one embedding + one insert), wrk with 8 connections,
#           direct to memory-service and through the gateway: adds/s, p50, p95 (load-tests/gateway-overhead/memory.lua)
# search    hybrid memory searches (limit 10, a new query each: the query is embedded), one connection, direct and
#           through the gateway, by users who each hold BENCH_PER_USER (default 1000) memories (seeded by SQL from
#           the adds row's memories; run adds first in the same invocation): p50, p95, p99
# saturate  200 WebSocket clients send chat turns back to back for BENCH_CHAT_SECONDS (default 30) after 10 s of
#           warm-up: turns/s, right turns/s (the right product), and the CPU per turn of every service and PostgreSQL
#           (load-tests/ws-gateway/ChatLoad.java: a user with a memory, "What is a * b?", calculator tool)
# chatopen  open loop, 10 turns/s (Poisson) over 50 WebSocket clients for BENCH_CHAT_SECONDS: time to first chunk
#           p50/p95/p99 per 60 s window, from the scheduled send (run right after `./platform up` for the first minute)
# memory    memory-service add throughput (single adds, 8 clients) and hybrid search latency at BENCH_MEMORIES
#           (default 10000) memories over 100 users (load-tests/memory-latency/memory_latency.py; it seeds by SQL).
# chat      time to first chunk of BENCH_CHATS (default 50) concurrent streaming chats over the gateway's WebSocket
#           (load-tests/ws-gateway/WsBench.java, local provider), three rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=("$@")
((${#rows[@]})) || rows=(gateway openloop adds search saturate chatopen)
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

# CPU ticks per service of .platform and of all PostgreSQL processes: "name ticks" lines
platform_ticks() {
  local f pid total
  for f in .platform/*.pid; do [[ -e $f ]] && echo "$(basename "$f" .pid) $(ticks "$(cat "$f")")"; done
  total=0
  for pid in $(pgrep -x postgres); do total=$((total + $(ticks "$pid"))); done
  echo "postgresql $total"
}

# wrk run of memory.lua (MODE=add|search): prints "rps=… p50=… p95=… p99=… non2xx=…"
memory_load() {
  local url=$1 conns=$2 mode=$3
  TOKENS=$tokens MODE=$mode wrk -t"$((conns < 2 ? 1 : 2))" -c"$conns" -d"${seconds}s" --latency -s load-tests/gateway-overhead/memory.lua "$url" \
    | awk '/Requests\/sec/ {rps = $2} /^percentiles/ {p = $2 " " $3 " " $4} /Non-2xx/ {non = $NF}
      END {printf "rps=%s %s non2xx=%d\n", rps, p, non}'
}

# every token's user gets BENCH_PER_USER (default 1000) live memories, by SQL (REST ingest of 100k is slow on two
# cores): each joins the texts of two memories the adds row stored and sums their vectors (a vector between two real
# sentence embeddings), as memory_latency.py seeds; BENCH_USERS=100 and 1000 each make the 100k / 100 users of record
seed_search_users() {
  local per=${BENCH_PER_USER:-1000} users sql
  users=$(python3 -c 'import sys, base64, json
ids = []
for line in open(sys.argv[1]):
    if line.strip():
        p = line.strip().split(".")[1]
        ids.append(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))["sub"])
print(",".join("'"'%s'"'::uuid" % i for i in ids))' "$tokens")
  sql="CREATE TEMP TABLE seeds AS SELECT row_number() OVER (ORDER BY id) AS n, content, embedding FROM memory.memories
         WHERE content LIKE 'Sam %' AND content NOT LIKE '% + %' LIMIT 20000;
       DO \$\$ BEGIN IF (SELECT count(*) FROM seeds) < 100 THEN
         RAISE EXCEPTION 'fewer than 100 memories of the adds row to seed from: run the adds row first'; END IF; END \$\$;
       INSERT INTO memory.memories (id, user_id, content, content_hash, embedding, importance, created_at, updated_at,
                                    embedding_model)
       SELECT gen_random_uuid(), u.id, a.content || ' + ' || b.content, md5(a.content || ' + ' || b.content || g || u.id),
              a.embedding + b.embedding, (g % 10) / 10.0, now() - make_interval(mins => g), now(),
              (SELECT model FROM memory.embedding_config)
       FROM unnest(ARRAY[$users]) u(id), generate_series(1, $per) g
       JOIN seeds a ON a.n = 1 + g % (SELECT count(*) FROM seeds)
       JOIN seeds b ON b.n = 1 + (g * 7919 + 13) % (SELECT count(*) FROM seeds);"
  PGPASSWORD=${BENCH_DB_PASSWORD:-agency} psql -qX -v ON_ERROR_STOP=1 -h "${BENCH_DB_HOST:-localhost}" \
    -U "${BENCH_DB_USER:-agency}" -d "${BENCH_DB_NAME:-agency}" -c "$sql" -c "VACUUM ANALYZE memory.memories"
  echo "seeded $per memories for each of $(wc -l <"$tokens") users" >&2
}

ms() { sed -E 's/([0-9.]+)us/\1 0.001/; s/([0-9.]+)ms/\1 1/; s/([0-9.]+)s$/\1 1000/' <<<"$1" | awk '{printf "%.3f", $1 * $2}'; }

need_tokens() {
  [[ -s $tokens ]] && return
  command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
  load-tests/gateway-overhead/users.sh "$tokens" "${BENCH_USERS:-100}"
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
    adds | search)
      need_tokens
      memory=${MEMORY_URL:-http://localhost:8082}
      [[ $row == search ]] && seed_search_users
      conns=$([[ $row == adds ]] && echo 8 || echo 1)
      mode=$([[ $row == adds ]] && echo add || echo search)
      say "memory $mode, $conns connection(s), ${seconds}s per run (after a ${seconds}s warm-up each)"
      memory_load "$memory" "$conns" "$mode" >/dev/null
      memory_load "$gateway" "$conns" "$mode" >/dev/null
      echo "direct:  $(memory_load "$memory" "$conns" "$mode")"
      echo "gateway: $(memory_load "$gateway" "$conns" "$mode")"
      ;;
    saturate)
      say "chat at saturation: 200 WebSocket clients back to back, ${BENCH_CHAT_SECONDS:-30}s after a 10 s warm-up"
      out=$(mktemp)
      "$java" load-tests/ws-gateway/ChatLoad.java saturate 200 "${BENCH_CHAT_SECONDS:-30}" >"$out" &
      load=$!
      until grep -q MEASURING "$out" 2>/dev/null; do sleep 0.2; done
      sleep 10
      platform_ticks >"$out.0"
      until grep -q MEASURED "$out" 2>/dev/null; do sleep 0.2; done
      platform_ticks >"$out.1"
      wait "$load"
      grep -v MEASUR "$out"
      turns=$(sed -nE 's/^turns=([0-9]+).*/\1/p' "$out")
      awk -v turns="$turns" -v hz="$(getconf CLK_TCK)" 'FNR == NR {before[$1] = $2; next}
        {ms = ($2 - before[$1]) * 1000 / hz / (turns > 0 ? turns : 1); total += ms; line = line sprintf(" %s %.1f", $1, ms)}
        END {printf "CPU per turn: %.1f ms over all services and PostgreSQL (ms:%s)\n", total, line}' "$out.0" "$out.1"
      rm -f "$out" "$out.0" "$out.1"
      ;;
    chatopen)
      say "chat time to first chunk, open loop: 10 turns/s over 50 WebSocket clients, ${BENCH_CHAT_SECONDS:-30}s"
      "$java" load-tests/ws-gateway/ChatLoad.java openloop 10 "${BENCH_CHAT_SECONDS:-30}" 50 "${BENCH_WINDOW:-60}"
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
    *) echo "unknown row '$row' (gateway openloop adds search saturate chatopen memory chat)" >&2; exit 2 ;;
  esac
done
