/**
 * `tide up` on a small example: a worker that pops a Redis list, scaled by a KEDA
 * ScaledObject. Pushes 50 items, expects more than one replica, the list drained, every item
 * processed exactly once, zero replicas after the cooldown, and no child left after exit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { editManifests, firstContainer, setEnv } from '../support/manifest-edit.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { pidAlive, repoRoot, startTideUp, type TideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';

let redisServer: RedisServer;
let redis: Redis;
let dir: string;
let tide: TideUp | undefined;

before(async () => {
  redisServer = await startRedis();
  redis = new Redis(redisServer.port, '127.0.0.1');
  dir = mkdtempSync(join(tmpdir(), 'tide-e2e-'));
  editManifests(
    join(repoRoot, 'examples/redis-list/worker.yaml'),
    join(dir, 'worker.yaml'),
    (doc) => {
      if (doc.kind === 'Deployment') {
        const c = firstContainer(doc);
        setEnv(c, 'REDIS_HOST', `127.0.0.1:${redisServer.port}`);
        // The manifest runs from a temp folder: point its relative command at the example.
        c.workingDir = join(repoRoot, 'examples/redis-list');
      }
      if (doc.kind === 'ScaledObject') doc.spec!.cooldownPeriod = 3;
    },
  );
});

after(async () => {
  await tide?.stop();
  redis?.disconnect();
  await redisServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('scales a list worker out with the backlog, processes every item once, and returns to zero', async (t) => {
  tide = await startTideUp(dir, ['worker.yaml']);
  let finished = false;
  t.after(() => {
    if (!finished) console.error(`tide up output:\n${tide?.output().slice(-4000)}`);
  });
  const so = () => tide!.object('ScaledObject', 'list-worker');

  // An empty list and minReplicaCount 0: KEDA scales the target to zero at the first poll.
  await waitFor(async () => (await so())?.runningReplicas === 0, {
    timeoutMs: 20_000,
    what: 'zero replicas at start',
  });

  const items = Array.from({ length: 50 }, (_, i) => `item-${i}`);
  await redis.lpush('jobs', ...items);

  const pids = new Set<number>();
  await waitFor(
    async () => {
      const s = await so();
      for (const r of s?.replicas ?? []) if (r.pid) pids.add(r.pid);
      return (s?.runningReplicas ?? 0) > 1;
    },
    { timeoutMs: 30_000, what: 'more than one replica' },
  );

  await waitFor(async () => (await redis.llen('jobs')) === 0, {
    timeoutMs: 60_000,
    what: 'the list to drain',
  });
  await waitFor(async () => Object.keys(await redis.hgetall('jobs:done')).length === 50, {
    timeoutMs: 30_000,
    what: 'all 50 items recorded',
  });
  const done = await redis.hgetall('jobs:done');
  for (const item of items) assert.equal(done[item], '1', `${item} processed exactly once`);
  const workers = new Set(Object.values(await redis.hgetall('jobs:by')));
  assert.ok(workers.size > 1, `work shared by several replicas, got ${[...workers].join(', ')}`);

  await waitFor(
    async () => {
      const s = await so();
      for (const r of s?.replicas ?? []) if (r.pid) pids.add(r.pid);
      return s?.runningReplicas === 0 && (s.replicas ?? []).length === 0;
    },
    { timeoutMs: 30_000, what: 'zero replicas after the cooldown' },
  );

  const code = await tide.stop();
  assert.equal(code, 0, `tide up exits 0 on SIGTERM; output:\n${tide.output().slice(-2000)}`);
  for (const pid of pids) assert.equal(pidAlive(pid), false, `replica process ${pid} is gone`);
  finished = true;
});
