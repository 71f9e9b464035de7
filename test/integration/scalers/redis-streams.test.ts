/**
 * The `redis-streams` trigger against the shared Redis 7 on 127.0.0.1:6379 (unique stream keys,
 * deleted in `after`) in its three modes, plus a private password-protected redis-server for
 * credentials, a server going away and the contract suite.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { ScalerError } from '../../../src/errors.js';
import { redisStreams } from '../../../src/scalers/redis/streams.js';
import type { Scaler, ScalerContext, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { waitFor } from '../../support/wait-for.js';
import { scalerContract } from '../scaler-contract.js';
import { freePort, startRedis, testContext, type ServerProcess } from './redis-servers.js';

const PASSWORD = `spw-${randomUUID()}`;
const signal = () => AbortSignal.timeout(30_000);
let shared: Redis;
let priv: ServerProcess;
const keys: string[] = [];

function stream(): string {
  const k = `tide-test:${randomUUID()}`;
  keys.push(k);
  return k;
}

async function build(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  ctx: ScalerContext = testContext(),
): Promise<Scaler> {
  const r = redisStreams.parse({
    metadata: { address: '127.0.0.1:6379', ...metadata },
    authParams,
    resolvedEnv: {},
    triggerIndex: ctx.triggerIndex,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return redisStreams.create(r.meta, ctx);
}

async function read(s: Scaler): Promise<{ value: number; active: boolean }> {
  const r = await s.getMetricsAndActivity(signal());
  return { value: r.metrics[0]?.value ?? NaN, active: r.isActive };
}

async function add(k: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await shared.xadd(k, '*', 'job', String(i));
}

/** Has `consumer` of `group` read `n` entries (they become pending until acked). */
async function consume(k: string, group: string, n: number): Promise<void> {
  await shared.xreadgroup('GROUP', group, 'worker-1', 'COUNT', n, 'STREAMS', k, '>');
}

before(async () => {
  shared = new Redis({ host: '127.0.0.1', port: 6379 });
  priv = await startRedis(['--requirepass', PASSWORD]);
});

after(async () => {
  if (keys.length) await shared.del(...keys);
  shared.disconnect();
  await priv?.stop();
});

describe('redis-streams trigger on 127.0.0.1:6379', () => {
  test('without consumerGroup the metric is XLEN, target streamLength, named s<i>-redis-streams-<stream>', async () => {
    const k = stream();
    await add(k, 7);
    const s = await build({ stream: k, streamLength: '3' }, {}, testContext(1));
    assert.deepEqual(s.metricSpecs, [
      { name: `s1-redis-streams-${k.replace(':', '-')}`, targetType: 'AverageValue', target: 3 },
    ]);
    assert.deepEqual(await read(s), { value: 7, active: true });
    await s.close();
  });

  test('a missing stream has length 0 and is inactive', async () => {
    const s = await build({ stream: stream() });
    assert.deepEqual(await read(s), { value: 0, active: false });
    await s.close();
  });

  test('with consumerGroup the metric is the XPENDING count, target pendingEntriesCount', async () => {
    const k = stream();
    await add(k, 6);
    await shared.xgroup('CREATE', k, 'g', '0');
    const s = await build({ stream: k, consumerGroup: 'g', pendingEntriesCount: '2' });
    assert.equal(s.metricSpecs[0]?.target, 2);
    assert.deepEqual(await read(s), { value: 0, active: false }, 'nothing delivered yet');
    await consume(k, 'g', 4);
    assert.deepEqual(await read(s), { value: 4, active: true });
    const pending = (await shared.xpending(k, 'g', '-', '+', 10)) as [string][];
    await shared.xack(k, 'g', ...pending.map((p) => p[0]));
    assert.deepEqual(await read(s), { value: 0, active: false }, 'acked entries are not pending');
    await s.close();
  });

  test('pending mode on a group that does not exist is a ScalerError naming the group', async () => {
    const k = stream();
    await add(k, 1);
    const s = await build({ stream: k, consumerGroup: 'nope' });
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.match(e.message, new RegExp(`consumer group "nope" does not exist on stream "${k}"`));
      return true;
    });
    await s.close();
  });

  test('with lagCount the metric is the group lag from XINFO GROUPS and follows reads', async () => {
    const k = stream();
    await add(k, 10);
    await shared.xgroup('CREATE', k, 'g', '0');
    const s = await build({ stream: k, consumerGroup: 'g', lagCount: '4' });
    assert.equal(s.metricSpecs[0]?.target, 4);
    assert.deepEqual(await read(s), { value: 10, active: true });
    await consume(k, 'g', 7);
    assert.deepEqual(await read(s), { value: 3, active: true }, 'delivered entries are not lag');
    await consume(k, 'g', 10);
    assert.deepEqual(await read(s), { value: 0, active: false });
    await add(k, 2);
    assert.deepEqual(await read(s), { value: 2, active: true }, 'scale out again');
    await s.close();
  });

  const lagEdges = [
    { name: 'a missing stream has lag 0', setup: async () => undefined, want: 0 },
    {
      name: 'a group not yet created counts the whole stream',
      setup: async (k: string) => {
        await add(k, 5);
        await shared.xgroup('CREATE', k, 'other', '$');
      },
      want: 5,
    },
  ];
  for (const c of lagEdges) {
    test(`lag mode: ${c.name}`, async () => {
      const k = stream();
      await c.setup(k);
      const s = await build({ stream: k, consumerGroup: 'g', lagCount: '1' });
      assert.equal((await read(s)).value, c.want);
      await s.close();
    });
  }

  const activation = [
    { name: 'length equal to activationLagCount is inactive', items: 3, active: false },
    { name: 'length above activationLagCount is active', items: 4, active: true },
  ];
  for (const c of activation) {
    test(`activation uses activationLagCount in length mode: ${c.name}`, async () => {
      const k = stream();
      await add(k, c.items);
      const s = await build({ stream: k, activationLagCount: '3' });
      assert.deepEqual(await read(s), { value: c.items, active: c.active });
      await s.close();
    });
  }
});

describe('redis-streams push wake-ups (XREAD BLOCK)', () => {
  test('watch() wakes up when an entry is added and ends when aborted', async () => {
    const k = stream();
    await add(k, 2);
    const s = await build({ stream: k });
    const ac = new AbortController();
    const it = s.watch?.(ac.signal)[Symbol.asyncIterator]();
    if (!it) return assert.fail('no watch()');
    const first = it.next();
    // The watcher starts after the newest entry: add one more; it must wake within the deadline.
    await waitFor(
      async () => {
        await shared.xadd(k, '*', 'job', 'new');
        return Promise.race([
          first.then(() => true),
          new Promise<false>((r) => setTimeout(() => r(false), 200)),
        ]);
      },
      { timeoutMs: 10_000, intervalMs: 0, what: 'a wake-up from XREAD BLOCK' },
    );
    assert.deepEqual(await first, { value: undefined, done: false });
    ac.abort();
    assert.deepEqual(await it.next(), { value: undefined, done: true });
    await s.close();
  });

  test('watch() does not wake for entries that existed before it started', async () => {
    const k = stream();
    await add(k, 3);
    const s = await build({ stream: k });
    const ac = new AbortController();
    const it = s.watch?.(ac.signal)[Symbol.asyncIterator]();
    if (!it) return assert.fail('no watch()');
    const next = it.next();
    const woke = await Promise.race([
      next.then(() => 'woke'),
      new Promise<string>((r) => setTimeout(() => r('quiet'), 500)),
    ]);
    assert.equal(woke, 'quiet');
    ac.abort();
    assert.deepEqual(await next, { value: undefined, done: true });
    await s.close();
  });
});

describe('redis-streams with credentials (private redis-server --requirepass)', () => {
  test('reads with the password from the TriggerAuthentication', async () => {
    const c = new Redis({ host: '127.0.0.1', port: priv.port, password: PASSWORD });
    const k = `tide-test:${randomUUID()}`;
    await c.xadd(k, '*', 'a', '1');
    c.disconnect();
    const s = await build(
      { address: `127.0.0.1:${priv.port}`, stream: k },
      { password: new Secret(PASSWORD) },
    );
    assert.equal((await read(s)).value, 1);
    await s.close();
  });

  test('a server that goes away after creation makes the poll reject with a ScalerError', async () => {
    const own = await startRedis();
    let stopped = false;
    try {
      const s = await build({ address: `127.0.0.1:${own.port}`, stream: 'tide-test:gone' });
      assert.equal((await read(s)).value, 0);
      await own.stop();
      stopped = true;
      await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
        assert.ok(e instanceof ScalerError, String(e));
        assert.match(e.message, /reading stream "tide-test:gone" failed/);
        return true;
      });
      await s.close();
    } finally {
      if (!stopped) await own.stop();
    }
  });
});

scalerContract('redis-streams', () => ({
  secrets: [PASSWORD, 'bad-stream-password'],
  working: (i) =>
    build(
      { address: `127.0.0.1:${priv.port}`, stream: `tide-test:${randomUUID()}` },
      { password: new Secret(PASSWORD) },
      testContext(i),
    ),
  down: async () =>
    build(
      { address: `127.0.0.1:${await freePort()}`, stream: 's' },
      { password: new Secret(PASSWORD) },
    ),
  badCredentials: () =>
    build(
      { address: `127.0.0.1:${priv.port}`, stream: 's' },
      { password: new Secret('bad-stream-password') },
    ),
}));
