/**
 * The `mysql` trigger against the shared MariaDB 10.11 on 127.0.0.1:3306 (root without password,
 * db `test`). A user with a password is created here (and dropped in `after`) for the
 * credentials cases and the contract suite.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { ScalerError } from '../../../src/errors.js';
import { mysqlScaler } from '../../../src/scalers/mysql.js';
import { SharedConnectionPool } from '../../../src/scalers/core/pool.js';
import type { Scaler, ScalerContext, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { scalerContract } from '../scaler-contract.js';
import { freePort, testContext } from './redis-servers.js';

const id = randomUUID().replace(/-/g, '').slice(0, 12);
const table = `tide_test_${id}`;
const USER = `tide_${id}`;
const PASSWORD = `my-pw-${randomUUID()}`;
const signal = () => AbortSignal.timeout(30_000);
let root: mysql.Connection;

function ctx(i = 0, pool = new SharedConnectionPool()): ScalerContext {
  return {
    ...testContext(i, pool),
    triggerRef: `ScaledObject default/test-so trigger ${i} (mysql)`,
  };
}

const rootParts = { host: '127.0.0.1', port: '3306', username: 'root', dbName: 'test' };
const userParts = { ...rootParts, username: USER };

async function build(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  c: ScalerContext = ctx(),
): Promise<Scaler> {
  const r = mysqlScaler.parse({
    metadata,
    authParams,
    resolvedEnv: {},
    triggerIndex: c.triggerIndex,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return mysqlScaler.create(r.meta, c);
}

async function read(s: Scaler): Promise<{ value: number; active: boolean }> {
  const r = await s.getMetricsAndActivity(signal());
  return { value: r.metrics[0]?.value ?? NaN, active: r.isActive };
}

before(async () => {
  root = await mysql.createConnection({
    host: '127.0.0.1',
    port: 3306,
    user: 'root',
    database: 'test',
  });
  await root.query(
    `CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, state VARCHAR(16) NOT NULL)`,
  );
  await root.query(`CREATE USER '${USER}'@'%' IDENTIFIED BY '${PASSWORD}'`);
  await root.query(`GRANT SELECT ON test.* TO '${USER}'@'%'`);
});

after(async () => {
  await root?.query(`DROP TABLE IF EXISTS ${table}`);
  await root?.query(`DROP USER IF EXISTS '${USER}'@'%'`);
  await root?.end();
});

const pendingQuery = `SELECT COUNT(*) FROM ${table} WHERE state = 'pending'`;

describe('mysql trigger on MariaDB 127.0.0.1:3306', () => {
  test('reports the query value with queryValue as the target, metric named after dbName', async () => {
    const s = await build(
      { ...rootParts, query: 'SELECT 6.5', queryValue: '2' },
      {},
      { ...ctx(1), metricType: 'Value' },
    );
    assert.deepEqual(s.metricSpecs, [{ name: 's1-mysql-test', targetType: 'Value', target: 2 }]);
    assert.deepEqual(await read(s), { value: 6.5, active: true });
    await s.close();
  });

  const activation = [
    {
      name: 'a value equal to activationQueryValue is inactive (strict >)',
      sql: 'SELECT 4',
      active: false,
    },
    { name: 'a value above activationQueryValue is active', sql: 'SELECT 4.01', active: true },
  ];
  for (const c of activation) {
    test(`activation: ${c.name}`, async () => {
      const s = await build({
        ...rootParts,
        query: c.sql,
        queryValue: '1',
        activationQueryValue: '4',
      });
      assert.equal((await read(s)).active, c.active);
      await s.close();
    });
  }

  test('follows pending rows through scale-out and back to zero', async () => {
    const s = await build({ ...rootParts, query: pendingQuery, queryValue: '5' });
    assert.deepEqual(await read(s), { value: 0, active: false });
    await root.query(
      `INSERT INTO ${table} (state) VALUES ${Array(9).fill("('pending')").join(',')}`,
    );
    assert.deepEqual(await read(s), { value: 9, active: true });
    await root.query(`DELETE FROM ${table}`);
    assert.deepEqual(await read(s), { value: 0, active: false });
    await s.close();
  });

  const badResults = [
    { name: 'NULL', sql: 'SELECT NULL', want: /the query returned NULL/ },
    { name: 'text', sql: "SELECT 'many'", want: /the query returned "many", not a number/ },
    { name: 'no rows', sql: `SELECT 1 FROM ${table} WHERE 1 = 0`, want: /returned no rows/ },
  ];
  for (const c of badResults) {
    test(`a query returning ${c.name} is a ScalerError`, async () => {
      const s = await build({ ...rootParts, query: c.sql, queryValue: '1' });
      await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
        assert.ok(e instanceof ScalerError, String(e));
        assert.match(e.message, c.want);
        return true;
      });
      await s.close();
    });
  }

  test('a connectionString DSN from the TriggerAuthentication names the metric after its database', async () => {
    const s = await build(
      { query: 'SELECT 3', queryValue: '1' },
      { connectionString: new Secret(`${USER}:${PASSWORD}@tcp(127.0.0.1:3306)/test`) },
      ctx(0),
    );
    assert.equal(s.metricSpecs[0]?.name, 's0-mysql-test');
    assert.equal((await read(s)).value, 3);
    await s.close();
  });

  test('two triggers with the same DSN share one pool', async () => {
    const pool = new SharedConnectionPool();
    const a = await build({ ...rootParts, query: 'SELECT 1', queryValue: '1' }, {}, ctx(0, pool));
    const b = await build({ ...rootParts, query: 'SELECT 2', queryValue: '1' }, {}, ctx(1, pool));
    assert.equal(pool.opened, 1);
    await a.close();
    assert.equal((await read(b)).value, 2);
    await b.close();
    assert.equal(pool.keys.length, 0);
  });
});

describe('mysql trigger with a password user', () => {
  test('reads with the password from the TriggerAuthentication', async () => {
    const s = await build(
      { ...userParts, query: pendingQuery, queryValue: '1' },
      { password: new Secret(PASSWORD) },
    );
    assert.deepEqual(await read(s), { value: 0, active: false });
    await s.close();
  });

  test('a wrong password fails creation with a clear ScalerError without the password', async () => {
    await assert.rejects(
      build(
        { ...userParts, query: 'SELECT 1', queryValue: '1' },
        { password: new Secret('wrong-my-password') },
      ),
      (e: unknown) => {
        assert.ok(e instanceof ScalerError);
        assert.match(
          e.message,
          new RegExp(
            `^ScaledObject default/test-so trigger 0 \\(mysql\\): cannot connect to MySQL at 127\\.0\\.0\\.1:3306/test: Access denied for user '${USER}'@'[^']+' \\(using password: YES\\)$`,
          ),
        );
        assert.ok(!e.message.includes('wrong-my-password'));
        return true;
      },
    );
  });

  test('a closed port fails creation with a ScalerError naming the address', async () => {
    const port = await freePort();
    await assert.rejects(
      build(
        { ...userParts, port: String(port), query: 'SELECT 1', queryValue: '1' },
        { password: new Secret(PASSWORD) },
      ),
      (e: unknown) => {
        assert.ok(e instanceof ScalerError);
        assert.match(
          e.message,
          new RegExp(`cannot connect to MySQL at 127\\.0\\.0\\.1:${port}/test: .*ECONNREFUSED`),
        );
        assert.ok(!e.message.includes(PASSWORD));
        return true;
      },
    );
  });
});

scalerContract('mysql', () => ({
  secrets: [PASSWORD, 'bad-my-password'],
  working: (i) =>
    build(
      { ...userParts, query: 'SELECT 1', queryValue: '1' },
      { password: new Secret(PASSWORD) },
      ctx(i),
    ),
  down: async () =>
    build(
      { ...userParts, port: String(await freePort()), query: 'SELECT 1', queryValue: '1' },
      { password: new Secret(PASSWORD) },
    ),
  badCredentials: () =>
    build(
      { ...userParts, query: 'SELECT 1', queryValue: '1' },
      { password: new Secret('bad-my-password') },
    ),
}));
