import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from '../../secret.js';
import { kafkaPoolKey } from './client.js';
import {
  factors,
  partitionLag,
  totalLag,
  type OffsetsSnapshot,
  type PreviousOffsets,
} from './lag.js';
import { parsePartitionList, type KafkaMeta } from './metadata.js';
import { kafka, kafkaMetricName } from './kafka.js';
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
const base = { bootstrapServers: 'b1:9092, b2:9092', consumerGroup: 'g', topic: 't' };

test('defaults follow KEDA: lagThreshold 10, activation 0, latest, no SASL, no TLS', () => {
  const m = ok(kafka.parse(inputs(base)));
  assert.deepEqual(m.brokers, ['b1:9092', 'b2:9092']);
  assert.equal(m.lagThreshold, 10);
  assert.equal(m.activationLagThreshold, 0);
  assert.equal(m.offsetResetPolicy, 'latest');
  assert.equal(m.allowIdleConsumers, false);
  assert.equal(m.sasl, 'none');
  assert.equal(m.tls, undefined);
  assert.equal(m.partitionLimitation, undefined);
});

test('bootstrapServers, consumerGroup and topic may come from the container env', () => {
  const m = ok(
    kafka.parse(
      inputs(
        { bootstrapServersFromEnv: 'B', consumerGroupFromEnv: 'G', topicFromEnv: 'T' },
        {},
        { B: 'k:9092', G: 'grp', T: 'top' },
      ),
    ),
  );
  assert.deepEqual([m.brokers, m.group, m.topic], [['k:9092'], 'grp', 'top']);
});

const failures: {
  name: string;
  md: Record<string, string>;
  auth?: TriggerInputs['authParams'];
  want: string[];
}[] = [
  {
    name: 'bootstrapServers and consumerGroup are required',
    md: {},
    want: [
      'metadata.bootstrapServers: missing required parameter "bootstrapServers" (looked in metadata, bootstrapServersFromEnv)',
      'metadata.consumerGroup: missing required parameter "consumerGroup" (looked in metadata, consumerGroupFromEnv)',
    ],
  },
  {
    name: 'lagThreshold must be greater than 0',
    md: { ...base, lagThreshold: '0' },
    want: ['metadata.lagThreshold: must be a positive number, got "0"'],
  },
  {
    name: 'a negative activationLagThreshold is rejected',
    md: { ...base, activationLagThreshold: '-1' },
    want: ['metadata.activationLagThreshold: must not be negative, got "-1"'],
  },
  {
    name: 'a non-integer lagThreshold names the value',
    md: { ...base, lagThreshold: '1.5' },
    want: ['metadata.lagThreshold: must be an integer, got "1.5"'],
  },
  {
    name: 'offsetResetPolicy is latest or earliest',
    md: { ...base, offsetResetPolicy: 'newest' },
    want: ['metadata.offsetResetPolicy: must be one of latest, earliest, got "newest"'],
  },
  {
    name: 'limitToPartitionsWithLag needs a topic',
    md: { bootstrapServers: 'b:1', consumerGroup: 'g', limitToPartitionsWithLag: 'true' },
    want: [
      'metadata.limitToPartitionsWithLag: topic must be set when limitToPartitionsWithLag is used (there is no topic to read partitions of)',
    ],
  },
  {
    name: 'ensureEvenDistributionOfPartitions needs a topic',
    md: { bootstrapServers: 'b:1', consumerGroup: 'g', ensureEvenDistributionOfPartitions: 'true' },
    want: [
      'metadata.ensureEvenDistributionOfPartitions: topic must be set when ensureEvenDistributionOfPartitions is used (there is no topic to read partitions of)',
    ],
  },
  {
    name: 'fullMetadata false needs a topic',
    md: { bootstrapServers: 'b:1', consumerGroup: 'g', fullMetadata: 'false' },
    want: ['metadata.fullMetadata: topic must be set when fullMetadata is false'],
  },
  {
    name: 'limitToPartitionsWithLag and allowIdleConsumers exclude each other',
    md: { ...base, limitToPartitionsWithLag: 'true', allowIdleConsumers: 'true' },
    want: [
      'metadata.limitToPartitionsWithLag: cannot be used together with allowIdleConsumers; use one of them',
    ],
  },
  {
    name: 'ensureEvenDistributionOfPartitions and limitToPartitionsWithLag exclude each other',
    md: { ...base, limitToPartitionsWithLag: 'true', ensureEvenDistributionOfPartitions: 'true' },
    want: [
      'metadata.ensureEvenDistributionOfPartitions: cannot be used together with limitToPartitionsWithLag; use one of them',
    ],
  },
  {
    name: 'a malformed partitionLimitation names the term',
    md: { ...base, partitionLimitation: '1,a-3' },
    want: ['metadata.partitionLimitation: "a-3" is not a partition id or a range like 1-4'],
  },
  {
    name: 'a malformed version is rejected',
    md: { ...base, version: 'latest' },
    want: [
      'metadata.version: must be a Kafka version like 2.8.0 (or 0.11.0.2 before 1.0), got "latest"',
    ],
  },
  {
    name: 'a four-part version from 1.0 on is rejected, as Sarama rejects it',
    md: { ...base, version: '1.2.3.4' },
    want: [
      'metadata.version: must be a Kafka version like 2.8.0 (or 0.11.0.2 before 1.0), got "1.2.3.4"',
    ],
  },
  {
    name: 'an unknown sasl mode is rejected',
    md: { ...base, sasl: 'kerberos' },
    want: [
      'metadata.sasl: must be one of none, plaintext, scram_sha256, scram_sha512, oauthbearer, gssapi, got "kerberos"',
    ],
  },
  {
    name: 'plaintext SASL needs username and password',
    md: { ...base, sasl: 'plaintext' },
    want: [
      'metadata.sasl: plaintext needs username in the TriggerAuthentication',
      'metadata.sasl: plaintext needs password in the TriggerAuthentication',
    ],
  },
  {
    name: 'sasl from the TriggerAuthentication is reported on the authenticationRef',
    md: base,
    auth: { sasl: 'scram_sha512', username: 'u' },
    want: [
      'authenticationRef: parameter "sasl": scram_sha512 needs password in the TriggerAuthentication',
    ],
  },
  {
    name: 'gssapi without its parameters is refused as KEDA refuses it',
    md: { ...base, sasl: 'gssapi' },
    want: [
      'metadata.sasl: gssapi needs username in the TriggerAuthentication',
      "metadata.sasl: gssapi needs exactly one of 'password' or 'keytab' in the TriggerAuthentication",
      'metadata.sasl: gssapi needs realm in the TriggerAuthentication',
      'metadata.sasl: gssapi needs kerberosConfig in the TriggerAuthentication',
    ],
  },
  {
    name: 'oauthbearer needs the client credentials and the token endpoint',
    md: { ...base, sasl: 'oauthbearer' },
    want: [
      'metadata.sasl: oauthbearer needs username, password and oauthTokenEndpointUri in the TriggerAuthentication',
    ],
  },
  {
    name: 'aws_msk_iam without TLS, region and credentials is refused as KEDA refuses it',
    md: { ...base, sasl: 'oauthbearer', saslTokenProvider: 'aws_msk_iam' },
    want: [
      'metadata.saslTokenProvider: aws_msk_iam needs tls: enable (AWS MSK requires TLS)',
      'metadata.saslTokenProvider: aws_msk_iam needs awsRegion in the trigger metadata',
      'metadata.saslTokenProvider: aws_msk_iam needs awsRoleArn, or awsAccessKeyID and awsSecretAccessKey, in the TriggerAuthentication',
    ],
  },
  {
    name: 'tls is enable or disable',
    md: { ...base, tls: 'on' },
    want: ['metadata.tls: must be one of enable, disable, got "on"'],
  },
  {
    name: 'TLS cert without key is an error',
    md: { ...base, tls: 'enable' },
    auth: { cert: 'C' },
    want: ['authenticationRef: parameter "cert": cert and key must be given together'],
  },
];
for (const c of failures)
  test(c.name, () => assert.deepEqual(issues(kafka.parse(inputs(c.md, c.auth))), c.want));

test('partitionLimitation is ignored without a topic, but parsed first, as in KEDA', () => {
  const m = ok(
    kafka.parse(
      inputs({ bootstrapServers: 'b:1', consumerGroup: 'g', partitionLimitation: '1,2' }),
    ),
  );
  assert.equal(m.partitionLimitation, undefined);
  assert.deepEqual(
    issues(
      kafka.parse(
        inputs({ bootstrapServers: 'b:1', consumerGroup: 'g', partitionLimitation: 'x' }),
      ),
    ),
    ['metadata.partitionLimitation: "x" is not a partition id or a range like 1-4'],
  );
});

const partitionLists = [
  { s: '1,2,3', want: [1, 2, 3] },
  { s: '1-4,8', want: [1, 2, 3, 4, 8] },
  { s: ' 0 - 2 , 5 ', want: [0, 1, 2, 5] },
];
for (const c of partitionLists)
  test(`partitionLimitation "${c.s}" lists ${c.want.join(',')}`, () =>
    assert.deepEqual(parsePartitionList(c.s), { ok: c.want }));

test('a reversed range adds no partition, as in KEDA', () =>
  assert.deepEqual(parsePartitionList('5-2,7'), { ok: [7] }));

/** Accepted with a warning (KEDA accepts it); the registry's create fails with the reason. */
async function unsupported(md: Record<string, string>, auth: Record<string, string>) {
  const def = getScalerDefinition('kafka');
  assert.ok(def);
  const r = def.parse(inputs(md, auth));
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  const ctx = { triggerRef: 'ScaledObject default/so trigger 0 (kafka)' } as Parameters<
    typeof def.create
  >[1];
  const failure = await def.create(r.meta, ctx).then(
    () => 'built',
    (e: Error) => e.message,
  );
  return { warnings: r.warnings.map((w) => `${w.path}: ${w.message}`), failure };
}

test('a complete gssapi configuration is accepted with a warning and the trigger fails as unsupported', async () => {
  const r = await unsupported(
    { ...base, sasl: 'gssapi' },
    { username: 'u', keytab: 'K', realm: 'R', kerberosConfig: 'C' },
  );
  assert.deepEqual(r.warnings, [
    'metadata.sasl: SASL gssapi (Kerberos) is not supported by tide: its Kafka client (kafkajs) has no Kerberos. KEDA accepts this manifest, but the trigger fails there too',
  ]);
  assert.equal(
    r.failure,
    'ScaledObject default/so trigger 0 (kafka): SASL gssapi (Kerberos) is not supported by tide: its Kafka client (kafkajs) has no Kerberos',
  );
});

test('a complete aws_msk_iam configuration is accepted with a warning and the trigger fails as unsupported', async () => {
  const r = await unsupported(
    {
      ...base,
      sasl: 'oauthbearer',
      saslTokenProvider: 'aws_msk_iam',
      tls: 'enable',
      awsRegion: 'eu-west-1',
    },
    { awsRoleArn: 'arn:aws:iam::1:role/x' },
  );
  assert.equal(r.warnings.length, 1);
  assert.match(r.failure, /aws_msk_iam token provider is not supported by tide/);
});

test('SASL and TLS material come from the TriggerAuthentication; secrets stay Secrets', () => {
  const m = ok(
    kafka.parse(
      inputs(
        { ...base, sasl: 'scram_sha256', tls: 'enable', unsafeSsl: 'true' },
        { username: 'u', password: new Secret('pw'), ca: 'CA', cert: 'C', key: new Secret('K') },
      ),
    ),
  );
  assert.equal(m.sasl, 'scram_sha256');
  assert.equal(m.username, 'u');
  assert.equal(m.password?.reveal(), 'pw');
  assert.deepEqual(
    { ...m.tls, key: m.tls?.key?.reveal() },
    { unsafeSsl: true, ca: 'CA', cert: 'C', key: 'K' },
  );
  assert.ok(!JSON.stringify(m).includes('"pw"'));
});

test('oauthbearer reads scopes and k=v extensions', () => {
  const m = ok(
    kafka.parse(
      inputs(
        { ...base, sasl: 'oauthbearer' },
        {
          username: 'id',
          password: new Secret('s'),
          oauthTokenEndpointUri: 'https://idp/token',
          scopes: 'a, b',
          oauthExtensions: 'x=1,y=2',
        },
      ),
    ),
  );
  assert.deepEqual(m.oauth, {
    tokenEndpoint: 'https://idp/token',
    scopes: ['a', 'b'],
    extensions: { x: '1', y: '2' },
  });
});

test('metric names: kafka-<topic>, or kafka-<group>-topics without a topic', () => {
  assert.equal(kafkaMetricName(1, { topic: 'my.topic', group: 'g' }), 's1-kafka-my-topic');
  assert.equal(kafkaMetricName(0, { group: 'grp' }), 's0-kafka-grp-topics');
});

test('the pool key differs by password and never contains it', () => {
  const a = ok(
    kafka.parse(inputs({ ...base, sasl: 'plaintext' }, { username: 'u', password: 'pw-one' })),
  );
  const b = ok(
    kafka.parse(inputs({ ...base, sasl: 'plaintext' }, { username: 'u', password: 'pw-two' })),
  );
  assert.notEqual(kafkaPoolKey(a), kafkaPoolKey(b));
  assert.ok(!kafkaPoolKey(a).includes('pw-one'));
});

// Lag arithmetic (kafka-lag.ts), one topic "t".
const opts: Pick<
  KafkaMeta,
  | 'lagThreshold'
  | 'offsetResetPolicy'
  | 'allowIdleConsumers'
  | 'excludePersistentLag'
  | 'scaleToZeroOnInvalidOffset'
  | 'limitToPartitionsWithLag'
  | 'ensureEvenDistributionOfPartitions'
> = {
  lagThreshold: 10,
  offsetResetPolicy: 'latest',
  allowIdleConsumers: false,
  excludePersistentLag: false,
  scaleToZeroOnInvalidOffset: false,
  limitToPartitionsWithLag: false,
  ensureEvenDistributionOfPartitions: false,
};
function snap(latest: number[], consumer: number[]): OffsetsSnapshot {
  return {
    partitions: new Map([['t', latest.map((_, i) => i)]]),
    latest: new Map([['t', new Map(latest.map((v, i) => [i, v]))]]),
    consumer: new Map([['t', new Map(consumer.map((v, i) => [i, v]))]]),
  };
}
const lagCases: {
  name: string;
  latest: number[];
  consumer: number[];
  o?: Partial<typeof opts>;
  want: [number, number];
}[] = [
  { name: 'sums latest minus committed', latest: [5, 7], consumer: [1, 7], want: [4, 4] },
  { name: 'invalid offset with latest counts 1', latest: [50], consumer: [-1], want: [1, 1] },
  {
    name: 'invalid offset with earliest counts the latest offset',
    latest: [8],
    consumer: [-1],
    o: { offsetResetPolicy: 'earliest' },
    want: [8, 8],
  },
  {
    name: 'scaleToZeroOnInvalidOffset counts 0',
    latest: [8, 3],
    consumer: [-1, 0],
    o: { offsetResetPolicy: 'earliest', scaleToZeroOnInvalidOffset: true },
    want: [3, 3],
  },
  {
    name: 'caps at partitions × lagThreshold',
    latest: [100, 0],
    consumer: [0, 0],
    want: [20, 100],
  },
  {
    name: 'integer division lets 29 through with 2 partitions',
    latest: [29, 0],
    consumer: [0, 0],
    want: [29, 29],
  },
  {
    name: 'allowIdleConsumers does not cap',
    latest: [100, 0],
    consumer: [0, 0],
    o: { allowIdleConsumers: true },
    want: [100, 100],
  },
  {
    name: 'limitToPartitionsWithLag caps at lagging partitions',
    latest: [100, 0, 0],
    consumer: [0, 0, 0],
    o: { limitToPartitionsWithLag: true },
    want: [10, 100],
  },
  {
    name: 'even distribution rounds up to a factor of the partition count',
    latest: [25, 0, 0, 0, 0, 0],
    consumer: [0, 0, 0, 0, 0, 0],
    o: { ensureEvenDistributionOfPartitions: true },
    want: [30, 25],
  },
  {
    name: 'even distribution then the cap: allowIdleConsumers does not skip them (KEDA order)',
    latest: [500, 0],
    consumer: [0, 0],
    o: { ensureEvenDistributionOfPartitions: true, allowIdleConsumers: true },
    want: [20, 500],
  },
  {
    name: 'even distribution with no lag still reports one factor',
    latest: [0, 0, 0, 0],
    consumer: [0, 0, 0, 0],
    o: { ensureEvenDistributionOfPartitions: true },
    want: [10, 0],
  },
];
for (const c of lagCases) {
  test(`lag: ${c.name}`, () => {
    const r = totalLag(snap(c.latest, c.consumer), new Map(), { ...opts, ...c.o });
    assert.deepEqual([r.totalLag, r.totalLagWithPersistent], c.want);
  });
}

test('lag: excludePersistentLag zeroes a partition whose offset did not move, for the metric only', () => {
  const prev: PreviousOffsets = new Map();
  const o = { ...opts, excludePersistentLag: true };
  assert.equal(totalLag(snap([9], [4]), prev, o).totalLag, 5);
  const stuck = totalLag(snap([9], [4]), prev, o);
  assert.deepEqual([stuck.totalLag, stuck.totalLagWithPersistent], [0, 5]);
  assert.equal(totalLag(snap([9], [6]), prev, o).totalLag, 3);
});

test('lag: a partition missing from the latest offsets counts 0, never a negative lag', () => {
  const s = snap([0, 0], [100, 100]);
  s.latest.get('t')?.delete(1);
  assert.deepEqual(partitionLag('t', 1, s, new Map(), opts), [0, 0]);
  // and it is not counted among the partitions, as KEDA iterates the latest-offset answer
  const r = totalLag(snap([115, 0], [100, 0]), new Map(), opts);
  assert.deepEqual([r.totalLag, r.partitions], [15, 2]);
  const missing = snap([115, 0], [100, 0]);
  missing.latest.get('t')?.delete(1);
  assert.deepEqual(totalLag(missing, new Map(), opts).partitions, 1);
});

test('factors are ascending', () => {
  assert.deepEqual(factors(12), [1, 2, 3, 4, 6, 12]);
  assert.deepEqual(factors(1), [1]);
  assert.deepEqual(factors(7), [1, 7]);
});
