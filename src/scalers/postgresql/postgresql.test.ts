import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from '../../secret.js';
import { buildLibpq, parseLibpq, pgConfig, quoteLibpq } from './connection.js';
import { postgresql } from './postgresql.js';
import { getScalerDefinition } from '../registry.js';
import { scanFloat } from '../sql/value.js';
import type { ParseResult, TriggerInputs } from '../core/types.js';

function inputs(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  extra: Partial<TriggerInputs> = {},
): TriggerInputs {
  return { metadata, authParams, resolvedEnv: {}, triggerIndex: 0, ...extra };
}
function issues<M>(r: ParseResult<M>): string[] {
  if (r.ok) assert.fail('expected issues');
  return r.issues.map((i) => `${i.path}: ${i.message}`);
}
const parts = {
  query: 'SELECT 1',
  targetQueryValue: '5',
  host: 'db',
  port: '5432',
  userName: 'app',
  dbName: 'jobs',
  sslmode: 'disable',
};

test('builds the libpq string from parts with the password from the TriggerAuthentication', () => {
  const r = postgresql.parse(inputs(parts, { password: new Secret("p w'\\x") }));
  if (!r.ok) return assert.fail(JSON.stringify(r.issues));
  assert.equal(
    r.meta.connection.reveal(),
    "host=db port=5432 user=app dbname=jobs sslmode=disable password='p w\\'\\\\x'",
  );
  assert.equal(JSON.stringify(r).includes('p w'), false);
  assert.equal(r.meta.activationTargetQueryValue, 0);
});

test('the password is appended even when empty', () => {
  const r = postgresql.parse(inputs(parts));
  assert.ok(r.ok);
  assert.match(r.meta.connection.reveal(), / password=$/);
});

test('host and the other parts come from the TriggerAuthentication before metadata', () => {
  const r = postgresql.parse(inputs(parts, { host: 'from-auth' }));
  assert.ok(r.ok);
  assert.match(r.meta.connection.reveal(), /^host=from-auth /);
});

test('connection from the env wins and the parts are not required', () => {
  const r = postgresql.parse({
    ...inputs({ query: 'SELECT 1', targetQueryValue: '2', connectionFromEnv: 'PG' }),
    resolvedEnv: { PG: new Secret('postgresql://u:pw@h:5432/d') },
  });
  assert.ok(r.ok);
  assert.equal(r.meta.connection.reveal(), 'postgresql://u:pw@h:5432/d');
});

const invalid = [
  {
    name: 'without connection every part is required, each named',
    md: { query: 'SELECT 1', targetQueryValue: '5' },
    want: [
      'metadata.host: no host given (required when connection is not set)',
      'metadata.port: no port given (required when connection is not set)',
      'metadata.userName: no userName given (required when connection is not set)',
      'metadata.dbName: no dbName given (required when connection is not set)',
      'metadata.sslmode: no sslmode given (required when connection is not set)',
    ],
  },
  {
    name: 'query is required',
    md: { ...parts, query: ' ' },
    want: ['metadata.query: missing required parameter "query" (looked in metadata)'],
  },
  {
    name: 'targetQueryValue 0 is rejected as in KEDA',
    md: { ...parts, targetQueryValue: '0' },
    want: ['metadata.targetQueryValue: must be a positive number, got "0"'],
  },
  {
    name: 'a negative targetQueryValue is rejected (the HPA would refuse it)',
    md: { ...parts, targetQueryValue: '-2.5' },
    want: ['metadata.targetQueryValue: must be a positive number, got "-2.5"'],
  },
  {
    name: 'a missing targetQueryValue is rejected',
    md: { ...parts, targetQueryValue: '' },
    want: ['metadata.targetQueryValue: no targetQueryValue given (it is required)'],
  },
  {
    name: 'activationTargetQueryValue must be a number',
    md: { ...parts, activationTargetQueryValue: 'x' },
    want: ['metadata.activationTargetQueryValue: must be a number, got "x"'],
  },
];
for (const c of invalid)
  test(c.name, () => assert.deepEqual(issues(postgresql.parse(inputs(c.md))), c.want));

test('targetQueryValue may be absent when the trigger only feeds scalingModifiers', () => {
  const md = { ...parts, targetQueryValue: '' };
  const r = postgresql.parse(inputs(md, {}, { usedByScalingModifiers: true }));
  assert.ok(r.ok);
});

test('a connection in plain metadata is ignored with a warning, as KEDA ignores it', () => {
  const r = postgresql.parse(inputs({ ...parts, connection: 'host=x' }));
  assert.ok(r.ok);
  assert.deepEqual(
    r.warnings.map((w) => `${w.path}: ${w.message}`),
    [
      'metadata.connection: "connection" is only read from a TriggerAuthentication; this value is ignored',
    ],
  );
  assert.match(r.meta.connection.reveal(), /^host=db /);
});

const quoting = [
  { name: 'plain values stay bare', raw: 'abc', want: 'abc' },
  { name: 'spaces are quoted', raw: 'a b', want: "'a b'" },
  { name: 'quotes and backslashes are escaped', raw: "it's\\", want: "'it\\'s\\\\'" },
];
for (const c of quoting)
  test(`libpq quoting: ${c.name}`, () => assert.equal(quoteLibpq(c.raw), c.want));

test('libpq parsing reads back what buildLibpq writes', () => {
  const s = buildLibpq({
    host: 'h',
    port: '1',
    userName: 'u s',
    dbName: 'd',
    sslmode: 'require',
    password: "p'\\w",
  });
  assert.deepEqual(
    [...parseLibpq(s)],
    [
      ['host', 'h'],
      ['port', '1'],
      ['user', 'u s'],
      ['dbname', 'd'],
      ['sslmode', 'require'],
      ['password', "p'\\w"],
    ],
  );
  assert.deepEqual(pgConfig(s).config.ssl, { rejectUnauthorized: false });
});

test('a connection that is not libpq is accepted with a warning (KEDA accepts it), never quoted, and fails at build', async () => {
  const def = getScalerDefinition('postgresql');
  assert.ok(def);
  const r = def.parse(
    inputs({ query: 'q', targetQueryValue: '1' }, { connection: new Secret("password='abc") }),
  );
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  assert.deepEqual(
    r.warnings.map((i) => `${i.path}: ${i.message}`),
    [
      'authenticationRef: parameter "connection": the connection string is not libpq (key=value pairs or a postgresql:// URL): unterminated quoted string in connection info string. KEDA accepts this manifest, but the trigger fails there too',
    ],
  );
  const ctx = { triggerRef: 'ScaledObject default/so trigger 0 (postgresql)' } as Parameters<
    typeof def.create
  >[1];
  await assert.rejects(def.create(r.meta, ctx), {
    message:
      'ScaledObject default/so trigger 0 (postgresql): the connection string is not libpq (key=value pairs or a postgresql:// URL): unterminated quoted string in connection info string',
  });
});

const scans = [
  { name: 'a number', rows: [[3]], want: { value: 3 } },
  { name: 'a numeric string (bigint, numeric)', rows: [['12.5']], want: { value: 12.5 } },
  {
    name: 'no rows',
    rows: [],
    want: { error: 'the query returned no rows (expected one number)' },
  },
  {
    name: 'NULL',
    rows: [[null]],
    want: { error: 'the query returned NULL (expected a number; wrap it in COALESCE(..., 0))' },
  },
  { name: 'text', rows: [['abc']], want: { error: 'the query returned "abc", not a number' } },
  {
    name: 'a boolean',
    rows: [[true]],
    want: { error: 'the query returned a boolean, not a number' },
  },
];
for (const c of scans)
  test(`scanFloat: ${c.name}`, () => assert.deepEqual(scanFloat(c.rows), c.want));
