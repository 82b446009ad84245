#!/usr/bin/env bash
# Soak (issue 18, item 5): 30 minutes of mixed load on a platform started by ./platform up, with the memory of every
# service sampled meanwhile, then the slopes, PASS/FAIL, and a JFR recording of the service whose live heap grew most.
#
#   ./platform up
#   load-tests/soak/run.sh [minutes]          # default 30; extra Gatling settings via GATLING_OPTS="-DsaturationRate=24"
#
# Results go to load-tests/results/soak-<date>/ (not committed): memory.csv, the slopes, the Gatling report and the
# JFR recording. Honours AGENCY_PORT_BASE like ./platform.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${1:-30}
BASE=${AGENCY_PORT_BASE:-8080}
OUT=load-tests/results/soak-$(date -u +%Y%m%dT%H%M)
mkdir -p "$OUT"
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
export JAVA_HOME
SERVICES=(auth-service memory-service tool-service orchestration-service multimodal-service realtime-gateway)

for s in "${SERVICES[@]}"; do
  pid=$(cat ".platform/$s.pid")
  "$JAVA_HOME/bin/jcmd" "$pid" JFR.start name=soak settings=default maxage=40m >/dev/null
done
echo "soak: $MINUTES min of mixed load against http://localhost:$BASE; results in $OUT"

python3 load-tests/soak/memory_slopes.py --minutes "$MINUTES" --csv "$OUT/memory.csv" >"$OUT/slopes.txt" 2>&1 &
SAMPLER=$!
# shellcheck disable=SC2086
./mvnw -B -q -f load-tests/gatling/pom.xml gatling:test -Dgatling.simulationClass=ai.agency.load.SoakSimulation \
  -DbaseUrl="http://localhost:$BASE" -DsoakMinutes="$MINUTES" ${GATLING_OPTS:-} >"$OUT/gatling.txt" 2>&1 || true
wait "$SAMPLER" && verdict=0 || verdict=$?

# the JFR of the service whose live heap grew most: the one to look at first
worst=$(awk '/MiB/ && $1 ~ /-service|gateway/ {gsub(/[+MiB]/, "", $2); if ($2 + 0 > max || worst == "") {max = $2 + 0; worst = $1}} END {print worst}' "$OUT/slopes.txt")
for s in "${SERVICES[@]}"; do
  pid=$(cat ".platform/$s.pid")
  if [[ $s == "$worst" ]]; then
    "$JAVA_HOME/bin/jcmd" "$pid" JFR.stop name=soak filename="$PWD/$OUT/$s.jfr" >/dev/null
  else
    "$JAVA_HOME/bin/jcmd" "$pid" JFR.stop name=soak >/dev/null
  fi
done
cat "$OUT/slopes.txt"
grep -E "^\| |errors|p99" "$OUT/gatling.txt" | tail -40 || true
echo "JFR of $worst: $OUT/$worst.jfr"
exit "$verdict"
