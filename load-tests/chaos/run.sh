#!/usr/bin/env bash
# Runs one chaos scenario against the platform that ./platform up started from this checkout:
#   load-tests/chaos/run.sh auth-down|memory-kill|db-restart|gateway-kill
# Use the same environment as for ./platform up (AGENCY_PORT_BASE, AGENCY_DB_URL, ...): the scenarios restart what
# they kill with ./platform up. See load-tests/README.md. Ends with PASS or FAIL (exit code 0 or 1).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [[ -z ${JAVA_HOME:-} ]]; then
  for candidate in /usr/lib/jvm/*; do [[ -x $candidate/bin/javac ]] && JAVA_HOME=$candidate; done
  export JAVA_HOME
fi
jar="$here/target/chaos.jar"
if [[ ! -f $jar ]] || [[ -n $(find "$here/src" "$here/pom.xml" -newer "$jar" -print -quit) ]]; then
  echo "chaos: building $jar" >&2
  "$root/mvnw" -B -q -f "$here/pom.xml" -Dmaven.test.skip=true package >&2
fi
exec "$JAVA_HOME/bin/java" -Dchaos.root="$root" -jar "$jar" "$@"
