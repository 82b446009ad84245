#!/bin/bash
# Memory use of memory-service while it exports one user's memories as NDJSON (issue 4 benchmark; not a test):
# heap used (actuator, all heap pools) and RSS (/proc) sampled every 0.5 s during GET /api/v1/memories/export.
#   load-tests/memory-latency/export_memory.sh <memory-service pid> <base url> <auth url> <admin password> <user id>
# e.g. export_memory.sh "$(pgrep -f memory-service.jar)" http://localhost:8082 http://localhost:8081 "$PW" <uuid>
set -euo pipefail
pid=$1 base=$2 auth=$3 password=$4 user=$5
token=$(curl -sf -X POST "$auth/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$password\"}" | python3 -c 'import sys, json; print(json.load(sys.stdin)["accessToken"])')
heap() { curl -s "$base/actuator/prometheus" | awk '/^jvm_memory_used_bytes/ && /area="heap"/ {s += $NF} END {printf "%.0f", s / 1048576}'; }
rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }
samples=$(mktemp); out=$(mktemp)
echo "before: heap $(heap) MiB, RSS $(rss) MiB"
(while true; do echo "$(heap) $(rss)"; sleep 0.5; done) > "$samples" &
sampler=$!
curl -s -o "$out" -w "export: status %{http_code}, %{size_download} bytes in %{time_total} s\n" \
    "$base/api/v1/memories/export?userId=$user" -H "Authorization: Bearer $token"
kill "$sampler"
echo "lines: $(wc -l < "$out")"
sort -n "$samples" | awk 'NR == 1 {min = $1} {max = $1; if ($2 > rss) rss = $2} END {print "during: heap " min "-" max " MiB, RSS max " rss " MiB (" NR " samples)"}'
echo "after: heap $(heap) MiB, RSS $(rss) MiB"
rm -f "$samples" "$out"
