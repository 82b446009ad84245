#!/usr/bin/env bash
# Rolling restarts under load: two replicas of memory-service and two of realtime-gateway, steady REST and chat load,
# each replica restarted in turn with SIGTERM (graceful shutdown) and started again; counts the REST requests and chat
# turns that did not get their answer. Prints the figures and PASS or FAIL (load-tests/chaos, scenario
# rolling-restart; docs/operations.md#rollouts).
#
#   load-tests/rollout/rolling-restart.sh
#
# Starts (or reuses) a platform on AGENCY_PORT_BASE (default 18280) whose gateway spreads the memory route over
# memory-service on base+2 and its second replica on base+102 (AGENCY_GATEWAY_ROUTES_MEMORY_INSTANCES); the scenario
# starts the second replicas (memory-service base+102, gateway base+100 with its actuator on base+1100) from the
# running ones' command line and environment. Give it its own database (AGENCY_DB_URL, ...), as for ./platform up.
# A platform already running on that base without the instances setting must be stopped first:
# AGENCY_PORT_BASE=18280 ./platform down. Settings: CHAOS_REST_WORKERS (4), CHAOS_ROLLING_CHATS (6),
# CHAOS_SETTLE_SECONDS (15, load between restarts).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export AGENCY_PORT_BASE=${AGENCY_PORT_BASE:-18280}
base=$AGENCY_PORT_BASE
# turns as long as a real model's (~5 s: the local model streams a word every 100 ms), so that a gateway's restart
# catches some mid-stream and their clients resume them on the other gateway (orchestration-service reads it)
export AGENCY_ORCHESTRATION_LOCAL_CHUNK_INTERVAL=${AGENCY_ORCHESTRATION_LOCAL_CHUNK_INTERVAL:-100ms}
# a fixed chat admission limit: the adaptive one shrinks on this loaded machine while memory-service restarts, and
# clients waiting out sheds are not streaming when a gateway stops (admission is not what this scenario measures)
export AGENCY_ORCHESTRATION_CHAT_MAX_CONCURRENT_TURNS=${AGENCY_ORCHESTRATION_CHAT_MAX_CONCURRENT_TURNS:-16}
export AGENCY_GATEWAY_ROUTES_MEMORY_INSTANCES="http://localhost:$((base + 2)),http://localhost:$((base + 102))"
if [[ -f $root/.platform/realtime-gateway.pid ]] && pid=$(cat "$root/.platform/realtime-gateway.pid") \
  && [[ -r /proc/$pid/environ ]] && ! tr '\0' '\n' <"/proc/$pid/environ" | grep -q '^AGENCY_GATEWAY_ROUTES_MEMORY_INSTANCES='; then
  echo "rolling-restart: the running gateway (pid $pid) has no AGENCY_GATEWAY_ROUTES_MEMORY_INSTANCES;" \
    "stop the platform first: AGENCY_PORT_BASE=$base ./platform down" >&2
  exit 2
fi
"$root/platform" up
exec "$root/load-tests/chaos/run.sh" rolling-restart
