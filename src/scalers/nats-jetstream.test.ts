import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consumerLag, jszUrl, natsJetStream, type NatsJetStreamMeta } from './nats-jetstream.js';
import { getScalerDefinition } from './registry.js';
import type { ParseResult, TriggerInputs } from './core/types.js';

function inputs(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
): TriggerInputs {
  return { metadata, authParams, resolvedEnv: {}, triggerIndex: 0 };
}
function ok<M>(r: ParseResult<M>): M {
  if (!r.ok) assert.fail(`expected ok, got ${JSON.stringify(r.issues)}`);
  return r.meta;
}
function issues<M>(r: ParseResult<M>): string[] {
  if (r.ok) assert.fail('expected issues');
  return r.issues.map((i) => `${i.path}: ${i.message}`);
}
const base = {
  natsServerMonitoringEndpoint: 'nats:8222',
  account: '$G',
  stream: 's',
  consumer: 'c',
};

test('defaults follow KEDA: lagThreshold 10, activation 0, http', () => {
  const m = ok(natsJetStream.parse(inputs(base)));
  assert.deepEqual(m, {
    endpoint: 'nats:8222',
    account: '$G',
    stream: 's',
    consumer: 'c',
    lagThreshold: 10,
    activationLagThreshold: 0,
    useHttps: false,
  });
});

test('the endpoint and account come from the TriggerAuthentication first; accountID is an alias', () => {
  const m = ok(
    natsJetStream.parse(
      inputs(
        { natsServerMonitoringEndpoint: 'meta:1', accountID: 'ACC', stream: 's', consumer: 'c' },
        { natsServerMonitoringEndpoint: 'auth:2' },
      ),
    ),
  );
  assert.equal(m.endpoint, 'auth:2');
  assert.equal(m.account, 'ACC');
});

const failures: { name: string; md: Record<string, string>; want: string[] }[] = [
  {
    name: 'stream, consumer and the endpoint are required',
    md: { account: 'a' },
    want: [
      'metadata.natsServerMonitoringEndpoint: missing required parameter "natsServerMonitoringEndpoint" (looked in TriggerAuthentication, metadata)',
      'metadata.stream: missing required parameter "stream" (looked in metadata)',
      'metadata.consumer: missing required parameter "consumer" (looked in metadata)',
    ],
  },
  {
    name: 'account (or accountID) is required',
    md: { natsServerMonitoringEndpoint: 'n:1', stream: 's', consumer: 'c' },
    want: ['metadata.account: missing required parameter "account" (or "accountID")'],
  },
  {
    name: 'useHttps must be a boolean',
    md: { ...base, useHttps: 'yes' },
    want: ['metadata.useHttps: must be a boolean (true or false), got "yes"'],
  },
];
for (const c of failures)
  test(c.name, () => assert.deepEqual(issues(natsJetStream.parse(inputs(c.md))), c.want));

test('an endpoint with a scheme is accepted with a warning (KEDA accepts it) and fails at build', async () => {
  const def = getScalerDefinition('nats-jetstream');
  assert.ok(def);
  const r = def.parse(inputs({ ...base, natsServerMonitoringEndpoint: 'http://nats:8222' }));
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  assert.deepEqual(
    r.warnings.map((i) => `${i.path}: ${i.message}`),
    [
      'metadata.natsServerMonitoringEndpoint: must be host:port without a scheme (use useHttps for https), got "http://nats:8222". KEDA accepts this manifest, but the trigger fails there too',
    ],
  );
  const ctx = { triggerRef: 'ScaledObject default/so trigger 0 (nats-jetstream)' } as Parameters<
    typeof def.create
  >[1];
  await assert.rejects(def.create(r.meta, ctx), /must be host:port without a scheme/);
});

const meta: NatsJetStreamMeta = { ...ok(natsJetStream.parse(inputs(base))) };

test('the /jsz URL escapes the account and asks for config and consumers', () => {
  assert.equal(jszUrl(meta), 'http://nats:8222/jsz?acc=%24G&config=true&consumers=true');
  assert.equal(jszUrl({ ...meta, useHttps: true }).slice(0, 8), 'https://');
});

const jsz = {
  account_details: [
    {
      name: 'app',
      id: 'ACCID',
      stream_detail: [
        {
          name: 's',
          config: { name: 's' },
          consumer_detail: [{ name: 'c', num_pending: 4, num_ack_pending: 3 }],
        },
      ],
    },
  ],
};
const lags = [
  { name: 'pending plus ack-pending, account found by id', m: { account: 'ACCID' }, want: 7 },
  { name: 'account found by name', m: { account: 'app' }, want: 7 },
];
for (const c of lags)
  test(`consumerLag: ${c.name}`, () => assert.equal(consumerLag(jsz, { ...meta, ...c.m }), c.want));

const missing = [
  { m: { account: 'x' }, want: 'account "x" not found (or it has no JetStream streams)' },
  { m: { account: 'app', stream: 'y' }, want: 'stream "y" not found in account "app"' },
  { m: { account: 'app', consumer: 'z' }, want: 'consumer "z" not found on stream "s"' },
];
for (const c of missing)
  test(`consumerLag: ${c.want}`, () =>
    assert.throws(() => consumerLag(jsz, { ...meta, ...c.m }), { message: c.want }));
