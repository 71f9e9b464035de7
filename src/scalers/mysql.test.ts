import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from '../secret.js';
import { dbNameFromConnectionString, parseMysqlDsn } from './sql/mysql-dsn.js';
import { mysqlOptions, mysqlScaler } from './mysql.js';
import { getScalerDefinition } from './registry.js';
import type { ParseResult, TriggerInputs } from './core/types.js';

function inputs(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
): TriggerInputs {
  return { metadata, authParams, resolvedEnv: {}, triggerIndex: 0 };
}
function issues<M>(r: ParseResult<M>): string[] {
  if (r.ok) assert.fail('expected issues');
  return r.issues.map((i) => `${i.path}: ${i.message}`);
}
const base = { query: 'SELECT 1', queryValue: '3' };

test('builds user:pass@tcp(host:port)/db from parts, password from the TriggerAuthentication', () => {
  const r = mysqlScaler.parse(
    inputs(
      { ...base, username: 'app', host: 'db', port: '3306', dbName: 'jobs' },
      { password: new Secret('s3cret') },
    ),
  );
  if (!r.ok) return assert.fail(JSON.stringify(r.issues));
  assert.equal(r.meta.dsn.reveal(), 'app:s3cret@tcp(db:3306)/jobs');
  assert.equal(r.meta.dbName, 'jobs');
  assert.equal(JSON.stringify(r).includes('s3cret'), false);
});

test('connectionString wins; the metric dbName is its last / segment', () => {
  const r = mysqlScaler.parse(
    inputs({ ...base, dbName: 'ignored' }, { connectionString: new Secret('u:p@tcp(h:1)/orders') }),
  );
  assert.ok(r.ok);
  assert.equal(r.meta.dbName, 'orders');
});

const invalid: { name: string; md: Record<string, string>; want: string[] }[] = [
  {
    name: 'query and queryValue are required',
    md: { host: 'h' },
    want: [
      'metadata.query: missing required parameter "query" (looked in metadata)',
      'metadata.queryValue: missing required parameter "queryValue" (looked in metadata)',
    ],
  },
  {
    name: 'queryValue must be a number',
    md: { ...base, queryValue: 'lots' },
    want: ['metadata.queryValue: must be a number, got "lots"'],
  },
  {
    name: 'a password in plain metadata is not read (only auth or env), with a warning',
    md: { ...base, password: 'x', activationQueryValue: 'y' },
    want: [
      'metadata.activationQueryValue: must be a number, got "y"',
      'metadata.password: "password" is only read from a TriggerAuthentication; this value is ignored',
    ],
  },
];
for (const c of invalid)
  test(c.name, () => assert.deepEqual(issues(mysqlScaler.parse(inputs(c.md))), c.want));

test('a DSN without the database slash is accepted with a warning (KEDA accepts it), never quoted, and fails at build', async () => {
  const def = getScalerDefinition('mysql');
  assert.ok(def);
  const r = def.parse(inputs(base, { connectionString: new Secret('u:hunter2@tcp(h:1)') }));
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  assert.deepEqual(
    r.warnings.map((i) => `${i.path}: ${i.message}`),
    [
      'authenticationRef: parameter "connectionString": invalid DSN: missing the slash separating the database name. KEDA accepts this manifest, but the trigger fails there too',
    ],
  );
  const ctx = { triggerRef: 'ScaledObject default/so trigger 0 (mysql)' } as Parameters<
    typeof def.create
  >[1];
  await assert.rejects(def.create(r.meta, ctx), {
    message:
      'ScaledObject default/so trigger 0 (mysql): invalid DSN: missing the slash separating the database name',
  });
});

const dsns = [
  {
    name: 'full DSN',
    dsn: 'user:pa:ss@tcp(db.local:3307)/app?tls=skip-verify',
    want: { user: 'user', password: 'pa:ss', net: 'tcp', addr: 'db.local:3307', dbName: 'app' },
  },
  {
    name: 'password with @ and / (last @ before the last /)',
    dsn: 'u:a@b/c@tcp(h:1)/d',
    want: { user: 'u', password: 'a@b/c', net: 'tcp', addr: 'h:1', dbName: 'd' },
  },
  {
    name: 'defaults to tcp 127.0.0.1:3306',
    dsn: '/d',
    want: { user: '', password: '', net: 'tcp', addr: '127.0.0.1:3306', dbName: 'd' },
  },
  {
    name: 'adds the default port',
    dsn: 'u@tcp(h)/d',
    want: { user: 'u', password: '', net: 'tcp', addr: 'h:3306', dbName: 'd' },
  },
];
for (const c of dsns) {
  test(`DSN parsing: ${c.name}`, () => {
    const { params: _params, ...got } = parseMysqlDsn(c.dsn);
    assert.deepEqual(got, c.want);
  });
}

test('DSN tls=skip-verify turns into TLS without verification', () => {
  const o = mysqlOptions(parseMysqlDsn('u:p@tcp(h:1)/d?tls=skip-verify'));
  assert.deepEqual(o.ssl, { rejectUnauthorized: false });
  assert.equal(o.host, 'h');
  assert.equal(o.port, 1);
});

test('an unterminated address is the driver message', () => {
  assert.throws(
    () => parseMysqlDsn('u:p@tcp(h:1/d'),
    /invalid DSN: network address not terminated \(missing closing brace\)/,
  );
});

test('dbName from a connection string keeps a query string, as KEDA does', () => {
  assert.equal(dbNameFromConnectionString('u:p@tcp(h:1)/db?tls=true'), 'db?tls=true');
});
