#!/usr/bin/env bash
# «Ты не один» — back up PostgreSQL and prove that the backup restores (docs/runbook.md).
#
#   scripts/backup-restore-check.sh [--dump FILE] [--keep NAME] SOURCE_URL
#   scripts/backup-restore-check.sh --from-dump FILE [--keep NAME] SERVER_URL
#
# First form (a backup): `pg_dump --format=custom` of SOURCE_URL inside one exported snapshot, and a
# manifest read in that same snapshot — the row count of every table and the applied migrations
# (`schema_migrations`, the table src/db/migrate.ts keeps) — then `pg_restore` into a new scratch
# database on the same server, the same counts read there, compared with the manifest, and the scratch
# database dropped. `--dump FILE` keeps the dump at FILE and the manifest at FILE.manifest (the nightly
# backup); without it both live in a temporary directory that is removed at the end.
#
# Second form (a restore drill, or the restore itself): FILE (made by the first form) is restored into
# a new database on the server of SERVER_URL — its database is only used to connect — and compared with
# FILE.manifest.
#
# `--keep NAME` restores into a new database NAME and keeps it (the restore itself); NAME must not exist.
# Without it the restored copy is a scratch database that is always dropped, whatever happens.
#
# Needs bash 4.1+, psql, pg_dump and pg_restore of at least the server's major version, and a role that
# may create databases. Prefer PGPASSWORD or ~/.pgpass to a password inside the URL (visible in `ps`).
# URLs are printed without their credentials.
#
# Exit codes: 0 the restored copy matches the manifest; 1 it does not (differences printed);
# 2 usage, tools, connection or restore errors.
set -euo pipefail
umask 077

readonly ME="backup-restore-check"
# Seconds to wait for one answer of the snapshot session (counting a big table takes a while).
readonly READ_TIMEOUT="${BACKUP_CHECK_READ_TIMEOUT:-3600}"

usage() {
  sed -n '4,5p' "$0" | sed 's/^# \{0,1\}/usage: /' >&2
  exit 2
}
say() { printf '%s: %s\n' "$ME" "$*"; }
die() {
  printf '%s: error: %s\n' "$ME" "$*" >&2
  exit 2
}
redact() { sed -E 's#(://)[^@/?]*@#\1#' <<<"$1"; }

# The same server and credentials, another database: replaces the URL's path, keeps its query.
with_db() {
  local url=$1 name=$2
  [[ $url =~ ^(postgres(ql)?://[^/?]*)(/[^?]*)?(\?.*)?$ ]] || die "not a postgres:// URL: $(redact "$url")"
  printf '%s/%s%s' "${BASH_REMATCH[1]}" "$name" "${BASH_REMATCH[4]}"
}

# One line per table, "table <schema>.<name> <rows>", in a stable order; then the migrations.
readonly COUNTS_SQL="select format('table %s.%s %s', n.nspname, c.relname,
    (xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I.%I', n.nspname, c.relname),
      false, true, '')))[1]::text)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p')
    and n.nspname not in ('pg_catalog', 'information_schema')
    and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'
  order by n.nspname, c.relname;"
readonly MIGRATIONS_SQL="select format('migration %s %s', tag, hash) from schema_migrations order by tag;"

dump_file=""
from_dump=""
keep=""
url=""
while (($# > 0)); do
  case $1 in
  --dump)
    (($# >= 2)) || usage
    dump_file=$2
    shift 2
    ;;
  --from-dump)
    (($# >= 2)) || usage
    from_dump=$2
    shift 2
    ;;
  --keep)
    (($# >= 2)) || usage
    keep=$2
    shift 2
    ;;
  -h | --help) usage ;;
  -*) usage ;;
  *)
    [[ -z $url ]] || usage
    url=$1
    shift
    ;;
  esac
done
[[ -n $url ]] || usage
[[ -z $dump_file || -z $from_dump ]] || die "--dump and --from-dump exclude each other"
[[ $url =~ ^postgres(ql)?:// ]] || die "not a postgres:// URL: $(redact "$url")"
if [[ -n $keep && ! $keep =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
  die "--keep: a database name of a-z, 0-9 and _ (at most 63), got '$keep'"
fi
for tool in psql pg_dump pg_restore; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not on PATH (install the PostgreSQL client tools)"
done
if [[ -n $from_dump ]]; then
  [[ -f $from_dump ]] || die "no dump file $from_dump"
  [[ -f "$from_dump.manifest" ]] || die "no manifest $from_dump.manifest next to the dump: it was not made by this script"
fi

psql_at() { psql "$1" -X -q -A -t -v ON_ERROR_STOP=1 "${@:2}"; }

tmpdir=""
target_name=""
created=0
restored=0
snap_in=""
snap_out=""

cleanup() {
  local rc=$?
  if [[ -n $snap_in ]]; then
    printf 'rollback;\n\\q\n' >&"$snap_in" 2>/dev/null || true
    exec {snap_in}>&- {snap_out}<&-
    snap_in=""
  fi
  if ((created == 1)) && [[ -z $keep || $restored == 0 ]]; then
    if psql_at "$url" -c "drop database if exists \"$target_name\" with (force)" >/dev/null 2>&1; then
      say "dropped database $target_name"
    else
      printf '%s: could not drop database %s: drop it by hand\n' "$ME" "$target_name" >&2
    fi
  fi
  [[ -z $tmpdir ]] || rm -rf "$tmpdir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# A write to the snapshot session after psql has gone is an error to handle, not a signal to die of.
trap '' PIPE

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/$ME.XXXXXX")

# ---- the dump and its manifest, in one snapshot ----

# Lines of `sql`'s result in the snapshot session; psql's own messages go to stderr.
snapshot_query() {
  local line status
  printf '%s\n' "$1" "select '__end__';" >&"$snap_in" || die "the snapshot session on the source ended"
  while :; do
    IFS= read -r -t "$READ_TIMEOUT" line <&"$snap_out" && status=0 || status=$?
    ((status == 0)) || break
    case $line in
    __end__) return 0 ;;
    "table "* | "migration "*) printf '%s\n' "$line" ;;
    *) printf 'psql: %s\n' "$line" >&2 ;;
    esac
  done
  ((status > 128)) && die "the source did not answer within ${READ_TIMEOUT}s (BACKUP_CHECK_READ_TIMEOUT)"
  die "the snapshot session on the source ended (see psql's message above)"
}

if [[ -z $from_dump ]]; then
  dump=${dump_file:-$tmpdir/backup.dump}
  manifest="$dump.manifest"
  say "source $(redact "$url")"
  coproc SNAP { exec psql "$url" -X -q -A -t -v ON_ERROR_STOP=1 2>&1; }
  snap_pid=$SNAP_PID
  exec {snap_in}>&"${SNAP[1]}" {snap_out}<&"${SNAP[0]}"
  printf '%s\n' "begin isolation level repeatable read, read only;" "select pg_export_snapshot();" >&"$snap_in"
  IFS= read -r -t 60 snapshot <&"$snap_out" || die "could not open a snapshot on the source"
  [[ $snapshot =~ ^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$ ]] || die "could not open a snapshot on the source: $snapshot"
  counts=$(snapshot_query "$COUNTS_SQL")
  migrations=$(snapshot_query "$MIGRATIONS_SQL")
  [[ -n $migrations ]] || die "schema_migrations is empty: is this the bot's database?"
  pg_dump --format=custom --snapshot="$snapshot" --file="$dump" "$url" || die "pg_dump failed"
  printf 'commit;\n\\q\n' >&"$snap_in"
  exec {snap_in}>&- {snap_out}<&-
  snap_in=""
  wait "$snap_pid" 2>/dev/null || true
  printf '%s\n%s\n' "$counts" "$migrations" >"$manifest"
  say "dumped snapshot $snapshot to ${dump_file:-a temporary file} ($(wc -c <"$dump") bytes)"
  [[ -z $dump_file ]] || say "manifest $manifest"
else
  dump=$from_dump
  manifest="$from_dump.manifest"
  say "dump $dump, manifest $manifest"
fi

# ---- the restore ----

target_name=${keep:-tno_restore_check_$(date -u +%Y%m%d%H%M%S)_$$_$RANDOM}
exists=$(psql_at "$url" -c "select 1 from pg_database where datname = '$target_name'") ||
  die "cannot connect to $(redact "$url")"
[[ -z $exists ]] || die "database $target_name already exists"
psql_at "$url" -c "create database \"$target_name\"" >/dev/null || die "could not create database $target_name"
created=1
say "restoring into database $target_name"
target=$(with_db "$url" "$target_name")
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$target" "$dump" ||
  die "pg_restore failed"
restored=1

# ---- the comparison ----

expected=$(cat "$manifest")
actual=$(psql_at "$target" -c "$COUNTS_SQL" -c "$MIGRATIONS_SQL") || die "could not read the restored database"
if [[ $expected != "$actual" ]]; then
  printf '%s: MISMATCH between the manifest (<) and the restored copy (>):\n' "$ME"
  diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") || true
  [[ -z $keep ]] || say "kept $target_name for inspection: do not point the bot at it"
  exit 1
fi
tables=$(grep -c '^table ' <<<"$expected" || true)
rows=$(awk '/^table /{s+=$3} END{print s+0}' <<<"$expected")
applied=$(grep -c '^migration ' <<<"$expected" || true)
say "OK: $tables tables ($rows rows) and $applied migrations match"
if [[ -n $keep ]]; then
  say "kept database $target_name on $(redact "$(with_db "$url" "$target_name")")"
fi
