/**
 * PostgreSQL push wake-ups (tide-only `notifyChannel`) on the shared server at 127.0.0.1:5432:
 * a `NOTIFY` wakes the scaler's watch, and a ScaledObject polling every 30 s decides again at
 * once; triggers on one server share one LISTEN connection.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { loadManifestsFromString } from '../../../src/manifests/load.js';
import { SharedConnectionPool } from '../../../src/scalers/core/pool.js';
import { postgresql } from '../../../src/scalers/postgresql/postgresql.js';
import type { Scaler, ScalerContext } from '../../../src/scalers/core/types.js';
import { ScaledObjectController } from '../../../src/scheduler/scaled-object-controller.js';
import type { RoundObservation } from '../../../src/observe/types.js';
import { countingTarget } from '../../support/counting-target.js';
import { waitFor } from '../../support/wait-for.js';
import { testContext } from './redis-servers.js';

const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
const table = `tide_notify_${suffix}`;
const channel = `tide_jobs_${suffix}`;
const parts = {
  host: '127.0.0.1',
  port: '5432',
  userName: 'postgres',
  dbName: 'test',
  sslmode: 'disable',
  query: `SELECT COUNT(*) FROM ${table}`,
  targetQueryValue: '5',
  notifyChannel: channel,
};
let admin: pg.Client;

function ctx(i: number, pool: SharedConnectionPool): ScalerContext {
  return {
    ...testContext(i, pool),
    triggerRef: `ScaledObject default/so trigger ${i} (postgresql)`,
  };
}

async function build(c: ScalerContext, metadata: Record<string, string> = parts): Promise<Scaler> {
  const r = postgresql.parse({
    metadata,
    authParams: {},
    resolvedEnv: {},
    triggerIndex: c.triggerIndex,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return postgresql.create(r.meta, c);
}

/** Counts the watch's wake-ups until `signal` aborts. */
function countWakeUps(s: Scaler, signal: AbortSignal): { n: number; done: Promise<void> } {
  const box = { n: 0, done: Promise.resolve() };
  assert.ok(typeof s.watch === 'function', 'a trigger with notifyChannel can watch');
  box.done = (async () => {
    for await (const _ of s.watch!(signal)) box.n += 1;
  })();
  return box;
}

/**
 * Waits until a session's last statement is our LISTEN (so a NOTIFY cannot be sent before it):
 * pg_listening_channels() only answers for the asking session.
 */
async function listening(): Promise<void> {
  await waitFor(
    async () => {
      const l = await admin.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE query = $1`,
        [`LISTEN "${channel}"`],
      );
      return Number(l.rows[0]?.n) > 0;
    },
    { timeoutMs: 10_000, what: `a session listening on ${channel}` },
  );
}

before(async () => {
  admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  await admin.connect();
  await admin.query(`CREATE TABLE ${table} (id serial PRIMARY KEY)`);
});

after(async () => {
  await admin?.query(`DROP TABLE IF EXISTS ${table}`);
  await admin?.end();
});

describe('postgresql notifyChannel (LISTEN/NOTIFY)', () => {
  test('a NOTIFY on the channel wakes the watch; other channels do not', async () => {
    const pool = new SharedConnectionPool();
    const s = await build(ctx(0, pool));
    const ac = new AbortController();
    const w = countWakeUps(s, ac.signal);
    await listening();
    await admin.query(`NOTIFY ${channel}_other`);
    await admin.query(`NOTIFY ${channel}`);
    await waitFor(() => w.n >= 1, { timeoutMs: 5_000, what: 'a wake-up after NOTIFY' });
    assert.equal(w.n, 1, 'only the watched channel wakes it');
    ac.abort();
    await w.done;
    await s.close();
    assert.equal(pool.keys.length, 0, 'the LISTEN connection is released when the watch ends');
  });

  test(
    'closing the scaler ends its watch and releases the LISTEN connection',
    { timeout: 15_000 },
    async () => {
      const pool = new SharedConnectionPool();
      const s = await build(ctx(0, pool));
      const w = countWakeUps(s, new AbortController().signal);
      await listening();
      await s.close();
      await w.done; // would hang if close() left the watch running
      assert.equal(pool.keys.length, 0);
    },
  );

  test('triggers on one server share one LISTEN connection', async () => {
    const pool = new SharedConnectionPool();
    const a = await build(ctx(0, pool));
    const b = await build(ctx(1, pool));
    const ac = new AbortController();
    const wa = countWakeUps(a, ac.signal);
    const wb = countWakeUps(b, ac.signal);
    await listening();
    await admin.query(`SELECT pg_notify($1, 'x')`, [channel]);
    await waitFor(() => wa.n >= 1 && wb.n >= 1, { timeoutMs: 5_000, what: 'both watches woken' });
    assert.equal(pool.opened, 2, 'one query pool and one LISTEN connection');
    ac.abort();
    await Promise.all([wa.done, wb.done]);
    await a.close();
    await b.close();
  });

  test('with pollingInterval 30 a NOTIFY makes the ScaledObject decide again at once', async () => {
    const yaml = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: notify-so }
spec:
  scaleTargetRef: { name: worker }
  pollingInterval: 30
  maxReplicaCount: 10
  triggers:
    - type: postgresql
      metadata:
${Object.entries(parts)
  .map(([k, v]) => `        ${k}: '${v}'`)
  .join('\n')}
`;
    const loaded = loadManifestsFromString(yaml, 'notify.yaml');
    assert.deepEqual(loaded.errors, []);
    const so = loaded.set.scaledObjects[0]!;
    const t = countingTarget();
    const { target } = t;
    const rounds: RoundObservation[] = [];
    const controller = new ScaledObjectController({
      so,
      set: loaded.set,
      target,
      pool: new SharedConnectionPool(),
      logger: pino({ level: 'silent' }),
      initialReplicas: 0,
      onRecord: (r) => rounds.push(r),
    });
    controller.start();
    try {
      await waitFor(() => rounds.length >= 1, { timeoutMs: 10_000, what: 'the first round' });
      assert.equal(rounds[0]?.record.decided, 0);
      await listening();
      await admin.query(`INSERT INTO ${table} SELECT FROM generate_series(1, 12)`);
      const t0 = Date.now();
      await admin.query(`NOTIFY ${channel}`);
      await waitFor(() => t.replicas === 3, {
        timeoutMs: 5_000,
        what: `3 replicas long before the 30 s poll (rounds: ${rounds.length})`,
      });
      const took = Date.now() - t0;
      assert.ok(took < 5_000, `woken in ${took} ms`);
      assert.equal(rounds.length, 2, 'exactly one extra round, from the wake-up');
    } finally {
      await controller.stop();
    }
  });
});
