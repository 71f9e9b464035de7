#!/usr/bin/env bash
# Builds the test peers that Debian does not package, from the Go module proxy only, into
# ~/.cache/tide/bin/ ($TIDE_CACHE; outside the clone, so fresh clones reuse it). Idempotent: a peer whose binary and stamp match is skipped.
#
#   scripts/peers.sh build [name...]   build peers (default: ferretdb kafka)
#   scripts/peers.sh build kube        the Kubernetes test cluster: etcd kube-apiserver
#                                      kube-controller-manager kube-scheduler kwok, helm
#                                      (installs deploy/helm/tide on it) and metrics-server
#                                      (metrics.k8s.io from KWOK's simulated usage)
#   scripts/peers.sh path <name>       print a peer's binary path
#   scripts/peers.sh list              list peers with their versions and build state
#
# Peers: ferretdb (FerretDB v1, MongoDB wire, SQLite backend), kafka (franz-go kfake, our
# program in scripts/peers/kafka), etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok, helm (Helm 3's CLI), metrics-server. Each one's version lives in its wrapper module under scripts/peers/.
# Environment: PEERS_FORCE=1 rebuilds even when the stamp matches; PEERS_JOBS sets go build -p
# (default 1, or 2 when CI=true).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
peers_dir="$root/scripts/peers"
# Outside the clone, so every fresh clone on this machine (CI included) reuses one build.
cache="${TIDE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tide}"
bin_dir="$cache/bin"
log_dir="$cache/logs"

# Keep every Go artefact inside the cache folder so a fresh clone (and CI reusing the machine)
# builds into one place outside the clone; -modcacherw lets `rm -rf` work on the module cache.
export GOPATH="$cache/go"
export GOMODCACHE="$cache/go/mod"
export GOCACHE="$cache/go/build"
export GOFLAGS="-modcacherw -buildvcs=false"

go_bin="$(command -v go || true)"
[ -n "$go_bin" ] || go_bin=/usr/local/go/bin/go
if [ ! -x "$go_bin" ]; then
  echo "peers: Go toolchain not found (looked in PATH and /usr/local/go/bin); install Go 1.26+" >&2
  exit 1
fi

# Parallel compile jobs: 1 on a shared developer machine, both cores in CI (alone there).
jobs="${PEERS_JOBS:-$([ "${CI:-}" = true ] && echo 2 || echo 1)}"

default_peers=(ferretdb kafka)
kube_peers=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok helm metrics-server)

say() { printf '[peers %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Runs a Go command at lowest priority (2 shared cores), printing a heartbeat every 30 s with
# the number of packages compiled so far (`go build -v` lists each one); on failure prints the
# Go error lines (the log without the bare package list) and exits non-zero.
run_go() {
  local what="$1" dir="$2"
  shift 2
  local log="$log_dir/$what.log" pid rc=0 started
  started=$(date +%s)
  (cd "$dir" && exec nice -n 19 "$go_bin" "$@") >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "  $what: still working, $(($(date +%s) - started)) s, $(wc -l <"$log") packages so far"
    fi
  done
  wait "$pid" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "peers: building $what failed (exit $rc): go $*  (in ${dir#"$root"/}; full log $log)" >&2
    grep -v -E '^[A-Za-z0-9._~/-]+$' "$log" >&2 || cat "$log" >&2
    exit 1
  fi
}

# The module version a wrapper module resolves for `mod`.
mod_version() { (cd "$1" && "$go_bin" list -m -f '{{.Version}}' "$2"); }

# Identity of a build: the peer, its version and a hash of its wrapper module's files, so a
# changed go.mod/go.sum/main.go (or Go release) rebuilds it.
stamp_of() {
  local name="$1" version="$2" dir="$3"
  local h
  h=$(cat "$dir"/go.mod "$dir"/go.sum "$dir"/*.go 2>/dev/null | sha256sum | cut -c1-16)
  printf '%s %s %s %s %s\n' "$name" "$version" "$("$go_bin" env GOVERSION)" "$h" "$(recipe "$name")"
}

# Bumped when this script changes how a peer is built, so such a change rebuilds it.
recipe() {
  case "$1" in
    ferretdb) echo r1-version-txt ;;
    kwok) echo r3-stages ;;
    kafka) echo r2-sasl-mechanisms ;;
    metrics-server) echo r1-kube-versions-openapi-names ;;
    *) echo r1 ;;
  esac
}

is_built() {
  local out="$bin_dir/$1" want="$2"
  [ "${PEERS_FORCE:-0}" != 1 ] && [ -x "$out" ] && [ -f "$out.stamp" ] && [ "$(cat "$out.stamp")" = "$want" ]
}

# Wrapper module, module path and version, Go package and output binary of each peer.
peer_dir() {
  case "$1" in
    ferretdb) echo "$peers_dir/ferretdb" ;;
    kafka) echo "$peers_dir/kafka" ;;
    etcd) echo "$peers_dir/etcd" ;;
    kube-apiserver | kube-controller-manager | kube-scheduler) echo "$peers_dir/kube" ;;
    kwok) echo "$peers_dir/kwok" ;;
    helm) echo "$peers_dir/helm" ;;
    metrics-server) echo "$peers_dir/metrics-server" ;;
    *) return 1 ;;
  esac
}
peer_module() {
  case "$1" in
    ferretdb) echo github.com/FerretDB/FerretDB ;;
    kafka) echo github.com/twmb/franz-go/pkg/kfake ;;
    etcd) echo go.etcd.io/etcd/server/v3 ;;
    kube-*) echo k8s.io/kubernetes ;;
    kwok) echo sigs.k8s.io/kwok ;;
    helm) echo helm.sh/helm/v3 ;;
    metrics-server) echo sigs.k8s.io/metrics-server ;;
  esac
}
peer_bin() { [ "$1" = kafka ] && echo kafka-peer || echo "$1"; }

build_one() {
  local name="$1" dir module version out stamp started
  dir=$(peer_dir "$name") || {
    echo "peers: unknown peer '$name' (known: ${default_peers[*]} ${kube_peers[*]}, or 'kube')" >&2
    exit 2
  }
  module=$(peer_module "$name")
  version=$(mod_version "$dir" "$module")
  out="$bin_dir/$(peer_bin "$name")"
  stamp=$(stamp_of "$name" "$version" "$dir")
  if is_built "$(peer_bin "$name")" "$stamp"; then
    say "$name $version: up to date ($out)"
    return 0
  fi
  started=$(date +%s)
  say "$name $version: downloading modules"
  run_go "$name-download" "$dir" mod download
  say "$name $version: compiling (nice, -p $jobs; a cold build can take minutes, log: $log_dir/$name.log)"
  case "$name" in
    ferretdb)
      # FerretDB's binary refuses to start unless build/version/version.txt (generated by its
      # own build tooling, absent from the module zip) names the version; the module cache is
      # read-only, so build from a copy of the module with that file written.
      local src="$cache/src/ferretdb-$version" modsrc
      if [ ! -f "$src/build/version/version.txt" ]; then
        modsrc=$(cd "$dir" && "$go_bin" list -m -f '{{.Dir}}' "$module")
        rm -rf "$src" && mkdir -p "$cache/src"
        cp -r "$modsrc" "$src.tmp" && chmod -R u+w "$src.tmp"
        echo "$version" >"$src.tmp/build/version/version.txt"
        mv "$src.tmp" "$src"
      fi
      run_go "$name" "$src" build -v -p "$jobs" -trimpath -o "$out" ./cmd/ferretdb
      ;;
    kafka)
      # kfake answers a successful SASLHandshake with an empty mechanism list (real Kafka
      # always lists its enabled mechanisms), and kafkajs rejects such a server ("mechanism
      # is not supported by the server"). Build against a copy of kfake with that fixed,
      # from a scratch copy of our module whose go.mod points kfake at the copy.
      local src="$cache/src/kafka-peer" kfake_dir sasl_go
      kfake_dir=$(cd "$dir" && "$go_bin" list -m -f '{{.Dir}}' "$module")
      rm -rf "$src" && mkdir -p "$src"
      cp -r "$kfake_dir" "$src/kfake" && chmod -R u+w "$src/kfake"
      sasl_go="$src/kfake/17_sasl_handshake.go"
      sed -i 's/^\tswitch req.Mechanism {$/\tresp.SupportedMechanisms = []string{saslPlain, saslScram256, saslScram512}\n&/' "$sasl_go"
      if ! grep -q '^	resp.SupportedMechanisms = ' "$sasl_go"; then
        echo "peers: could not patch $sasl_go (kfake changed: check the SASLHandshake handler)" >&2
        exit 1
      fi
      cp "$dir"/go.mod "$dir"/go.sum "$dir"/*.go "$src/"
      (cd "$src" && "$go_bin" mod edit -replace "$module=./kfake")
      run_go "$name" "$src" build -v -p "$jobs" -trimpath -o "$out" .
      ;;
    etcd)
      run_go "$name" "$dir" build -v -p "$jobs" -trimpath -o "$out" go.etcd.io/etcd/server/v3
      ;;
    kube-*)
      # The version the binaries report (kubectl/kwok compare it); without it they say v0.0.0.
      local minor="${version#v1.}"
      minor="${minor%%.*}"
      local pkg=k8s.io/component-base/version
      run_go "$name" "$dir" build -v -p "$jobs" -trimpath \
        -ldflags "-s -w -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean" \
        -o "$out" "k8s.io/kubernetes/cmd/$name"
      ;;
    helm)
      # `helm version` reports what the ldflags say (its release builds set them the same way).
      run_go "$name" "$dir" build -v -p "$jobs" -trimpath \
        -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$version" \
        -o "$out" helm.sh/helm/v3/cmd/helm
      ;;
    metrics-server)
      # Built after the kube-* peers so their compiled k8s.io packages are reused. With
      # -trimpath the build cache keys a module's packages by the version the build
      # requires, so that works only if every module both use is required at exactly the
      # kube build's version, and not through a `replace` (a replaced module keeps its old
      # version in the key). metrics-server and the Prometheus module whose text parser it
      # uses ask for a few newer minor versions (x/time, pflag, otel, ...): build from copies
      # of both whose go.mod ask for the kube versions, in a scratch copy of our module.
      local src="$cache/src/metrics-server-peer" m v gm d kube_list
      rm -rf "$src" && mkdir -p "$src"
      cp "$dir"/go.mod "$dir"/go.sum "$dir"/*.go "$src/"
      for m in sigs.k8s.io/metrics-server github.com/prometheus/prometheus; do
        d=$(cd "$dir" && "$go_bin" list -m -f '{{.Dir}}' "$m")
        cp -r "$d" "$src/${m##*/}" && chmod -R u+w "$src/${m##*/}"
      done
      kube_list=$(cd "$peers_dir/kube" && "$go_bin" list -m -f '{{.Path}} {{.Version}}' all | LC_ALL=C sort)
      (cd "$dir" && "$go_bin" list -deps -f '{{with .Module}}{{.Path}} {{.Version}}{{end}}' \
        sigs.k8s.io/metrics-server/cmd/metrics-server) | LC_ALL=C sort -u |
        LC_ALL=C join - <(echo "$kube_list") | awk '$2 != $3 {print $1, $3}' |
        while read -r m v; do
          for gm in "$src/go.mod" "$src/metrics-server/go.mod" "$src/prometheus/go.mod"; do
            if "$go_bin" mod edit -json "$gm" | grep -q "\"Path\": \"$m\""; then
              "$go_bin" mod edit "-require=$m@$v" "$gm"
            fi
          done
        done
      # Kubernetes 1.35's apiserver names OpenAPI models io.k8s.<package>.<Type>; v0.8.1's
      # generated definitions (older code-gen) use k8s.io/<package>.<Type>. Rename the keys
      # and refs as metrics-server's own Kubernetes 1.35 update regenerated them.
      local openapi="$src/metrics-server/pkg/api/generated/openapi/zz_generated.openapi.go"
      perl -pi -e 's{"k8s\.io/([\w/-]+)\.(\w+)"}{my ($p, $t) = ($1, $2); $p =~ tr{/}{.}; "\"io.k8s.$p.$t\""}ge' "$openapi"
      if ! grep -q '"io.k8s.metrics.pkg.apis.metrics.v1beta1.PodMetrics"' "$openapi"; then
        echo "peers: could not rename the OpenAPI models in $openapi (metrics-server changed)" >&2
        exit 1
      fi
      (cd "$src" && "$go_bin" mod edit -replace sigs.k8s.io/metrics-server=./metrics-server \
        -replace github.com/prometheus/prometheus=./prometheus)
      run_go "$name" "$src" build -mod=mod -v -p "$jobs" -trimpath -ldflags "-s -w" \
        -o "$out" sigs.k8s.io/metrics-server/cmd/metrics-server
      ;;
    kwok)
      run_go "$name" "$dir" build -v -p "$jobs" -trimpath -o "$out" sigs.k8s.io/kwok/cmd/kwok
      # The kwok binary has no stages of its own (kwokctl writes them); ship KWOK's stock ones
      # beside it. Both sets make nodes Ready with a Lease. kwok-stages-general.yaml: Pods
      # Running after ~1-6 s, Job Pods Succeeded ~1-6 s later, tunable per Pod with the
      # pod-ready/pod-complete.stage.kwok.x-k8s.io/delay and /jitter-delay annotations.
      # kwok-stages-fast.yaml: Running and Succeeded at once.
      local kdir set stage
      kdir=$(cd "$dir" && "$go_bin" list -m -f '{{.Dir}}' "$module")/kustomize/stage
      for set in general fast; do
        : >"$out-stages-$set.yaml.tmp"
        for stage in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease; do
          { echo "---"; cat "$kdir/$stage.yaml"; } >>"$out-stages-$set.yaml.tmp"
        done
        for stage in $(sed -n 's/^- \(.*\)\.yaml$/\1/p' "$kdir/pod/$set/kustomization.yaml"); do
          { echo "---"; cat "$kdir/pod/$set/$stage.yaml"; } >>"$out-stages-$set.yaml.tmp"
        done
        mv "$out-stages-$set.yaml.tmp" "$out-stages-$set.yaml"
      done
      ;;
  esac
  echo "$stamp" >"$out.stamp"
  say "$name $version: built in $(($(date +%s) - started)) s -> $out"
}

cmd="${1:-build}"
[ $# -gt 0 ] && shift
mkdir -p "$bin_dir" "$log_dir"
case "$cmd" in
  build)
    names=()
    if [ $# -eq 0 ]; then names=("${default_peers[@]}"); fi
    for n in "$@"; do
      if [ "$n" = kube ]; then names+=("${kube_peers[@]}"); else names+=("$n"); fi
    done
    say "building: ${names[*]} (Go $("$go_bin" env GOVERSION), cache $cache/go)"
    for n in "${names[@]}"; do build_one "$n"; done
    say "done: ${names[*]}"
    ;;
  path)
    [ $# -eq 1 ] || { echo "usage: scripts/peers.sh path <name>" >&2; exit 2; }
    peer_dir "$1" >/dev/null || { echo "peers: unknown peer '$1'" >&2; exit 2; }
    echo "$bin_dir/$(peer_bin "$1")"
    ;;
  list)
    for n in "${default_peers[@]}" "${kube_peers[@]}"; do
      b="$bin_dir/$(peer_bin "$n")"
      state=missing
      [ -x "$b" ] && state="built ($(cut -d' ' -f2 "$b.stamp" 2>/dev/null || echo '?'))"
      printf '%-24s %-10s %s\n' "$n" "$(mod_version "$(peer_dir "$n")" "$(peer_module "$n")")" "$state"
    done
    ;;
  *)
    echo "usage: scripts/peers.sh build [name...|kube] | path <name> | list" >&2
    exit 2
    ;;
esac
