/**
 * The `postgresql` trigger against real servers: the shared PostgreSQL 15 on 127.0.0.1:5432
 * (trust auth, db `test`) for reads, and a private cluster started here with scram-sha-256 (the
 * shared one accepts any password, so only a private one can reject a wrong one).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { ScalerError } from '../../../src/errors.js';
import { SharedConnectionPool } from '../../../src/scalers/core/pool.js';
import { postgresql } from '../../../src/scalers/postgresql/postgresql.js';
import type { Scaler, ScalerContext, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { waitFor } from '../../support/wait-for.js';
import { scalerContract } from '../scaler-contract.js';
import { freePort, testContext } from './redis-servers.js';

const BIN = '/usr/lib/postgresql/15/bin';
const PRIVATE_PW = `pg-pw-${randomUUID()}`;
const table = `tide_test_${randomUUID().replace(/-/g, '')}`;
const signal = () => AbortSignal.timeout(30_000);
let shared: pg.Client;
let priv: { port: number; stop(): Promise<void> };

function ctx(i = 0, pool = new SharedConnectionPool()): ScalerContext {
  return {
    ...testContext(i, pool),
    triggerRef: `ScaledObject default/test-so trigger ${i} (postgresql)`,
  };
}

const sharedParts = {
  host: '127.0.0.1',
  port: '5432',
  userName: 'postgres',
  dbName: 'test',
  sslmode: 'disable',
};

async function build(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  c: ScalerContext = ctx(),
): Promise<Scaler> {
  const r = postgresql.parse({
    metadata,
    authParams,
    resolvedEnv: {},
    triggerIndex: c.triggerIndex,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return postgresql.create(r.meta, c);
}

async function read(s: Scaler): Promise<{ value: number; active: boolean }> {
  const r = await s.getMetricsAndActivity(signal());
  return { value: r.metrics[0]?.value ?? NaN, active: r.isActive };
}

/** A private cluster with password auth, run as the postgres user (initdb refuses root). */
async function startPrivatePostgres(): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tide-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  chownSync(dir, uid, gid);
  writeFileSync(join(dir, 'pw'), PRIVATE_PW);
  chownSync(join(dir, 'pw'), uid, gid);
  const data = join(dir, 'data');
  execFileSync(
    `${BIN}/initdb`,
    [
      '-D',
      data,
      '-A',
      'scram-sha-256',
      `--pwfile=${join(dir, 'pw')}`,
      '-U',
      'postgres',
      '--no-sync',
    ],
    { uid, gid, stdio: 'ignore', timeout: 60_000 },
  );
  const port = await freePort();
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
  ];
  const proc: ChildProcess = spawn(`${BIN}/postgres`, args, { uid, gid, stdio: 'ignore' });
  let exited = false;
  proc.once('exit', () => (exited = true));
  const stop = async () => {
    if (!exited) {
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGINT'); // fast shutdown
      await done;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error('private postgres exited');
        const c = new pg.Client({
          host: '127.0.0.1',
          port,
          user: 'postgres',
          password: PRIVATE_PW,
          database: 'postgres',
        });
        try {
          await c.connect();
          return true;
        } catch {
          return false;
        } finally {
          await c.end().catch(() => undefined);
        }
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `private postgres on ${port}` },
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, stop };
}

before(async () => {
  shared = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  await shared.connect();
  await shared.query(
    `CREATE TABLE ${table} (id serial PRIMARY KEY, state text NOT NULL, label text)`,
  );
  priv = await startPrivatePostgres();
});

after(async () => {
  await shared?.query(`DROP TABLE IF EXISTS ${table}`);
  await shared?.end();
  await priv?.stop();
});

const pendingQuery = `SELECT COUNT(*) FROM ${table} WHERE state = 'pending'`;

async function addPending(n: number): Promise<void> {
  await shared.query(`INSERT INTO ${table} (state) SELECT 'pending' FROM generate_series(1, $1)`, [
    n,
  ]);
}

describe('postgresql trigger on 127.0.0.1:5432', () => {
  test('reports the query value with targetQueryValue as the target', async () => {
    const s = await build(
      { ...sharedParts, query: 'SELECT 7.5', targetQueryValue: '3' },
      {},
      { ...ctx(2), metricType: 'Value' },
    );
    assert.deepEqual(s.metricSpecs, [{ name: 's2-postgresql', targetType: 'Value', target: 3 }]);
    assert.deepEqual(await read(s), { value: 7.5, active: true });
    await s.close();
  });

  const activation = [
    {
      name: 'a value equal to activationTargetQueryValue is inactive (strict >)',
      sql: 'SELECT 2',
      active: false,
    },
    { name: 'a value above activationTargetQueryValue is active', sql: 'SELECT 3', active: true },
    { name: 'zero is inactive', sql: 'SELECT 0', active: false },
  ];
  for (const c of activation) {
    test(`activation: ${c.name}`, async () => {
      const s = await build({
        ...sharedParts,
        query: c.sql,
        targetQueryValue: '1',
        activationTargetQueryValue: '2',
      });
      assert.equal((await read(s)).active, c.active);
      await s.close();
    });
  }

  test('follows pending rows through scale-out and back to zero', async () => {
    const s = await build({ ...sharedParts, query: pendingQuery, targetQueryValue: '5' });
    assert.deepEqual(await read(s), { value: 0, active: false });
    await addPending(12);
    assert.deepEqual(await read(s), { value: 12, active: true });
    await shared.query(`UPDATE ${table} SET state = 'done'`);
    assert.deepEqual(await read(s), { value: 0, active: false });
    await s.close();
  });

  const badResults = [
    { name: 'NULL', sql: 'SELECT NULL::int', want: /the query returned NULL/ },
    { name: 'text', sql: "SELECT 'many'", want: /the query returned "many", not a number/ },
    { name: 'no rows', sql: `SELECT 1 FROM ${table} WHERE false`, want: /returned no rows/ },
    { name: 'a boolean', sql: 'SELECT true', want: /returned a boolean/ },
  ];
  for (const c of badResults) {
    test(`a query returning ${c.name} is a ScalerError`, async () => {
      const s = await build({ ...sharedParts, query: c.sql, targetQueryValue: '1' });
      await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
        assert.ok(e instanceof ScalerError, String(e));
        assert.match(e.message, c.want);
        return true;
      });
      await s.close();
    });
  }

  test('a failing query is a ScalerError with the server message', async () => {
    const s = await build({
      ...sharedParts,
      query: 'SELECT * FROM tide_no_such_table',
      targetQueryValue: '1',
    });
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.equal(
        e.message,
        'ScaledObject default/test-so trigger 0 (postgresql): query on PostgreSQL at 127.0.0.1:5432/test failed: relation "tide_no_such_table" does not exist',
      );
      return true;
    });
    await s.close();
  });

  const tlsModes = [
    { sslmode: 'require', tls: 1 },
    { sslmode: 'prefer', tls: 1 },
    { sslmode: 'allow', tls: 0 },
    { sslmode: 'disable', tls: 0 },
  ];
  for (const c of tlsModes) {
    test(`sslmode ${c.sslmode} ${c.tls ? 'uses' : 'does not use'} TLS with a server that offers it`, async () => {
      const query =
        'SELECT CASE WHEN ssl THEN 1 ELSE 0 END FROM pg_stat_ssl WHERE pid = pg_backend_pid()';
      const s = await build({ ...sharedParts, sslmode: c.sslmode, query, targetQueryValue: '1' });
      assert.equal((await read(s)).value, c.tls);
      await s.close();
    });
  }

  test('two triggers with the same connection share one pool', async () => {
    const pool = new SharedConnectionPool();
    const a = await build(
      { ...sharedParts, query: 'SELECT 1', targetQueryValue: '1' },
      {},
      ctx(0, pool),
    );
    const b = await build(
      { ...sharedParts, query: 'SELECT 2', targetQueryValue: '1' },
      {},
      ctx(1, pool),
    );
    assert.equal(pool.opened, 1);
    await a.close();
    assert.equal(
      (await read(b)).value,
      2,
      'the second trigger still reads after the first released',
    );
    await b.close();
    assert.equal(pool.keys.length, 0);
  });

  test('a connection string from the TriggerAuthentication is used as given', async () => {
    const s = await build(
      { query: 'SELECT 4', targetQueryValue: '1' },
      { connection: new Secret('postgresql://postgres@127.0.0.1:5432/test?sslmode=disable') },
    );
    assert.equal((await read(s)).value, 4);
    await s.close();
  });
});

describe('postgresql trigger with password auth (private cluster, scram-sha-256)', () => {
  test('reads with the password from the TriggerAuthentication', async () => {
    const s = await build(
      {
        ...sharedParts,
        port: String(priv.port),
        dbName: 'postgres',
        query: 'SELECT 9',
        targetQueryValue: '1',
      },
      { password: new Secret(PRIVATE_PW) },
    );
    assert.equal((await read(s)).value, 9);
    await s.close();
  });

  test('a wrong password fails creation with a clear ScalerError without the password', async () => {
    await assert.rejects(
      build(
        {
          ...sharedParts,
          port: String(priv.port),
          dbName: 'postgres',
          query: 'SELECT 1',
          targetQueryValue: '1',
        },
        { password: new Secret('wrong pg password') },
      ),
      (e: unknown) => {
        assert.ok(e instanceof ScalerError);
        assert.equal(
          e.message,
          `ScaledObject default/test-so trigger 0 (postgresql): cannot connect to PostgreSQL at 127.0.0.1:${priv.port}/postgres: password authentication failed for user "postgres"`,
        );
        return true;
      },
    );
  });

  test('a closed port fails creation with a ScalerError naming the address, not the password', async () => {
    const port = await freePort();
    await assert.rejects(
      build(
        { ...sharedParts, port: String(port), query: 'SELECT 1', targetQueryValue: '1' },
        { password: new Secret(PRIVATE_PW) },
      ),
      (e: unknown) => {
        assert.ok(e instanceof ScalerError);
        assert.match(
          e.message,
          new RegExp(
            `cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/test: .*ECONNREFUSED`,
          ),
        );
        assert.ok(!e.message.includes(PRIVATE_PW));
        return true;
      },
    );
  });
});

scalerContract('postgresql', () => ({
  secrets: [PRIVATE_PW, 'bad-pg-password'],
  working: (i) =>
    build(
      {
        ...sharedParts,
        port: String(priv.port),
        dbName: 'postgres',
        query: 'SELECT 1',
        targetQueryValue: '1',
      },
      { password: new Secret(PRIVATE_PW) },
      ctx(i),
    ),
  down: async () =>
    build(
      { ...sharedParts, port: String(await freePort()), query: 'SELECT 1', targetQueryValue: '1' },
      { password: new Secret(PRIVATE_PW) },
    ),
  badCredentials: () =>
    build(
      {
        ...sharedParts,
        port: String(priv.port),
        dbName: 'postgres',
        query: 'SELECT 1',
        targetQueryValue: '1',
      },
      { password: new Secret('bad-pg-password') },
    ),
}));
