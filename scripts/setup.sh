#!/usr/bin/env bash
# Installs what tide and its tests need, only what is missing (idempotent). It first prints
# what it is going to do, what needs root and roughly how long it takes, then does it.
#   scripts/setup.sh           node modules and dist/ (enough to run tide from this clone)
#   scripts/setup.sh --test    also what the tests need: Debian packages (root), the RabbitMQ
#                              management plugin, the Go-built test peers (~45 min cold)
#
# Debian packages are installed without starting their services: a policy-rc.d answers "no"
# while apt-get runs (an existing one is left as it is), and the systemd units and init scripts
# of packages installed here are disabled afterwards. Nothing already installed or running is
# stopped or reconfigured; the tests start the private servers they need themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

step() { printf '\n== %s\n' "$*"; }
cache="${TIDE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tide}"

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "tide needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# ---------------------------------------------------------------- what is missing
need_npm=0
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  need_npm=1
fi

apt_missing=()
rabbit_plugin=none # none | enabled | enable | unknown
peers_missing=()
if [ "$want_test" = 1 ]; then
  need_apt() { dpkg -s "$1" >/dev/null 2>&1 || apt_missing+=("$1"); }
  # Python Celery, the interop tests' peer (test/celery-peer)
  need_apt python3-celery
  need_apt python3-redis
  # private Redis servers and sentinels started by the tests
  need_apt redis-server
  need_apt redis-sentinel
  # promtool and prometheus check the /metrics scrape (test/e2e/explain.test.ts)
  need_apt prometheus
  # the dashboard's browser test drives Debian's Chromium through playwright-core (never a download)
  need_apt chromium
  # the image test builds deploy/docker/Dockerfile daemonless on a debootstrapped base
  need_apt buildah
  need_apt debootstrap

  # The rabbitmq trigger's HTTP mode reads the management API (port 15672) of the machine's
  # RabbitMQ: the one thing here that changes a running service.
  if command -v rabbitmq-plugins >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
      rabbit_plugin=unknown
    elif rabbitmq-plugins is_enabled rabbitmq_management >/dev/null 2>&1; then
      rabbit_plugin=enabled
    else
      rabbit_plugin=enable
    fi
  fi

  while read -r name _ state _; do
    [ "$state" = missing ] && peers_missing+=("$name")
  done < <(scripts/peers.sh list 2>/dev/null || true)
fi

# Rough cold build time of each Go peer on 2 cores, in minutes (45 for all of them).
peer_minutes() {
  case "$1" in
    kube-apiserver) echo 15 ;;
    kube-controller-manager) echo 8 ;;
    ferretdb) echo 6 ;;
    etcd) echo 4 ;;
    *) echo 3 ;;
  esac
}

# ---------------------------------------------------------------- the plan, before anything
step "scripts/setup.sh$([ "$want_test" = 1 ] && echo ' --test'): what it will do"
minutes=0
if [ "$need_npm" = 1 ]; then
  echo "  - npm ci: install node modules into ./node_modules (about 1 min)"
  minutes=$((minutes + 1))
else
  echo "  - node modules: up to date"
fi
echo "  - npm run build: compile src/ into ./dist when a source is newer (about 30 s)"
if [ "$want_test" = 1 ]; then
  if [ "${#apt_missing[@]}" -gt 0 ]; then
    echo "  - apt-get install (needs root): ${apt_missing[*]} (about 3 min)"
    echo "    their services are not started, and not left enabled; nothing running is stopped"
    minutes=$((minutes + 3))
  else
    echo "  - Debian packages: all present"
  fi
  case "$rabbit_plugin" in
    enable) echo "  - rabbitmq-plugins enable rabbitmq_management: CHANGES this machine's RabbitMQ (port 15672; needs root)" ;;
    enabled) echo "  - RabbitMQ management plugin: already enabled" ;;
    unknown) echo "  - RabbitMQ management plugin: not checked (needs root); the rabbitmq HTTP tests need it on 15672" ;;
    none) echo "  - RabbitMQ: not installed here; the rabbitmq tests need one on 5672 (management on 15672)" ;;
  esac
  if [ "${#peers_missing[@]}" -gt 0 ]; then
    echo "  - build Go test peers from the Go module proxy into $cache: ${peers_missing[*]}"
    echo "    (all of them cold: about 45 min on 2 cores, most of it the Kubernetes control plane)"
    for p in "${peers_missing[@]}"; do minutes=$((minutes + $(peer_minutes "$p"))); done
  else
    echo "  - Go test peers: built ($cache/bin; rebuilt only when a version changes)"
  fi
  if ! command -v buildah >/dev/null 2>&1 ||
    ! { mapfile -t storage < <(scripts/image-base.sh --storage) &&
      buildah --root "${storage[0]}" --runroot "${storage[1]}" \
        inspect --type image "$(scripts/image-base.sh --name)" >/dev/null 2>&1; }; then
    echo "  - later, in the tests: the image test debootstraps its base image once (about 2 min)"
  fi
fi
echo "  estimated: about $((minutes + 1)) min"

# ---------------------------------------------------------------- doing it
if [ "$need_npm" = 1 ]; then
  step "installing node modules (npm ci)"
  npm ci --no-fund --no-audit
fi
step "building dist/ (when stale)"
node scripts/build.mjs --if-stale

[ "$want_test" = 1 ] || exit 0

if [ "${#apt_missing[@]}" -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo)
    else
      echo "setup: installing Debian packages needs root; run as root, or first:" >&2
      echo "  sudo apt-get install -y --no-install-recommends ${apt_missing[*]}" >&2
      exit 1
    fi
  fi
  step "installing Debian packages: ${apt_missing[*]}"
  before="$(mktemp)"
  dpkg-query -W -f='${Package}\n' | sort >"$before"
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# scripts/setup.sh: no service starts while it installs packages\nexit 101\n' |
      "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    own_policy=1
    trap '[ "$own_policy" = 1 ] && "${sudo[@]}" rm -f "$policy"' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
  if [ "$own_policy" = 1 ]; then
    "${sudo[@]}" rm -f "$policy"
    own_policy=0
  fi
  # Leave no service of a package installed just now enabled at boot.
  new_packages=$(dpkg-query -W -f='${Package}\n' | sort | comm -13 "$before" -)
  rm -f "$before"
  for pkg in $new_packages; do
    while read -r unit; do
      [ -n "$unit" ] || continue
      "${sudo[@]}" deb-systemd-helper disable "$(basename "$unit")" >/dev/null 2>&1 || true
      echo "  $pkg: $(basename "$unit") not enabled"
    done < <(dpkg -L "$pkg" | grep -E '^/(usr/)?lib/systemd/system/[^/]+\.(service|socket|timer)$' || true)
    while read -r script; do
      [ -n "$script" ] || continue
      "${sudo[@]}" update-rc.d "$(basename "$script")" disable >/dev/null 2>&1 || true
    done < <(dpkg -L "$pkg" | grep -E '^/etc/init\.d/[^/]+$' || true)
  done
fi

if [ "$rabbit_plugin" = enable ]; then
  step "enabling RabbitMQ's management plugin (the machine's RabbitMQ; undo: rabbitmq-plugins disable rabbitmq_management)"
  rabbitmq-plugins enable rabbitmq_management
fi

step "test peers (cached in $cache)"
scripts/peers.sh build ferretdb kafka kube
