#!/usr/bin/env bash
# Creates N benchmark users on auth-service (directly, so the gateway's sign-up limits do not apply) and writes
# one access token per line to the given file. Tokens live as long as auth-service's access-token lifetime.
#
#   load-tests/gateway-overhead/users.sh <file> [users=1000]
set -euo pipefail
file=$1
users=${2:-1000}
auth=${AUTH_URL:-http://localhost:8081}
prefix="bench$(date +%s)x"
one() {
  local user="$prefix$1"
  curl -fsS -XPOST "$auth/api/v1/auth/register" -H 'content-type: application/json' \
    -d "{\"username\":\"$user\",\"email\":\"$user@example.com\",\"password\":\"benchmark-password\"}" >/dev/null
  curl -fsS -XPOST "$auth/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"benchmark-password\"}" | sed -E 's/.*"accessToken":"([^"]+)".*/\1/'; echo
}
for i in $(seq 1 "$users"); do one "$i"; done >"$file" # one at a time: sign-ups are throttled per address
echo "$(wc -l <"$file") tokens in $file" >&2
