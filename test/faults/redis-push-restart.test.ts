/**
 * Push wake-ups of the `redis` trigger across a Redis restart. tide turns keyspace
 * notifications on with CONFIG SET; a restarted Redis (AOF on: the data survives, the setting
 * does not) has them off again. Before, push silently stopped and every reaction waited for the
 * poll (30 s here). Now the subscriber re-arms on every reconnect; where CONFIG is denied the
 * trigger says "polling only" in `tide status`.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { TriggerStatus } from '../../src/scheduler/status.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startTideUp, tideBin, type TideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function manifests(port: number, list: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  replicas: 0
  selector:
    matchLabels: { app: worker }
  template:
    metadata:
      labels: { app: worker }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: worker
          command: ['node', '-e', 'setInterval(() => {}, 1000)']
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
spec:
  scaleTargetRef:
    name: worker
  pollingInterval: 30
  cooldownPeriod: 300
  triggers:
    - type: redis
      metadata:
        address: 127.0.0.1:${port}
        listName: ${list}
        listLength: "5"
`;
}

async function setup(
  redisArgs: string[],
): Promise<{ redis: RedisServer; tide: TideUp; dir: string }> {
  const redis = await startRedis(['--appendonly', 'yes', ...redisArgs]);
  cleanups.push(() => redis.stop());
  const dir = mkdtempSync(join(tmpdir(), 'tide-push-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'worker.yaml'), manifests(redis.port, 'jobs'));
  const tide = await startTideUp(dir, ['worker.yaml', '--no-dashboard']);
  cleanups.push(async () => void (await tide.stop()));
  return { redis, tide, dir };
}

const trigger = async (tide: TideUp): Promise<TriggerStatus | undefined> =>
  (await tide.object('ScaledObject', 'worker'))?.triggers[0];

test('a push after a Redis restart still scales within seconds, with pollingInterval 30', async (t) => {
  const { redis, tide } = await setup([]);
  let finished = false;
  t.after(() => {
    if (!finished) console.error(`tide up output:\n${tide.output().slice(-4000)}`);
  });
  const client = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined); // refused while the server restarts
  cleanups.push(() => client.disconnect());
  const channel = '__keyspace@0__:jobs';
  const subscribed = async () =>
    Number(((await client.pubsub('NUMSUB', channel)) as [string, number])[1]) > 0;

  await waitFor(async () => (await trigger(tide))?.push === 'on', {
    timeoutMs: 20_000,
    what: 'push wake-ups on at start',
  });
  await waitFor(subscribed, { timeoutMs: 10_000, what: 'tide subscribed to the list' });

  // Push works before the restart (the baseline: one item, one replica, no 30 s poll).
  await client.rpush('jobs', 'a');
  await waitFor(async () => (await tide.object('ScaledObject', 'worker'))?.desiredReplicas === 1, {
    timeoutMs: 5_000,
    what: 'one replica within 5 s of a push (before the restart)',
  });

  await redis.restart();
  assert.equal(await client.llen('jobs'), 1, 'AOF kept the data across the restart');
  await waitFor(subscribed, {
    timeoutMs: 15_000,
    what: 'tide subscribed again after the restart',
  });

  // 10 items / listLength 5 = 2 replicas, long before the next 30 s poll.
  const pushedAt = Date.now();
  await client.rpush('jobs', ...Array.from({ length: 9 }, (_, i) => `b${i}`));
  await waitFor(async () => (await tide.object('ScaledObject', 'worker'))?.desiredReplicas === 2, {
    timeoutMs: 5_000,
    what: 'two replicas within 5 s of a push after the restart',
  });
  const flags = ((await client.config('GET', 'notify-keyspace-events')) as string[])[1] ?? '';
  assert.match(flags, /K/, `tide set notify-keyspace-events again, got "${flags}"`);
  assert.ok(Date.now() - pushedAt < 5_000);
  assert.equal((await trigger(tide))?.push, 'on');
  finished = true;
});

test('where CONFIG is denied, status says "polling only" with the reason', async () => {
  const { tide, dir } = await setup(['--rename-command', 'CONFIG', '""']);
  const t = await waitFor(
    async () => {
      const s = await trigger(tide);
      return s?.push === 'polling only' ? s : undefined;
    },
    { timeoutMs: 20_000, what: 'the trigger to report polling only' },
  );
  assert.match(t.pushReason ?? '', /cannot enable keyspace notifications: .*unknown command/i);
  const text = execFileSync(process.execPath, [tideBin, 'status'], { cwd: dir, encoding: 'utf8' });
  assert.match(text, /redis 0\/5 \(idle\) \(polling only\)/);
  assert.match(
    text,
    /ScaledObject default\/worker trigger 0 \(redis\) polling only \(no push wake-ups\): cannot enable keyspace notifications/,
  );
  const json = JSON.parse(
    execFileSync(process.execPath, [tideBin, 'status', '--json'], { cwd: dir, encoding: 'utf8' }),
  ) as { objects: { name: string; triggers: TriggerStatus[] }[] };
  const jt = json.objects.find((o) => o.name === 'worker')?.triggers[0];
  assert.equal(jt?.push, 'polling only');
});
