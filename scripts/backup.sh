# Backups for ./platform (sourced): `backup` dumps the platform's database with pg_dump (custom format) and seals it
# with scripts/Seal.java (AES-256-GCM in 1 MiB chunks, key from AGENCY_BACKUP_PASSPHRASE or the master key);
# `restore` opens such a file and restores it with pg_restore into an empty database. See docs/operations.md.

# host, port and database name of a jdbc:postgresql:// URL: "host port db"
jdbc_parts() {
  local url=${1#jdbc:postgresql://} hostport db
  hostport=${url%%/*}
  db=${url#*/}
  db=${db%%\?*}
  [[ $hostport == *:* ]] && echo "${hostport%%:*} ${hostport##*:} $db" || echo "$hostport 5432 $db"
}

# the secret that seals backups: AGENCY_BACKUP_PASSPHRASE, else AGENCY_MASTER_KEY, else .platform/master-key
backup_secret() {
  if [[ -z ${AGENCY_BACKUP_PASSPHRASE:-} && -z ${AGENCY_MASTER_KEY:-} ]]; then
    [[ -s $STATE_DIR/master-key ]] \
      || die "no key to seal the backup with: set AGENCY_BACKUP_PASSPHRASE (or AGENCY_MASTER_KEY, or run ./platform up once)"
    AGENCY_MASTER_KEY=$(<"$STATE_DIR/master-key")
  fi
  export AGENCY_BACKUP_PASSPHRASE="${AGENCY_BACKUP_PASSPHRASE:-}" AGENCY_MASTER_KEY
}

backup_database() {
  if [[ -n ${AGENCY_DB_URL:-} ]]; then
    export AGENCY_DB_USERNAME="${AGENCY_DB_USERNAME:-agency}" AGENCY_DB_PASSWORD="${AGENCY_DB_PASSWORD:-agency}"
  else
    ensure_database
  fi
  command -v pg_dump >/dev/null && command -v pg_restore >/dev/null \
    || die "pg_dump and pg_restore are needed (apt-get install -y postgresql-client)"
}

cmd_backup() {
  local file=${1:-} host port db
  select_jdk >/dev/null
  backup_database
  backup_secret
  read -r host port db <<<"$(jdbc_parts "$AGENCY_DB_URL")"
  if [[ -z $file ]]; then
    mkdir -p "$STATE_DIR/backups"
    file="$STATE_DIR/backups/$db-$(date -u +%Y%m%dT%H%M%SZ).backup"
  fi
  [[ -e $file ]] && die "$file exists; choose another name"
  say "backing up $db on $host:$port to $file ..."
  (umask 077
   set -o pipefail
   PGPASSWORD=$AGENCY_DB_PASSWORD pg_dump -h "$host" -p "$port" -U "$AGENCY_DB_USERNAME" -d "$db" \
     --format=custom --no-owner --no-privileges --no-comments \
     | "$JAVA_HOME/bin/java" "$ROOT_DIR/scripts/Seal.java" seal >"$file.partial") \
    || { rm -f "$file.partial"; die "backup failed (nothing written)"; }
  mv "$file.partial" "$file"
  say "backup written: $file ($(du -h "$file" | cut -f1), sealed with $([[ -n $AGENCY_BACKUP_PASSPHRASE ]] && echo AGENCY_BACKUP_PASSPHRASE || echo the master key))"
}

# ./platform restore <file> [--into <jdbc url>]: into an empty database only (never over live data)
cmd_restore() {
  local file=${1:-} host port db tables
  [[ -n $file && -r $file ]] || die "usage: ./platform restore <backup file> [--into jdbc:postgresql://host:port/db]"
  shift
  if [[ ${1:-} == --into ]]; then
    [[ -n ${2:-} ]] || die "--into needs a JDBC URL"
    export AGENCY_DB_URL=$2
  fi
  select_jdk >/dev/null
  backup_database
  backup_secret
  read -r host port db <<<"$(jdbc_parts "$AGENCY_DB_URL")"
  export PGPASSWORD=$AGENCY_DB_PASSWORD
  tables=$(psql -h "$host" -p "$port" -U "$AGENCY_DB_USERNAME" -d "$db" -Atqc \
    "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'public')") \
    || die "cannot reach database $db on $host:$port"
  ((tables == 0)) || die "database $db already holds $tables tables: restore into an empty database (stop the platform, \
create a new database with the vector extension, restore with --into, then point AGENCY_DB_URL at it)"
  mkdir -p "$STATE_DIR"
  # decrypted whole before pg_restore starts: nothing is restored from a file that fails authentication anywhere
  RESTORE_PLAIN=$(umask 077 && mktemp "$STATE_DIR/restore.XXXXXX")
  trap 'rm -f "$RESTORE_PLAIN"' EXIT
  "$JAVA_HOME/bin/java" "$ROOT_DIR/scripts/Seal.java" open <"$file" >"$RESTORE_PLAIN" \
    || die "restore refused (nothing restored)"
  say "restoring $file into $db on $host:$port ..."
  pg_restore -h "$host" -p "$port" -U "$AGENCY_DB_USERNAME" -d "$db" --no-owner --no-privileges --exit-on-error \
    "$RESTORE_PLAIN" || die "pg_restore failed"
  say "restored into $db; start the platform on it with AGENCY_DB_URL=jdbc:postgresql://$host:$port/$db"
}
