#!/usr/bin/env bash
# Serves the example's MongoDB-wire server: FerretDB v1 (SQLite backend) on 127.0.0.1:27017,
# the address the example's Secret `mongodb-secret` points at. Builds it first if needed
# (scripts/peers.sh build ferretdb, Go toolchain required). Runs in the foreground; Ctrl-C
# stops it. Data lives in $FERRET_DIR (default: a fresh temporary folder, removed on exit).
#   PORT=27018 examples/mongodb-transcode/ferretdb.sh    another port (edit the Secret to match)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
port="${PORT:-27017}"
bin="$("$root/scripts/peers.sh" path ferretdb)"
[ -x "$bin" ] || "$root/scripts/peers.sh" build ferretdb
if [ -n "${FERRET_DIR:-}" ]; then
  dir="$FERRET_DIR"
  mkdir -p "$dir"
else
  dir="$(mktemp -d "${TMPDIR:-/tmp}/tide-ferretdb-XXXXXX")"
  trap 'rm -rf "$dir"' EXIT
fi
echo "ferretdb: serving mongodb://127.0.0.1:${port}/ (data in $dir); Ctrl-C stops it"
"$bin" --handler=sqlite "--sqlite-url=file:${dir}/" "--state-dir=${dir}" \
  "--listen-addr=127.0.0.1:${port}" --debug-addr=- --telemetry=disable --log-level=error
