/**
 * Scale-in never loses a task. `tide up` runs five replicas of the TypeScript Celery worker
 * (acks_late, 4 tasks at a time, 4 prefetched) scaled by the `celery` trigger; 100 tasks of
 * 2 s are sent; while they run, the ScaledObject file is rewritten with maxReplicaCount 1 (tide
 * up applies manifest changes), so four replicas get SIGTERM at once. Their warm shutdown
 * finishes what runs and puts back what was reserved; the task itself counts its starts and
 * completions per task id in Redis, and every one of the 100 must be 1 and 1.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { Producer } from '../../src/celery/index.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { pidAlive, repoRoot, startTideUp, type TideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';

const TASKS = 100;
let server: RedisServer;
let redis: Redis;
let dir: string;
let tide: TideUp | undefined;

/** The task: 2 s of work between a start mark (with the replica's name) and a completion mark, per task id. */
function taskModule(): string {
  // The module lives in a temp folder, where a bare 'ioredis' would not resolve.
  const ioredis = pathToFileURL(createRequire(import.meta.url).resolve('ioredis')).href;
  return `import IORedis from ${JSON.stringify(ioredis)};
const Redis = IORedis.Redis ?? IORedis;
const redis = new Redis(Number(process.env.REDIS_PORT), '127.0.0.1');
export const tasks = {
  'scalein.work': async (_args, _kwargs, ctx) => {
    await redis.hincrby('scalein:started', ctx.id, 1);
    await redis.hset('scalein:by', ctx.id, process.env.WORKER_ID);
    await new Promise((r) => setTimeout(r, 2000));
    await redis.hincrby('scalein:done', ctx.id, 1);
  },
};
`;
}

function manifest(maxReplicaCount: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: scalein-worker
spec:
  replicas: 0
  selector:
    matchLabels: { app: scalein-worker }
  template:
    metadata:
      labels: { app: scalein-worker }
    spec:
      terminationGracePeriodSeconds: 60
      containers:
        - name: worker
          workingDir: ${JSON.stringify(repoRoot)}
          command: ['node', '--import', 'tsx', 'src/celery/worker-main.ts', ${JSON.stringify(join(dir, 'tasks.mjs'))}]
          env:
            - { name: CELERY_BROKER_URL, value: 'redis://127.0.0.1:${server.port}/0' }
            - { name: REDIS_PORT, value: '${server.port}' }
            - { name: CELERY_CONCURRENCY, value: '4' }
            - { name: CELERY_PREFETCH, value: '4' }
            - { name: CELERY_ACKS_LATE, value: '1' }
            - { name: CELERY_SHUTDOWN_GRACE, value: '50' }
            - name: WORKER_ID
              valueFrom: { fieldRef: { fieldPath: metadata.name } }
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: scalein
spec:
  scaleTargetRef:
    name: scalein-worker
  pollingInterval: 1
  cooldownPeriod: 5
  minReplicaCount: 0
  maxReplicaCount: ${maxReplicaCount}
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleUp:
          policies: [{ type: Pods, value: 5, periodSeconds: 1 }]
  triggers:
    - type: celery
      metadata:
        urlFromEnv: CELERY_BROKER_URL
        tasksPerReplica: '4'
`;
}

before(async () => {
  server = await startRedis();
  redis = new Redis(server.port, '127.0.0.1');
  dir = mkdtempSync(join(tmpdir(), 'tide-celery-scalein-'));
  writeFileSync(join(dir, 'tasks.mjs'), taskModule());
  writeFileSync(join(dir, 'worker.yaml'), manifest(5));
});

after(async () => {
  await tide?.stop();
  redis?.disconnect();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('scaling 5 -> 1 while 100 tasks of 2 s run loses none and runs none twice', async (t) => {
  tide = await startTideUp(dir, ['worker.yaml']);
  let finished = false;
  t.after(() => {
    if (!finished) console.error(`tide up output:\n${tide?.output().slice(-6000)}`);
  });
  const so = () => tide!.object('ScaledObject', 'scalein');
  await waitFor(async () => (await so())?.runningReplicas === 0, {
    timeoutMs: 30_000,
    what: 'zero workers at start',
  });

  const producer = new Producer({ broker: server.url });
  const ids: string[] = [];
  for (let i = 0; i < TASKS; i++)
    ids.push((await producer.sendTask('scalein.work', [i], {}, { ignoreResult: true })).id);
  await producer.close();

  const pids = new Set<number>();
  const record = async () => {
    const s = await so();
    for (const r of s?.replicas ?? []) if (r.pid) pids.add(r.pid);
    return s;
  };
  await waitFor(async () => (await record())?.runningReplicas === 5, {
    timeoutMs: 60_000,
    what: 'five workers',
  });
  // Every replica is busy before the scale-in, so four of them are stopped mid-task.
  const runners = async () => new Set(Object.values(await redis.hgetall('scalein:by'))).size;
  await waitFor(async () => (await runners()) === 5, {
    timeoutMs: 60_000,
    what: 'all five workers running tasks',
  });
  const before = await redis.hlen('scalein:done');
  assert.ok(before < TASKS / 2, `most tasks still to do at the scale-in, ${before} done`);

  writeFileSync(join(dir, 'worker.yaml'), manifest(1));
  await waitFor(
    async () => {
      const s = await record();
      return s?.runningReplicas === 1 && (s.replicas ?? []).length === 1;
    },
    { timeoutMs: 90_000, what: 'one worker after maxReplicaCount 1' },
  );
  const scaledInAt = await redis.hlen('scalein:done');
  t.diagnostic(`scale-in with ${before} done; one worker left with ${scaledInAt} done`);
  assert.ok(scaledInAt < TASKS, 'tasks were left for the single worker');

  await waitFor(async () => (await redis.hlen('scalein:done')) === TASKS, {
    timeoutMs: 180_000,
    what: `all ${TASKS} tasks done`,
  });
  const started = await redis.hgetall('scalein:started');
  const done = await redis.hgetall('scalein:done');
  for (const id of ids) {
    assert.equal(done[id], '1', `task ${id} finished exactly once`);
    assert.equal(started[id], '1', `task ${id} started exactly once`);
  }
  assert.equal(Object.keys(done).length, TASKS);
  assert.equal(await redis.llen('celery'), 0);
  assert.equal(await redis.hlen('unacked'), 0, 'nothing left unacked');

  const code = await tide.stop();
  assert.equal(code, 0, `tide up exits 0 on SIGTERM; output:\n${tide.output().slice(-2000)}`);
  for (const pid of pids) assert.equal(pidAlive(pid), false, `worker process ${pid} is gone`);
  finished = true;
});
