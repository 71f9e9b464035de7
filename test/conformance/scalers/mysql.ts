/**
 * mysql, from KEDA `pkg/scalers/mysql_scaler_test.go`: TestParseMySQLMetadata
 * (`testMySQLMetadata`), TestMetadataToConnectionStrUseConnStr,
 * TestMetadataToConnectionStrBuildNew and TestMySQLGetMetricSpecForScaling
 * (`mySQLMetricIdentifiers`).
 */
import { mysqlScaler } from '../../../src/scalers/mysql.js';
import type { MetricSpec } from '../../../src/scalers/core/types.js';
import { table, type Case } from '../harness.js';
import { metricSpecWith, parseWith, type ParseOutcome, type TriggerInput } from './run.js';

/** `testMySQLResolvedEnv`. */
const ENV = {
  MYSQL_USERNAME: 'test_username',
  MYSQL_PASSWORD: 'pass',
  MYSQL_CONN_STR: 'user@tcp(http://my.mysql.dev:3306)/stats_db',
};

// Cases transcribed from the Go test tables (inputs and expected outputs as data).
const parseCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestParseMySQLMetadata testMySQLMetadata[0] No metadata',
    input: { metadata: {}, resolvedEnv: ENV },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMySQLMetadata testMySQLMetadata[1] connectionString',
    input: {
      metadata: { connectionStringFromEnv: 'MYSQL_CONN_STR', query: 'query', queryValue: '12' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMySQLMetadata testMySQLMetadata[2] Params instead of conn str',
    input: {
      metadata: {
        dbName: 'test_dbname',
        host: 'test_host',
        passwordFromEnv: 'MYSQL_PASSWORD',
        port: 'test_port',
        query: 'query',
        queryValue: '12',
        username: 'test_username',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMySQLMetadata testMySQLMetadata[3] Params instead of conn str with userFromEnv',
    input: {
      metadata: {
        dbName: 'test_dbname',
        host: 'test_host',
        passwordFromEnv: 'MYSQL_PASSWORD',
        port: 'test_port',
        query: 'query',
        queryValue: '12',
        usernameFromEnv: 'MYSQL_USERNAME',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMySQLMetadata testMySQLMetadata[4] Params from trigger authentication',
    input: {
      metadata: { query: 'query', queryValue: '12' },
      authParams: {
        dbName: 'test_dbname',
        host: 'test_host',
        password: 'MYSQL_PASSWORD',
        port: 'test_port',
        username: 'test_username',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMySQLMetadata testMySQLMetadata[5] Invalid activationQueryValue',
    input: {
      metadata: { activationQueryValue: 'AA', query: 'query', queryValue: '12' },
      authParams: {
        dbName: 'test_dbname',
        host: 'test_host',
        password: 'MYSQL_PASSWORD',
        port: 'test_port',
        username: 'test_username',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMySQLMetadata testMySQLMetadata[6] No username provided in authParams, metadata, resolvedEnv',
    input: {
      metadata: { activationQueryValue: 'AA', query: 'query', queryValue: '12' },
      authParams: {
        dbName: 'test_dbname',
        host: 'test_host',
        password: 'MYSQL_PASSWORD',
        port: 'test_port',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'error' },
  },
];

// End of the transcribed cases.

const dsnCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestMetadataToConnectionStrUseConnStr',
    input: {
      metadata: { query: 'query', queryValue: '12', connectionStringFromEnv: 'MYSQL_CONN_STR' },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', dsn: 'user@tcp(http://my.mysql.dev:3306)/stats_db' },
  },
  {
    go: 'TestMetadataToConnectionStrBuildNew',
    input: {
      metadata: {
        query: 'query',
        queryValue: '12',
        host: 'test_host',
        port: 'test_port',
        username: 'test_username',
        passwordFromEnv: 'MYSQL_PASSWORD',
        dbName: 'test_dbname',
      },
      resolvedEnv: ENV,
    },
    keda: { result: 'ok', dsn: 'test_username:pass@tcp(test_host:test_port)/test_dbname' },
  },
];

// KEDA's test reads `meta.MetricName`, computed while parsing; tide names it in the metric spec.
const metricCases: Case<TriggerInput, Partial<MetricSpec>>[] = [
  {
    go: 'TestMySQLGetMetricSpecForScaling mySQLMetricIdentifiers[0] (testMySQLMetadata[1])',
    input: { ...parseCases[1]!.input, triggerIndex: 0 },
    keda: { name: 's0-mysql-stats_db' },
  },
  {
    go: 'TestMySQLGetMetricSpecForScaling mySQLMetricIdentifiers[1] (testMySQLMetadata[2])',
    input: { ...parseCases[2]!.input, triggerIndex: 1 },
    keda: { name: 's1-mysql-test_dbname' },
  },
];

const go = 'pkg/scalers/mysql_scaler_test.go';
export const mysqlTables = [
  table({
    name: 'mysql: TestParseMySQLMetadata',
    goFile: go,
    cases: parseCases,
    run: parseWith(mysqlScaler),
  }),
  table({
    name: 'mysql: TestMetadataToConnectionStr*',
    goFile: go,
    cases: dsnCases,
    run: parseWith(mysqlScaler, (m) => ({ dsn: m.dsn.reveal() })),
  }),
  table({
    name: 'mysql: TestMySQLGetMetricSpecForScaling',
    goFile: go,
    cases: metricCases,
    run: metricSpecWith(mysqlScaler),
  }),
];
