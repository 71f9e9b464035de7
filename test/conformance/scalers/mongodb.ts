/**
 * mongodb, from KEDA `pkg/scalers/mongo_scaler_test.go`: TestParseMongoDBMetadata
 * (`testMONGODBMetadata`), TestParseMongoDBConnectionString (`mongoDBConnectionStringTestDatas`),
 * TestMongoDBGetMetricSpecForScaling (`mongoDBMetricIdentifiers`) and TestJson2BsonDoc.
 */
import { mongodb, parseQuery } from '../../../src/scalers/mongodb.js';
import type { MetricSpec } from '../../../src/scalers/core/types.js';
import { table, type Case } from '../harness.js';
import { metricSpecWith, parseWith, type ParseOutcome, type TriggerInput } from './run.js';

/** `testMongoDBResolvedEnv`. */
const ENV = {
  MongoDB_CONN_STR: 'mongodb://mongodb0.example.com:27017',
  MongoDB_PASSWORD: 'test@password',
};

// Cases transcribed from the Go test tables (inputs and expected outputs as data).
const parseCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[0] No metadata',
    input: { metadata: {}, resolvedEnv: ENV },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[1] connectionStringFromEnv',
    input: {
      metadata: {
        collection: 'demo',
        connectionStringFromEnv: 'MongoDB_CONN_STR',
        dbName: 'test',
        query: '{"name":"John"}',
        queryValue: '12',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[2] with metric name',
    input: {
      metadata: {
        collection: 'demo',
        connectionStringFromEnv: 'MongoDB_CONN_STR',
        dbName: 'test',
        query: '{"name":"John"}',
        queryValue: '12',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[3] from passwordFromEnv',
    input: {
      metadata: {
        collection: 'demo',
        passwordFromEnv: 'MongoDB_PASSWORD',
        query: '{"name":"John"}',
        queryValue: '12',
      },
      authParams: { dbName: 'test', host: 'localhost', port: '1234', username: 'sample' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[4] from trigger auth',
    input: {
      metadata: { collection: 'demo', query: '{"name":"John"}', queryValue: '12' },
      authParams: {
        dbName: 'test',
        host: 'localhost',
        password: 'sec@ure',
        port: '1234',
        username: 'sample',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[5] mongodb srv support',
    input: {
      metadata: { collection: 'demo', query: '{"name":"John"}', queryValue: '12' },
      authParams: {
        dbName: 'test',
        host: 'localhost',
        password: 'sec@ure',
        port: '',
        scheme: 'mongodb+srv',
        username: 'sample',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[6] test float queryValue',
    input: {
      metadata: { collection: 'demo', query: '{"name":"John"}', queryValue: '0.9' },
      authParams: {
        dbName: 'test',
        host: 'localhost',
        password: 'sec@ure',
        port: '',
        scheme: 'mongodb+srv',
        username: 'sample',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[7] wrong activationQueryValue',
    input: {
      metadata: {
        activationQueryValue: 'aa',
        collection: 'demo',
        connectionStringFromEnv: 'Mongo_CONN_STR',
        dbName: 'test',
        query: '{"name":"John"}',
        queryValue: '12',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[8] TLS enabled with CA only - should succeed',
    input: {
      metadata: {
        collection: 'demo',
        connectionStringFromEnv: 'MongoDB_CONN_STR',
        dbName: 'test',
        query: '{"name":"John"}',
        queryValue: '12',
      },
      authParams: { ca: 'cavalue', tls: 'enable' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[9] TLS enabled with cert and key - should succeed',
    input: {
      metadata: {
        collection: 'demo',
        connectionStringFromEnv: 'MongoDB_CONN_STR',
        dbName: 'test',
        query: '{"name":"John"}',
        queryValue: '12',
      },
      authParams: { cert: 'certvalue', key: 'keyvalue', tls: 'enable' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[10] TLS enabled with cert and key and CA - should succeed',
    input: {
      metadata: {
        collection: 'demo',
        connectionStringFromEnv: 'MongoDB_CONN_STR',
        dbName: 'test',
        query: '{"name":"John"}',
        queryValue: '12',
      },
      authParams: { ca: 'cavalue', cert: 'certvalue', key: 'keyvalue', tls: 'enable' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[11] TLS enabled with cert only - should fail (key required)',
    input: {
      metadata: {
        collection: 'demo',
        connectionStringFromEnv: 'MongoDB_CONN_STR',
        dbName: 'test',
        query: '{"name":"John"}',
        queryValue: '12',
      },
      authParams: { cert: 'certvalue', tls: 'enable' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[12] TLS enabled with key only - should fail (cert required)',
    input: {
      metadata: {
        collection: 'demo',
        connectionStringFromEnv: 'MongoDB_CONN_STR',
        dbName: 'test',
        query: '{"name":"John"}',
        queryValue: '12',
      },
      authParams: { key: 'keyvalue', tls: 'enable' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[13] TLS enabled without any certs - should fail',
    input: {
      metadata: {
        collection: 'demo',
        connectionStringFromEnv: 'MongoDB_CONN_STR',
        dbName: 'test',
        query: '{"name":"John"}',
        queryValue: '12',
      },
      authParams: { tls: 'enable' },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMongoDBMetadata testMONGODBMetadata[14] TLS disabled (default) - should succeed without certs',
    input: {
      metadata: {
        collection: 'demo',
        connectionStringFromEnv: 'MongoDB_CONN_STR',
        dbName: 'test',
        query: '{"name":"John"}',
        queryValue: '12',
      },
      authParams: { tls: 'disable' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
];

// End of the transcribed cases.

const at = (i: number) => parseCases[i]!.input;

/** `mongoDBConnectionStringTestDatas`: the URI KEDA connects with. */
const connectionStringCases: Case<TriggerInput, ParseOutcome>[] = [
  [2, 'mongodb://mongodb0.example.com:27017'],
  [3, 'mongodb://sample:test%40password@localhost:1234/test'],
  [4, 'mongodb://sample:sec%40ure@localhost:1234/test'],
  [5, 'mongodb+srv://sample:sec%40ure@localhost/test'],
].map(([i, uri]) => ({
  go: `TestParseMongoDBConnectionString mongoDBConnectionStringTestDatas (testMONGODBMetadata[${i}])`,
  input: at(Number(i)),
  keda: { result: 'ok', connectionString: String(uri) },
}));

const metricCases: Case<TriggerInput, Partial<MetricSpec>>[] = [0, 1].map((i) => ({
  go: `TestMongoDBGetMetricSpecForScaling mongoDBMetricIdentifiers[${i}] (testMONGODBMetadata[2])`,
  input: { ...at(2), triggerIndex: i },
  keda: { name: `s${i}-mongodb-demo` },
}));

const bsonCases: Case<string, { ok: boolean }>[] = [
  { go: 'TestJson2BsonDoc `{"name":"carson"}`', input: '{"name":"carson"}', keda: { ok: true } },
];

const go = 'pkg/scalers/mongo_scaler_test.go';
export const mongodbTables = [
  table({
    name: 'mongodb: TestParseMongoDBMetadata',
    goFile: go,
    cases: parseCases,
    run: parseWith(mongodb),
  }),
  table({
    name: 'mongodb: TestParseMongoDBConnectionString',
    goFile: go,
    cases: connectionStringCases,
    run: parseWith(mongodb, (m) => ({ connectionString: m.uri.reveal() })),
  }),
  table({
    name: 'mongodb: TestMongoDBGetMetricSpecForScaling',
    goFile: go,
    cases: metricCases,
    run: metricSpecWith(mongodb),
  }),
  table({
    name: 'mongodb: TestJson2BsonDoc',
    goFile: go,
    cases: bsonCases,
    run: (q) => ({ ok: 'filter' in parseQuery(q) }),
  }),
];
