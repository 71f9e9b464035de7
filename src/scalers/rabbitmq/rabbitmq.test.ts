import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from '../../secret.js';
import { compose, managementUrl, queueStats, vhostAndPath } from './http.js';
import { maskUserInfo, queryEscape } from './metadata.js';
import { measure, rabbitmq } from './rabbitmq.js';
import type { ParseResult, TriggerInputs } from '../core/types.js';

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
function meta(md: Record<string, string>, auth: TriggerInputs['authParams'] = {}) {
  const r = rabbitmq.parse(inputs(md, auth));
  if (!r.ok) return assert.fail(JSON.stringify(r.issues));
  return r.meta;
}
const amqp = { queueName: 'jobs', host: 'amqp://guest:guest@mq:5672/' };
const http = { queueName: 'jobs', host: 'http://guest:guest@mq:15672/' };

const valid = [
  { name: 'nothing set means QueueLength 20', md: amqp, want: { mode: 'QueueLength', value: 20 } },
  {
    name: 'deprecated queueLength means QueueLength with that value',
    md: { ...amqp, queueLength: '7' },
    want: { mode: 'QueueLength', value: 7 },
  },
  {
    name: 'mode and value together',
    md: { ...http, mode: 'MessageRate', value: '2.5' },
    want: { mode: 'MessageRate', value: 2.5 },
  },
];
for (const c of valid) {
  test(`valid: ${c.name}`, () => {
    const m = meta(c.md);
    assert.deepEqual({ mode: m.mode, value: m.value }, c.want);
  });
}

test('the protocol is inferred from the host scheme', () => {
  assert.equal(meta(amqp).protocol, 'amqp');
  assert.equal(meta({ ...amqp, host: 'amqps://mq/' }).protocol, 'amqp');
  assert.equal(meta(http).protocol, 'http');
});

test('username and password from the TriggerAuthentication go into the URL user info', () => {
  const m = meta(
    { queueName: 'q', host: 'http://mq:15672/vh' },
    { username: 'u', password: new Secret('p@ss') },
  );
  assert.equal(m.url.reveal(), 'http://u:p%40ss@mq:15672/vh');
  assert.equal(JSON.stringify(m).includes('p%40ss'), false);
});

const invalid: { name: string; md: Record<string, string>; want: string[] }[] = [
  {
    name: 'queueLength cannot be combined with mode/value',
    md: { ...http, queueLength: '5', mode: 'QueueLength', value: '5' },
    want: ['metadata.queueLength: queueLength is deprecated; configure only mode and value'],
  },
  {
    name: 'mode without value',
    md: { ...http, mode: 'QueueLength' },
    want: ['metadata.value: value must be specified (mode is set)'],
  },
  {
    name: 'value without mode',
    md: { ...http, value: '3' },
    want: ['metadata.mode: mode must be specified (value is set)'],
  },
  {
    name: 'rate modes need http',
    md: { ...amqp, mode: 'MessageRate', value: '1' },
    want: ['metadata.mode: protocol amqp not supported; must be http to use mode MessageRate'],
  },
  {
    name: 'an unknown mode',
    md: { ...http, mode: 'Length', value: '1' },
    want: [
      'metadata.mode: must be one of QueueLength, MessageRate, DeliverGetRate, PublishedToDeliveredRatio, ExpectedQueueConsumptionTime, got "Length"',
    ],
  },
  {
    name: 'an unknown host scheme, without quoting the host',
    md: { queueName: 'q', host: 'ftp://u:secretpw@mq/' },
    want: ['metadata.host: unknown host URL scheme `ftp` (expected amqp, amqps, http or https)'],
  },
  {
    name: 'timeout with amqp',
    md: { ...amqp, timeout: '5s' },
    want: ["metadata.timeout: amqp protocol doesn't support custom timeouts"],
  },
  {
    name: 'useRegex and excludeUnacknowledged with amqp',
    md: { ...amqp, useRegex: 'true', excludeUnacknowledged: 'true' },
    want: [
      'metadata.useRegex: configure only useRegex with http protocol',
      'metadata.excludeUnacknowledged: configure excludeUnacknowledged=true with http protocol only',
    ],
  },
  {
    name: 'pageSize below 1',
    md: { ...http, useRegex: 'true', pageSize: '0' },
    want: ['metadata.pageSize: pageSize should be 1 or greater'],
  },
  {
    name: 'queueName is required',
    md: { host: 'amqp://mq/' },
    want: ['metadata.queueName: missing required parameter "queueName" (looked in metadata)'],
  },
];
for (const c of invalid)
  test(`invalid: ${c.name}`, () => assert.deepEqual(issues(rabbitmq.parse(inputs(c.md))), c.want));

test('username without password is an error', () => {
  assert.deepEqual(issues(rabbitmq.parse(inputs(amqp, { username: 'u' }))), [
    'authenticationRef: parameter "username": username and password must be given together',
  ]);
});

test('tls enable with a cert but no key is an error', () => {
  assert.deepEqual(issues(rabbitmq.parse(inputs(amqp, { tls: 'enable', cert: 'CERT' }))), [
    'authenticationRef: parameter "cert": cert and key must be given together',
  ]);
});

const vhosts = [
  { name: 'root path is %2F', path: '/', want: { vhost: '/%2F', prefix: '' } },
  { name: 'empty path is %2F', path: '', want: { vhost: '/%2F', prefix: '' } },
  { name: 'last segment is the vhost', path: '/vh', want: { vhost: '/vh', prefix: '' } },
  { name: 'a prefix path is kept', path: '/rmq/vh', want: { vhost: '/vh', prefix: '/rmq' } },
  // Go's path.Join drops empty segments: `sub1//` is prefix /sub1 and the root vhost.
  { name: 'empty segments are dropped', path: '/sub1//', want: { vhost: '/%2F', prefix: '/sub1' } },
];
for (const c of vhosts)
  test(`vhost from URL: ${c.name}`, () => assert.deepEqual(vhostAndPath(c.path), c.want));

test('management URLs: plain, vhostName override, regex listing', () => {
  assert.equal(managementUrl(meta(http)).url.toString(), 'http://mq:15672/api/queues/%2F/jobs');
  assert.equal(
    managementUrl(meta({ ...http, vhostName: 'a/b' })).url.toString(),
    'http://mq:15672/api/queues/a%2Fb/jobs',
  );
  assert.equal(
    managementUrl(
      meta({ ...http, queueName: 'job.*', useRegex: 'true', pageSize: '10' }),
    ).url.toString(),
    'http://mq:15672/api/queues/%2F?page=1&use_regex=true&pagination=false&name=job.%2A&page_size=10',
  );
  const { user, password } = managementUrl(meta(http));
  assert.deepEqual([user, password], ['guest', 'guest']);
});

test('queue names are URL-escaped then normalized in the metric name', () => {
  assert.equal(queryEscape('namespace/name'), 'namespace%2Fname');
  assert.equal(queryEscape('a b'), 'a+b');
});

test('user:password@ is masked in messages, with or without a URL scheme (as KEDA masks it)', () => {
  assert.equal(
    maskUserInfo('dial amqp://guest:pw@mq:5672/ failed'),
    'dial amqp://user:password@mq:5672/ failed',
  );
  assert.equal(
    maskUserInfo('this user1:password1@domain.com fails'),
    'this user:password@domain.com fails',
  );
});

const stats = (messages: number, publishRate: number, deliverRate: number) => ({
  messages,
  publishRate,
  deliverRate,
});
const modes = [
  {
    name: 'QueueLength strict >',
    mode: 'QueueLength',
    s: stats(2, 0, 0),
    want: { value: 2, isActive: false },
  },
  {
    name: 'MessageRate active on backlog',
    mode: 'MessageRate',
    s: stats(3, 0, 0),
    want: { value: 0, isActive: true },
  },
  {
    name: 'DeliverGetRate',
    mode: 'DeliverGetRate',
    s: stats(0, 0, 4),
    want: { value: 4, isActive: true },
  },
  {
    name: 'ratio with nothing delivered reports activationValue and is active',
    mode: 'PublishedToDeliveredRatio',
    s: stats(0, 5, 0),
    want: { value: 2, isActive: true },
  },
  {
    name: 'ratio',
    mode: 'PublishedToDeliveredRatio',
    s: stats(0, 6, 2),
    want: { value: 3, isActive: true },
  },
  {
    name: 'consumption time with no messages is 0',
    mode: 'ExpectedQueueConsumptionTime',
    s: stats(0, 5, 1),
    want: { value: 0, isActive: false },
  },
  {
    name: 'consumption time formula',
    mode: 'ExpectedQueueConsumptionTime',
    s: stats(10, 3, 2),
    want: { value: 5.5, isActive: true },
  },
] as const;
for (const c of modes)
  test(`measure: ${c.name}`, () =>
    assert.deepEqual(measure({ mode: c.mode, activationValue: 2 }, c.s), c.want));

test('regex results compose each field by sum, avg and max, the deliver rate too (KEDA getComposedQueue)', () => {
  const q = (
    messages: number,
    messagesReady: number,
    publishRate: number,
    deliverRate: number,
  ) => ({
    messages,
    messagesReady,
    publishRate,
    deliverRate,
  });
  const items = [q(3, 1, 1, 9), q(4, 2, 2, 5)];
  assert.deepEqual(compose(items, 'sum'), q(7, 3, 3, 14));
  assert.deepEqual(compose(items, 'avg'), q(3, 1, 1.5, 7));
  assert.deepEqual(compose(items, 'max'), q(4, 2, 2, 9));
  assert.deepEqual(compose([], 'sum'), q(0, 0, 0, 0));
});

test('DeliverGetRate over queues matched by a regex reads their deliver rate (was always 0)', () => {
  const composed = compose(
    [
      { messages: 0, messagesReady: 0, publishRate: 0, deliverRate: 4 },
      { messages: 0, messagesReady: 0, publishRate: 0, deliverRate: 0 },
    ],
    'max',
  );
  assert.deepEqual(
    measure({ mode: 'DeliverGetRate', activationValue: 0 }, queueStats(composed, false)),
    {
      value: 4,
      isActive: true,
    },
  );
});

const oauthCases: {
  name: string;
  md: Record<string, string>;
  auth: TriggerInputs['authParams'];
  want: string[];
}[] = [
  {
    name: 'OAuth2 needs all of oauthTokenURI, clientID and clientSecret',
    md: http,
    auth: { oauthTokenURI: 'http://idp/token' },
    want: [
      'authenticationRef: parameter "oauthTokenURI": oauthTokenURI, clientID and clientSecret must be given together',
    ],
  },
  {
    name: 'OAuth2 is HTTP only',
    md: amqp,
    auth: { oauthTokenURI: 'http://idp/token', clientID: 'c', clientSecret: new Secret('s') },
    want: [
      'authenticationRef: parameter "oauthTokenURI": OAuth2 is only supported with the http protocol',
    ],
  },
  {
    name: 'OAuth2 cannot be combined with username and password',
    md: http,
    auth: {
      oauthTokenURI: 'http://idp/token',
      clientID: 'c',
      clientSecret: new Secret('s'),
      username: 'u',
      password: new Secret('p'),
    },
    want: [
      'authenticationRef: parameter "oauthTokenURI": OAuth2 cannot be combined with username and password',
    ],
  },
];
for (const c of oauthCases)
  test(c.name, () => assert.deepEqual(issues(rabbitmq.parse(inputs(c.md, c.auth))), c.want));

test('OAuth2 scopes and endpointParams are parsed into the token request settings', () => {
  const m = meta(http, {
    oauthTokenURI: 'http://idp/token',
    clientID: 'c',
    clientSecret: new Secret('s'),
    scopes: 'a, b',
    endpointParams: 'audience=rmq&x=1',
  });
  assert.deepEqual(m.oauth?.scopes, ['a', 'b']);
  assert.equal(m.oauth?.endpointParams.toString(), 'audience=rmq&x=1');
});
