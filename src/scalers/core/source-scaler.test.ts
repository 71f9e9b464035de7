import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { ScalerError } from '../../errors.js';
import { Secret } from '../../secret.js';
import { SharedConnectionPool } from './pool.js';
import { sourceScaler, type SourceScalerOptions } from './source-scaler.js';
import type { ScalerContext } from './types.js';

function context(pool = new SharedConnectionPool()): ScalerContext {
  return {
    triggerIndex: 0,
    triggerRef: 'ScaledObject default/so trigger 0 (fake)',
    logger: pino({ level: 'silent' }),
    pool,
    metricType: 'AverageValue',
    now: () => 0,
  };
}

/** A fake source: a client object whose `closes` counts how often the pool closed it. */
function fake(
  read: SourceScalerOptions<{ closes: number }>['read'],
  extra: Partial<SourceScalerOptions<{ closes: number }>> = {},
) {
  const client = { closes: 0 };
  const pool = new SharedConnectionPool();
  const opts: SourceScalerOptions<{ closes: number }> = {
    ctx: context(pool),
    metricSpecs: [{ name: 's0-fake', targetType: 'AverageValue', target: 5 }],
    secrets: [new Secret('hunter2')],
    connection: {
      key: 'fake',
      open: async () => client,
      close: async (c) => {
        c.closes++;
      },
      failure: 'cannot connect to Fake at db:1',
    },
    read,
    ...extra,
  };
  return { client, pool, opts };
}

const value = (n: number) => ({ metrics: [{ name: 's0-fake', value: n }], isActive: n > 0 });

test('a read gets the pooled client and returns its metrics', async () => {
  const { client, opts } = fake(async (io) => {
    assert.equal(io.client, client);
    return value(3);
  });
  const s = await sourceScaler(opts);
  assert.deepEqual(await s.getMetricsAndActivity(AbortSignal.timeout(1000)), value(3));
  assert.deepEqual(s.metricSpecs, opts.metricSpecs);
  await s.close();
});

test('close releases the connection once and later reads say the scaler is closed', async () => {
  const { client, opts } = fake(async () => value(1));
  const s = await sourceScaler(opts);
  await s.close();
  await s.close();
  assert.equal(client.closes, 1);
  await assert.rejects(s.getMetricsAndActivity(AbortSignal.timeout(1000)), (e: unknown) => {
    assert.ok(e instanceof ScalerError);
    assert.match(e.message, /trigger 0 \(fake\): scaler is closed$/);
    return true;
  });
});

test('a failed call becomes a ScalerError naming what failed, with secrets scrubbed and the cause kept', async () => {
  const boom = new Error('auth failed for password hunter2');
  const { opts } = fake(async ({ call }) =>
    value(await call('query on Fake failed', Promise.reject(boom))),
  );
  const s = await sourceScaler(opts);
  await assert.rejects(s.getMetricsAndActivity(AbortSignal.timeout(1000)), (e: unknown) => {
    assert.ok(e instanceof ScalerError);
    assert.equal(
      e.message,
      'ScaledObject default/so trigger 0 (fake): query on Fake failed: auth failed for password [redacted]',
    );
    assert.equal(e.cause, boom);
    return true;
  });
  await s.close();
});

test('what a call says may depend on the failure, and clean() runs after scrubbing', async () => {
  const { opts } = fake(
    async ({ call }) =>
      value(
        await call(
          (e) => (e instanceof RangeError ? 'step' : 'other'),
          Promise.reject(new RangeError('x://u:hunter2@h')),
        ),
      ),
    { clean: (m) => m.replace(/\/\/[^@]*@/, '//***@') },
  );
  const s = await sourceScaler(opts);
  await assert.rejects(
    s.getMetricsAndActivity(AbortSignal.timeout(1000)),
    /: step: x:\/\/\*\*\*@h$/,
  );
  await s.close();
});

test('a call that outlives its round rejects when the round aborts', async () => {
  const { opts } = fake(async ({ call }) =>
    value(await call('slow read', new Promise<number>(() => {}))),
  );
  const s = await sourceScaler(opts);
  const round = new AbortController();
  const pending = s.getMetricsAndActivity(round.signal);
  round.abort(new Error('round over'));
  await assert.rejects(pending, /slow read: round over/);
  await s.close();
});

test('a connection that cannot open is a ScalerError with the failure text, secrets scrubbed', async () => {
  const { opts } = fake(async () => value(0));
  const failing = {
    ...opts,
    connection: { ...opts.connection!, open: () => Promise.reject(new Error('refused hunter2')) },
  };
  await assert.rejects(sourceScaler(failing), (e: unknown) => {
    assert.ok(e instanceof ScalerError);
    assert.match(e.message, /cannot connect to Fake at db:1: refused \[redacted\]$/);
    return true;
  });
});

test('closing the scaler ends its watch', async () => {
  const { opts } = fake(async () => value(0), {
    watch: async function* (signal) {
      while (!signal.aborted) {
        yield;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  });
  const s = await sourceScaler(opts);
  if (!s.watch) throw new Error('a scaler with a watch option has watch()');
  let wakeUps = 0;
  for await (const _ of s.watch(new AbortController().signal)) {
    if (++wakeUps === 2) await s.close();
  }
  assert.equal(wakeUps, 2);
});
