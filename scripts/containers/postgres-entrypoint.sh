#!/bin/bash
# Entrypoint of the local PostgreSQL + pgvector image (./platform compose-test): the subset of the official
# postgres image's behaviour that docker-compose.yml relies on. POSTGRES_USER (a superuser), POSTGRES_PASSWORD and
# POSTGRES_DB on first start, data in $PGDATA (a volume), scripts in /docker-entrypoint-initdb.d/*.sql run once.
set -euo pipefail
export PGDATA=${PGDATA:-/var/lib/postgresql/data}
if [[ $(id -u) -eq 0 ]]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown -R postgres:postgres "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
user=${POSTGRES_USER:-postgres} db=${POSTGRES_DB:-${POSTGRES_USER:-postgres}}
if [[ ! -s $PGDATA/PG_VERSION ]]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -E UTF8 --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  [[ $db == postgres ]] || psql -X -q -v ON_ERROR_STOP=1 -U "$user" -d postgres -c "CREATE DATABASE \"$db\""
  for f in /docker-entrypoint-initdb.d/*.sql; do
    [[ -e $f ]] || continue
    echo "postgres-entrypoint: running $f"
    psql -X -q -v ON_ERROR_STOP=1 -U "$user" -d "$db" -f "$f"
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "postgres-entrypoint: database $db initialised"
fi
exec postgres -D "$PGDATA" "$@"
