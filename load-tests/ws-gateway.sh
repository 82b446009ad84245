#!/usr/bin/env bash
# WebSocket benchmark of realtime-gateway (not a test): idle connections per instance with the gateway's heap, and
# time to first chunk with N concurrent streaming chats on orchestration's local provider. Needs a platform started
# with the per-user connection limit raised and REST rate limits off, e.g.
#
#   AGENCY_GATEWAY_REALTIME_MAX_CONNECTIONS_PER_USER=100000 AGENCY_GATEWAY_RATE_LIMIT_ENABLED=false \
#   AGENCY_GATEWAY_REALTIME_RATE_CAPACITY=100000 AGENCY_GATEWAY_REALTIME_RATE_PER_SECOND=100000 ./platform up
#   load-tests/ws-gateway.sh [idle-connections=2000] [concurrent-chats=200] [rounds=3]
#
# The heap is read from the gateway's /actuator/prometheus on its management port (GATEWAY_MANAGEMENT_URL, default
# http://localhost:9080; the public port serves no metrics) (jvm_memory_used_bytes, area heap) after a full GC
# (jcmd GC.run on the gateway's pid from .platform/realtime-gateway.pid), before and while the connections are open.
set -euo pipefail
cd "$(dirname "$0")/.."
idle=${1:-2000}
chats=${2:-200}
rounds=${3:-3}
management=${GATEWAY_MANAGEMENT_URL:-http://localhost:9080}
pid=${GATEWAY_PID:-$(cat .platform/realtime-gateway.pid 2>/dev/null || true)}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

heap_mb() {
  [[ -n $pid ]] && "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" "$pid" GC.run >/dev/null 2>&1 || true
  sleep 2
  curl -fsS "$management/actuator/prometheus" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {s += $NF} END {printf "%.1f", s / 1048576}'
}

echo "=== idle connections: $idle"
echo "gateway heap before: $(heap_mb) MB"
"$java" load-tests/ws-gateway/WsBench.java idle "$idle" | while IFS= read -r line; do
  echo "$line"
  if [[ $line == READY ]]; then
    echo "gateway heap with $idle open: $(heap_mb) MB"
    echo "agency_websocket_connections: $(curl -fsS "$management/actuator/prometheus" | awk '/^agency_websocket_connections/ {print $NF}')"
  fi
done

echo "=== time to first chunk: $chats concurrent streaming chats, $rounds rounds"
"$java" load-tests/ws-gateway/WsBench.java ttfc "$chats" "$rounds"
