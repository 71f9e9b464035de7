/**
 * The `mongodb` trigger against a real MongoDB-wire server (FerretDB v1, started per file on a
 * free port): counts with the query, activation, following the backlog out and back to zero,
 * queries the server rejects, a server that goes away, and the scaler contract suite.
 * FerretDB v1 on SQLite refuses every SCRAM login, which serves as the bad-credentials case.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { MongoClient } from 'mongodb';
import { ScalerError } from '../../../src/errors.js';
import { mongodb } from '../../../src/scalers/mongodb.js';
import { getScalerDefinition } from '../../../src/scalers/registry.js';
import type { Scaler, ScalerContext, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { startFerret, type FerretServer } from '../../support/peers.js';
import { scalerContract } from '../scaler-contract.js';
import { freePort, testContext } from './redis-servers.js';

const PASSWORD = `pw-${randomUUID()}`;
const QUERY = '{"type":"mp4","state":"waiting"}';
let ferret: FerretServer;
let client: MongoClient;

before(async () => {
  ferret = await startFerret();
  client = await new MongoClient(ferret.url).connect();
});

after(async () => {
  await client?.close();
  await ferret?.stop();
});

/** A collection no other test uses. */
const coll = () => `tasks_${randomUUID().replaceAll('-', '')}`;

function insert(collection: string, states: string[]) {
  return client
    .db('test')
    .collection(collection)
    .insertMany(states.map((state, i) => ({ type: 'mp4', state, fileName: `clip ${i}` })));
}

function parse(metadata: Record<string, string>, authParams: TriggerInputs['authParams'] = {}) {
  return mongodb.parse({ metadata, authParams, resolvedEnv: {}, triggerIndex: 0 });
}

/** parse → create, as the scheduler does; fails the test on a parse issue. */
async function build(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  ctx: ScalerContext = testContext(),
): Promise<Scaler> {
  const r = mongodb.parse({
    metadata,
    authParams,
    resolvedEnv: {},
    triggerIndex: ctx.triggerIndex,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return mongodb.create(r.meta, ctx);
}

const meta = (collection: string, extra: Record<string, string> = {}) => ({
  dbName: 'test',
  collection,
  query: QUERY,
  queryValue: '1',
  ...extra,
});
const conn = () => ({ connectionString: new Secret(`${ferret.url}test`) });

async function read(s: Scaler): Promise<{ value: number; active: boolean }> {
  const r = await s.getMetricsAndActivity(AbortSignal.timeout(30_000));
  return { value: r.metrics[0]?.value ?? NaN, active: r.isActive };
}

describe('mongodb trigger on FerretDB', () => {
  test('counts only the documents matching the query, with queryValue as the target', async () => {
    const c = coll();
    await insert(c, ['waiting', 'waiting', 'running', 'finished', 'waiting']);
    await client.db('test').collection(c).insertOne({ type: 'avi', state: 'waiting' });
    const s = await build(meta(c, { queryValue: '2' }), conn(), testContext(2));
    assert.deepEqual(s.metricSpecs, [
      { name: `s2-mongodb-${c}`, targetType: 'AverageValue', target: 2 },
    ]);
    assert.deepEqual(await read(s), { value: 3, active: true });
    await s.close();
  });

  test('a URI built from host, port, username and password reaches the server, which checks the credentials', async () => {
    // FerretDB v1 on SQLite accepts no SCRAM login at all, so this is the server refusing the
    // user the built URI carries: a ScalerError that keeps the password out.
    const parsed = parse(
      meta(coll(), { host: '127.0.0.1', port: String(ferret.port), username: 'tide' }),
      {
        password: new Secret(`p@ss ${PASSWORD}`),
      },
    );
    if (!parsed.ok) assert.fail(JSON.stringify(parsed.issues));
    await assert.rejects(mongodb.create(parsed.meta, testContext()), (e: unknown) => {
      assert.ok(e instanceof ScalerError, String(e));
      assert.match(e.message, /cannot connect to MongoDB database "test": .*authentication/i);
      assert.ok(!e.message.includes(PASSWORD), e.message);
      return true;
    });
  });

  const activation = [
    { name: 'no matching document is inactive', waiting: 0, active: false },
    {
      name: 'a count equal to activationQueryValue is still inactive (strict >)',
      waiting: 2,
      active: false,
    },
    { name: 'one more than activationQueryValue is active', waiting: 3, active: true },
  ];
  for (const c of activation) {
    test(`activation: ${c.name}`, async () => {
      const name = coll();
      if (c.waiting)
        await insert(
          name,
          Array.from({ length: c.waiting }, () => 'waiting'),
        );
      const s = await build(meta(name, { activationQueryValue: '2' }), conn());
      assert.deepEqual(await read(s), { value: c.waiting, active: c.active });
      await s.close();
    });
  }

  test('follows the backlog out as tasks arrive and back to zero as jobs finish them', async () => {
    const c = coll();
    const s = await build(meta(c), conn());
    assert.deepEqual(await read(s), { value: 0, active: false });
    await insert(
      c,
      Array.from({ length: 5 }, () => 'waiting'),
    );
    assert.deepEqual(await read(s), { value: 5, active: true });
    const tasks = client.db('test').collection(c);
    await tasks.updateOne({ state: 'waiting' }, { $set: { state: 'running' } });
    assert.deepEqual(await read(s), { value: 4, active: true });
    await tasks.updateMany({}, { $set: { state: 'finished' } });
    assert.deepEqual(await read(s), { value: 0, active: false });
    await s.close();
  });

  // KEDA's parser admits these and its scaler fails when it queries: tide warns at validation
  // (naming the field and why) and the trigger fails at build with the same reason.
  const badQueries = [
    { name: 'the empty document {}', query: '{}', want: /empty document/ },
    { name: 'text that is not JSON', query: 'state = waiting', want: /JSON/ },
    { name: 'a JSON array', query: '[1]', want: /JSON object/ },
  ];
  for (const c of badQueries) {
    test(`bad query: ${c.name} is a warning, and the trigger fails at build with the reason`, async () => {
      const r = parse(meta('x', { query: c.query }), conn());
      assert.equal(r.ok, true, JSON.stringify(r));
      if (!r.ok) return;
      const w = r.warnings.filter((x) => x.severity === 'warning');
      assert.equal(w.length, 1, JSON.stringify(r.warnings));
      assert.match(JSON.stringify(w[0]), /query/);
      assert.match(JSON.stringify(w[0]), c.want);
      // Built as the scheduler builds it: through the registry's definition.
      const def = getScalerDefinition('mongodb');
      assert.ok(def);
      const parsed = def.parse({
        metadata: meta('x', { query: c.query }),
        authParams: conn(),
        resolvedEnv: {},
        triggerIndex: 0,
      });
      assert.ok(parsed.ok);
      await assert.rejects(def.create(parsed.meta, testContext()), (e: unknown) => {
        assert.ok(e instanceof ScalerError, String(e));
        assert.match(e.message, c.want);
        return true;
      });
    });
  }

  test('a query the server rejects gives a ScalerError naming the collection', async () => {
    const c = coll();
    await insert(c, ['waiting']);
    const s = await build(meta(c, { query: '{"$bogus": 1}' }), conn());
    await assert.rejects(read(s), (e: unknown) => {
      assert.ok(e instanceof ScalerError, String(e));
      assert.match(e.message, new RegExp(`counting documents in test\\.${c} failed`));
      return true;
    });
    await s.close();
  });

  test('a server that goes away after start fails the read with a ScalerError, no password', async () => {
    const own = await startFerret();
    try {
      const c = coll();
      const s = await build(meta(c), {
        connectionString: new Secret(`mongodb://127.0.0.1:${own.port}/test?appName=${PASSWORD}`),
      });
      assert.deepEqual(await read(s), { value: 0, active: false });
      await own.stop();
      await assert.rejects(read(s), (e: unknown) => {
        assert.ok(e instanceof ScalerError, String(e));
        assert.ok(!e.message.includes(PASSWORD), e.message);
        return true;
      });
      await s.close();
    } finally {
      await own.stop();
    }
  });
});

scalerContract('mongodb (FerretDB)', () => ({
  secrets: [PASSWORD],
  working: (i) =>
    build(meta(coll()), { connectionString: new Secret(`${ferret.url}test`) }, testContext(i)),
  down: async () =>
    build(meta('x'), {
      connectionString: new Secret(`mongodb://tide:${PASSWORD}@127.0.0.1:${await freePort()}/test`),
    }),
  // FerretDB v1 on SQLite refuses every SCRAM login: any user and password are bad credentials.
  badCredentials: () =>
    build(meta('x'), {
      connectionString: new Secret(`mongodb://tide:${PASSWORD}@127.0.0.1:${ferret.port}/test`),
    }),
}));
