/**
 * The `metrics-api` trigger, KEDA metrics_api_scaler.go: `GET url`, a non-200 answer is an
 * error, the value sits at `valueLocation` in a json / xml / yaml / prometheus body. Active when
 * the value is greater than `activationTargetValue`; target `targetValue`.
 */
import { z } from 'zod';
import { defineScaler, field } from './core/define.js';
import { authSecrets, buildHttpAuth, httpAuthFields, type HttpAuth } from './http/auth.js';
import { DEFAULT_HTTP_TIMEOUT_MS, httpGet } from './http/get.js';
import { metricName } from './core/metric-name.js';
import { bool, duration, float, oneOf, text } from './core/params.js';
import { TokenSource } from './rabbitmq/oauth.js';
import { sourceScaler } from './core/source-scaler.js';
import { valueFromResponse, type ApiFormat } from './http/value-location.js';

export interface MetricsApiMeta {
  url: string;
  valueLocation: string;
  format: ApiFormat;
  targetValue: number;
  activationTargetValue: number;
  unsafeSsl: boolean;
  aggregateFromKubeServiceEndpoints: boolean;
  aggregationType: 'average' | 'sum' | 'max' | 'min';
  timeoutMs: number;
  auth: HttpAuth;
}

const metadata = z.object({
  url: field(text(), { doc: 'Full URL of the API answering with the metric.' }),
  valueLocation: field(text(), {
    doc: 'Where the value is: a GJSON path for json (`a.b`, `a.0.b`, `a.#`), a dotted path for yaml/xml, a metric selector (`name{label="v"}`) for prometheus.',
  }),
  format: field(oneOf(['json', 'xml', 'yaml', 'prometheus']).default('json'), {
    doc: 'Body format.',
  }),
  targetValue: field(float().optional(), {
    role: 'target',
    doc: 'Target value (per replica for AverageValue); required (and not 0) unless the trigger only feeds scalingModifiers.',
  }),
  activationTargetValue: field(float().default(0), {
    role: 'activation',
    doc: 'Active when the value is greater than this.',
  }),
  unsafeSsl: field(bool().default(false), { doc: 'Skip TLS certificate verification.' }),
  aggregateFromKubeServiceEndpoints: field(bool().default(false), {
    doc: 'Read every endpoint of the Service named in `url` and aggregate (needs Kubernetes EndpointSlices: not supported by tide yet, reads fail with a clear error).',
  }),
  aggregationType: field(oneOf(['average', 'sum', 'max', 'min']).default('average'), {
    doc: 'How endpoint values are aggregated with aggregateFromKubeServiceEndpoints.',
  }),
  timeout: field(duration().optional(), {
    doc: 'HTTP timeout (`5s` or milliseconds); default 3 s (KEDA_HTTP_DEFAULT_TIMEOUT).',
  }),
  ...httpAuthFields(),
});

export const metricsApi = defineScaler({
  type: 'metrics-api',
  description: 'A number read from any HTTP API (JSON, XML, YAML or Prometheus text).',
  notes: [
    '`GET url`; any status but 200 is an error naming it. json: a GJSON path (dotted keys, array',
    'indexes, `#` for a length, `\\.` for a literal dot, `*`/`?` wildcards in a key); yaml and xml:',
    'a dotted path where numeric segments index lists (for xml the root element is the first',
    'segment; attributes are ignored); prometheus: a selector `name{label="v"}` (equality',
    'matchers) over the text exposition format. A string value is read as a Kubernetes quantity',
    '(`250m`, `1Ki`). Auth: `authModes` apiKey (header `X-API-KEY` or query `api_key` unless',
    '`keyParamName`), basic, bearer, tls (cert + key + ca), and custom / oauth (which KEDA parses',
    'but does not send for this trigger). Metric name `s<index>-metric-api-<valueLocation>`.',
  ].join('\n'),
  metadata,
  build(f, ctx): MetricsApiMeta {
    try {
      const u = new URL(f.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      ctx.issue('url', `must be an http:// or https:// URL, got "${f.url}"`);
    }
    // 0 and negative values are refused by the `target` role (define.ts).
    if (!ctx.inputs.usedByScalingModifiers && f.targetValue === undefined)
      ctx.issue('targetValue', 'no targetValue given in metadata (it is required)');
    return {
      url: f.url,
      valueLocation: f.valueLocation,
      format: f.format,
      targetValue: f.targetValue ?? 0,
      activationTargetValue: f.activationTargetValue,
      unsafeSsl: f.unsafeSsl,
      aggregateFromKubeServiceEndpoints: f.aggregateFromKubeServiceEndpoints,
      aggregationType: f.aggregationType,
      timeoutMs: f.timeout && f.timeout > 0 ? f.timeout : DEFAULT_HTTP_TIMEOUT_MS,
      auth: buildHttpAuth(f, ctx),
    };
  },
  async create(meta, ctx) {
    const name = metricName(ctx.triggerIndex, `metric-api-${meta.valueLocation}`);
    const tokens = meta.auth.oauth ? new TokenSource(meta.auth.oauth, ctx.now) : undefined;
    const url = new URL(meta.url);
    const where = `${url.protocol}//${url.host}${url.pathname}`;
    const request = async (signal: AbortSignal) => {
      const res = await httpGet(url, {
        auth: meta.auth,
        applyApiKey: true,
        ...(tokens ? { tokens } : {}),
        unsafeSsl: meta.unsafeSsl,
        timeoutMs: meta.timeoutMs,
        signal,
      });
      if (res.status !== 200) throw new Error(`${url.pathname}: api returned ${res.status}`);
      return valueFromResponse(res.body, meta.valueLocation, meta.format);
    };
    return sourceScaler({
      ctx,
      secrets: authSecrets(meta.auth),
      metricSpecs: [{ name, targetType: ctx.metricType, target: meta.targetValue }],
      async read({ call, fail, signal }) {
        if (meta.aggregateFromKubeServiceEndpoints)
          throw fail(
            'aggregateFromKubeServiceEndpoints needs Kubernetes EndpointSlices, which tide does not read yet',
          );
        const value = await call(`error requesting metrics endpoint ${where}`, request(signal));
        return { metrics: [{ name, value }], isActive: value > meta.activationTargetValue };
      },
    });
  },
});
