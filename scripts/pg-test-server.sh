#!/usr/bin/env bash
# Start a throw-away PostgreSQL cluster on 127.0.0.1 for the test suite and print
# the URL to export as LEGAL_TRACK_TEST_PG_URL.  Usage: scripts/pg-test-server.sh [PORT]
set -euo pipefail
PORT=${1:-55432}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -n "$PGBIN" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
DATA=/tmp/legal-track-pg-$PORT
if ! su postgres -c "$PGBIN/pg_ctl -D $DATA status" >/dev/null 2>&1; then
  rm -rf "$DATA"; mkdir -p "$DATA"; chown postgres "$DATA"
  su postgres -c "$PGBIN/initdb -D $DATA -A trust -U postgres --no-sync" >/dev/null
  su postgres -c "$PGBIN/pg_ctl -D $DATA -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200' -l $DATA/log -w start" >/dev/null
  su postgres -c "$PGBIN/createdb -h 127.0.0.1 -p $PORT legal_track_test"
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/legal_track_test"
