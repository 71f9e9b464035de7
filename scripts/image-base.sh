#!/usr/bin/env bash
# Assembles a local base image for deploy/docker/Dockerfile where no registry can be reached:
# Debian bookworm (debootstrap --variant=minbase, from Debian's mirror) plus this machine's
# Node.js runtime and npm, the two things the official node:20-bookworm-slim image provides.
# Built once and kept in buildah's storage under the tide cache (~/.cache/tide/containers,
# $TIDE_CACHE overrides), beside the Go-built test peers; prints the image's name.
#
#   scripts/image-base.sh            build the base if missing, print its name
#   scripts/image-base.sh --name     print the name only
#   scripts/image-base.sh --rebuild  build it again
#   scripts/image-base.sh --storage  print buildah's --root and --runroot, one a line
#
# Needs root (debootstrap, buildah's storage), buildah and debootstrap (Debian packages).
# Every buildah call here and in the image test uses the same storage: see `storage_args`.
set -euo pipefail

cache="${TIDE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tide}"
storage="$cache/containers/storage"
# Volatile state (locks, mounts) belongs to one storage: one runroot per storage folder.
runroot="${TMPDIR:-/tmp}/tide-containers-run-$(id -u)-$(printf %s "$storage" | sha256sum | cut -c1-8)"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm

node_bin="$(readlink -f "$(command -v node)")"
node_version="$("$node_bin" --version)"
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
name="localhost/tide-base:$suite-node-${node_version#v}"

say() { printf '[image-base %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
bah() { buildah --root "$storage" --runroot "$runroot" "$@"; }

case "${1:-}" in
  --name) echo "$name"; exit 0 ;;
  --storage) printf '%s\n%s\n' "$storage" "$runroot"; exit 0 ;;
  --rebuild) bah rmi -f "$name" >/dev/null 2>&1 || true ;;
  '') ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac

if bah inspect --type image "$name" >/dev/null 2>&1; then
  echo "$name"
  exit 0
fi

for tool in buildah debootstrap; do
  command -v "$tool" >/dev/null || { echo "image-base: $tool is missing: apt-get install -y $tool" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "image-base: debootstrap and buildah's storage need root" >&2; exit 1; }
[ -f "$npm_dir/package.json" ] || { echo "image-base: npm not found beside $(command -v npm)" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/tide-image-base-XXXXXX")"
trap 'rm -rf "$work"' EXIT
started=$(date +%s)
say "debootstrap --variant=minbase $suite from $mirror (about a minute)"
debootstrap --variant=minbase "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}
say "adding Node.js $node_version and npm $(node -p "require('$npm_dir/package.json').version") from this machine"
install -D -m 0755 "$node_bin" "$work/rootfs/usr/bin/node"
mkdir -p "$work/rootfs/usr/lib/node_modules"
cp -a "$npm_dir" "$work/rootfs/usr/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$work/rootfs/usr/bin/npx"
# What debootstrap leaves that an image does not need.
rm -rf "$work/rootfs"/var/cache/apt/archives/*.deb "$work/rootfs"/var/lib/apt/lists/*

say "importing into $storage"
mkdir -p "$storage" "$runroot"
ctr="$(bah from scratch)"
mnt="$(bah mount "$ctr")"
cp -a "$work/rootfs/." "$mnt/"
bah umount "$ctr" >/dev/null
bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --cmd '["node"]' --label "tide.base=debian-$suite-minbase+node-$node_version" "$ctr"
bah commit --quiet --rm "$ctr" "$name" >/dev/null
say "built $name in $(($(date +%s) - started)) s"
echo "$name"
