/**
 * `tide up --metrics-port` on the redis-list example with a password-protected private Redis,
 * plus a ScaledJob on a second list. The workers and jobs never pop, so the backlog stays
 * put and the numbers are exact: 27 items, listLength 10 → 3 replicas; 4 items, listLength 2
 * → 2 jobs. Asserts the scrape (KEDA names and labels, tide's own metrics, no secret),
 * Prometheus itself scraping it, and `tide explain` against the running tide, for a past
 * time, and from the JSONL files once tide has stopped.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { editManifests, firstContainer, setEnv } from '../support/manifest-edit.js';
import { freePort } from '../support/ports.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { repoRoot, startTideUp, tideBin, type TideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';
import { parseExposition, valueOf, type Sample } from '../integration/observe/prometheus-text.js';

const PASSWORD = 'e2e-redis-pw-4b1d';
const LIST = `explain-jobs-${process.pid}`;
const VIDEOS = `explain-videos-${process.pid}`;
const IDLE = ['node', '-e', 'setInterval(() => {}, 1000)'];

let redisServer: RedisServer;
let redis: Redis;
let dir: string;
let tide: TideUp | undefined;
let metricsUrl: string;

before(async () => {
  redisServer = await startRedis(['--requirepass', PASSWORD]);
  redis = new Redis({ port: redisServer.port, host: '127.0.0.1', password: PASSWORD });
  dir = mkdtempSync(join(tmpdir(), 'tide-explain-'));
  const file = join(dir, 'manifests.yaml');
  const address = `127.0.0.1:${redisServer.port}`;
  editManifests(join(repoRoot, 'examples/redis-list/worker.yaml'), file, (doc) => {
    if (doc.kind === 'Deployment') {
      const c = firstContainer(doc);
      c.command = IDLE;
      setEnv(c, 'REDIS_HOST', address);
      (c.env as unknown[]).push({
        name: 'REDIS_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } },
      });
      (doc.spec!.template as { spec: Record<string, unknown> }).spec.terminationGracePeriodSeconds =
        2;
    }
    if (doc.kind === 'ScaledObject') {
      const spec = doc.spec as {
        cooldownPeriod: number;
        triggers: { metadata: Record<string, string> }[];
      };
      spec.cooldownPeriod = 3;
      Object.assign(spec.triggers[0]!.metadata, {
        listName: LIST,
        listLength: '10',
        passwordFromEnv: 'REDIS_PASSWORD',
      });
    }
  });
  const extra = [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'redis-auth' },
      stringData: { password: PASSWORD },
    },
    {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledJob',
      metadata: { name: 'list-jobs' },
      spec: {
        pollingInterval: 1,
        maxReplicaCount: 2,
        jobTargetRef: {
          template: {
            spec: {
              terminationGracePeriodSeconds: 2,
              containers: [
                {
                  name: 'job',
                  command: ['node', '-e', 'setTimeout(() => {}, 120000)'],
                  env: [
                    { name: 'REDIS_HOST', value: address },
                    {
                      name: 'REDIS_PASSWORD',
                      valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } },
                    },
                  ],
                },
              ],
            },
          },
        },
        triggers: [
          {
            type: 'redis',
            metadata: {
              addressFromEnv: 'REDIS_HOST',
              passwordFromEnv: 'REDIS_PASSWORD',
              listName: VIDEOS,
              listLength: '2',
            },
          },
        ],
      },
    },
  ];
  appendFileSync(file, extra.map((d) => `---\n${stringify(d)}`).join(''));
  await redis.rpush(LIST, ...Array.from({ length: 27 }, (_, i) => `item-${i}`));
  await redis.rpush(VIDEOS, 'a', 'b', 'c', 'd');
});

after(async () => {
  await tide?.stop();
  redis?.disconnect();
  await redisServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function run(
  cmd: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = execFile(cmd, args, { cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolveRun({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}
const explain = (...args: string[]) => run(process.execPath, [tideBin, 'explain', ...args]);

async function scrape(): Promise<{ text: string; all: Sample[] }> {
  const res = await fetch(metricsUrl);
  assert.equal(res.status, 200);
  const text = await res.text();
  return { text, all: parseExposition(text) };
}

const soLabels = {
  namespace: 'default',
  metric: `s0-redis-${LIST}`,
  scaledObject: 'list-worker',
  scaler: 'redisScaler',
  triggerIndex: '0',
  type: 'scaledobject',
};

let atThree = '';

test('tide up serves KEDA-compatible metrics with the exact backlog, replicas and jobs, and no secret', async (t) => {
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  tide = await startTideUp(dir, ['manifests.yaml', '--plain', '--metrics-port', String(port)]);
  let ok = false;
  t.after(() => {
    if (!ok) console.error(`tide up output:\n${tide?.output().slice(-4000)}`);
  });
  await waitFor(
    async () => (await tide!.object('ScaledObject', 'list-worker'))?.runningReplicas === 3,
    {
      timeoutMs: 30_000,
      what: '3 replicas for 27 items at listLength 10',
    },
  );
  const { text, all } = await waitFor(
    async () => {
      const s = await scrape();
      const jobs = valueOf(s.all, 'tide_jobs_started_total', { scaled_job: 'list-jobs' });
      return valueOf(s.all, 'tide_replicas_running', { scaled_object: 'list-worker' }) === 3 &&
        jobs === 2
        ? s
        : undefined;
    },
    { timeoutMs: 30_000, what: 'the scrape to show 3 running replicas and 2 started jobs' },
  );
  atThree = new Date().toISOString();

  assert.equal(valueOf(all, 'keda_scaler_metrics_value', soLabels), 27);
  assert.equal(valueOf(all, 'keda_scaler_active', soLabels), 1);
  const latency = valueOf(all, 'keda_scaler_metrics_latency_seconds', soLabels);
  assert.ok(latency >= 0 && latency < 5, `latency ${latency} s`);
  assert.equal(valueOf(all, 'keda_scaler_detail_errors_total', soLabels), 0);
  assert.equal(
    valueOf(all, 'keda_scaled_object_errors_total', {
      namespace: 'default',
      scaledObject: 'list-worker',
    }),
    0,
  );
  assert.equal(
    valueOf(all, 'keda_scaled_object_paused', {
      namespace: 'default',
      scaledObject: 'list-worker',
    }),
    0,
  );
  assert.equal(
    valueOf(all, 'keda_scaler_metrics_value', {
      scaledObject: 'list-jobs',
      type: 'scaledjob',
      metric: `s0-redis-${VIDEOS}`,
    }),
    4,
  );
  assert.equal(
    valueOf(all, 'keda_scaled_job_errors_total', { namespace: 'default', scaledJob: 'list-jobs' }),
    0,
  );
  assert.equal(
    valueOf(all, 'keda_resource_registered_total', { type: 'scaled_object', namespace: 'default' }),
    1,
  );
  assert.equal(
    valueOf(all, 'keda_resource_registered_total', { type: 'scaled_job', namespace: 'default' }),
    1,
  );
  assert.equal(valueOf(all, 'keda_trigger_registered_total', { type: 'redis' }), 2);
  assert.equal(
    valueOf(all, 'tide_replicas_desired', { namespace: 'default', scaled_object: 'list-worker' }),
    3,
  );
  assert.equal(
    valueOf(all, 'tide_jobs_running', { namespace: 'default', scaled_job: 'list-jobs' }),
    2,
  );
  const rounds = valueOf(all, 'tide_round_duration_seconds_count', { type: 'scaledobject' });
  assert.ok(rounds >= 1, `round durations observed (${rounds})`);
  assert.equal(text.includes(PASSWORD), false, 'the Redis password is in no metric');
  ok = true;
});

test("promtool parses the scrape; its only lints are KEDA's own naming, never a tide_ metric", async () => {
  const { text } = await scrape();
  const r = await run('promtool', ['check', 'metrics'], text);
  const problems = `${r.stdout}${r.stderr}`.split('\n').filter(Boolean);
  // KEDA names two gauges *_total and uses camelCase labels (scaledObject, triggerIndex);
  // tide keeps both so KEDA dashboards work, and promtool lints exactly those.
  const kedaNaming = [
    /^keda_(resource|trigger)_registered_total non-counter metrics should not have "_total" suffix$/,
    /^keda_[a-z_]+ label names should be written in 'snake_case' not 'camelCase'$/,
  ];
  const unexpected = problems.filter((l) => !kedaNaming.some((re) => re.test(l)));
  assert.deepEqual(unexpected, [], `promtool exit ${r.code}`);
  assert.ok(problems.length > 0, 'the KEDA names are linted, so promtool did read the scrape');
  assert.equal(
    r.code,
    3,
    `promtool exit 3 is lint only (1 would be a parse error): ${problems.join('\n')}`,
  );
});

test('Prometheus itself scrapes tide and stores its series', async (t) => {
  const port = await freePort();
  const data = join(dir, 'prometheus');
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    stringify({
      global: { scrape_interval: '1s' },
      scrape_configs: [
        { job_name: 'tide', static_configs: [{ targets: [new URL(metricsUrl).host] }] },
      ],
    }),
  );
  let log = '';
  const prom: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prom.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  t.after(async () => {
    const exited = new Promise((r) => prom.once('exit', r));
    prom.kill('SIGTERM');
    await exited;
  });
  const query = async (q: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
    const v = body.data?.result?.[0]?.value[1];
    return v === undefined ? undefined : Number(v);
  };
  await waitFor(async () => (await query('up{job="tide"}')) === 1, {
    timeoutMs: 40_000,
    intervalMs: 500,
    what: `Prometheus to scrape tide successfully (log tail: ${log.slice(-500)})`,
  });
  assert.equal(
    await waitFor(
      () => query('keda_scaler_metrics_value{scaledObject="list-worker",scaler="redisScaler"}'),
      {
        timeoutMs: 10_000,
        what: 'the stored metric value',
      },
    ),
    27,
  );
  assert.equal(await query('tide_replicas_desired{scaled_object="list-worker"}'), 3);
});

test('tide explain answers from the running tide with the list value, target and arithmetic', async () => {
  const so = await explain('so/list-worker');
  assert.equal(so.code, 0, so.stderr);
  assert.match(so.stdout, /^ScaledObject default\/list-worker at \d\d:\d\d:\d\dZ: 3 replicas/);
  assert.ok(
    so.stdout.includes(`s0-redis-${LIST}: value 27, target 10 per replica, 3 replicas`),
    so.stdout,
  );
  assert.equal(so.stderr, '', 'answered by the running tide, not the files');

  const json = await explain('ScaledObject/list-worker', '--json');
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as {
    decided: number;
    source: string;
    record: { triggers: { value: number; target: number }[] };
  };
  assert.equal(parsed.decided, 3);
  assert.equal(parsed.source, 'tide up');
  assert.deepEqual([parsed.record.triggers[0]?.value, parsed.record.triggers[0]?.target], [27, 10]);

  const sj = await explain('sj/list-jobs');
  assert.equal(sj.code, 0, sj.stderr);
  assert.ok(sj.stdout.includes('queue 4, target 2 per job → 2'), sj.stdout);
  assert.match(sj.stdout, /started no job \(2 unfinished before this round\)/);

  const missing = await explain('so/nope');
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /no decision recorded for ScaledObject default\/nope.*ScaledObject default\/list-worker/s,
  );
  const bad = await explain('deployment/list-worker');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /expected Kind\/name such as so\/worker/);
});

test('after the backlog is gone, explain says why it is at zero, --at still shows the past, and the files answer once tide stops', async () => {
  await redis.del(LIST);
  await waitFor(
    async () => (await tide!.object('ScaledObject', 'list-worker'))?.runningReplicas === 0,
    {
      timeoutMs: 30_000,
      what: 'zero replicas after the 3 s cooldown',
    },
  );
  const now = await explain('so/list-worker');
  assert.equal(now.code, 0, now.stderr);
  assert.match(now.stdout, /: 0 replicas/);
  assert.ok(
    now.stdout.includes(`s0-redis-${LIST}: value 0, target 10 per replica, not active`),
    now.stdout,
  );

  const past = await explain('so/list-worker', '--at', atThree);
  assert.equal(past.code, 0, past.stderr);
  assert.match(past.stdout, /: 3 replicas/);

  assert.equal(await tide!.stop(), 0);
  const files = await explain('so/list-worker');
  assert.equal(files.code, 0, files.stderr);
  assert.match(files.stdout, /: 0 replicas/);
  assert.match(files.stderr, /from \.tide\/decisions/);
  const filesPast = await explain('so/list-worker', '--at', atThree, '--json');
  assert.equal((JSON.parse(filesPast.stdout) as { decided: number; source: string }).decided, 3);

  const decisionsDir = join(dir, '.tide', 'decisions');
  const logs = readdirSync(decisionsDir).map((f) => readFileSync(join(decisionsDir, f), 'utf8'));
  assert.ok(logs.join('').includes('"kind":"ScaledJob"'), 'ScaledJob rounds are logged too');
  assert.equal(
    logs.join('').includes(PASSWORD),
    false,
    'the Redis password is in no decision record',
  );
});
