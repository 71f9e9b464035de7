import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { TargetError } from '../../../src/errors.js';
import { Secret } from '../../../src/secret.js';
import type { TargetEvent } from '../../../src/targets/target.js';
import { ProcessPool, type ProcessPoolOptions } from '../../../src/targets/local/process-pool.js';
import type { ProcessSpec } from '../../../src/targets/local/process-spec.js';
import { waitFor } from '../../support/wait-for.js';
import { ABANDONS_CHILD, Lines, STUBBORN, isAlive, tempDir } from './support.js';

const pools: ProcessPool[] = [];
const cleanups: (() => void)[] = [];
after(async () => {
  await Promise.all(pools.map((p) => p.stop()));
  for (const c of cleanups) c();
});

function makePool(
  script: string,
  extra: Partial<ProcessPoolOptions> & { grace?: number; env?: ProcessSpec['env'] } = {},
): { pool: ProcessPool; lines: Lines; events: TargetEvent[]; logDir: string } {
  const { dir, cleanup } = tempDir('pool');
  cleanups.push(cleanup);
  const lines = new Lines();
  const events: TargetEvent[] = [];
  const pool = new ProcessPool({
    objectName: 'Deployment default/worker',
    podNamePrefix: 'worker',
    makeReplica: (name) => ({
      command: ['sh', '-c', script],
      env: { POD_NAME: name, ...extra.env },
      terminationGracePeriodSeconds: extra.grace ?? 5,
    }),
    logDir: dir,
    onLine: lines.sink,
    onEvent: (e) => events.push(e),
    restartBackoff: { initialMs: 200, maxMs: 800 },
    ...extra,
  });
  pools.push(pool);
  return { pool, lines, events, logDir: dir };
}

const running = (pool: ProcessPool) => () => pool.readyReplicas() === pool.status().desiredReplicas;
const WAIT = { timeoutMs: 20_000 };

test('scales 0 -> 3 -> 1 keeping the oldest replica and terminating the newest two', async () => {
  const { pool } = makePool('echo up; exec sleep 1000');
  assert.equal(pool.currentReplicas(), 0);
  pool.scaleTo(3, 'three items');
  assert.equal(pool.currentReplicas(), 3, 'scale-out creates the replicas at once');
  await waitFor(running(pool), { ...WAIT, what: '3 replicas running' });
  const before = pool.status().replicas;
  assert.equal(before.length, 3);
  for (const r of before) assert.match(r.name, /^worker-[a-z0-9]{5}$/);
  const pids = before.map((r) => r.pid!);

  pool.scaleTo(1, 'one item');
  pool.scaleTo(1, 'one item'); // idempotent: must not terminate a second extra replica
  assert.equal(pool.currentReplicas(), 1, 'terminating replicas no longer count');
  await waitFor(() => pool.status().replicas.length === 1, { ...WAIT, what: 'two replicas gone' });
  const [kept] = pool.status().replicas;
  assert.equal(kept?.name, before[0]?.name, 'the oldest replica stays');
  assert.equal(kept?.state, 'Running');
  assert.equal(pool.status().lastScaleReason, 'one item');
  assert.equal(isAlive(pids[0]!), true);
  assert.equal(isAlive(pids[1]!), false);
  assert.equal(isAlive(pids[2]!), false);
});

test('SIGKILLs a replica and its grandchild that ignore SIGTERM once the grace period is over', async () => {
  const { pool, lines } = makePool(STUBBORN, { grace: 1 });
  pool.scaleTo(1);
  await waitFor(() => lines.pids('grandchild').length === 1 && lines.pids('leader').length === 1, {
    ...WAIT,
    what: 'pids printed',
  });
  const [leader] = lines.pids('leader');
  const [grandchild] = lines.pids('grandchild');
  const t0 = Date.now();
  pool.scaleTo(0);
  assert.equal(pool.status().replicas[0]?.state, 'Terminating');
  await waitFor(() => pool.status().replicas.length === 0, { ...WAIT, what: 'replica removed' });
  const took = Date.now() - t0;
  assert.ok(took >= 950, `waited the 1 s grace before SIGKILL (took ${took} ms)`);
  assert.equal(isAlive(leader!), false, 'leader killed');
  assert.equal(isAlive(grandchild!), false, 'grandchild killed with its group');
});

test('kills the rest of the group when the replica leader exits on SIGTERM but its child ignores it', async () => {
  const { pool, lines } = makePool(ABANDONS_CHILD, { grace: 30 });
  pool.scaleTo(1);
  await waitFor(() => lines.pids('grandchild').length === 1, { ...WAIT, what: 'grandchild pid' });
  const [grandchild] = lines.pids('grandchild');
  const t0 = Date.now();
  pool.scaleTo(0);
  await waitFor(() => pool.status().replicas.length === 0, { ...WAIT, what: 'replica removed' });
  assert.ok(Date.now() - t0 < 5000, 'did not wait for the 30 s grace once the leader was gone');
  assert.equal(isAlive(grandchild!), false);
});

test('restarts a crashing replica with doubling backoff and shows CrashLoopBackOff with its restarts', async () => {
  const { pool, events } = makePool('echo crashing; exit 3');
  pool.scaleTo(1);
  const delays = new Map<number, number>();
  let sawBackOff = false;
  await waitFor(
    () => {
      const r = pool.status().replicas[0];
      if (r?.state === 'CrashLoopBackOff' && r.nextRestartAt && r.lastTermination) {
        sawBackOff = true;
        delays.set(r.restarts, r.nextRestartAt.getTime() - r.lastTermination.finishedAt.getTime());
        assert.equal(r.lastTermination.exitCode, 3);
        assert.equal(r.lastTermination.reason, 'Error');
      }
      return r !== undefined && r.restarts >= 3 && delays.size >= 4;
    },
    { timeoutMs: 20_000, intervalMs: 20, what: 'three restarts' },
  );
  assert.ok(sawBackOff);
  assert.equal(pool.currentReplicas(), 1, 'a crashing replica still counts as current');
  assert.equal(pool.readyReplicas() <= 1, true);
  const expected = [200, 400, 800, 800];
  for (const [restarts, want] of expected.entries()) {
    const got = delays.get(restarts);
    assert.ok(
      got !== undefined && got >= want && got < want + 150,
      `delay after restart ${restarts}: ${got} ~ ${want}`,
    );
  }
  assert.ok(events.some((e) => e.reason === 'BackOff' && e.type === 'Warning'));
});

test('delivers stdout and stderr lines with the replica name and appends them to its log file', async () => {
  const { pool, lines, logDir } = makePool(
    'echo "out $POD_NAME"; echo "err line" >&2; exec sleep 1000',
    {
      env: { TOKEN: new Secret('s3cr3t-value') },
    },
  );
  pool.scaleTo(2);
  await waitFor(() => lines.all.length === 4, { ...WAIT, what: 'four lines' });
  for (const r of pool.status().replicas) {
    assert.deepEqual(
      lines.all
        .filter((l) => l.name === r.name)
        .map((l) => [l.stream, l.line])
        .sort(),
      [
        ['stderr', 'err line'],
        ['stdout', `out ${r.name}`],
      ],
    );
    const file = join(logDir, `${r.name}.log`);
    assert.equal(r.logFile, file);
    await waitFor(() => readFileSync(file, 'utf8').split('\n').length === 3, {
      ...WAIT,
      what: 'log flushed',
    });
    assert.deepEqual(readFileSync(file, 'utf8').split('\n').sort(), [
      '',
      'err line',
      `out ${r.name}`,
    ]);
  }
});

test('stop() terminates every replica in parallel and leaves no process behind', async () => {
  const { pool, lines } = makePool(STUBBORN, { grace: 1 });
  pool.scaleTo(3);
  await waitFor(() => lines.pids('grandchild').length === 3 && lines.pids('leader').length === 3, {
    ...WAIT,
    what: 'pids printed',
  });
  const pids = [...lines.pids('leader'), ...lines.pids('grandchild')];
  assert.ok(pids.every(isAlive));
  const t0 = Date.now();
  await pool.stop();
  const took = Date.now() - t0;
  assert.ok(took < 2500, `grace periods ran in parallel (took ${took} ms)`);
  assert.deepEqual(pids.filter(isAlive), [], 'no process left');
  assert.equal(pool.status().replicas.length, 0);
  pool.scaleTo(2);
  assert.equal(pool.currentReplicas(), 0, 'scaleTo after stop does nothing');
});

test('a missing command gives a TargetError naming the command and the object, without env values', async () => {
  const { pool, events } = makePool('unused', {
    makeReplica: () => ({
      command: ['tide-no-such-command-xyz', '--x'],
      env: { PASSWORD: new Secret('hunter2') },
    }),
  });
  pool.scaleTo(1);
  const err = await waitFor(() => pool.status().lastError, { ...WAIT, what: 'lastError' });
  assert.match(
    err,
    /^Deployment default\/worker: container command \["tide-no-such-command-xyz","--x"\] of worker-\w{5} could not start: executable not found/,
  );
  const r = pool.status().replicas[0]!;
  assert.equal(r.state, 'CrashLoopBackOff');
  assert.equal(r.lastTermination?.reason, 'StartError');
  assert.equal(pool.readyReplicas(), 0);
  const failed = events.find((e) => e.reason === 'Failed');
  assert.equal(failed?.message, err);
  assert.ok(!JSON.stringify([pool.status(), events]).includes('hunter2'));
});

test('a workingDir that does not exist is named in the error', async () => {
  const { pool } = makePool('unused', {
    makeReplica: () => ({ command: ['sh', '-c', 'true'], cwd: '/no/such/dir', env: {} }),
  });
  pool.scaleTo(1);
  const err = await waitFor(() => pool.status().lastError, { ...WAIT, what: 'lastError' });
  assert.match(err, /workingDir "\/no\/such\/dir" is not a directory/);
});

test('runs the replica in its workingDir with its env, $(VAR) expanded in args', async () => {
  const { dir, cleanup } = tempDir('cwd');
  cleanups.push(cleanup);
  const { pool, lines } = makePool('unused', {
    makeReplica: (name) => ({
      command: [
        'sh',
        '-c',
        'echo "cwd $(pwd) arg $0 env $POD_NAME"; exec sleep 1000',
        '$(POD_NAME)',
      ],
      cwd: dir,
      env: { POD_NAME: name },
    }),
  });
  pool.scaleTo(1);
  await waitFor(() => lines.all.length === 1, { ...WAIT, what: 'one line' });
  const name = pool.status().replicas[0]!.name;
  assert.equal(lines.all[0]?.line, `cwd ${dir} arg ${name} env ${name}`);
  assert.ok(existsSync(join(pool.status().replicas[0]!.logFile!)));
});

test('scale-in removes a replica in CrashLoopBackOff before older running ones, as a ReplicaSet does', async () => {
  let n = 0;
  const { pool } = makePool('unused', {
    restartBackoff: { initialMs: 60_000, maxMs: 60_000 },
    makeReplica: () => {
      // The second replica created crashes; the others run.
      const script = ++n === 2 ? 'exit 1' : 'exec sleep 1000';
      return { command: ['sh', '-c', script], env: {}, terminationGracePeriodSeconds: 5 };
    },
  });
  pool.scaleTo(3);
  await waitFor(
    () => {
      const states = pool.status().replicas.map((r) => r.state);
      return states.join() === 'Running,CrashLoopBackOff,Running';
    },
    { ...WAIT, what: 'second replica crashed' },
  );
  const [first, crashed, newest] = pool.status().replicas;
  pool.scaleTo(2);
  await waitFor(() => pool.status().replicas.length === 2, {
    ...WAIT,
    what: 'one replica removed',
  });
  assert.deepEqual(
    pool.status().replicas.map((r) => r.name),
    [first?.name, newest?.name],
    `removed ${crashed?.name}, the not-ready one`,
  );
});

test('scaleTo rejects a negative or fractional replica count with a TargetError', () => {
  const { pool } = makePool('exec sleep 1000');
  assert.throws(() => pool.scaleTo(-1), /Deployment default\/worker: cannot scale to -1/);
  assert.throws(() => pool.scaleTo(0.5), TargetError);
  assert.equal(pool.currentReplicas(), 0);
});

test('a StatefulSet pool names replicas by ordinal and removes the highest ordinal first', async () => {
  const { pool } = makePool('exec sleep 1000', { identity: 'ordinal', podNamePrefix: 'db' });
  const names = () =>
    pool
      .status()
      .replicas.map((r) => r.name)
      .sort();
  pool.scaleTo(3);
  assert.deepEqual(names(), ['db-0', 'db-1', 'db-2']);
  await waitFor(running(pool), { ...WAIT, what: '3 running' });
  pool.scaleTo(1);
  await waitFor(() => pool.status().replicas.length === 1, { ...WAIT, what: 'scaled in' });
  assert.deepEqual(names(), ['db-0']);
  pool.scaleTo(2);
  assert.deepEqual(names(), ['db-0', 'db-1'], 'the lowest free ordinal is reused');
});

test('if tide dies of an uncaught error without stop(), its replicas and their children die with it', async () => {
  const { dir, cleanup } = tempDir('crash');
  cleanups.push(cleanup);
  const fixture = fileURLToPath(new URL('./fixtures/crash-with-pool.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.notEqual(code, 0, 'the fixture crashed');
  const pids = [...out.matchAll(/^(?:leader|grandchild) (\d+)$/gm)].map((m) => Number(m[1]));
  assert.equal(pids.length, 4, `two replicas and two grandchildren printed: ${out}`);
  await waitFor(() => pids.every((p) => !isAlive(p)), { ...WAIT, what: 'no orphan left' });
});
