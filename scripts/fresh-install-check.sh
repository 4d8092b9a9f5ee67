#!/usr/bin/env bash
# What an operator does on a fresh clone: `npm ci --omit=dev && npm start`. Clones this checkout's HEAD into a
# temp dir, installs without devDependencies (the build runs once, at install, via `prepare`), starts the server
# as `npm start` does, asks for / and stops it. Fails if any step does, or if / is not answered 200.
set -euo pipefail
source_dir="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server_pid=''
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM -- "-$server_pid"; wait "$server_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# A signal to the check itself (CI cancelled) still removes the clone and stops its server.
trap "exit 143" TERM INT

git clone --quiet "$source_dir" "$work/helpdesk"
cd "$work/helpdesk"
npm ci --omit=dev --no-audit --no-fund
# No dev tooling may be needed at start: if it were, it is not here to be found.
[ ! -e node_modules/typescript ] || { echo "fresh-install: typescript installed with --omit=dev" >&2; exit 1; }
[ -f dist/server.js ] || { echo "fresh-install: npm ci did not build dist/server.js" >&2; exit 1; }

port="$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
export PORT="$port" HOST=127.0.0.1 DATABASE_URL="file:$work/helpdesk.db"
# In a process group of its own, as a terminal's job would be: npm does not pass SIGTERM on to the server, so the
# signal goes to the whole group (npm, its shell, the server).
set -m
npm start >"$work/server.log" 2>&1 &
set +m
server_pid=$!
for _ in $(seq 1 100); do
  if curl -sf -o /dev/null "http://127.0.0.1:$port/health"; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "fresh-install: the server exited" >&2; exit 1; }
  sleep 0.2
done
status="$(curl -s -o "$work/home.json" -w '%{http_code}' "http://127.0.0.1:$port/")"
[ "$status" = 200 ] || { cat "$work/server.log" >&2; echo "fresh-install: GET / answered $status" >&2; exit 1; }
grep -q '"_links"' "$work/home.json" || { echo "fresh-install: GET / is not a HAL document" >&2; exit 1; }
# The server drains and exits 0; npm reports the signal (143), so the server's own word in its log is what counts.
kill -TERM -- "-$server_pid"
wait "$server_pid" || true
for _ in $(seq 1 50); do grep -q '"stopped"' "$work/server.log" && break; sleep 0.2; done
server_pid=''
grep -q '"stopped"' "$work/server.log" || { cat "$work/server.log" >&2; echo "fresh-install: the server did not stop cleanly" >&2; exit 1; }
echo "fresh-install: npm ci --omit=dev && npm start served / (200) on a fresh clone"
