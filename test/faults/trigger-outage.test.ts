/**
 * A trigger whose source goes down under `tide up`: replicas are held, the failure is logged
 * once (a warning with the error, never a secret) and the recovery once (how long, how many
 * rounds), `tide status` names the trigger and its error, and /metrics never grows a series
 * with an empty `metric` label. Before: 0 log lines, `no metric could be read ():`, and
 * `metric=""`. A ScaledObject and a ScaledJob on the same Redis (with a password) are checked.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../support/ports.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { startTideUp, tideBin, type TideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';

const PASSWORD = 'outage-s3cret-pw';
let redis: RedisServer;
let dir: string;
let tide: TideUp | undefined;
let metricsPort: number;

function manifests(port: number): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: redis-auth
stringData:
  password: ${PASSWORD}
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: redis-auth
spec:
  secretTargetRef:
    - { parameter: password, name: redis-auth, key: password }
---
apiVersion: apps/v1
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
  pollingInterval: 1
  cooldownPeriod: 1
  triggers:
    - type: redis
      metadata:
        address: 127.0.0.1:${port}
        listName: celery
        listLength: "5"
      authenticationRef:
        name: redis-auth
---
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata:
  name: batch
spec:
  pollingInterval: 1
  jobTargetRef:
    template:
      spec:
        containers:
          - name: job
            command: ['node', '-e', '']
  triggers:
    - type: redis
      metadata:
        address: 127.0.0.1:${port}
        listName: batch
        listLength: "1"
      authenticationRef:
        name: redis-auth
`;
}

before(async () => {
  redis = await startRedis(['--appendonly', 'yes', '--requirepass', PASSWORD]);
  dir = mkdtempSync(join(tmpdir(), 'tide-outage-'));
  writeFileSync(join(dir, 'worker.yaml'), manifests(redis.port));
  metricsPort = await freePort();
});

after(async () => {
  await tide?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface LogLine {
  level: number;
  msg: string;
}

function logLines(): LogLine[] {
  return readFileSync(join(dir, '.tide', 'tide.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogLine);
}

const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

test('a source down for a while: replicas held, one warning, one recovery line, no empty metric label', async (t) => {
  const client = new Redis({ port: redis.port, password: PASSWORD, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined); // refused while the server is down
  t.after(() => client.disconnect());
  await client.rpush('celery', ...Array.from({ length: 10 }, (_, i) => `task-${i}`));

  tide = await startTideUp(dir, [
    'worker.yaml',
    '--no-dashboard',
    '--metrics-port',
    String(metricsPort),
  ]);
  let finished = false;
  t.after(() => {
    if (!finished) console.error(`tide up output:\n${tide?.output().slice(-4000)}`);
  });
  const so = () => tide!.object('ScaledObject', 'worker');
  await waitFor(async () => (await so())?.runningReplicas === 2, {
    timeoutMs: 20_000,
    what: '2 replicas for 10 items at listLength 5',
  });

  await redis.down();
  const failing = await waitFor(
    async () => {
      const s = await so();
      const trig = s?.triggers[0];
      return trig?.error !== undefined && (trig.failedRounds ?? 0) >= 5 ? s : undefined;
    },
    { timeoutMs: 30_000, what: 'the trigger to fail for 5 rounds' },
  );
  assert.equal(failing.runningReplicas, 2, 'replicas are held while the source is down');
  assert.equal(failing.desiredReplicas, 2);
  assert.equal(failing.triggers[0]?.metricName, 's0-redis-celery');
  assert.doesNotMatch(failing.lastReason ?? '', /\(\)/, 'no empty parentheses in the reason');
  assert.match(failing.lastReason ?? '', /s0-redis-celery/);

  const text = execFileSync(process.execPath, [tideBin, 'status'], { cwd: dir, encoding: 'utf8' });
  assert.match(
    text,
    /ScaledObject default\/worker trigger 0 \(redis\) failing since \d\d:\d\d:\d\d \(\d+ rounds\): .*127\.0\.0\.1:\d+/,
  );
  assert.match(text, /ScaledJob default\/batch trigger 0 \(redis\) failing since/);
  assert.doesNotMatch(text, new RegExp(PASSWORD));

  const during = await scrape();
  assert.doesNotMatch(during, /metric=""/);
  assert.match(
    during,
    /keda_scaler_detail_errors_total\{[^}]*metric="s0-redis-celery"[^}]*\} [1-9]/,
  );

  await redis.up();
  await waitFor(async () => (await so())?.triggers[0]?.error === undefined, {
    timeoutMs: 30_000,
    what: 'the trigger to recover',
  });
  await waitFor(
    async () =>
      (await tide!.object('ScaledJob', 'batch'))?.triggers[0]?.error === undefined &&
      logLines().filter((l) => /recovered after/.test(l.msg)).length === 2,
    { timeoutMs: 30_000, what: 'both triggers to log their recovery' },
  );
  assert.equal((await so())?.runningReplicas, 2, 'replicas still held after the outage');

  const lines = logLines();
  for (const ref of ['ScaledObject default/worker', 'ScaledJob default/batch']) {
    const mine = lines.filter((l) => l.msg.includes(`${ref} trigger 0 (redis)`));
    const failures = mine.filter((l) => l.level === 40);
    const recoveries = mine.filter((l) => /recovered after/.test(l.msg));
    assert.equal(failures.length, 1, `${ref}: one warning:\n${mine.map((l) => l.msg).join('\n')}`);
    assert.match(
      failures[0]?.msg ?? '',
      /cannot connect to Redis at 127\.0\.0\.1:\d+|127\.0\.0\.1:\d+/,
    );
    assert.equal(recoveries.length, 1, `${ref}: one recovery line`);
    assert.match(recoveries[0]?.msg ?? '', /recovered after \d+ s \(\d+ rounds failed\)/);
  }
  const all = readFileSync(join(dir, '.tide', 'tide.log'), 'utf8') + tide.output();
  assert.ok(!all.includes(PASSWORD), 'the password is never logged');
  assert.doesNotMatch(all, /MaxListenersExceededWarning/);
  assert.doesNotMatch(await scrape(), /metric=""/);
  finished = true;
});
