#!/usr/bin/env bash
# A throwaway Kubernetes test cluster from real components built by `scripts/peers.sh build
# kube`: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and KWOK (fake nodes
# whose Pods become Running, and Job Pods Succeeded). Everything lives in .cache/kube-run/.
#
#   scripts/kube-cluster.sh start   generate certificates, start the components on spare
#                                   ports, create one fake node, wait for /readyz
#   scripts/kube-cluster.sh stop    stop the components started by `start`
#   scripts/kube-cluster.sh env     print `export KUBECONFIG=...` for the running cluster
#   scripts/kube-cluster.sh status  say whether the API server answers /readyz
#
# KUBE_RUN_DIR (default .cache/kube-run) holds one cluster's certificates, data, logs and
# pids; give each concurrent cluster its own.
# KUBE_STAGES=general (default): KWOK's "general" Pod stages, Running after ~1-6 s and Job Pods
# Succeeded ~1-6 s later, per Pod tunable with the annotations
# pod-ready.stage.kwok.x-k8s.io/delay and pod-complete.stage.kwok.x-k8s.io/delay (and
# /jitter-delay). KUBE_STAGES=fast: Running and Succeeded at once.
# KUBE_API_ONLY=1 starts etcd and kube-apiserver only (no controllers, scheduler, KWOK node):
# enough for benchmarks on custom resources, and needs only those two peers built.
# KUBE_METRICS_SERVER=1 also starts metrics-server (built by `scripts/peers.sh build kube`) and
# registers metrics.k8s.io, so `kubectl top` and cpu/memory triggers work: it scrapes KWOK's
# simulated usage, set per Pod with the annotations kwok.x-k8s.io/usage-cpu and
# kwok.x-k8s.io/usage-memory (scripts/kwok-metrics.yaml).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${TIDE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tide}/bin"
run="${KUBE_RUN_DIR:-$root/.cache/kube-run}"
pki="$run/pki"
stages="${KUBE_STAGES:-general}"
say() { printf '[kube %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# A port the OS says is free right now on 127.0.0.1.
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

api_get() { curl -sS --max-time 5 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "$@"; }
api_post() { api_get -f -X POST -H 'Content-Type: application/json' "https://127.0.0.1:$1$2" -d "$3" >/dev/null; }

stop_all() {
  local name pid
  for name in metrics-server kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
    [ -f "$run/$name.pid" ] || continue
    pid=$(cat "$run/$name.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      say "stopped $name (pid $pid)"
    fi
    rm -f "$run/$name.pid"
  done
}

gen_certs() {
  mkdir -p "$pki"
  [ -f "$pki/admin.crt" ] && return 0
  say "generating certificates (openssl) and the service-account key"
  (
    cd "$pki"
    openssl genrsa -out ca.key 2048 2>/dev/null
    openssl req -x509 -new -key ca.key -days 3650 -subj "/CN=tide-test-ca" -out ca.crt 2>/dev/null
    openssl genrsa -out apiserver.key 2048 2>/dev/null
    openssl req -new -key apiserver.key -subj "/CN=kube-apiserver" -out apiserver.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\n' >apiserver.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile apiserver.ext -out apiserver.crt 2>/dev/null
    # One client identity in system:masters for the controllers, KWOK and the tests.
    openssl genrsa -out admin.key 2048 2>/dev/null
    openssl req -new -key admin.key -subj "/O=system:masters/CN=tide-admin" -out admin.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >admin.ext
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile admin.ext -out admin.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  )
}

write_kubeconfig() {
  cat >"$run/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: tide-test
  cluster:
    server: https://127.0.0.1:$1
    certificate-authority: $pki/ca.crt
users:
- name: tide-admin
  user:
    client-certificate: $pki/admin.crt
    client-key: $pki/admin.key
contexts:
- name: tide-test
  context: {cluster: tide-test, user: tide-admin}
current-context: tide-test
EOF
}

# Starts a component in the background, its output in .cache/kube-run/<name>.log.
launch() {
  local name="$1"
  shift
  nohup "$@" >"$run/$name.log" 2>&1 &
  echo $! >"$run/$name.pid"
  say "started $name (pid $!, log $run/$name.log)"
}

# Waits for a condition with a deadline; on timeout shows the component's log tail.
wait_until() {
  local what="$1" secs="$2" log="$3"
  shift 3
  local deadline=$(($(date +%s) + secs)) pidfile="${log%.log}.pid"
  until "$@" >/dev/null 2>&1; do
    if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "kube-cluster: $(basename "${log%.log}") exited while waiting for $what; last lines of $log:" >&2
      tail -n 30 "$log" >&2 || true
      stop_all
      exit 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "kube-cluster: timed out after ${secs}s waiting for $what; last lines of $log:" >&2
      tail -n 30 "$log" >&2 || true
      stop_all
      exit 1
    fi
    sleep 0.5
  done
}

start() {
  local n needed=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok "kwok-stages-$stages.yaml")
  [ "${KUBE_API_ONLY:-0}" = 1 ] && needed=(etcd kube-apiserver)
  for n in "${needed[@]}"; do
    [ -e "$bin/$n" ] || { echo "kube-cluster: $bin/$n is missing: run scripts/peers.sh build kube" >&2; exit 1; }
  done
  stop_all
  mkdir -p "$run"
  gen_certs
  rm -rf "$run/etcd-data"
  local etcd_port etcd_peer api_port kcm_port sched_port kwok_port
  etcd_port=$(free_port) etcd_peer=$(free_port) api_port=$(free_port)
  kcm_port=$(free_port) sched_port=$(free_port) kwok_port=$(free_port)
  write_kubeconfig "$api_port"
  echo "$api_port" >"$run/api-port"

  launch etcd "$bin/etcd" --name tide --data-dir "$run/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "tide=http://127.0.0.1:$etcd_peer" --unsafe-no-fsync --log-level warn
  wait_until "etcd /health" 30 "$run/etcd.log" curl -sf "http://127.0.0.1:$etcd_port/health"

  launch kube-apiserver "$bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --authorization-mode RBAC --allow-privileged=true --endpoint-reconciler-type none \
    --proxy-client-cert-file "$pki/admin.crt" --proxy-client-key-file "$pki/admin.key" \
    --requestheader-client-ca-file "$pki/ca.crt" --requestheader-allowed-names tide-admin \
    --requestheader-username-headers X-Remote-User \
    --requestheader-group-headers X-Remote-Group --requestheader-extra-headers-prefix X-Remote-Extra- \
    --max-requests-inflight 2000 --max-mutating-requests-inflight 1000
  wait_until "kube-apiserver /readyz" 120 "$run/kube-apiserver.log" api_get -f "https://127.0.0.1:$api_port/readyz"
  if [ "${KUBE_API_ONLY:-0}" = 1 ]; then
    say "cluster ready (API only): export KUBECONFIG=$run/kubeconfig"
    return
  fi

  launch kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig "$run/kubeconfig" --authentication-kubeconfig "$run/kubeconfig" \
    --authorization-kubeconfig "$run/kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$kcm_port" --leader-elect=false \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --kube-api-qps 500 --kube-api-burst 1000
  launch kube-scheduler "$bin/kube-scheduler" \
    --kubeconfig "$run/kubeconfig" --authentication-kubeconfig "$run/kubeconfig" \
    --authorization-kubeconfig "$run/kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$sched_port" --leader-elect=false \
    --kube-api-qps 500 --kube-api-burst 1000
  # KWOK manages the nodes annotated kwok.x-k8s.io/node=fake, with its built-in stages, and
  # serves their simulated usage over TLS as a kubelet's /metrics/resource would; the node's
  # InternalIP is loopback so metrics-server reaches that endpoint.
  launch kwok "$bin/kwok" --kubeconfig "$run/kubeconfig" --config "$bin/kwok-stages-$stages.yaml" \
    --config "$root/scripts/kwok-metrics.yaml" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --node-lease-duration-seconds 40 \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --cidr 10.244.0.1/16 --node-ip 127.0.0.1 --server-address "127.0.0.1:$kwok_port"

  say "creating fake node kwok-node-0"
  api_get -X POST -H 'Content-Type: application/json' "https://127.0.0.1:$api_port/api/v1/nodes" -d '{
    "apiVersion": "v1", "kind": "Node",
    "metadata": {"name": "kwok-node-0", "annotations": {"kwok.x-k8s.io/node": "fake",
                 "metrics.k8s.io/resource-metrics-path": "/metrics/nodes/kwok-node-0/metrics/resource"},
                 "labels": {"type": "kwok", "kubernetes.io/hostname": "kwok-node-0", "kubernetes.io/os": "linux"}},
    "spec": {"taints": []},
    "status": {"allocatable": {"cpu": "1000", "memory": "1000Gi", "pods": "10000"},
               "capacity": {"cpu": "1000", "memory": "1000Gi", "pods": "10000"}}
  }' >"$run/node.json"
  wait_until "kwok-node-0 Ready" 60 "$run/kwok.log" node_ready "$api_port"
  wait_until "the default ServiceAccount" 60 "$run/kube-controller-manager.log" \
    api_get -f "https://127.0.0.1:$api_port/api/v1/namespaces/default/serviceaccounts/default"
  if [ "${KUBE_METRICS_SERVER:-0}" = 1 ]; then start_metrics_server "$api_port" "$kwok_port"; fi
  for n in etcd kube-apiserver kube-controller-manager kube-scheduler kwok; do
    if ! kill -0 "$(cat "$run/$n.pid")" 2>/dev/null; then
      echo "kube-cluster: $n exited during start; last lines of $run/$n.log:" >&2
      tail -n 30 "$run/$n.log" >&2 || true
      stop_all
      exit 1
    fi
  done
  say "cluster ready: export KUBECONFIG=$run/kubeconfig"
}

# metrics-server on a spare port, reached by the aggregator through an ExternalName Service
# (there is no kube-proxy for a ClusterIP), scraping KWOK's endpoint every 10 s (its minimum).
start_metrics_server() {
  local api_port="$1" kwok_port="$2" ms_port
  [ -x "$bin/metrics-server" ] || { echo "kube-cluster: $bin/metrics-server is missing: run scripts/peers.sh build kube" >&2; stop_all; exit 1; }
  ms_port=$(free_port)
  launch metrics-server "$bin/metrics-server" \
    --kubeconfig "$run/kubeconfig" --authentication-kubeconfig "$run/kubeconfig" \
    --authorization-kubeconfig "$run/kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$ms_port" --cert-dir "$run/metrics-server-certs" \
    --kubelet-insecure-tls --kubelet-preferred-address-types InternalIP --kubelet-port "$kwok_port" \
    --metric-resolution 10s --kubelet-request-timeout 5s
  api_post "$api_port" /api/v1/namespaces/kube-system/services '{
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "metrics-server", "namespace": "kube-system"},
    "spec": {"type": "ExternalName", "externalName": "localhost"}}'
  api_post "$api_port" /apis/apiregistration.k8s.io/v1/apiservices '{
    "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService", "metadata": {"name": "v1beta1.metrics.k8s.io"},
    "spec": {"group": "metrics.k8s.io", "version": "v1beta1", "groupPriorityMinimum": 100, "versionPriority": 100,
             "insecureSkipTLSVerify": true,
             "service": {"name": "metrics-server", "namespace": "kube-system", "port": '"$ms_port"'}}}'
  wait_until "metrics.k8s.io to be Available" 90 "$run/metrics-server.log" apiservice_available "$api_port"
}

apiservice_available() {
  api_get -f "https://127.0.0.1:$1/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io" |
    node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const c=(JSON.parse(s).status.conditions||[]).find((x)=>x.type==="Available");process.exit(c&&c.status==="True"?0:1)})'
}

node_ready() {
  api_get -f "https://127.0.0.1:$1/api/v1/nodes/kwok-node-0" |
    node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const c=(JSON.parse(s).status.conditions||[]).find((x)=>x.type==="Ready");process.exit(c&&c.status==="True"?0:1)})'
}

case "${1:-}" in
  start) start ;;
  stop) stop_all ;;
  env) echo "export KUBECONFIG=$run/kubeconfig" ;;
  status)
    port=$(cat "$run/api-port" 2>/dev/null || echo 0)
    if api_get -f "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; then echo "ready on https://127.0.0.1:$port"; else echo "not running"; exit 1; fi
    ;;
  *)
    echo "usage: scripts/kube-cluster.sh start|stop|env|status" >&2
    exit 2
    ;;
esac
