import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from '../secret.js';
import { buildMongoUri, escapeUserInfo, mongodb } from './mongodb.js';
import type { ParseResult, TriggerInputs } from './types.js';

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
    name: 'the empty query {} is rejected',
    md: { ...base, query: '{}', connectionString: 'mongodb://x' },
    want: [
      'metadata.query: must not be the empty document {} (KEDA rejects it; match something, e.g. {"status": "pending"})',
    ],
  },
  {
    name: 'a query that is not JSON is rejected',
    md: { ...base, query: "{status: 'x'}", connectionString: 'mongodb://x' },
    want: [
      `metadata.query: must be a JSON document (Expected property name or '}' in JSON at position 1`,
    ],
    prefix: true,
  },
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
  test(c.name, () => {
    const got = issues(mongodb.parse(inputs(c.md)));
    // JSON.parse messages vary by Node version past the position: compare a prefix there.
    if ('prefix' in c) got.forEach((g, i) => assert.ok(g.startsWith(c.want[i] ?? '?'), g));
    else assert.deepEqual(got, c.want);
  });
}

test('a connectionString written in metadata is secret and never quoted', () => {
  const r = mongodb.parse(
    inputs({ ...base, connectionString: 'mongodb://u:hunter2@h/d', queryValue: 'x' }),
  );
  assert.equal(JSON.stringify(r).includes('hunter2'), false);
});
