#!/usr/bin/env bash
# The account export of a user with 100,001 memories, through the gateway (docs/privacy.md, "Access and portability").
# Start the platform on its own database first, e.g.
#   AGENCY_PORT_BASE=28080 AGENCY_DB_URL=jdbc:postgresql://localhost:5432/agency_bench AGENCY_DB_USERNAME=agency \
#     AGENCY_DB_PASSWORD=agency ./platform up
# then: load-tests/data-rights/export-100k.sh [port base] [database]. Needs curl, python3, psql (as postgres), jcmd.
set -euo pipefail
BASE=${1:-28080}; DB=${2:-agency_bench}; G=http://localhost:$BASE
U=bench$RANDOM; PW="bench password 123"
ID=$(curl -sf -X POST $G/api/v1/auth/register -H 'Content-Type: application/json' \
  -d "{\"username\":\"$U\",\"email\":\"$U@example.com\",\"password\":\"$PW\"}" | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
TOKEN=$(curl -sf -X POST $G/api/v1/auth/login -H 'Content-Type: application/json' \
  -d "{\"username\":\"$U\",\"password\":\"$PW\"}" | python3 -c 'import sys,json;print(json.load(sys.stdin)["accessToken"])')
curl -sf -X POST $G/api/v1/memories -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"content":"My first benchmark memory is about herons","infer":false}' >/dev/null
# 100,000 more, inserted by SQL with the first one's embedding (the export does not read vectors)
su postgres -c "psql -d $DB -qc \"INSERT INTO memory.memories (id, user_id, content, content_hash, embedding, tags, metadata, embedding_model)
  SELECT gen_random_uuid(), '$ID', 'Benchmark memory number ' || g || ': the user mentioned a trip to city ' || (g % 500)
         || ' with friend ' || md5(g::text) || ' and liked the food there very much.', md5('bench' || g),
         (SELECT embedding FROM memory.memories WHERE user_id = '$ID' LIMIT 1), ARRAY['bench', 't' || (g % 7)],
         jsonb_build_object('n', g), (SELECT model FROM memory.embedding_config)
  FROM generate_series(1, 100000) g\""
old() { local pid; pid=$(pgrep -f "$1.jar" | head -1); jcmd "$pid" GC.run >/dev/null
        jcmd "$pid" GC.heap_info | grep -i 'tenured\|old' | head -1 | sed 's/.*used \([0-9]*K\).*/\1/'; }
rss() { ps -o rss= -p "$(pgrep -f "$1.jar" | head -1)" | awk '{printf "%.0f MB", $1/1024}'; }
echo "before: old gen auth $(old auth-service), memory $(old memory-service); rss auth $(rss auth-service), memory $(rss memory-service)"
for run in 1 2 3; do
  start=$(date +%s.%N)
  EX=$(curl -sf -X POST $G/api/v1/users/me/export -H "Authorization: Bearer $TOKEN" | python3 -c 'import sys,json;print(json.load(sys.stdin)["exportId"])')
  until curl -sf $G/api/v1/users/me/exports/$EX -H "Authorization: Bearer $TOKEN" | grep -q '"status":"\(ready\|failed\)"'; do sleep 0.2; done
  echo "run $run: ready in $(echo "$(date +%s.%N) - $start" | bc) s"
  curl -sf -o /tmp/export-$run.zip -w "  download %{size_download} bytes in %{time_total} s\n" \
    $G/api/v1/users/me/exports/$EX/download -H "Authorization: Bearer $TOKEN"
  echo "  memory lines: $(unzip -p /tmp/export-$run.zip memory-service/memories.ndjson | wc -l)"
done
echo "after: old gen auth $(old auth-service), memory $(old memory-service); rss auth $(rss auth-service), memory $(rss memory-service)"
