#!/usr/bin/env bash
# The walking-skeleton journey of ./platform compose-test (and --journey-only): the HTTP of platform-tests'
# WalkingSkeletonIT and ChatEndToEndIT with curl and jq, through the gateway at $CT_GATEWAY_URL, and the check that
# Prometheus reaches every service. Sourced by scripts/compose-test.sh; records steps in CT_JOURNEY_STEPS, notes in
# CT_NOTES and its time in CT_TIME[journey].

CT_JOURNEY_STEPS=()

# http <method> <path> <token|-> <body|-> -> sets HTTP_STATUS and HTTP_BODY. A 503 problem ("try again shortly": a
# service that has just started may not have fetched auth-service's signing keys yet) is retried, as a client would,
# up to 3 times 5 s apart; each retry is noted in the summary.
ct_http() {
  local args=(-sS -m 60 -o "$CT_DIR/body" -w '%{http_code}' -X "$1" "$CT_GATEWAY_URL$2") attempt
  [[ $3 != - ]] && args+=(-H "Authorization: Bearer $3")
  [[ $4 != - ]] && args+=(-H 'Content-Type: application/json' --data "$4")
  for attempt in 1 2 3 4; do
    HTTP_STATUS=$(curl "${args[@]}") || HTTP_STATUS=000
    HTTP_BODY=$(cat "$CT_DIR/body" 2>/dev/null || true)
    [[ $HTTP_STATUS == 503 && $attempt -lt 4 ]] || break
    CT_NOTES+=("$1 $2 answered 503 ($(jq -r '.detail // empty' <<<"$HTTP_BODY" 2>/dev/null | cut -c1-90)); retried")
    sleep 5
  done
}

ct_expect() {  # ct_expect <step> <status> [jq condition on the body]
  local step=$1 status=$2 condition=${3:-true}
  if [[ $HTTP_STATUS == "$status" ]] && jq -e "$condition" >/dev/null 2>&1 <<<"$HTTP_BODY"; then
    CT_JOURNEY_STEPS+=("ok    $step")
    say "  ok    $step"
  else
    CT_JOURNEY_STEPS+=("FAIL  $step")
    warn "journey step failed: $step: HTTP $HTTP_STATUS, expected $status with $condition; body: ${HTTP_BODY:0:400}"
    return 1
  fi
}

# The walking skeleton (platform-tests' WalkingSkeletonIT, ChatEndToEndIT) through the gateway's published port.
ct_journey() {
  local user password token conversation memory t0=$SECONDS
  user="ct$(openssl rand -hex 5)" password="compose-test-$(openssl rand -hex 8)"
  ct_http POST /api/v1/auth/register - "{\"username\":\"$user\",\"email\":\"$user@example.com\",\"password\":\"$password\"}"
  ct_expect "register $user" 201 '.username != null' || return 1
  ct_http POST /api/v1/auth/login - "{\"username\":\"$user\",\"password\":\"$password\"}"
  ct_expect "log in" 200 '.accessToken | length > 20' || return 1
  token=$(jq -r .accessToken <<<"$HTTP_BODY")
  ct_http POST /api/v1/memories "$token" '{"content":"I am allergic to peanuts and I love hiking"}'
  ct_expect "add a memory (memory-service, pgvector)" 201 '.results[0].event == "ADD"' || return 1
  memory=$(jq -r '.results[0].id' <<<"$HTTP_BODY")
  ct_http POST /api/v1/memories/search "$token" '{"query":"which foods must I avoid?","limit":5}'
  ct_expect "search finds it" 200 ".results[0].id == \"$memory\"" || return 1
  ct_http POST /api/v1/tools/calculator/execute "$token" '{"parameters":{"expression":"17 * 23"}}'
  ct_expect "tool call: calculator (tool-service)" 200 '.success == true and (.data | tostring | contains("391"))' || return 1
  ct_http POST /api/v1/conversations "$token" '{}'
  ct_expect "new conversation (orchestration-service)" 201 '.id != null' || return 1
  conversation=$(jq -r .id <<<"$HTTP_BODY")
  ct_http POST "/api/v1/conversations/$conversation/messages" "$token" '{"content":"What is 17 * 23?"}'
  ct_expect "chat turn that calls the calculator tool" 200 \
    '(.message.content | contains("391")) and ([.message.toolCalls[]? | tostring] | any(contains("calculator")))' || return 1
  ct_http POST /api/v1/analyze/text "$token" '{"text":"The containers started and everything works wonderfully."}'
  ct_expect "text analysis (multimodal-service)" 200 '.sentiment.label != null' || return 1
  ct_http GET /api/v1/memories/search - -
  ct_expect "no token: 401 problem" 401 '.status == 401' || return 1
  CT_TIME[journey]="$((SECONDS - t0)) s"
}

# Prometheus (the local stand-in, with the compose file's prometheus.yml and alerts.yml) reaches all six services by
# their compose hostnames and fetches /actuator/prometheus. Debian 12's Prometheus 2.42 then drops each scrape: the
# services' OpenMetrics carry exemplars on histogram _count series, which Prometheus accepts from 2.43 on (the compose
# file's prom/prometheus:v3.5.0 does). So a target counts when it is up, or when that parse error is its only error.
ct_prometheus_scrapes() {
  local i url="http://127.0.0.1:$AGENCY_PROMETHEUS_PORT/api/v1/targets" n=${#SERVICES[@]}
  local reached='[.data.activeTargets[] | select(.labels.job == "agency")
    | select(.health == "up" or (.lastError | test("does not support exemplars")))] | length'
  for ((i = 0; i < 20; i++)); do
    HTTP_BODY=$(curl -sS -m 10 "$url" 2>/dev/null || true)
    [[ $(jq -r "$reached" <<<"$HTTP_BODY" 2>/dev/null) == "$n" ]] && break
    sleep 3
  done
  HTTP_STATUS=200
  ct_expect "Prometheus reaches all $n services by compose hostname" 200 "($reached) == $n" || return 1
  if [[ $(jq -r '[.data.activeTargets[] | select(.labels.job == "agency" and .health == "up")] | length' \
      <<<"$HTTP_BODY") != "$n" ]]; then
    CT_NOTES+=("Prometheus 2.42 (Debian stand-in) rejects the services' exemplars on _count; needs >= 2.43 (compose uses 3.5)")
  fi
}

