import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from '../../secret.js';
import { backlogValue, celery, CELERY_BACKLOG_SCRIPT } from './celery.js';
import { parseBrokerUrl } from './metadata.js';
import { getScalerDefinition } from '../registry.js';
import type { ParseResult, TriggerInputs } from '../core/types.js';

function inputs(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  resolvedEnv: TriggerInputs['resolvedEnv'] = {},
): TriggerInputs {
  return { metadata, authParams, resolvedEnv, triggerIndex: 0 };
}
function ok<M>(r: ParseResult<M>): M {
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify(r.issues)}`);
  return r.meta;
}
function issues<M>(r: ParseResult<M>): string[] {
  if (r.ok) assert.fail('expected issues');
  return r.issues.filter((i) => i.severity === 'error').map((i) => `${i.path}: ${i.message}`);
}

test('celery is registered as a tide-only trigger', () => {
  assert.equal(getScalerDefinition('celery')?.tideOnly, true);
});

test('defaults: queue celery, in-flight counted, 5 tasks per replica, activation 0', () => {
  const m = ok(celery.parse(inputs({ address: 'localhost:6379' })));
  assert.deepEqual(m.queues, ['celery']);
  assert.equal(m.includeInFlight, true);
  assert.equal(m.tasksPerReplica, 5);
  assert.equal(m.activationTasks, 0);
  assert.deepEqual(m.connection.addresses, [{ host: 'localhost', port: 6379 }]);
  assert.equal(m.connection.mode, 'standalone');
});

test('queues are a comma list, trimmed and without duplicates', () => {
  const m = ok(celery.parse(inputs({ address: 'h:1', queues: ' celery, hipri ,celery' })));
  assert.deepEqual(m.queues, ['celery', 'hipri']);
});

const urls = [
  {
    name: 'a plain URL gives host, port and database',
    url: 'redis://broker:6380/2',
    want: { addr: 'broker:6380', db: 2, user: undefined, pw: undefined, tls: false },
  },
  {
    name: 'the port defaults to 6379 and the database to 0',
    url: 'redis://broker',
    want: { addr: 'broker:6379', db: 0, user: undefined, pw: undefined, tls: false },
  },
  {
    name: 'a password without user, percent-decoded',
    url: 'redis://:p%40ss@broker:6379/0',
    want: { addr: 'broker:6379', db: 0, user: undefined, pw: 'p@ss', tls: false },
  },
  {
    name: 'user and password (Redis ACL)',
    url: 'redis://app:pw@broker:6379/1',
    want: { addr: 'broker:6379', db: 1, user: 'app', pw: 'pw', tls: false },
  },
  {
    name: 'rediss:// turns TLS on',
    url: 'rediss://broker:6380',
    want: { addr: 'broker:6380', db: 0, user: undefined, pw: undefined, tls: true },
  },
  {
    name: 'an IPv6 host in brackets',
    url: 'redis://[::1]:6379/0',
    want: { addr: '::1:6379', db: 0, user: undefined, pw: undefined, tls: false },
  },
];
for (const c of urls) {
  test(`url: ${c.name}`, () => {
    const m = ok(celery.parse(inputs({}, { url: new Secret(c.url) })));
    const a = m.connection.addresses[0];
    assert.equal(`${a?.host}:${a?.port}`, c.want.addr);
    assert.equal(m.connection.databaseIndex, c.want.db);
    assert.equal(m.connection.username, c.want.user);
    assert.equal(m.connection.password?.reveal(), c.want.pw);
    assert.equal(m.connection.tls !== undefined, c.want.tls);
  });
}

test('url comes from metadata, then the TriggerAuthentication, then urlFromEnv', () => {
  const fromAuth = ok(
    celery.parse(inputs({ urlFromEnv: 'U' }, { url: 'redis://auth:1' }, { U: 'redis://env:2' })),
  );
  assert.equal(fromAuth.connection.addresses[0]?.host, 'auth');
  const fromEnv = ok(
    celery.parse(inputs({ urlFromEnv: 'U' }, {}, { U: new Secret('redis://env:2/3') })),
  );
  assert.equal(fromEnv.connection.addresses[0]?.host, 'env');
  assert.equal(fromEnv.connection.databaseIndex, 3);
});

test('a password parameter fills a URL without one; the URL password wins otherwise', () => {
  const filled = ok(
    celery.parse(inputs({ url: 'redis://h:1' }, { password: new Secret('from-auth') })),
  );
  assert.equal(filled.connection.password?.reveal(), 'from-auth');
  const own = ok(
    celery.parse(inputs({ url: 'redis://:mine@h:1' }, { password: new Secret('from-auth') })),
  );
  assert.equal(own.connection.password?.reveal(), 'mine');
});

test('password comes from metadata, then passwordFromEnv, then the TriggerAuthentication', () => {
  const m = ok(
    celery.parse(
      inputs(
        { host: 'h', port: '1', passwordFromEnv: 'P' },
        { password: new Secret('auth') },
        { P: new Secret('env') },
      ),
    ),
  );
  assert.equal(m.connection.password?.reveal(), 'env');
});

const failures: { name: string; md: Record<string, string>; want: string[] }[] = [
  {
    name: 'no url and no address is an error naming both ways',
    md: {},
    want: [
      'metadata.address: no addresses or hosts given: set address (a comma-separated list of host:port) or host and port',
    ],
  },
  {
    name: 'url together with address is an error',
    md: { url: 'redis://h:1', address: 'h:1' },
    want: [
      'metadata.address: cannot be combined with `url`: give the broker URL or the address, not both',
    ],
  },
  {
    name: 'a URL with another scheme is rejected without quoting the URL',
    md: { url: 'amqp://guest:s3cret@h:5672//' },
    want: ['metadata.url: must use the redis:// or rediss:// scheme, not amqp://'],
  },
  {
    name: 'a URL that is not a URL is rejected without quoting it',
    md: { url: 's3cret-not-a-url' },
    want: ['metadata.url: must be a URL like redis://host:6379/0'],
  },
  {
    name: 'a non-integer tasksPerReplica names the field and the value',
    md: { address: 'h:1', tasksPerReplica: 'five' },
    want: ['metadata.tasksPerReplica: must be an integer, got "five"'],
  },
  {
    name: 'includeInFlight must be a Go boolean',
    md: { address: 'h:1', includeInFlight: 'yes' },
    want: ['metadata.includeInFlight: must be a boolean (true or false), got "yes"'],
  },
  {
    name: 'an empty queue list is an error',
    md: { address: 'h:1', queues: ' , ' },
    want: ['metadata.queues: must name at least one queue'],
  },
];
for (const c of failures) {
  test(c.name, () => {
    const got = issues(celery.parse(inputs(c.md)));
    assert.deepEqual(got, c.want);
    for (const g of got) assert.ok(!g.includes('s3cret'), `leaks the URL: ${g}`);
  });
}

test('enableTLS with the TriggerAuthentication tls parameter is an error, as for redis', () => {
  assert.deepEqual(
    issues(celery.parse(inputs({ address: 'h:1', enableTLS: 'true' }, { tls: 'enable' }))),
    [
      'metadata.enableTLS: cannot be set when the TriggerAuthentication also sets `tls`; use one of them',
    ],
  );
});

test('parseBrokerUrl rejects a database that is not a number', () => {
  assert.equal(parseBrokerUrl('redis://h:1/zero'), 'the database in the path must be a number');
});

const values = [
  { name: 'waiting only when in-flight is off', b: { waiting: 3, inFlight: 4 }, inc: false, v: 3 },
  { name: 'waiting plus in-flight when on', b: { waiting: 3, inFlight: 4 }, inc: true, v: 7 },
  { name: 'in-flight alone keeps the count up', b: { waiting: 0, inFlight: 2 }, inc: true, v: 2 },
];
for (const c of values)
  test(`backlog value: ${c.name}`, () => assert.equal(backlogValue(c.b, c.inc), c.v));

test("the script names kombu's separator as Lua decimal escapes", () => {
  assert.match(CELERY_BACKLOG_SCRIPT, /local SEP = '\\6\\22'/);
});
