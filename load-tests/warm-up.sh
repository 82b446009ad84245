#!/usr/bin/env bash
# How fast a freshly started platform serves, minute by minute (not a test): run it right after ./platform up
# returns. Each round is the same short fixed workload: 1000 requests (WARM_UP_REQUESTS) by ApacheBench (ab -k,
# 4 concurrent) on one cheap authenticated endpoint of each service straight to its port, then 10 memory searches
# and 10 chat turns (REST, local provider, not streamed, a new conversation each round) one after the other through
# the gateway. Rounds start at the given offsets (seconds after the script started). Needs ab
# (apt-get install apache2-utils) and a platform with the gateway's REST rate limits off:
#
#   AGENCY_GATEWAY_RATE_LIMIT_ENABLED=false ./platform up && load-tests/warm-up.sh [offsets="0 60 120 240"]
#
# Honours AGENCY_PORT_BASE like ./platform; run it from the checkout that started the platform (it reads the
# services' pids from .platform/). Prints one line per round and target: requests/s, p50, p99 (ab) and the CPU time
# the service used per request (JIT compilation included), or median / p90 / max of the sequential calls in ms. The gateway's line is /api/v1/users/me through it (gateway + auth-service).
set -euo pipefail
cd "$(dirname "$0")/.."
offsets=${1:-0 60 120 240}
base=${AGENCY_PORT_BASE:-8080}
gateway="http://localhost:$base"
command -v ab >/dev/null || { echo "ab is missing: apt-get install apache2-utils" >&2; exit 1; }
t0=$SECONDS
json() { sed -E "s/.*\"$1\":\"([^\"]+)\".*/\1/"; }

user="warm$(date +%s)"
curl -fsS -XPOST "$gateway/api/v1/auth/register" -H 'content-type: application/json' \
  -d "{\"username\":\"$user\",\"email\":\"$user@example.com\",\"password\":\"benchmark-password\"}" >/dev/null
token=$(curl -fsS -XPOST "$gateway/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"$user\",\"password\":\"benchmark-password\"}" | json accessToken)
auth=(-H "authorization: Bearer $token" -H 'content-type: application/json')
memory=$(curl -fsS -XPOST "$gateway/api/v1/memories" "${auth[@]}" \
  -d '{"content":"I measure how fast services warm up","infer":false}' | json id)
count=${WARM_UP_REQUESTS:-1000}
body=$(mktemp)
trap 'rm -f "$body"' EXIT
echo '{"text":"The platform answers quickly from the first minute. Berlin is in Germany."}' >"$body"

targets=(
  "auth-service|$((base + 1))/api/v1/users/me|"
  "memory-service|$((base + 2))/api/v1/memories/$memory|"
  "tool-service|$((base + 3))/api/v1/tools|"
  "orchestration-service|$((base + 4))/api/v1/conversations|"
  "multimodal-service|$((base + 5))/api/v1/analyze/text|post"
  "realtime-gateway|$base/api/v1/users/me|"
)
# CPU time (ms) a service's JVM has used so far - JIT compiler threads included - from its pid file
cpu_ms() {
  local pid
  pid=$(cat ".platform/$1.pid" 2>/dev/null) || { echo 0; return; }
  awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$pid/stat" 2>/dev/null || echo 0
}

# median, p90 and max (ms) of the numbers (seconds) on stdin
stats() {
  sort -n | awk '{v[NR] = $1 * 1000}
    END {printf "median %6.1f ms  p90 %6.1f ms  max %6.1f ms", v[int((NR + 1) / 2)], v[int(NR * 0.9 + 0.5)], v[NR]}'
}

for offset in $offsets; do
  while ((SECONDS - t0 < offset)); do sleep 1; done
  echo "=== round at +$((SECONDS - t0)) s (load average $(cut -d' ' -f1 /proc/loadavg))"
  for target in "${targets[@]}"; do
    IFS="|" read -r name url post <<<"$target"
    cpu=$(cpu_ms "$name")
    cpu=$(cpu_ms "$name")
    out=$(ab -q -k -n "$count" -c 4 -H "Authorization: Bearer $token" ${post:+-p "$body" -T application/json} \
      "http://localhost:$url" 2>&1)
    cpu=$(($(cpu_ms "$name") - cpu))
    failed=$(awk '/^(Failed requests|Non-2xx responses):/ && $NF > 0 {printf "  %s %s", $1, $NF}' <<<"$out")
    printf '%-24s %8s req/s  p50 %5s ms  p99 %5s ms  CPU %5d µs/req%s\n' "$name" \
      "$(awk '/^Requests per second/ {print $4}' <<<"$out")" "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
      "$(awk '$1 == "99%" {print $2}' <<<"$out")" "$((cpu * 1000 / count))" "$failed"
  done
  printf '%-24s %s\n' "memory search (gateway)" "$(for i in $(seq 10); do
    curl -fsS -o /dev/null -w '%{time_total}\n' -XPOST "$gateway/api/v1/memories/search" "${auth[@]}" \
      -d "{\"query\":\"how fast do services warm up $i\"}"; done | stats)"
  # a new conversation each round: a longer history would make later turns slower
  conversation=$(curl -fsS -XPOST "$gateway/api/v1/conversations" "${auth[@]}" -d '{"title":"warm-up"}' | json id)
  printf '%-24s %s\n' "chat turn (gateway)" "$(for i in $(seq 10); do
    curl -fsS -o /dev/null -w '%{time_total}\n' -XPOST "$gateway/api/v1/conversations/$conversation/messages" \
      "${auth[@]}" -d "{\"content\":\"hello, what is $i plus $i?\"}"; done | stats)"
done
