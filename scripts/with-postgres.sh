#!/usr/bin/env bash
# Runs a command beside a throw-away PostgreSQL cluster: initdb in a temporary directory, trust auth on loopback
# only, a spare port, and everything removed on exit. The command sees HELPDESK_TEST_POSTGRES_URL.
#   bash scripts/with-postgres.sh npm run test:postgres
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: bash scripts/with-postgres.sh COMMAND [ARGS...]" >&2
  exit 2
fi

# Debian keeps the server binaries out of PATH, one directory per major version: take the newest.
bindir=""
if command -v pg_ctl >/dev/null 2>&1; then
  bindir="$(dirname "$(command -v pg_ctl)")"
else
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/pg_ctl" ] && bindir="$dir"; done
fi
if [ -z "$bindir" ]; then
  echo "with-postgres: no PostgreSQL server found (Debian: apt-get install -y postgresql)" >&2
  exit 1
fi

# initdb refuses to run as root: there, the cluster belongs to the postgres user.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then as_owner=(runuser -u postgres --); fi

port="$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
dir="$(mktemp -d "${TMPDIR:-/tmp}/helpdesk-pg.XXXXXX")"
chmod 755 "$dir"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi

stop() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# A test cluster: loopback only, its socket in its own directory. fsync off trades power-loss safety (which no
# test exercises) for speed on shared disks, as SQLITE_SYNCHRONOUS=NORMAL does for the SQLite pass; the server
# still asks for synchronous_commit=on on every connection. WITH_POSTGRES_FSYNC=on keeps fsync (the write bench
# measures durable commits).
durability="-c fsync=off -c full_page_writes=off"
if [ "${WITH_POSTGRES_FSYNC:-off}" = "on" ]; then durability="-c fsync=on"; fi
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir $durability -c max_connections=300" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }

export HELPDESK_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "with-postgres: throw-away cluster at $HELPDESK_TEST_POSTGRES_URL" >&2
"$@"
