/**
 * nats-jetstream, from KEDA `pkg/scalers/nats_jetstream_scaler_test.go`:
 * TestNATSJetStreamParseMetadata, TestNATSJetStreamGetMetricSpecForScaling,
 * TestGetNATSJetStreamEndpointHTTPS/HTTP, TestNATSJetStreamIsActive / TestNATSJetStreamGetMetrics
 * (`testNATSJetStreamMockResponses`), TestNewNATSJetStreamScaler,
 * TestNATSJetStreamgetNATSJetstreamMonitoringData, TestNATSJetStreamGetNATSJetstreamNodeURL,
 * TestNATSJetStreamGetNATSJetstreamServerURL, TestNATSJetStreamGetMaxMsgLag,
 * TestNATSJetStreamClose, TestGetNATSJetStreamMonitoringURL and the two node-URL encoding tests.
 *
 * KEDA's mock server listens on 127.0.0.1:8222 and its client redirects `*.localhost:8222`
 * there; here the endpoint `localhost:8222` is replaced by the local stub's address.
 */
import {
  consumerLag,
  jszUrl,
  natsJetStream,
  type NatsJetStreamMeta,
} from '../../../src/scalers/nats-jetstream.js';
import type { MetricSpec } from '../../../src/scalers/core/types.js';
import { table, type Case } from '../harness.js';
import { stub } from '../http-stub.js';
import {
  activityWith,
  metricSpecWith,
  parseWith,
  type ParseOutcome,
  type TriggerInput,
} from './run.js';

// Cases transcribed from the Go test tables (inputs and expected outputs as data).
const parseCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[0] All good localhost.',
    input: {
      metadata: {
        account: '$G',
        accountID: '$G',
        consumer: 'pull_consumer',
        natsServerMonitoringEndpoint: 'localhost:8222',
        stream: 'mystream',
        useHttps: 'false',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[1] All good url.',
    input: {
      metadata: {
        account: '$G',
        consumer: 'pull_consumer',
        natsServerMonitoringEndpoint: 'nats.nats:8222',
        stream: 'mystream',
        useHttps: 'true',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[2] All good uses ID over name',
    input: {
      metadata: {
        accountID: '$G',
        consumer: 'pull_consumer',
        natsServerMonitoringEndpoint: 'localhost:8222',
        stream: 'mystream',
        useHttps: 'false',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[3] nothing passed',
    input: { metadata: {} },
    keda: { result: 'error' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[4] Missing account name and ID, should fail',
    input: {
      metadata: {
        consumer: 'pull_consumer',
        natsServerMonitoringEndpoint: 'nats.nats:8222',
        stream: 'mystream',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[5] Missing stream name, should fail',
    input: {
      metadata: {
        account: '$G',
        consumer: 'pull_consumer',
        natsServerMonitoringEndpoint: 'nats.nats:8222',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[6] Missing consumer name should fail',
    input: {
      metadata: {
        account: '$G',
        natsServerMonitoringEndpoint: 'nats.nats:8222',
        stream: 'mystream',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[7] Missing nats server monitoring endpoint, should fail',
    input: { metadata: { account: '$G', stream: 'mystream' } },
    keda: { result: 'error' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[8] All good + activationLagThreshold',
    input: {
      metadata: {
        account: '$G',
        activationLagThreshold: '10',
        consumer: 'pull_consumer',
        natsServerMonitoringEndpoint: 'nats.nats:8222',
        stream: 'mystream',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[9] Misconfigured activationLagThreshold',
    input: {
      metadata: {
        account: '$G',
        activationLagThreshold: 'Y',
        consumer: 'pull_consumer',
        natsServerMonitoringEndpoint: 'nats.nats:8222',
        stream: 'mystream',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[10] natsServerMonitoringEndpoint is defined in authParams',
    input: {
      metadata: { account: '$G', consumer: 'pull_consumer', stream: 'mystream' },
      authParams: { natsServerMonitoringEndpoint: 'nats.nats:8222' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[11] Missing nats server monitoring endpoint , should fail',
    input: {
      metadata: { account: '$G', consumer: 'pull_consumer', stream: 'mystream' },
      authParams: { natsServerMonitoringEndpoint: '' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[12] Misconfigured https, should fail',
    input: {
      metadata: {
        account: '$G',
        consumer: 'pull_consumer',
        natsServerMonitoringEndpoint: 'nats.nats:8222',
        stream: 'mystream',
        useHttps: 'error',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[13] All good + lagThreshold',
    input: {
      metadata: { account: '$G', consumer: 'pull_consumer', stream: 'mystream', lagThreshold: '6' },
      authParams: { natsServerMonitoringEndpoint: 'nats.nats:8222' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[14] Misconfigured lag threshold',
    input: {
      metadata: { account: '$G', consumer: 'pull_consumer', stream: 'mystream', lagThreshold: 'Y' },
      authParams: { natsServerMonitoringEndpoint: 'nats.nats:8222' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[15] All good + account from authParams',
    input: {
      metadata: { consumer: 'pull_consumer', stream: 'mystream' },
      authParams: { account: '$G', natsServerMonitoringEndpoint: 'nats.nats:8222' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestNATSJetStreamParseMetadata testNATSJetStreamMetadata[16] Misconfigured account',
    input: {
      metadata: { consumer: 'pull_consumer', stream: 'mystream' },
      authParams: { natsServerMonitoringEndpoint: 'nats.nats:8222' },
    },
    keda: { result: 'error' },
  },
];

// End of the transcribed cases.

const go = 'pkg/scalers/nats_jetstream_scaler_test.go';

/** `testNATSJetStreamGoodMetadata`. */
const GOOD = {
  natsServerMonitoringEndpoint: 'localhost:8222',
  account: '$G',
  stream: 'mystream',
  consumer: 'pull_consumer',
  useHttps: 'false',
  activationLagThreshold: '10',
};

const metricCases: Case<TriggerInput, Partial<MetricSpec>>[] = [0, 1].map((i) => ({
  go: `TestNATSJetStreamGetMetricSpecForScaling natsJetStreamMetricIdentifiers[${i}]`,
  input: { metadata: parseCases[0]!.input.metadata, triggerIndex: i },
  keda: { name: `s${i}-nats-jetstream-mystream` },
}));

const meta = (m: Partial<NatsJetStreamMeta>): NatsJetStreamMeta => ({
  endpoint: 'nats.nats:8222',
  account: '$G',
  stream: 'mystream',
  consumer: 'pull_consumer',
  lagThreshold: 10,
  activationLagThreshold: 0,
  useHttps: false,
  ...m,
});

const urlCases: Case<NatsJetStreamMeta, string>[] = [
  {
    go: 'TestGetNATSJetStreamMonitoringURL "HTTP scheme"',
    input: meta({ useHttps: false }),
    keda: 'http://nats.nats:8222/jsz?acc=%24G&config=true&consumers=true',
  },
  {
    go: 'TestGetNATSJetStreamMonitoringURL "HTTPS scheme"',
    input: meta({ useHttps: true }),
    keda: 'https://nats.nats:8222/jsz?acc=%24G&config=true&consumers=true',
  },
  {
    go: 'TestGetNATSJetStreamMonitoringURL "Account ID with ampersand is URL-encoded and cannot inject parameters"',
    input: meta({ account: 'myaccount&consumers=false' }),
    keda: 'http://nats.nats:8222/jsz?acc=myaccount%26consumers%3Dfalse&config=true&consumers=true',
  },
];
const schemeCases: Case<NatsJetStreamMeta, string>[] = [
  { go: 'TestGetNATSJetStreamEndpointHTTPS', input: meta({ useHttps: true }), keda: 'https:' },
  { go: 'TestGetNATSJetStreamEndpointHTTP', input: meta({ useHttps: false }), keda: 'http:' },
];

/** A consumer in the shape of KEDA's `consumerDetail` JSON. */
const consumer = (name: string, extra: Record<string, unknown> = {}) => ({ name, ...extra });
const answer = (streams: unknown[], clusterSize = 0) =>
  JSON.stringify({
    account_details: [{ name: '$G', stream_detail: streams }],
    ...(clusterSize ? { meta_cluster: { cluster_size: clusterSize } } : {}),
  });

interface ReadInput {
  metadata: Record<string, string>;
  body: string;
}
const ACTIVITY: [string, Record<string, string>, string, boolean, boolean][] = [
  [
    'All Good - no messages waiting (not active)',
    GOOD,
    answer([{ name: 'mystream', consumer_detail: [consumer('pull_consumer')] }]),
    false,
    false,
  ],
  [
    'All Good - messages waiting (active)',
    GOOD,
    answer([
      { name: 'mystream', consumer_detail: [consumer('pull_consumer', { num_pending: 100 })] },
    ]),
    true,
    false,
  ],
  [
    'Fail - stream exists but configured consumer missing',
    GOOD,
    answer([
      {
        name: 'mystream',
        state: { last_seq: 1000 },
        consumer_detail: [consumer('pull_consumer_bad', { num_pending: 100 })],
      },
    ]),
    false,
    true,
  ],
  [
    'Fail - Non-matching stream name',
    GOOD,
    answer([
      {
        name: 'mystreamBad',
        state: { last_seq: 1 },
        consumer_detail: [consumer('pull_consumer', { num_pending: 100 })],
      },
    ]),
    false,
    true,
  ],
  [
    'Fail - Unresolvable nats endpoint from config',
    { ...GOOD, natsServerMonitoringEndpoint: 'asdf32423fdsafdasdf:8222', useHttps: '' },
    answer([
      { name: 'mystream', consumer_detail: [consumer('pull_consumer', { num_pending: 100 })] },
    ]),
    false,
    true,
  ],
  [
    'All Good - messages waiting (clustered)',
    GOOD,
    answer(
      [
        {
          name: 'mystream',
          consumer_detail: [
            consumer('pull_consumer', { num_pending: 100, cluster: { leader: 'leader' } }),
          ],
        },
      ],
      3,
    ),
    true,
    false,
  ],
  [
    'Not Active - consumer missing - connected to node without consumer info (clustered)',
    GOOD,
    answer([{ name: 'mystream' }], 3),
    false,
    true,
  ],
];
function readCases(test: string): Case<ReadInput, { isActive: boolean; error: boolean }>[] {
  return ACTIVITY.map(([name, metadata, body, isActive, error]) => ({
    go: `${test} testNATSJetStreamMockResponses "${name}"`,
    input: { metadata, body },
    keda: { isActive, error },
  }));
}
async function readOnce(i: ReadInput): Promise<{ isActive: boolean; error: boolean }> {
  const url = await stub.url();
  stub.answer(() => ({ status: 200, body: i.body }));
  const endpoint =
    i.metadata.natsServerMonitoringEndpoint === 'localhost:8222'
      ? url.slice('http://'.length)
      : (i.metadata.natsServerMonitoringEndpoint ?? '');
  try {
    const r = await activityWith(natsJetStream)(
      { metadata: { ...i.metadata, natsServerMonitoringEndpoint: endpoint } },
      {},
    );
    return { isActive: r.isActive, error: false };
  } catch {
    return { isActive: false, error: true };
  }
}

const newScalerCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestNewNATSJetStreamScaler (All Good)',
    input: { metadata: GOOD },
    keda: { result: 'ok' },
  },
  {
    go: 'TestNewNATSJetStreamScaler (Fail - Empty account)',
    input: { metadata: { natsServerMonitoringEndpoint: 'localhost:8222', account: '' } },
    keda: { result: 'error' },
  },
  { go: 'TestNATSJetStreamClose', input: { metadata: GOOD }, keda: { result: 'ok' } },
];

const badJsonCases: Case<ReadInput, { isActive: boolean; error: boolean }>[] = [
  {
    go: 'TestNATSJetStreamgetNATSJetstreamMonitoringData (invalid JSON)',
    input: { metadata: GOOD, body: '{invalidJSON}' },
    keda: { isActive: false, error: true },
  },
];

/** KEDA re-queries the consumer's leader node in a cluster; tide reads the one server given. */
const nodeUrlCases: Case<null, string>[] = [
  'TestNATSJetStreamGetNATSJetstreamNodeURL',
  'TestNATSJetStreamGetNATSJetstreamServerURL',
  'TestNATSJetStreamMonitoringNodeURLEncoding',
  'TestNATSJetStreamMonitoringNodeURLByNodeEncoding',
].map((go) => ({
  go,
  input: null,
  keda: 'a node URL built from the cluster answer',
  differs: { id: 'nats-cluster-leader', tide: 'not built: tide reads the configured server only' },
}));

const lagCases: Case<{ consumers: unknown[] }, number | 'error'>[] = [
  {
    go: 'TestNATSJetStreamGetMaxMsgLag "consumer present returns pending+ackPending"',
    input: { consumers: [{ name: 'pull_consumer', num_pending: 7, num_ack_pending: 3 }] },
    keda: 10,
  },
  {
    go: 'TestNATSJetStreamGetMaxMsgLag "stream exists but consumer missing returns error and zero lag"',
    input: { consumers: [{ name: 'some_other_consumer', num_pending: 100 }] },
    keda: 'error',
  },
];
function lagOf(i: { consumers: unknown[] }): number | 'error' {
  try {
    return consumerLag(
      JSON.parse(
        answer([{ name: 'mystream', state: { last_seq: 9999 }, consumer_detail: i.consumers }]),
      ) as Parameters<typeof consumerLag>[0],
      meta({}),
    );
  } catch (e) {
    // KEDA's message names the consumer and the stream.
    const m = e instanceof Error ? e.message : '';
    return m.includes('pull_consumer') && m.includes('mystream') ? 'error' : 0;
  }
}

export const natsJetStreamTables = [
  table({
    name: 'nats-jetstream: TestNATSJetStreamParseMetadata',
    goFile: go,
    cases: parseCases,
    run: parseWith(natsJetStream),
  }),
  table({
    name: 'nats-jetstream: TestNATSJetStreamGetMetricSpecForScaling',
    goFile: go,
    cases: metricCases,
    run: metricSpecWith(natsJetStream),
  }),
  table({
    name: 'nats-jetstream: TestGetNATSJetStreamMonitoringURL',
    goFile: go,
    cases: urlCases,
    run: jszUrl,
  }),
  table({
    name: 'nats-jetstream: TestGetNATSJetStreamEndpointHTTP(S)',
    goFile: go,
    cases: schemeCases,
    run: (m) => new URL(jszUrl(m)).protocol,
  }),
  table({
    name: 'nats-jetstream: TestNATSJetStreamIsActive',
    goFile: go,
    cases: readCases('TestNATSJetStreamIsActive'),
    run: readOnce,
  }),
  table({
    name: 'nats-jetstream: TestNATSJetStreamGetMetrics',
    goFile: go,
    cases: readCases('TestNATSJetStreamGetMetrics'),
    run: readOnce,
  }),
  table({
    name: 'nats-jetstream: TestNewNATSJetStreamScaler, TestNATSJetStreamClose',
    goFile: go,
    cases: newScalerCases,
    run: parseWith(natsJetStream),
  }),
  table({
    name: 'nats-jetstream: TestNATSJetStreamgetNATSJetstreamMonitoringData',
    goFile: go,
    cases: badJsonCases,
    run: readOnce,
  }),
  table({
    name: 'nats-jetstream: node URL tests',
    goFile: go,
    cases: nodeUrlCases,
    run: () => 'not built: tide reads the configured server only',
  }),
  table({
    name: 'nats-jetstream: TestNATSJetStreamGetMaxMsgLag',
    goFile: go,
    cases: lagCases,
    run: lagOf,
  }),
];
