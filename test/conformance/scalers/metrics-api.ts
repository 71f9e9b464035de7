/**
 * metrics-api, from KEDA `pkg/scalers/metrics_api_scaler_test.go`: TestParseMetricsAPIMetadata
 * (`testMetricsAPIMetadata`), TestMetricAPIScalerAuthParams (`testMetricsAPIAuthMetadata`),
 * TestMetricsAPIGetMetricSpecForScaling, TestGetValueFromResponse, TestBearerAuth,
 * TestGetMetricValueErrorMessage, the TestAggregateMetricsFromMultipleEndpoints_* tests and
 * TestGetEndpointsUrlsFromServiceURL_SelectorFiltersCorrectly.
 */
import { metricsApi } from '../../../src/scalers/metrics-api.js';
import type { MetricSpec } from '../../../src/scalers/core/types.js';
import { valueFromResponse, type ApiFormat } from '../../../src/scalers/http/value-location.js';
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
    go: 'TestParseMetricsAPIMetadata testMetricsAPIMetadata[0] No metadata',
    input: { metadata: {} },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMetricsAPIMetadata testMetricsAPIMetadata[1] OK',
    input: {
      metadata: {
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric.test',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMetricsAPIMetadata testMetricsAPIMetadata[2] Target not an int',
    input: {
      metadata: { targetValue: 'aa', url: 'http://dummy:1230/api/v1/', valueLocation: 'metric' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMetricsAPIMetadata testMetricsAPIMetadata[3] Activation target not an int',
    input: {
      metadata: {
        activationTargetValue: 'aa',
        targetValue: '1',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMetricsAPIMetadata testMetricsAPIMetadata[4] Missing metric name',
    input: { metadata: { targetValue: 'aa', url: 'http://dummy:1230/api/v1/' } },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMetricsAPIMetadata testMetricsAPIMetadata[5] Missing url',
    input: { metadata: { targetValue: 'aa', valueLocation: 'metric' } },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMetricsAPIMetadata testMetricsAPIMetadata[6] Missing targetValue',
    input: { metadata: { url: 'http://dummy:1230/api/v1/', valueLocation: 'metric' } },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMetricsAPIMetadata testMetricsAPIMetadata[7] Valid HTTP timeout',
    input: {
      metadata: {
        targetValue: '42',
        timeout: '1000',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestParseMetricsAPIMetadata testMetricsAPIMetadata[8] Invalid - negative - HTTP timeout',
    input: {
      metadata: {
        targetValue: '42',
        timeout: '-1',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestParseMetricsAPIMetadata testMetricsAPIMetadata[9] Invalid - not a number - HTTP timeout',
    input: {
      metadata: {
        targetValue: '42',
        timeout: 'a',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
    },
    keda: { result: 'error' },
  },
];
const authCases: Case<TriggerInput, ParseOutcome>[] = [
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[0] success TLS',
    input: {
      metadata: {
        authMode: 'tls',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
      authParams: { ca: 'caaa', cert: 'ceert', key: 'keey' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[1] fail TLS, ca not given',
    input: {
      metadata: {
        authMode: 'tls',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
      authParams: { cert: 'ceert', key: 'keey' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[2] fail TLS, key not given',
    input: {
      metadata: {
        authMode: 'tls',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
      authParams: { ca: 'caaa', cert: 'ceert' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[3] fail TLS, cert not given',
    input: {
      metadata: {
        authMode: 'tls',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
      authParams: { ca: 'caaa', key: 'keey' },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[4] success apiKeyAuth default',
    input: {
      metadata: {
        authMode: 'apiKey',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
      authParams: { apiKey: 'apiikey' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[5] success apiKeyAuth as query param',
    input: {
      metadata: {
        authMode: 'apiKey',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
      authParams: { apiKey: 'apiikey', method: 'query' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[6] success apiKeyAuth with headers and custom key name',
    input: {
      metadata: {
        authMode: 'apiKey',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
      authParams: { apiKey: 'apiikey', keyParamName: 'custom', method: 'header' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[7] success apiKeyAuth with query param and custom key name',
    input: {
      metadata: {
        authMode: 'apiKey',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
      authParams: { apiKey: 'apiikey', keyParamName: 'custom', method: 'query' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[8] fail apiKeyAuth with no api key',
    input: {
      metadata: {
        authMode: 'apiKey',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[9] success basicAuth',
    input: {
      metadata: {
        authMode: 'basic',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
      authParams: { password: 'pass', username: 'user' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[10] fail basicAuth with no username',
    input: {
      metadata: {
        authMode: 'basic',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[11] success bearerAuth default',
    input: {
      metadata: {
        authMode: 'bearer',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
      authParams: { token: 'bearerTokenValue' },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[12] fail bearerAuth without token',
    input: {
      metadata: {
        authMode: 'bearer',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[13] success unsafeSsl true',
    input: {
      metadata: {
        targetValue: '42',
        unsafeSsl: 'true',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[14] success unsafeSsl false',
    input: {
      metadata: {
        targetValue: '42',
        unsafeSsl: 'false',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
    },
    keda: { result: 'ok' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[15] failed unsafeSsl non bool',
    input: {
      metadata: {
        targetValue: '42',
        unsafeSsl: 'yes',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
    },
    keda: { result: 'error' },
  },
  {
    go: 'TestMetricAPIScalerAuthParams testMetricsAPIAuthMetadata[16] success with both apiKey and TLS authentication',
    input: {
      metadata: {
        authMode: 'apiKey,tls',
        targetValue: '42',
        url: 'http://dummy:1230/api/v1/',
        valueLocation: 'metric',
      },
      authParams: { apiKey: 'apiikey', ca: 'caaa', cert: 'ceert', key: 'keey' },
    },
    keda: { result: 'ok' },
  },
];

// End of the transcribed cases.

const go = 'pkg/scalers/metrics_api_scaler_test.go';

const metricCases: Case<TriggerInput, Partial<MetricSpec>>[] = [
  {
    go: 'TestMetricsAPIGetMetricSpecForScaling metricsAPIMetricIdentifiers[0] (testMetricsAPIMetadata[1], index 1)',
    input: { metadata: parseCases[1]!.input.metadata, triggerIndex: 1 },
    keda: { name: 's1-metric-api-metric-test' },
  },
];

const JSON_INPUT =
  '{"components":[{"id": "82328e93e", "tasks": 32, "str": "64", "k":"1k","wrong":"NaN"}],"count":2.43}';
const YAML_INPUT =
  "{components: [{id: 82328e93e, tasks: 32, str: '64', k: 1k, wrong: NaN}], count: 2.43}";
// The Go raw string keeps its tab indentation; the file ends without a newline (KEDA #6559).
const PROM_INPUT = [
  '# HELP backend_queue_size Total number of items',
  '\t# TYPE backend_queue_size counter',
  '\tbackend_queue_size{queueName="zero"} 0',
  '\tbackend_queue_size{queueName="one"} 1',
  '\tbackend_queue_size{queueName="two", instance="random"} 2',
  '\tbackend_queue_size{queueName="two", instance="zero"} 20',
  '\t# HELP random_metric Random metric generate to include noise',
  '\t# TYPE random_metric counter',
  '\trandom_metric 10',
].join('\n');
type ValueOutcome = { value: number } | { error: true };
const valueCases: Case<{ body: string; key: string; format: ApiFormat }, ValueOutcome>[] = (
  [
    ['integer', JSON_INPUT, 'count', 'json', 2.43],
    ['string', JSON_INPUT, 'components.0.str', 'json', 64],
    ['{}.[].{}', JSON_INPUT, 'components.0.tasks', 'json', 32],
    ['invalid data', JSON_INPUT, 'components.0.wrong', 'json', 'error'],
    ['integer', YAML_INPUT, 'count', 'yaml', 2.43],
    ['string', YAML_INPUT, 'components.0.str', 'yaml', 64],
    ['{}.[].{}', YAML_INPUT, 'components.0.tasks', 'yaml', 32],
    ['invalid data', YAML_INPUT, 'components.0.wrong', 'yaml', 'error'],
    ['no labels', PROM_INPUT, 'random_metric', 'prometheus', 10],
    ['one label', PROM_INPUT, 'backend_queue_size{queueName="one"}', 'prometheus', 1],
    [
      'multiple labels not queried',
      PROM_INPUT,
      'backend_queue_size{queueName="two"}',
      'prometheus',
      2,
    ],
    [
      'multiple labels queried',
      PROM_INPUT,
      'backend_queue_size{queueName="two", instance="zero"}',
      'prometheus',
      20,
    ],
    ['invalid data', PROM_INPUT, 'backend_queue_size{invalid=test}', 'prometheus', 'error'],
  ] as [string, string, string, ApiFormat, number | 'error'][]
).map(([name, body, key, format, want]) => ({
  go: `TestGetValueFromResponse "${format}: ${name}"`,
  input: { body, key, format },
  keda: want === 'error' ? { error: true } : { value: want },
}));
function valueOf(i: { body: string; key: string; format: ApiFormat }): ValueOutcome {
  try {
    return { value: valueFromResponse(i.body, i.key, i.format) };
  } catch {
    return { error: true };
  }
}

const bearerCases: Case<null, { authorization: string; value: number }>[] = [
  { go: 'TestBearerAuth', input: null, keda: { authorization: 'Bearer secure-token', value: 32 } },
];
async function bearer(): Promise<{ authorization: string; value: number }> {
  const url = await stub.url();
  stub.answer(() => ({ status: 200, body: JSON_INPUT }));
  const r = await activityWith(metricsApi)(
    {
      metadata: { url, valueLocation: 'components.0.tasks', targetValue: '1', authMode: 'bearer' },
      authParams: { token: 'secure-token' },
    },
    {},
  );
  return { authorization: String(stub.headers[0]?.authorization ?? ''), value: r.value };
}

/** KEDA's message is "/api/v1/: api returned 418"; tide's names the URL and the status too. */
const statusCases: Case<null, Record<string, unknown>>[] = [
  {
    go: 'TestGetMetricValueErrorMessage',
    input: null,
    keda: { message: '/api/v1/: api returned 418' },
    differs: { id: 'error-messages', tide: { error: true, names418: true, namesPath: true } },
  },
];
async function status418(): Promise<Record<string, unknown>> {
  const url = await stub.url();
  stub.answer(() => ({ status: 418, body: '' }));
  try {
    await activityWith(metricsApi)(
      { metadata: { url: `${url}/api/v1/`, valueLocation: 'count', targetValue: '1' } },
      {},
    );
    return { error: false };
  } catch (e) {
    const m = e instanceof Error ? e.message : '';
    return { error: true, names418: m.includes('418'), namesPath: m.includes('/api/v1/') };
  }
}

const endpointCases: Case<null, string>[] = [
  'TestAggregateMetricsFromMultipleEndpoints_AverageAllEndpointsFail',
  'TestAggregateMetricsFromMultipleEndpoints_AveragePartialSuccess',
  'TestAggregateMetricsFromMultipleEndpoints_NoEndpoints',
  'TestGetEndpointsUrlsFromServiceURL_SelectorFiltersCorrectly',
].map((go) => ({
  go,
  input: null,
  keda: "the Service's endpoints are read and their values aggregated",
  differs: {
    id: 'metrics-api-service-endpoints',
    tide: 'aggregateFromKubeServiceEndpoints fails with a clear error: EndpointSlices are not read',
  },
}));

export const metricsApiTables = [
  table({
    name: 'metrics-api: TestParseMetricsAPIMetadata',
    goFile: go,
    cases: parseCases,
    run: parseWith(metricsApi),
  }),
  table({
    name: 'metrics-api: TestMetricAPIScalerAuthParams',
    goFile: go,
    cases: authCases,
    run: parseWith(metricsApi),
  }),
  table({
    name: 'metrics-api: TestMetricsAPIGetMetricSpecForScaling',
    goFile: go,
    cases: metricCases,
    run: metricSpecWith(metricsApi),
  }),
  table({
    name: 'metrics-api: TestGetValueFromResponse',
    goFile: go,
    cases: valueCases,
    run: valueOf,
  }),
  table({ name: 'metrics-api: TestBearerAuth', goFile: go, cases: bearerCases, run: bearer }),
  table({
    name: 'metrics-api: TestGetMetricValueErrorMessage',
    goFile: go,
    cases: statusCases,
    run: status418,
  }),
  table({
    name: 'metrics-api: aggregateFromKubeServiceEndpoints tests',
    goFile: go,
    cases: endpointCases,
    run: () =>
      'aggregateFromKubeServiceEndpoints fails with a clear error: EndpointSlices are not read',
  }),
];
