#!/usr/bin/env bash
# Gateway overhead benchmark: the same authenticated GET, through the gateway and straight to memory-service,
# under the same steady closed-loop load (wrk, fixed connections). Needs a running platform (./platform up)
# and wrk (apt-get install wrk). Prints wrk's latency distribution for both.
# The gateway's REST rate limits (600 requests per minute per user by default) must be off, or most requests are
# 429s: start the platform with AGENCY_GATEWAY_RATE_LIMIT_ENABLED=false ./platform up
#
#   load-tests/gateway-overhead.sh [duration=30s] [connections=8]
set -euo pipefail
duration=${1:-30s}
connections=${2:-8}
gateway=${GATEWAY_URL:-http://localhost:8080}
direct=${MEMORY_URL:-http://localhost:8082}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

user="bench$(date +%s)"
curl -fsS -XPOST "$gateway/api/v1/auth/register" -H 'content-type: application/json' \
  -d "{\"username\":\"$user\",\"email\":\"$user@example.com\",\"password\":\"benchmark-password\"}" >/dev/null
token=$(curl -fsS -XPOST "$gateway/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"$user\",\"password\":\"benchmark-password\"}" | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')
id=$(curl -fsS -XPOST "$gateway/api/v1/memories" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"content":"I benchmark gateways for a living"}' | sed -E 's/.*"id":"([^"]+)".*/\1/')
path="/api/v1/memories/$id"
if curl -fsS -D - -o /dev/null -H "authorization: Bearer $token" "$gateway$path" | grep -qi '^ratelimit-limit'; then
  echo "the gateway's rate limits are on: restart it with AGENCY_GATEWAY_RATE_LIMIT_ENABLED=false" >&2
  exit 1
fi

for target in "$direct" "$gateway"; do  # warm both paths first (JIT), then measure
  wrk -t1 -c"$connections" -d10s -H "Authorization: Bearer $token" "$target$path" >/dev/null
done
for target in "$direct" "$gateway"; do
  echo "=== $target$path  ($connections connections, $duration)"
  wrk -t2 -c"$connections" -d"$duration" --latency -H "Authorization: Bearer $token" "$target$path" \
    | grep -E "Latency|50%|75%|90%|99%|Requests/sec|Non-2xx"
done
