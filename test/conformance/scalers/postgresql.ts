/**
 * postgresql, from KEDA `pkg/scalers/postgresql_scaler_test.go`: TestParsePostgreSQLMetadata
 * (`testPostgresMetadata`), TestPostgreSQLConnectionStringGeneration
 * (`testPostgreSQLConnectionstring`), TestEscapePostgreConnectionParameter,
 * TestPostgreSQLConnectionStringGenerationEscapesWhitespace,
 * TestPodIdentityAzureWorkloadPostgreSQLConnectionStringGeneration and
 * TestPostgreSQLGetMetricSpecForScaling (`postgreSQLMetricIdentifiers`).
 */
import { quoteLibpq } from '../../../src/scalers/postgresql/connection.js';
import { postgresql } from '../../../src/scalers/postgresql/postgresql.js';
import type { MetricSpec } from '../../../src/scalers/core/types.js';
import { table, type Case } from '../harness.js';
import { metricSpecWith, parseWith, type ParseOutcome, type TriggerInput } from './run.js';

/** `testPostgresResolvedEnv`. */
const ENV = { POSTGRE_PASSWORD: 'pass', POSTGRE_CONN_STR: 'test_conn_str' };

// Cases transcribed from the Go test tables (inputs and expected outputs as data).
const parseCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestParsePostgreSQLMetadata testPostgresMetadata[0] No metadata',
    input: { metadata: {} },
    keda: { result: 'error' },
  },
  {
    go: 'TestParsePostgreSQLMetadata testPostgresMetadata[1] connectionString',
    input: {
      metadata: { connectionFromEnv: 'POSTGRE_CONN_STR', query: 'query', targetQueryValue: '12' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParsePostgreSQLMetadata testPostgresMetadata[2] Params instead of conn str',
    input: {
      metadata: {
        dbName: 'test_dbname',
        host: 'test_host',
        passwordFromEnv: 'POSTGRE_PASSWORD',
        port: 'test_port',
        query: 'query',
        sslmode: 'require',
        targetQueryValue: '12',
        userName: 'test_username',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParsePostgreSQLMetadata testPostgresMetadata[3] Params from trigger authentication',
    input: {
      metadata: { query: 'query', targetQueryValue: '12' },
      authParams: {
        dbName: 'test_dbname',
        host: 'test_host',
        password: 'POSTGRE_PASSWORD',
        port: 'test_port',
        sslmode: 'disable',
        userName: 'test_username',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
];
const connectionCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestPostgreSQLConnectionStringGeneration testPostgreSQLConnectionstring[0] from environment',
    input: {
      metadata: { connectionFromEnv: 'CONNECTION_ENV', query: 'test_query', targetQueryValue: '5' },
      resolvedEnv: { CONNECTION_ENV: 'test_connection_from_env' },
    },
    keda: { result: 'ok', connection: 'test_connection_from_env' },
  },
  {
    go: 'TestPostgreSQLConnectionStringGeneration testPostgreSQLConnectionstring[1] from authentication',
    input: {
      metadata: { query: 'test_query', targetQueryValue: '5' },
      authParams: { connection: 'test_connection_from_auth' },
    },
    keda: { result: 'ok', connection: 'test_connection_from_auth' },
  },
  {
    go: 'TestPostgreSQLConnectionStringGeneration testPostgreSQLConnectionstring[2] from meta',
    input: {
      metadata: {
        dbName: 'testDb',
        host: 'localhost',
        port: '1234',
        query: 'test_query',
        sslmode: 'required',
        targetQueryValue: '5',
        userName: 'user',
      },
    },
    keda: {
      result: 'ok',
      connection: 'host=localhost port=1234 user=user dbname=testDb sslmode=required password=',
    },
  },
  {
    go: 'TestPostgreSQLConnectionStringGeneration testPostgreSQLConnectionstring[3] from meta, multiple hosts',
    input: {
      metadata: {
        dbName: 'testDb',
        host: 'host1,host2',
        port: '1234',
        query: 'test_query',
        sslmode: 'required',
        targetQueryValue: '5',
        userName: 'user',
      },
    },
    keda: {
      result: 'ok',
      connection: 'host=host1,host2 port=1234 user=user dbname=testDb sslmode=required password=',
    },
  },
];

// End of the transcribed cases.

const escapeCases: Case<string, string>[] = [
  ['simple', 'simple', 'simple'],
  ['space', 'with space', "'with space'"],
  ['tab', 'user\tsslmode=disable', "'user\tsslmode=disable'"],
  ['newline', 'user\nhost=attacker', "'user\nhost=attacker'"],
  ['single quote', "user'name", "'user\\'name'"],
  ['backslash', 'user\\name', "'user\\\\name'"],
  ['quote and backslash', "user\\'name", "'user\\\\\\'name'"],
].map(([name, input, want]) => ({
  go: `TestEscapePostgreConnectionParameter "${name}"`,
  input: String(input),
  keda: String(want),
}));

const whitespaceCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestPostgreSQLConnectionStringGenerationEscapesWhitespace',
    input: {
      metadata: {
        query: 'test_query',
        targetQueryValue: '5',
        host: 'db.example',
        port: '5432',
        dbName: 'testdb',
        userName: 'user\tsslmode=disable',
        sslmode: 'require',
      },
      authParams: { password: 'secret\nhost=attacker' },
    },
    keda: {
      result: 'ok',
      connection:
        "host=db.example port=5432 user='user\tsslmode=disable' dbname=testdb sslmode=require password='secret\nhost=attacker'",
    },
  },
];

const azureCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestPodIdentityAzureWorkloadPostgreSQLConnectionStringGeneration testPodIdentityAzureWorkloadPostgreSQLConnectionstring[0] from meta',
    input: {
      metadata: {
        query: 'test_query',
        targetQueryValue: '5',
        host: 'localhost',
        port: '1234',
        dbName: 'testDb',
        userName: 'user',
        sslmode: 'required',
      },
    },
    // KEDA, with podIdentity azure-workload, leaves a %PASSWORD% placeholder for an AAD token.
    keda: {
      result: 'ok',
      connection: 'host=localhost port=1234 user=user dbname=testDb sslmode=required %PASSWORD%',
    },
    differs: {
      id: 'azure-workload-identity',
      tide: {
        result: 'ok',
        connection: 'host=localhost port=1234 user=user dbname=testDb sslmode=required password=',
      },
    },
  },
];

/** `testPostgreSQLMetadata[0]` and `[1]` with their resolved env. */
const metricCases: Case<TriggerInput, Partial<MetricSpec>>[] = [
  {
    go: 'TestPostgreSQLGetMetricSpecForScaling postgreSQLMetricIdentifiers[0] (testPostgreSQLMetadata[0])',
    input: {
      metadata: {
        query: 'test_query',
        targetQueryValue: '5',
        connectionFromEnv: 'test_connection_string',
      },
      resolvedEnv: { test_connection_string: 'postgresql://localhost:5432' },
      triggerIndex: 0,
    },
    keda: { name: 's0-postgresql' },
  },
  {
    go: 'TestPostgreSQLGetMetricSpecForScaling postgreSQLMetricIdentifiers[1] (testPostgreSQLMetadata[1])',
    input: {
      metadata: {
        query: 'test_query',
        targetQueryValue: '5',
        connectionFromEnv: 'test_connection_string2',
      },
      resolvedEnv: { test_connection_string2: 'postgresql://test@localhost' },
      triggerIndex: 1,
    },
    keda: { name: 's1-postgresql' },
  },
];

const connectionView = (m: { connection: { reveal(): string } }) => ({
  connection: m.connection.reveal(),
});
const go = 'pkg/scalers/postgresql_scaler_test.go';
export const postgresqlTables = [
  table({
    name: 'postgresql: TestParsePostgreSQLMetadata',
    goFile: go,
    cases: parseCases,
    run: parseWith(postgresql),
  }),
  table({
    name: 'postgresql: TestPostgreSQLConnectionStringGeneration',
    goFile: go,
    cases: connectionCases,
    run: parseWith(postgresql, connectionView),
  }),
  table({
    name: 'postgresql: TestEscapePostgreConnectionParameter',
    goFile: go,
    cases: escapeCases,
    run: quoteLibpq,
  }),
  table({
    name: 'postgresql: TestPostgreSQLConnectionStringGenerationEscapesWhitespace',
    goFile: go,
    cases: whitespaceCases,
    run: parseWith(postgresql, connectionView),
  }),
  table({
    name: 'postgresql: TestPodIdentityAzureWorkloadPostgreSQLConnectionStringGeneration',
    goFile: go,
    cases: azureCases,
    run: parseWith(postgresql, connectionView),
  }),
  table({
    name: 'postgresql: TestPostgreSQLGetMetricSpecForScaling',
    goFile: go,
    cases: metricCases,
    run: metricSpecWith(postgresql),
  }),
];
