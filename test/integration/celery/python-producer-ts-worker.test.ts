/**
 * Python Celery 5.2 produces (send_task, apply_async with countdown and priority, peer_ctl.py
 * send) and the TS worker runs the tasks; Python's AsyncResult.get() receives the results.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { waitFor } from '../../support/wait-for.js';
import {
  PEER_DIR,
  PY,
  requirePythonCelery,
  runPython,
  startRedis,
  startTsWorker,
  stopChild,
  type Child,
  type PrivateRedis,
} from './support.js';

let redis: PrivateRedis;
let ts: Child;
let pyEnv: Record<string, string>;

before(async () => {
  requirePythonCelery();
  redis = await startRedis();
  const backend = `redis://127.0.0.1:${redis.port}/1`;
  pyEnv = { BROKER_URL: redis.url, RESULT_BACKEND: backend };
  ts = await startTsWorker(redis, {
    CELERY_RESULT_BACKEND: backend,
    CELERY_CONCURRENCY: '4',
    DONE_KEY: 'py2ts:done',
  });
});

after(async () => {
  if (ts) assert.equal(await stopChild(ts), 0, 'the TS worker exits 0 on SIGTERM');
  await redis?.stop();
});

/** Runs Python code that prints one JSON line prefixed with OUT; returns it parsed. */
async function py<T>(code: string): Promise<T> {
  const out = await runPython(
    `import json, time, celery_peer as p\nfrom celery.exceptions import *\n${code}`,
    pyEnv,
  );
  const line = out.split('\n').find((l) => l.startsWith('OUT '));
  if (!line) throw new Error(`no OUT line in python output:\n${out}`);
  return JSON.parse(line.slice(4)) as T;
}

test('send_task from Python runs on the TS worker and AsyncResult.get returns the value', async () => {
  const v = await py<number>(
    `r = p.app.send_task('tasks.add', args=[2, 3])\nprint('OUT', json.dumps(r.get(timeout=30)))`,
  );
  assert.equal(v, 5);
});

test('apply_async with countdown is held by the TS worker until its ETA', async () => {
  const v = await py<{ value: number; secs: number }>(
    `t0 = time.time()\nr = p.add.apply_async(args=[20, 1], countdown=1.5)\nv = r.get(timeout=30)\nprint('OUT', json.dumps({'value': v, 'secs': time.time() - t0}))`,
  );
  assert.equal(v.value, 21);
  assert.ok(v.secs >= 1.4, `took ${v.secs}s`);
});

test('apply_async with priority 7 reaches the TS worker through the step-6 sub-list', async () => {
  const v = await py<number>(
    `r = p.add.apply_async(args=[3, 4], priority=7)\nprint('OUT', json.dumps(r.get(timeout=30)))`,
  );
  assert.equal(v, 7);
});

test('a TS task failure re-raises in Python with the exception type and message', async () => {
  const v = await py<{ type: string; msg: string; tb: string; state: string }>(
    `r = p.app.send_task('tasks.fail')\ntry:\n    r.get(timeout=30)\n    print('OUT', json.dumps({'type': 'none'}))\nexcept Exception as e:\n    print('OUT', json.dumps({'type': type(e).__name__, 'msg': str(e), 'tb': r.traceback, 'state': r.state}))`,
  );
  assert.equal(v.type, 'RuntimeError');
  assert.equal(v.msg, 'tasks.fail: intentional failure');
  assert.equal(v.state, 'FAILURE');
  assert.match(v.tb, /intentional failure/);
});

test('a retried task shows the RETRY path and Python finally gets SUCCESS', async () => {
  const v = await py<string>(
    `r = p.app.send_task('tasks.flaky')\nprint('OUT', json.dumps(r.get(timeout=30)))`,
  );
  assert.equal(v, 'ok after 2 retries');
});

test('an expired task is REVOKED and Python raises TaskRevokedError', async () => {
  // Due in 1 s, expired after 0.5 s: expired whenever the worker gets to it. (An expiry of
  // 10 ms alone raced an idle worker that took the task within those 10 ms and rightly ran it.)
  const v = await py<{ type: string; state: string }>(
    `r = p.add.apply_async(args=[1, 1], countdown=1, expires=0.5)\ntry:\n    r.get(timeout=30)\n    print('OUT', json.dumps({'type': 'none', 'state': r.state}))\nexcept Exception as e:\n    print('OUT', json.dumps({'type': type(e).__name__, 'state': r.state}))`,
  );
  assert.deepEqual(v, { type: 'TaskRevokedError', state: 'REVOKED' });
});

test('peer_ctl.py send delivers 20 tasks that the TS worker completes', async () => {
  const before = Number((await redis.client.get('py2ts:done')) ?? 0);
  const r = spawnSync(
    PY,
    ['peer_ctl.py', 'send', '--task', 'tasks.add', '--args', '[1,2]', '-n', '20'],
    {
      cwd: PEER_DIR,
      env: { ...process.env, ...pyEnv },
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /sent 20 x tasks.add/);
  await waitFor(async () => Number(await redis.client.get('py2ts:done')) >= before + 20, {
    timeoutMs: 30_000,
    what: '20 more completions',
  });
  assert.equal(await redis.client.hlen('unacked'), 0);
});
