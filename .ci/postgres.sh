#!/usr/bin/env bash
# Start a throwaway PostgreSQL on loopback for the service tests and print its URL.
# Installs Debian's postgresql (apt-get), then runs initdb + pg_ctl as the postgres user in a
# temp dir; the server listens on 127.0.0.1:${PGPORT:-55432} only (no Unix socket in /run).
# Usage: export ACUPLAN_TEST_PG_URL="$(bash .ci/postgres.sh)"; stop it with
#   su postgres -c "pg_ctl -D $ACUPLAN_PG_DIR/db stop" (ACUPLAN_PG_DIR: the data dir, default a new temp dir)
set -euo pipefail
# A free loopback port unless PGPORT is given (a fixed port collides with a leftover server).
port="${PGPORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } >&2
bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
data="${ACUPLAN_PG_DIR:-$(mktemp -d /tmp/acuplan-pg.XXXXXX)}"
chown postgres:postgres "$data"
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
run "'$bindir/initdb' -D '$data/db' -U postgres -A trust --no-sync" >&2
run "'$bindir/pg_ctl' -D '$data/db' -l '$data/log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -k '$data' -c fsync=off\" start" >&2 \
  || { cat "$data/log" >&2; exit 1; }
run "'$bindir/createdb' -h 127.0.0.1 -p $port -U postgres acuplan_test" >&2
echo "postgresql://postgres@127.0.0.1:${port}/acuplan_test"
