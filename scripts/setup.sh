#!/usr/bin/env bash
# Installs what tide and its tests need, only what is missing (idempotent). Prints each step.
#   scripts/setup.sh           node modules only (enough to run tide)
#   scripts/setup.sh --test    also the test peers (Python Celery, Go-built servers, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

step() { printf '\n== %s\n' "$*"; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "tide needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing node modules (npm ci)"
  npm ci --no-fund --no-audit
else
  step "node modules up to date"
fi

[ "$want_test" = 1 ] || exit 0

apt_missing=()
need_apt() { dpkg -s "$1" >/dev/null 2>&1 || apt_missing+=("$1"); }
need_apt python3-celery
need_apt python3-redis
need_apt redis-server
need_apt redis-sentinel
# promtool and prometheus check the /metrics scrape (test/e2e/explain.test.ts)
need_apt prometheus
# the dashboard's browser test drives Debian's Chromium through playwright-core (never a download)
need_apt chromium
if [ "${#apt_missing[@]}" -gt 0 ]; then
  step "installing Debian packages: ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
else
  step "Debian packages present"
fi

# The rabbitmq trigger's HTTP mode reads the management API (port 15672); enabling is idempotent.
if command -v rabbitmq-plugins >/dev/null 2>&1; then
  step "RabbitMQ management plugin"
  rabbitmq-plugins enable rabbitmq_management
fi

if [ -x scripts/peers.sh ]; then
  step "building test peers (cached in ${TIDE_CACHE:-$HOME/.cache/tide})"
  scripts/peers.sh build ferretdb kafka kube
fi
