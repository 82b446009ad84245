#!/bin/bash
# CPU seconds used while a command runs, per thread group of a JVM (embedding threads, carriers, JIT…) and by all
# PostgreSQL processes together (issue 4 benchmark tool; Linux /proc only). Backends that exit during the command
# are not counted, so measure against a running service, not pgbench.
#   load-tests/memory-latency/cpu_by_thread.sh <jvm pid> python3 load-tests/memory-latency/memory_latency.py …
set -euo pipefail
pid=$1; shift
snapshot() {
  for t in /proc/"$pid"/task/*; do
    echo "$(sed 's/-[0-9]*$//; s/ /_/g' "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"
  done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}'
  local total=0 line
  for f in /proc/[0-9]*/stat; do
    read -r line < "$f" 2>/dev/null || continue
    set -- $line
    [ "$2" = "(postgres)" ] && total=$((total + ${14} + ${15}))
  done
  echo "POSTGRES $total"
}
before=$(mktemp); after=$(mktemp)
snapshot | sort > "$before"
"$@"
snapshot | sort > "$after"
join "$before" "$after" | awk -v hz="$(getconf CLK_TCK)" '{d = ($3 - $2) / hz; if (d > 0.05) printf "%s %.2f s; ", $1, d}'
echo
rm -f "$before" "$after"
