/**
 * The `redis` trigger against real servers: the shared Redis on 127.0.0.1:6379 for reads, and a
 * private password-protected redis-server (started here, stopped in `after`) for credentials,
 * ACL users, keyspace watch and the contract suite.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { ScalerError } from '../../../src/errors.js';
import { SharedConnectionPool } from '../../../src/scalers/core/pool.js';
import { redis } from '../../../src/scalers/redis/redis.js';
import type { Scaler, ScalerContext, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { pino } from 'pino';
import {
  deploymentDoc,
  load,
  scaledObjectDoc,
  secretAuthDoc,
  secretDoc,
} from '../../../src/manifests/test-manifests.js';
import { TriggerReader } from '../../../src/scheduler/trigger-readings.js';
import { waitFor } from '../../support/wait-for.js';
import { scalerContract } from '../scaler-contract.js';
import { freePort, startRedis, testContext, type ServerProcess } from './redis-servers.js';

const PASSWORD = `pw-${randomUUID()}`;
const signal = () => AbortSignal.timeout(30_000);
let shared: Redis;
let priv: ServerProcess;
let privClient: Redis;
const keys: string[] = [];

function key(): string {
  const k = `tide-test:${randomUUID()}`;
  keys.push(k);
  return k;
}

/** parse → create, as the scheduler does; fails the test on a parse issue. */
async function build(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  ctx: ScalerContext = testContext(),
): Promise<Scaler> {
  const r = redis.parse({ metadata, authParams, resolvedEnv: {}, triggerIndex: ctx.triggerIndex });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return redis.create(r.meta, ctx);
}

async function read(s: Scaler): Promise<{ value: number; active: boolean }> {
  const r = await s.getMetricsAndActivity(signal());
  return { value: r.metrics[0]?.value ?? NaN, active: r.isActive };
}

before(async () => {
  shared = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await shared.connect();
  priv = await startRedis(['--requirepass', PASSWORD]);
  privClient = new Redis({ host: '127.0.0.1', port: priv.port, password: PASSWORD });
});

after(async () => {
  if (keys.length) await shared.del(...keys);
  shared.disconnect();
  privClient?.disconnect();
  await priv?.stop();
});

describe('redis list trigger on 127.0.0.1:6379', () => {
  test('reports the list length with listLength as the target of the trigger metricType', async () => {
    const k = key();
    await shared.rpush(k, 'a', 'b', 'c', 'd', 'e', 'f', 'g');
    const s = await build(
      { address: '127.0.0.1:6379', listName: k, listLength: '3' },
      {},
      { ...testContext(1), metricType: 'Value' },
    );
    assert.deepEqual(s.metricSpecs, [
      {
        name: `s1-redis-tide-test-${k.slice('tide-test:'.length)}`,
        targetType: 'Value',
        target: 3,
      },
    ]);
    assert.deepEqual(await read(s), { value: 7, active: true });
    await s.close();
  });

  const activation = [
    { name: 'zero items is inactive', items: 0, active: false },
    {
      name: 'items equal to activationListLength is still inactive (strict >)',
      items: 2,
      active: false,
    },
    { name: 'one item more than activationListLength is active', items: 3, active: true },
  ];
  for (const c of activation) {
    test(`activation: ${c.name}`, async () => {
      const k = key();
      if (c.items) await shared.rpush(k, ...Array.from({ length: c.items }, (_, i) => `j${i}`));
      const s = await build({ address: '127.0.0.1:6379', listName: k, activationListLength: '2' });
      assert.deepEqual(await read(s), { value: c.items, active: c.active });
      await s.close();
    });
  }

  test('follows the list through scale-out and back to zero', async () => {
    const k = key();
    const s = await build({ host: '127.0.0.1', port: '6379', listName: k });
    assert.deepEqual(await read(s), { value: 0, active: false });
    await shared.rpush(k, ...Array.from({ length: 12 }, (_, i) => `j${i}`));
    assert.deepEqual(await read(s), { value: 12, active: true });
    await shared.ltrim(k, 1, 0);
    assert.deepEqual(await read(s), { value: 0, active: false });
    await s.close();
  });

  const types = [
    {
      name: 'a sorted set is counted with ZCARD',
      fill: (k: string) => shared.zadd(k, 1, 'a', 2, 'b'),
      want: 2,
    },
    {
      name: 'a set is counted with SCARD',
      fill: (k: string) => shared.sadd(k, 'a', 'b', 'c'),
      want: 3,
    },
    {
      name: 'a hash is counted with HLEN',
      fill: (k: string) => shared.hset(k, { a: '1', b: '2', c: '3', d: '4' }),
      want: 4,
    },
    { name: 'a missing key counts 0', fill: async () => 0, want: 0 },
  ];
  for (const c of types) {
    test(c.name, async () => {
      const k = key();
      await c.fill(k);
      const s = await build({ address: '127.0.0.1:6379', listName: k });
      assert.equal((await read(s)).value, c.want);
      await s.close();
    });
  }

  test('a key of another type is a ScalerError naming the key', async () => {
    const k = key();
    await shared.set(k, 'not a list');
    const s = await build({ address: '127.0.0.1:6379', listName: k });
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.equal(
        e.message,
        `ScaledObject default/test-so trigger 0 (redis): key "${k}" is a string: unsupported key type (only list, set, zset and hash are counted)`,
      );
      return true;
    });
    await s.close();
  });

  test('reads the database given by databaseIndex', async () => {
    const k = key();
    const db3 = new Redis({ host: '127.0.0.1', port: 6379, db: 3 });
    try {
      await db3.rpush(k, 'x', 'y');
      const s = await build({ address: '127.0.0.1:6379', listName: k, databaseIndex: '3' });
      assert.equal((await read(s)).value, 2);
      await s.close();
    } finally {
      await db3.del(k);
      db3.disconnect();
    }
  });

  test('two triggers on the same server and credentials share one connection', async () => {
    const pool = new SharedConnectionPool();
    const a = await build({ address: '127.0.0.1:6379', listName: key() }, {}, testContext(0, pool));
    const b = await build({ address: '127.0.0.1:6379', listName: key() }, {}, testContext(1, pool));
    assert.equal(pool.opened, 1);
    await Promise.all([read(a), read(b)]);
    await a.close();
    assert.equal(
      (await read(b)).value,
      0,
      'the second trigger still reads after the first released',
    );
    await b.close();
    for (const k of pool.keys) assert.match(k, /^[0-9a-f]{64}$/);
    assert.equal(pool.keys.length, 0, 'the last release closes the connection');
  });
});

describe('redis list trigger with credentials (private redis-server --requirepass)', () => {
  test('reads with the password from the TriggerAuthentication', async () => {
    const k = `tide-test:${randomUUID()}`;
    await privClient.rpush(k, '1', '2');
    const s = await build(
      { address: `127.0.0.1:${priv.port}`, listName: k },
      { password: new Secret(PASSWORD) },
    );
    assert.equal((await read(s)).value, 2);
    await s.close();
  });

  test('a wrong password fails creation with a ScalerError naming the address, not the password', async () => {
    await assert.rejects(
      build(
        { address: `127.0.0.1:${priv.port}`, listName: 'l' },
        { password: new Secret('wrong-secret-pw') },
      ),
      (e: unknown) => {
        assert.ok(e instanceof ScalerError);
        assert.match(
          e.message,
          new RegExp(`cannot connect to Redis at 127\\.0\\.0\\.1:${priv.port}: WRONGPASS`),
        );
        assert.ok(!e.message.includes('wrong-secret-pw'));
        return true;
      },
    );
  });

  test('reads as an ACL user with username and password', async () => {
    const user = `tide-${randomUUID().slice(0, 8)}`;
    await privClient.call('ACL', 'SETUSER', user, 'on', '>user-pw', '~tide-test:*', '+@all');
    const k = `tide-test:${randomUUID()}`;
    await privClient.rpush(k, 'a');
    const s = await build(
      { address: `127.0.0.1:${priv.port}`, listName: k, username: user },
      { password: new Secret('user-pw') },
    );
    assert.equal((await read(s)).value, 1);
    await s.close();
  });

  test('a server that goes away after creation makes the poll reject with a ScalerError, not hang', async () => {
    const own = await startRedis(['--requirepass', PASSWORD]);
    let stopped = false;
    try {
      const s = await build(
        { address: `127.0.0.1:${own.port}`, listName: 'tide-test:gone' },
        { password: new Secret(PASSWORD) },
      );
      assert.equal((await read(s)).value, 0);
      await own.stop();
      stopped = true;
      await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
        assert.ok(e instanceof ScalerError, String(e));
        assert.match(e.message, /reading key "tide-test:gone" failed/);
        assert.ok(!e.message.includes(PASSWORD));
        return true;
      });
      await s.close();
    } finally {
      if (!stopped) await own.stop();
    }
  });

  test('a closed port fails creation with a ScalerError that names the address', async () => {
    const port = await freePort();
    await assert.rejects(
      build({ address: `127.0.0.1:${port}`, listName: 'l' }, { password: new Secret(PASSWORD) }),
      (e: unknown) => {
        assert.ok(e instanceof ScalerError);
        assert.match(
          e.message,
          new RegExp(`cannot connect to Redis at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
        );
        assert.ok(!e.message.includes(PASSWORD));
        return true;
      },
    );
  });
});

describe('redis keyspace watch (private server, CONFIG allowed)', () => {
  test('watch() wakes up when the list changes and ends when aborted', async () => {
    const k = `tide-test:${randomUUID()}`;
    const s = await build(
      { address: `127.0.0.1:${priv.port}`, listName: k },
      { password: new Secret(PASSWORD) },
    );
    assert.equal(typeof s.watch, 'function', 'redis scalers can watch');
    const ac = new AbortController();
    const it = s.watch?.(ac.signal)[Symbol.asyncIterator]();
    if (!it) return assert.fail('no watch()');
    let wakeUps = 0;
    const pump = (async () => {
      while (!(await it.next()).done) wakeUps += 1;
    })();
    // The subscription starts asynchronously: push until a wake-up arrives.
    await waitFor(
      async () => {
        await privClient.rpush(k, 'x');
        return wakeUps > 0;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'a keyspace wake-up' },
    );
    ac.abort();
    await pump;
    const flags = (await privClient.config('GET', 'notify-keyspace-events')) as string[];
    assert.match(flags[1] ?? '', /K/);
    await s.close();
  });

  test('close() ends a running watch (a scaler rebuilt after a failed read is watched anew)', async () => {
    const k = `tide-test:${randomUUID()}`;
    const s = await build(
      { address: `127.0.0.1:${priv.port}`, listName: k },
      { password: new Secret(PASSWORD) },
    );
    const ac = new AbortController();
    const it = s.watch?.(ac.signal)[Symbol.asyncIterator]();
    if (!it) return assert.fail('no watch()');
    let wakeUps = 0;
    let ended = false;
    const pump = (async () => {
      while (!(await it.next()).done) wakeUps += 1;
      ended = true;
    })();
    await waitFor(
      async () => {
        await privClient.rpush(k, 'x');
        return wakeUps > 0;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'a keyspace wake-up' },
    );
    await s.close();
    await waitFor(() => ended, { timeoutMs: 5_000, what: 'the watch to end with its scaler' });
    assert.equal(ac.signal.aborted, false, 'ended by close(), not by its signal');
    await pump;
    await privClient.del(k);
  });

  test('after a failed read rebuilds the scaler, push wake-ups come through the new one', async () => {
    const k = key();
    const { set } = load(
      scaledObjectDoc({
        triggers: [
          {
            type: 'redis',
            metadata: { address: `127.0.0.1:${priv.port}`, listName: k, listLength: '5' },
            authenticationRef: { name: 'auth' },
          },
        ],
      }),
      deploymentDoc('worker'),
      secretDoc('pw', { password: PASSWORD }),
      secretAuthDoc('auth', 'password', 'pw', 'password'),
    );
    const owner = set.scaledObjects[0];
    assert.ok(owner);
    const reader = new TriggerReader({
      owner,
      set,
      pool: new SharedConnectionPool(),
      logger: pino({ level: 'silent' }),
      now: () => Date.now(),
      timeoutMs: 5_000,
    });
    const loop = new AbortController();
    let wakeUps = 0;
    reader.watchAll(loop.signal, () => (wakeUps += 1));
    try {
      await waitFor(() => reader.pushState(0)?.mode === 'push', {
        timeoutMs: 10_000,
        what: 'push on the first scaler',
      });
      // A key of another type fails the read: the scaler is closed and built again (KEDA's retry).
      await privClient.set(k, 'not a list');
      const [failed] = await reader.readAll(signal());
      assert.match(failed?.error ?? '', /unsupported key type/);
      await privClient.del(k);
      const [ok] = await reader.readAll(signal());
      assert.equal(ok?.error, undefined);
      assert.equal(ok?.metrics?.[0]?.value, 0);
      // The new scaler is watched at once (not after the 5 s retry), and its push state shows.
      await waitFor(() => reader.pushState(0)?.mode === 'push', {
        timeoutMs: 3_000,
        what: 'push on the rebuilt scaler',
      });
      const before = wakeUps;
      await waitFor(
        async () => {
          await privClient.rpush(k, 'x');
          return wakeUps > before;
        },
        { timeoutMs: 5_000, intervalMs: 100, what: 'a wake-up through the new watch' },
      );
      const clients = (await privClient.client('LIST')) as string;
      const subscribers = clients.split('\n').filter((l) => /\bsub=[1-9]/.test(l));
      assert.equal(subscribers.length, 1, 'the old watch let go of nothing it should keep');
    } finally {
      loop.abort();
      await reader.close();
    }
  });

  test('twenty watching triggers on one server share one subscriber connection, each woken by its own list', async () => {
    const pool = new SharedConnectionPool();
    const lists = Array.from({ length: 20 }, () => `tide-test:${randomUUID()}`);
    const scalers = await Promise.all(
      lists.map((listName, i) =>
        build(
          { address: `127.0.0.1:${priv.port}`, listName },
          { password: new Secret(PASSWORD) },
          testContext(i, pool),
        ),
      ),
    );
    const ac = new AbortController();
    const wakeUps = lists.map(() => 0);
    const pumps = scalers.map(async (s, i) => {
      const it = s.watch?.(ac.signal)[Symbol.asyncIterator]();
      if (!it) return assert.fail('no watch()');
      while (!(await it.next()).done) wakeUps[i] = (wakeUps[i] ?? 0) + 1;
    });
    // Wake only the odd lists: the even ones must stay quiet (events are not broadcast).
    await waitFor(
      async () => {
        for (const [i, k] of lists.entries()) if (i % 2 === 1) await privClient.rpush(k, 'x');
        return wakeUps.every((n, i) => i % 2 === 0 || n > 0);
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'a wake-up on every odd list' },
    );
    assert.ok(
      wakeUps.every((n, i) => i % 2 === 1 || n === 0),
      `even lists quiet: ${wakeUps.join(',')}`,
    );
    const clients = (await privClient.call('CLIENT', 'LIST')) as string;
    const subscribers = clients.split('\n').filter((l) => /\bsub=[1-9]/.test(l));
    assert.equal(subscribers.length, 1, `one subscriber connection:\n${subscribers.join('\n')}`);
    ac.abort();
    await Promise.all(pumps);
    await Promise.all(scalers.map((s) => s.close()));
    assert.equal(pool.opened, 2, 'one command connection and one subscriber');
  });

  test('where CONFIG is denied, the watch reports polling only, keeps polling, and wakes if the server sends events anyway', async () => {
    const user = `noconfig-${randomUUID().slice(0, 8)}`;
    await privClient.call('ACL', 'SETUSER', user, 'on', '>nc-pw', '~*', '&*', '+@all', '-config');
    const k = `tide-test:${randomUUID()}`;
    const s = await build(
      { address: `127.0.0.1:${priv.port}`, listName: k, username: user },
      { password: new Secret('nc-pw') },
    );
    const ac = new AbortController();
    const it = s.watch?.(ac.signal)[Symbol.asyncIterator]();
    if (!it) return assert.fail('no watch()');
    let wakeUps = 0;
    const pump = (async () => {
      while (!(await it.next()).done) wakeUps += 1;
    })();
    const state = await waitFor(() => s.pushState?.(), {
      timeoutMs: 10_000,
      what: 'the push state to be known',
    });
    assert.equal(state.mode, 'polling only');
    assert.match(
      state.mode === 'polling only' ? state.reason : '',
      /^cannot enable keyspace notifications: NOPERM/,
    );
    assert.equal(
      (await s.getMetricsAndActivity(signal())).metrics[0]?.value,
      0,
      'polling still works',
    );
    // An administrator may have turned notifications on (managed Redis: a parameter group).
    await privClient.config('SET', 'notify-keyspace-events', 'Kl');
    await waitFor(
      async () => {
        await privClient.rpush(k, 'x');
        return wakeUps > 0;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'a wake-up from events the server sends anyway' },
    );
    assert.deepEqual(s.pushState?.(), { mode: 'push' });
    ac.abort();
    await pump;
    await s.close();
  });
});

scalerContract('redis', () => ({
  secrets: [PASSWORD, 'bad-password-value'],
  working: (i) =>
    build(
      { address: `127.0.0.1:${priv.port}`, listName: `tide-test:${randomUUID()}` },
      { password: new Secret(PASSWORD) },
      testContext(i),
    ),
  down: async () =>
    build(
      { address: `127.0.0.1:${await freePort()}`, listName: 'l' },
      { password: new Secret(PASSWORD) },
    ),
  badCredentials: () =>
    build(
      { address: `127.0.0.1:${priv.port}`, listName: 'l' },
      { password: new Secret('bad-password-value') },
    ),
}));
