/**
 * The first source document's story, end to end with `tide up` on `examples/celery-redis`, with
 * short intervals: zero workers at start; the producer sends `users.registration` tasks; the
 * `redis` trigger on the `celery` list scales the TypeScript Celery workers out step by step;
 * `users:<n>` hashes are written by several workers; the list drains; after the cooldown there
 * are zero workers again; and no child process outlives `tide up`.
 *
 * The manifests are the example's, copied to a temp folder with only what a test must change:
 * a private Redis, pollingInterval 1 (15 in the document), cooldownPeriod 5 (200), the task's
 * sleep shortened to 1..2 s (1..9), and `workingDir` pointing back at the example so its
 * relative command finds tasks.ts and tsx.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { pidAlive, repoRoot, startTideUp, type TideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';

const example = join(repoRoot, 'examples', 'celery-redis');
const COUNT = 40;

let server: RedisServer;
let redis: Redis;
let dir: string;
let tide: TideUp | undefined;

/** Replaces `from` in `text`, failing loudly when the example no longer contains it. */
function edit(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  assert.notEqual(out, text, `the example changed: ${String(from)} not found`);
  return out;
}

before(async () => {
  server = await startRedis();
  redis = new Redis(server.port, '127.0.0.1');
  dir = mkdtempSync(join(tmpdir(), 'tide-celery-story-'));
  for (const f of readdirSync(example).filter((n) => n.endsWith('.yaml'))) {
    let text = readFileSync(join(example, f), 'utf8');
    if (f === 'consumer.yaml') {
      text = edit(text, 'value: 127.0.0.1:6379', `value: 127.0.0.1:${server.port}`);
      text = edit(text, /( +)command: /, `$1workingDir: ${JSON.stringify(example)}\n$1command: `);
      text = edit(
        text,
        /( +)- name: REDIS_LIST\n/,
        `$1- name: SLEEP_MIN_S\n$1  value: '1'\n$1- name: SLEEP_MAX_S\n$1  value: '2'\n$&`,
      );
    }
    if (f === 'scaledobject.yaml') {
      text = edit(text, 'pollingInterval: 15', 'pollingInterval: 1');
      text = edit(text, 'cooldownPeriod: 200', 'cooldownPeriod: 5');
    }
    writeFileSync(join(dir, f), text);
  }
});

after(async () => {
  await tide?.stop();
  redis?.disconnect();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the example's producer to completion; resolves with its output. */
function runProducer(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(example, 'producer.ts')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        REDIS_HOST: `127.0.0.1:${server.port}`,
        COUNT: String(COUNT),
        INTERVAL_MS: '100',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`producer exited ${code}:\n${out}`)),
    );
  });
}

test('the celery-redis story: zero workers, scale out with the backlog, work shared, drain, back to zero', async (t) => {
  tide = await startTideUp(dir, ['.']);
  let finished = false;
  t.after(() => {
    if (!finished) console.error(`tide up output:\n${tide?.output().slice(-6000)}`);
  });
  const so = () => tide!.object('ScaledObject', 'redis-scaledobject');

  await waitFor(async () => (await so())?.runningReplicas === 0, {
    timeoutMs: 30_000,
    what: 'zero workers at start (empty list, minReplicaCount 0)',
  });

  // Every change of the running replica count, sampled from `tide status` while the story runs.
  const sequence: number[] = [0];
  const pids = new Set<number>();
  let sampling = true;
  const sampler = (async () => {
    // One last sample after sampling stops, so a change just before the stop is recorded.
    for (let last = false; !last;) {
      last = !sampling;
      const s = await so().catch(() => undefined);
      for (const r of s?.replicas ?? []) if (r.pid) pids.add(r.pid);
      const n = s?.runningReplicas;
      if (n !== undefined && n !== sequence[sequence.length - 1]) sequence.push(n);
      if (!last) await new Promise((r) => setTimeout(r, 200));
    }
  })();

  const produced = await runProducer();
  assert.match(produced, new RegExp(`producer stopped after ${COUNT} task\\(s\\)`));

  await waitFor(() => Math.max(...sequence) > 1, {
    timeoutMs: 60_000,
    what: 'more than one worker',
  });
  await waitFor(async () => (await redis.llen('celery')) === 0, {
    timeoutMs: 120_000,
    what: 'the celery list to drain',
  });
  await waitFor(
    async () => {
      const s = await so();
      return s?.runningReplicas === 0 && (s.replicas ?? []).length === 0;
    },
    { timeoutMs: 60_000, what: 'zero workers after the cooldown' },
  );
  sampling = false;
  await sampler;
  t.diagnostic(`running replicas over the story: ${sequence.join(' -> ')}`);

  // The document's records: users:<n> hashes with name, email, address, worker, processed_at.
  const keys = await redis.keys('users:*');
  assert.ok(keys.length > 0, 'users:* hashes were written');
  const workers = new Set<string>();
  for (const k of keys) {
    const h = await redis.hgetall(k);
    for (const f of ['name', 'email', 'address', 'worker', 'processed_at'])
      assert.ok(h[f], `${k} has ${f}`);
    assert.match(h.worker ?? '', /^celery-worker-/, `${k}.worker is a replica name`);
    workers.add(h.worker ?? '');
  }
  assert.ok(workers.size > 1, `records written by several workers, got ${[...workers].join(', ')}`);

  assert.equal(sequence[0], 0);
  assert.ok(Math.max(...sequence) > 1, `scaled above one worker: ${sequence.join(' -> ')}`);
  assert.equal(sequence[sequence.length - 1], 0);
  assert.ok(
    Math.max(...sequence) <= 10,
    `never above maxReplicaCount 10: ${sequence.join(' -> ')}`,
  );

  const code = await tide.stop();
  assert.equal(code, 0, `tide up exits 0 on SIGTERM; output:\n${tide.output().slice(-2000)}`);
  for (const pid of pids) assert.equal(pidAlive(pid), false, `worker process ${pid} is gone`);
  finished = true;
});
