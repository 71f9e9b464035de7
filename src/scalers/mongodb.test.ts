import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from '../secret.js';
import { buildMongoUri, escapeUserInfo, mongodb } from './mongodb.js';
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
const base = { dbName: 'app', collection: 'jobs', query: '{"status": "pending"}', queryValue: '5' };

test('builds the URI from parts with the password percent-escaped, as a Secret', () => {
  const r = mongodb.parse(
    inputs(
      { ...base, host: 'mongo', port: '27017', username: 'user' },
      { password: new Secret('test@password') },
    ),
  );
  assert.ok(r.ok);
  assert.ok(r.meta.uri instanceof Secret);
  assert.equal(r.meta.uri.reveal(), 'mongodb://user:test%40password@mongo:27017/app');
  assert.equal(JSON.stringify(r).includes('test%40password'), false);
  assert.deepEqual(r.meta.query, { status: 'pending' });
  assert.equal(r.meta.activationQueryValue, 0);
});

test('mongodb+srv needs no port and gets none', () => {
  assert.equal(
    buildMongoUri({
      scheme: 'mongodb+srv',
      host: 'c.example',
      port: '27017',
      username: 'u',
      password: 'p',
      dbName: 'd',
    }),
    'mongodb+srv://u:p@c.example/d',
  );
});

const escapes = [
  { name: 'escapes @ : / ?', raw: 'a@b:c/d?e', want: 'a%40b%3Ac%2Fd%3Fe' },
  { name: 'keeps unreserved and Go-allowed sub-delims', raw: 'a-_.~$&+,;=', want: 'a-_.~$&+,;=' },
  { name: 'escapes non-ASCII as UTF-8 bytes', raw: 'é', want: '%C3%A9' },
];
for (const c of escapes)
  test(`user info escaping ${c.name}`, () => assert.equal(escapeUserInfo(c.raw), c.want));

test('connectionString from the TriggerAuthentication wins and parts are not required', () => {
  const r = mongodb.parse(inputs(base, { connectionString: new Secret('mongodb://x/y') }));
  assert.ok(r.ok);
  assert.equal(r.meta.uri.reveal(), 'mongodb://x/y');
});

const invalid = [
  {
    name: 'without connectionString host, port, username and password are required',
    md: base,
    want: [
      'metadata.host: is required when connectionString is not set (no host given)',
      'metadata.port: is required when connectionString is not set (no port given)',
      'metadata.username: is required when connectionString is not set (no username given)',
      'metadata.password: is required when connectionString is not set (no password given)',
    ],
  },
  {
    name: 'queryValue must be a number',
    md: { ...base, queryValue: 'many', connectionString: 'mongodb://x' },
    want: ['metadata.queryValue: must be a number, got "many"'],
  },
];
for (const c of invalid) {
  test(c.name, () => assert.deepEqual(issues(mongodb.parse(inputs(c.md))), c.want));
}

// KEDA parses the query at each poll: a bad one is accepted and every read fails.
const badQueries = [
  {
    name: 'the empty query {} is accepted with a warning, as KEDA accepts it, and fails at build',
    query: '{}',
    want: 'metadata.query: must not be the empty document {} (every read fails with "empty bson document"; match something, e.g. {"status": "pending"})',
  },
  {
    name: 'a query that is not JSON is accepted with a warning and fails at build',
    query: "{status: 'x'}",
    // JSON.parse messages vary by Node version past the position: compare a prefix.
    want: `metadata.query: must be a JSON document (Expected property name or '}' in JSON at position 1`,
  },
];
for (const c of badQueries) {
  test(c.name, async () => {
    const def = getScalerDefinition('mongodb');
    assert.ok(def);
    const r = def.parse(inputs({ ...base, query: c.query, connectionString: 'mongodb://x' }));
    if (!r.ok) assert.fail(JSON.stringify(r.issues));
    const w = r.warnings.map((i) => `${i.path}: ${i.message}`);
    assert.equal(w.length, 1);
    assert.ok(w[0]?.startsWith(c.want), w[0]);
    assert.match(w[0] ?? '', /KEDA accepts this manifest, but the trigger fails there too$/);
    const ctx = { triggerRef: 'ScaledJob default/sj trigger 0 (mongodb)' } as Parameters<
      typeof def.create
    >[1];
    await assert.rejects(def.create(r.meta, ctx), (e: Error) =>
      e.message.startsWith(
        `ScaledJob default/sj trigger 0 (mongodb): ${c.want.slice('metadata.query: '.length)}`,
      ),
    );
  });
}

test('a connectionString written in metadata is secret and never quoted', () => {
  const r = mongodb.parse(
    inputs({ ...base, connectionString: 'mongodb://u:hunter2@h/d', queryValue: 'x' }),
  );
  assert.equal(JSON.stringify(r).includes('hunter2'), false);
});
