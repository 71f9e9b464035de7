#!/usr/bin/env bash
# The first source document's story in one command: `tide up examples/celery-redis` with the
# blog's producer submitting one Celery task per second for PRODUCE_SECONDS (default 120).
# Workers rise with the backlog; after the producer stops and the list drains, the cooldown
# (200 s) brings them back to zero. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
redis_host="${REDIS_HOST:-127.0.0.1:6379}"
if ! node -e "
  const [h, p] = process.argv[1].split(':');
  const s = require('net').connect(Number(p), h, () => process.exit(0));
  s.on('error', () => process.exit(1));" "$redis_host"; then
  echo "demo: no Redis answers on $redis_host (start one: redis-server --daemonize yes)" >&2
  exit 1
fi
seconds="${PRODUCE_SECONDS:-120}"
echo "== tide up examples/celery-redis; the producer starts in 5 s and runs ${seconds} s"
(
  sleep 5
  COUNT="$seconds" node --import tsx examples/celery-redis/producer.ts >.tide-demo-producer.log 2>&1
  echo "tide demo: producer stopped after ${seconds} tasks; the list drains, then the 200 s cooldown" >&2
) &
producer=$!
trap 'kill $producer 2>/dev/null || true; pkill -f examples/celery-redis/producer.ts 2>/dev/null || true' EXIT
node bin/tide.js up examples/celery-redis
