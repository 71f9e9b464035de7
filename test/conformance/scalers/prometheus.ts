/**
 * prometheus, from KEDA `pkg/scalers/prometheus_scaler_test.go`: TestPrometheusParseMetadata
 * (`testPromMetadata`), TestPrometheusGetMetricSpecForScaling, TestPrometheusScalerAuthParams
 * (`testPrometheusAuthMetadata`), TestPrometheusScalerExecutePromQuery (`testPromQueryResult`,
 * against a local server), TestPrometheusScalerCustomHeaders,
 * TestPrometheusScalerExecutePromQueryParameters and
 * TestPrometheusScaler_ExecutePromQuery_WithGcpNativeAuthentication.
 */
import { prometheus } from '../../../src/scalers/prometheus.js';
import type { MetricSpec } from '../../../src/scalers/core/types.js';
import { table, type Case, type Differs } from '../harness.js';
import { stub } from '../http-stub.js';
import {
  activityWith,
  metricSpecWith,
  parseWith,
  type ParseOutcome,
  type TriggerInput,
} from './run.js';

/** KEDA checks Azure pod identity against authModes; tide has no Azure identity. */
const AZURE_IDENTITY_ERROR: Differs<ParseOutcome> = {
  id: 'azure-workload-identity',
  tide: { result: 'ok' },
};
const AZURE_IDENTITY_OK: Differs<ParseOutcome> = {
  id: 'azure-workload-identity',
  tide: { result: 'ok' },
};

interface QueryInput {
  body: string;
  status: number;
  ignoreNullValues: boolean;
  unsafeSsl: boolean;
}
type QueryOutcome = { error: true } | { error: false; value: number };

// Cases transcribed from the Go test tables (inputs and expected outputs as data).
const parseCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[0]',
    input: { metadata: {} },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[1] all properly formed',
    input: {
      metadata: {
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[2] all properly formed, with namespace',
    input: {
      metadata: {
        namespace: 'foo',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[3] all properly formed, with ignoreNullValues',
    input: {
      metadata: {
        ignoreNullValues: 'false',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[4] all properly formed, with activationThreshold',
    input: {
      metadata: {
        activationThreshold: '50',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[5] missing serverAddress',
    input: {
      metadata: {
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: '',
        threshold: '100',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[6] missing threshold',
    input: {
      metadata: {
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[7] malformed threshold',
    input: {
      metadata: {
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: 'one',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[8] malformed threshold',
    input: {
      metadata: {
        activationThreshold: 'one',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[9] missing query',
    input: {
      metadata: {
        metricName: 'http_requests_total',
        query: '',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[10] ignoreNullValues with wrong value',
    input: {
      metadata: {
        ignoreNullValues: 'xxxx',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[11] unsafeSsl',
    input: {
      metadata: {
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'https://localhost:9090',
        threshold: '100',
        unsafeSsl: 'true',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[12] customHeaders',
    input: {
      metadata: {
        customHeaders: 'key1=value1,key2=value2',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[13] customHeaders with wrong format',
    input: {
      metadata: {
        customHeaders: 'key1=value1,key2',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[14] queryParameters',
    input: {
      metadata: {
        metricName: 'http_requests_total',
        query: 'up',
        queryParameters: 'key1=value1,key2=value2',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[15] queryParameters with wrong format',
    input: {
      metadata: {
        metricName: 'http_requests_total',
        query: 'up',
        queryParameters: 'key1=value1,key2',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[16] valid custom http client timeout',
    input: {
      metadata: {
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
        timeout: '1000',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[17] invalid - negative - custom http client timeout',
    input: {
      metadata: {
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
        timeout: '-1',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusParseMetadata testPromMetadata[18] invalid - not a number - custom http client timeout with milliseconds',
    input: {
      metadata: {
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
        timeout: 'a',
      },
    },
    keda: { result: 'error' },
  },
];
const authCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[0] success TLS',
    input: {
      metadata: {
        authModes: 'tls',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[1] TLS, ca is optional',
    input: {
      metadata: {
        authModes: 'tls',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { cert: 'ceert', key: 'keey' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[2] fail TLS, key not given',
    input: {
      metadata: {
        authModes: 'tls',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { ca: 'caaa', cert: 'ceert' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[3] fail TLS, cert not given',
    input: {
      metadata: {
        authModes: 'tls',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { ca: 'caaa', key: 'keey' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[4] success bearer default',
    input: {
      metadata: {
        authModes: 'bearer',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { bearerToken: 'tooooken' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[5] fail bearerAuth with no token',
    input: {
      metadata: {
        authModes: 'bearer',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[6] success basicAuth',
    input: {
      metadata: {
        authModes: 'basic',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { password: 'pass', username: 'user' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[7] fail basicAuth with no username',
    input: {
      metadata: {
        authModes: 'basic',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[8]',
    input: {
      metadata: {
        authModes: 'tls, basic',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey', password: 'pass', username: 'user' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[9]',
    input: {
      metadata: {
        authModes: 'tls,basic',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { password: 'pass', username: 'user' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[10] success custom auth',
    input: {
      metadata: {
        authModes: 'custom',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { customAuthHeader: 'header', customAuthValue: 'value' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[11] fail custom auth with no customAuthHeader',
    input: {
      metadata: {
        authModes: 'custom',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { customAuthHeader: '' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[12] fail custom auth with no customAuthValue',
    input: {
      metadata: {
        authModes: 'custom',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { customAuthValue: '' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[13] success custom auth with newlines in customAuthHeader',
    input: {
      metadata: {
        authModes: 'custom',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { customAuthHeader: 'header\n', customAuthValue: 'value\n' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[14]',
    input: {
      metadata: {
        authModes: 'tls,basic',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { password: 'pass', username: 'user' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[15] pod identity and other auth modes enabled together',
    input: {
      metadata: {
        authModes: 'basic',
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
      authParams: { password: 'pass', username: 'user' },
    },
    keda: { result: 'error' },
    differs: AZURE_IDENTITY_ERROR,
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[16] azure workload identity',
    input: {
      metadata: {
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'ok' },
    differs: AZURE_IDENTITY_OK,
  },
  {
    go: 'TestPrometheusScalerAuthParams testPrometheusAuthMetadata[17] azure pod identity',
    input: {
      metadata: {
        metricName: 'http_requests_total',
        query: 'up',
        serverAddress: 'http://localhost:9090',
        threshold: '100',
      },
    },
    keda: { result: 'ok' },
    differs: AZURE_IDENTITY_OK,
  },
];
const queryCases: Case<QueryInput, QueryOutcome>[] = [
  {
    go: 'TestPrometheusScalerExecutePromQuery "no results"',
    input: { body: '{}', status: 200, ignoreNullValues: true, unsafeSsl: false },
    keda: { error: false, value: 0 },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "no values"',
    input: { body: '{"data":{"result":[]}}', status: 200, ignoreNullValues: true, unsafeSsl: true },
    keda: { error: false, value: 0 },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "no values but shouldn\'t ignore"',
    input: {
      body: '{"data":{"result":[]}}',
      status: 200,
      ignoreNullValues: false,
      unsafeSsl: false,
    },
    keda: { error: true },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "value is empty list"',
    input: {
      body: '{"data":{"result":[{"value": []}]}}',
      status: 200,
      ignoreNullValues: true,
      unsafeSsl: true,
    },
    keda: { error: false, value: 0 },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "value is empty list but shouldn\'t ignore"',
    input: {
      body: '{"data":{"result":[{"value": []}]}}',
      status: 200,
      ignoreNullValues: false,
      unsafeSsl: false,
    },
    keda: { error: true },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "valid value"',
    input: {
      body: '{"data":{"result":[{"value": ["1", "2"]}]}}',
      status: 200,
      ignoreNullValues: true,
      unsafeSsl: true,
    },
    keda: { error: false, value: 2 },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "not enough values"',
    input: {
      body: '{"data":{"result":[{"value": ["1"]}]}}',
      status: 200,
      ignoreNullValues: true,
      unsafeSsl: true,
    },
    keda: { error: true },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "multiple results"',
    input: {
      body: '{"data":{"result":[{},{}]}}',
      status: 200,
      ignoreNullValues: true,
      unsafeSsl: true,
    },
    keda: { error: true },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "error status response"',
    input: { body: '{}', status: 400, ignoreNullValues: true, unsafeSsl: true },
    keda: { error: true },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "+Inf"',
    input: {
      body: '{"data":{"result":[{"value": ["1", "+Inf"]}]}}',
      status: 200,
      ignoreNullValues: true,
      unsafeSsl: true,
    },
    keda: { error: false, value: 0 },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "+Inf but shouldn\'t ignore "',
    input: {
      body: '{"data":{"result":[{"value": ["1", "+Inf"]}]}}',
      status: 200,
      ignoreNullValues: false,
      unsafeSsl: true,
    },
    keda: { error: true },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "-Inf"',
    input: {
      body: '{"data":{"result":[{"value": ["1", "-Inf"]}]}}',
      status: 200,
      ignoreNullValues: true,
      unsafeSsl: true,
    },
    keda: { error: false, value: 0 },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "-Inf but shouldn\'t ignore "',
    input: {
      body: '{"data":{"result":[{"value": ["1", "-Inf"]}]}}',
      status: 200,
      ignoreNullValues: false,
      unsafeSsl: true,
    },
    keda: { error: true },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "NaN"',
    input: {
      body: '{"data":{"result":[{"value": ["1", "NaN"]}]}}',
      status: 200,
      ignoreNullValues: true,
      unsafeSsl: true,
    },
    keda: { error: false, value: 0 },
  },
  {
    go: 'TestPrometheusScalerExecutePromQuery "NaN but shouldn\'t ignore "',
    input: {
      body: '{"data":{"result":[{"value": ["1", "NaN"]}]}}',
      status: 200,
      ignoreNullValues: false,
      unsafeSsl: true,
    },
    keda: { error: true },
  },
];

// End of the transcribed cases.

const go = 'pkg/scalers/prometheus_scaler_test.go';

const metricCases: Case<TriggerInput, Partial<MetricSpec>>[] = [0, 1].map((i) => ({
  go: `TestPrometheusGetMetricSpecForScaling prometheusMetricIdentifiers[${i}] (testPromMetadata[1])`,
  input: { metadata: parseCases[1]!.input.metadata, triggerIndex: i },
  keda: { name: `s${i}-prometheus` },
}));

async function query(i: QueryInput, extra: Record<string, string> = {}): Promise<QueryOutcome> {
  const url = await stub.url();
  stub.answer(() => ({ status: i.status, body: i.body }));
  try {
    const r = await activityWith(prometheus)(
      {
        metadata: {
          serverAddress: url,
          query: 'up',
          threshold: '100',
          ignoreNullValues: String(i.ignoreNullValues),
          unsafeSsl: String(i.unsafeSsl),
          ...extra,
        },
      },
      {},
    );
    return { error: false, value: r.value };
  } catch {
    return { error: true };
  }
}

const NO_VALUES: QueryInput = {
  body: '{"data":{"result":[]}}',
  status: 200,
  ignoreNullValues: true,
  unsafeSsl: false,
};
const requestCases: Case<string, Record<string, unknown>>[] = [
  {
    go: 'TestPrometheusScalerCustomHeaders',
    input: 'customHeaders',
    keda: {
      error: false,
      'x-client-id': 'cid',
      'x-tenant-id': 'tid',
      'x-organization-token': 'oid',
    },
  },
  {
    go: 'TestPrometheusScalerExecutePromQueryParameters',
    input: 'queryParameters',
    keda: {
      error: false,
      path: '/api/v1/query',
      time: '2026-01-01T00:00:00Z',
      first: 'foo',
      second: 'bar',
    },
  },
];
async function request(which: string): Promise<Record<string, unknown>> {
  const extra: Record<string, string> =
    which === 'customHeaders'
      ? { customHeaders: 'X-Client-Id=cid,X-Tenant-Id=tid,X-Organization-Token=oid' }
      : { queryParameters: 'first=foo,second=bar' };
  const r = await query(NO_VALUES, extra);
  const h = stub.headers[0] ?? {};
  const u = new URL(stub.requests[0] ?? '/', 'http://stub');
  return {
    error: r.error,
    'x-client-id': h['x-client-id'],
    'x-tenant-id': h['x-tenant-id'],
    'x-organization-token': h['x-organization-token'],
    path: u.pathname,
    time: u.searchParams.get('time'),
    first: u.searchParams.get('first'),
    second: u.searchParams.get('second'),
  };
}

const gcpCases: Case<null, string>[] = [
  'using GCP workload identity',
  'with Google app credentials on auth params',
  'with Google app credentials on envs',
  'with Google app credentials file on auth params',
].map((name) => ({
  go: `TestPrometheusScaler_ExecutePromQuery_WithGcpNativeAuthentication "${name}"`,
  input: null,
  keda: 'the query is sent with a Google OAuth2 token',
  differs: {
    id: 'gcp-identity',
    tide: 'no Google credentials client: the query is sent without a token',
  },
}));

export const prometheusTables = [
  table({
    name: 'prometheus: TestPrometheusParseMetadata',
    goFile: go,
    cases: parseCases,
    run: parseWith(prometheus),
  }),
  table({
    name: 'prometheus: TestPrometheusGetMetricSpecForScaling',
    goFile: go,
    cases: metricCases,
    run: metricSpecWith(prometheus),
  }),
  table({
    name: 'prometheus: TestPrometheusScalerAuthParams',
    goFile: go,
    cases: authCases,
    run: parseWith(prometheus),
  }),
  table({
    name: 'prometheus: TestPrometheusScalerExecutePromQuery',
    goFile: go,
    cases: queryCases,
    run: (i) => query(i),
  }),
  table({
    name: 'prometheus: TestPrometheusScalerCustomHeaders, ...QueryParameters',
    goFile: go,
    cases: requestCases,
    run: request,
  }),
  table({
    name: 'prometheus: TestPrometheusScaler_ExecutePromQuery_WithGcpNativeAuthentication',
    goFile: go,
    cases: gcpCases,
    run: () => 'no Google credentials client: the query is sent without a token',
  }),
];
