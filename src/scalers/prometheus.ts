/**
 * The `prometheus` trigger, KEDA prometheus_scaler.go: an instant query
 * `GET <serverAddress>/api/v1/query?query=…&time=<now>` whose result must be at most one
 * sample. Active when the value is greater than `activationThreshold`; target `threshold`.
 */
import { z } from 'zod';
import { defineScaler, field } from './core/define.js';
import {
  authSecrets,
  buildHttpAuth,
  httpAuthFields,
  keyValues,
  type HttpAuth,
} from './http/auth.js';
import { DEFAULT_HTTP_TIMEOUT_MS, httpGet } from './http/get.js';
import { metricName } from './core/metric-name.js';
import { bool, duration, float, text } from './core/params.js';
import { TokenSource } from './rabbitmq/oauth.js';
import { sourceScaler } from './core/source-scaler.js';

export interface PrometheusMeta {
  serverAddress: string;
  query: string;
  queryParameters: readonly (readonly [string, string])[];
  threshold: number;
  activationThreshold: number;
  namespace?: string;
  customHeaders: readonly (readonly [string, string])[];
  ignoreNullValues: boolean;
  unsafeSsl: boolean;
  timeoutMs: number;
  auth: HttpAuth;
}

const metadata = z.object({
  serverAddress: field(text(), {
    doc: 'Prometheus base URL (`http://prometheus:9090`); the query path is appended.',
  }),
  query: field(text(), { doc: 'PromQL returning one sample (a vector of at most one element).' }),
  queryParameters: field(keyValues().optional(), {
    doc: 'Extra query string parameters, `key=value,key2=value2`.',
  }),
  threshold: field(float(), {
    doc: 'Target value (per replica for AverageValue).',
    role: 'target',
  }),
  activationThreshold: field(float().default(0), {
    role: 'activation',
    doc: 'Active when the value is greater than this.',
  }),
  namespace: field(text().optional(), {
    doc: 'Sent as the `namespace` query parameter (namespaced queriers such as Thanos).',
  }),
  customHeaders: field(keyValues().optional(), {
    doc: 'Headers sent with the query, `X-Client-Id=cid,X-Tenant-Id=tid`.',
  }),
  ignoreNullValues: field(bool().default(true), {
    doc: 'An empty result or NaN/Inf reads as 0; `false` makes them errors (target lost).',
  }),
  unsafeSsl: field(bool().default(false), { doc: 'Skip TLS certificate verification.' }),
  timeout: field(duration().optional(), {
    doc: 'HTTP timeout (`5s` or milliseconds); default 3 s (KEDA_HTTP_DEFAULT_TIMEOUT).',
  }),
  awsRegion: field(text().optional(), {
    doc: 'Amazon Managed Prometheus region (needs AWS pod identity; not supported by tide, accepted and ignored).',
    from: ['metadata', 'auth'],
  }),
  identityOwner: field(text().optional(), {
    doc: 'Pod identity owner (accepted for compatibility; tide has no pod identity).',
  }),
  ...httpAuthFields(),
});

export const prometheus = defineScaler({
  type: 'prometheus',
  description: 'The value of a PromQL instant query.',
  notes: [
    'Queries `<serverAddress>/api/v1/query` with `time` = now (UTC, RFC 3339), `namespace` and',
    '`queryParameters` as extra parameters and `customHeaders` as headers. The result must be a',
    'vector of at most one element (or a scalar): none, an empty value, NaN or ±Inf read as 0',
    'with `ignoreNullValues` (the default), else they are errors; more than one element is an',
    'error. Active when the value is greater than `activationThreshold`. A non-2xx answer is an',
    'error naming the status. Auth: `authModes` basic / bearer / tls / custom / oauth as KEDA',
    '(apiKey is accepted but, as in KEDA, not sent). Metric name `s<index>-prometheus`.',
  ].join('\n'),
  metadata,
  build(f, ctx): PrometheusMeta {
    try {
      const u = new URL(f.serverAddress);
      if (u.protocol !== 'http:' && u.protocol !== 'https:')
        ctx.issue('serverAddress', `must be an http:// or https:// URL, got "${f.serverAddress}"`);
    } catch {
      ctx.issue('serverAddress', `must be an http:// or https:// URL, got "${f.serverAddress}"`);
    }
    const auth = buildHttpAuth(f, ctx);
    return {
      serverAddress: f.serverAddress.replace(/\/+$/, ''),
      query: f.query,
      queryParameters: f.queryParameters ?? [],
      threshold: f.threshold,
      activationThreshold: f.activationThreshold,
      ...(f.namespace ? { namespace: f.namespace } : {}),
      customHeaders: f.customHeaders ?? [],
      ignoreNullValues: f.ignoreNullValues,
      unsafeSsl: f.unsafeSsl,
      timeoutMs: f.timeout && f.timeout > 0 ? f.timeout : DEFAULT_HTTP_TIMEOUT_MS,
      auth,
    };
  },
  async create(meta, ctx) {
    const name = metricName(ctx.triggerIndex, 'prometheus');
    const tokens = meta.auth.oauth ? new TokenSource(meta.auth.oauth, ctx.now) : undefined;
    const where = describeServer(meta.serverAddress);
    return sourceScaler({
      ctx,
      secrets: authSecrets(meta.auth),
      metricSpecs: [{ name, targetType: ctx.metricType, target: meta.threshold }],
      async read({ call, signal }) {
        const value = await call(
          `query on Prometheus at ${where} failed`,
          readQuery(meta, queryUrl(meta, ctx.now()), signal, tokens),
        );
        return { metrics: [{ name, value }], isActive: value > meta.activationThreshold };
      },
    });
  },
});

/** KEDA's URL: `query` and `time` first, then `namespace`, then `queryParameters`. */
export function queryUrl(meta: PrometheusMeta, now: number): URL {
  const time = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const u = new URL(`${meta.serverAddress}/api/v1/query`);
  u.searchParams.set('query', meta.query);
  u.searchParams.set('time', time);
  if (meta.namespace) u.searchParams.set('namespace', meta.namespace);
  for (const [k, v] of meta.queryParameters) u.searchParams.append(k, v);
  return u;
}

/** `scheme://host[:port]/path` without user info, for messages. */
function describeServer(address: string): string {
  try {
    const u = new URL(address);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'the configured server';
  }
}

interface PromResponse {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

async function readQuery(
  meta: PrometheusMeta,
  url: URL,
  signal: AbortSignal,
  tokens: TokenSource | undefined,
): Promise<number> {
  const res = await httpGet(url, {
    headers: meta.customHeaders,
    auth: meta.auth,
    applyApiKey: false,
    ...(tokens ? { tokens } : {}),
    unsafeSsl: meta.unsafeSsl,
    timeoutMs: meta.timeoutMs,
    signal,
  });
  if (res.status < 200 || res.status > 299)
    throw new Error(`prometheus query api returned error. status: ${res.status}`);
  let body: PromResponse;
  try {
    body = JSON.parse(res.body) as PromResponse;
  } catch {
    throw new Error('the answer is not JSON');
  }
  return sampleValue(body, meta);
}

/** The one sample of an instant-query answer, with KEDA's empty / NaN / multiple rules. */
export function sampleValue(
  body: PromResponse,
  meta: Pick<PrometheusMeta, 'ignoreNullValues' | 'query'>,
): number {
  // An answer without a result list (`{}`) has no sample, as KEDA decodes it.
  const result = body.data?.result ?? [];
  let raw: unknown;
  if (body.data?.resultType === 'scalar' && Array.isArray(result)) {
    raw = result[1];
  } else {
    if (!Array.isArray(result)) throw new Error('the answer has no data.result list');
    if (result.length === 0) {
      if (meta.ignoreNullValues) return 0;
      throw new Error("prometheus metrics 'prometheus' target may be lost, the result is empty");
    }
    if (result.length > 1)
      throw new Error(`prometheus query ${meta.query} returned multiple elements`);
    const value = (result[0] as { value?: unknown }).value;
    const list = Array.isArray(value) ? value : [];
    if (list.length === 0) {
      if (meta.ignoreNullValues) return 0;
      throw new Error(
        "prometheus metrics 'prometheus' target may be lost, the value list is empty",
      );
    }
    if (list.length < 2)
      throw new Error(`prometheus query ${meta.query} didn't return enough values`);
    raw = list[1];
  }
  if (typeof raw !== 'string')
    throw new Error(`the sample value is not a string: ${JSON.stringify(raw)}`);
  const v = parseGoFloat(raw);
  if (v === undefined) throw new Error(`the sample value "${raw}" is not a number`);
  if (!Number.isFinite(v)) {
    if (meta.ignoreNullValues) return 0;
    throw new Error(`prometheus query returns ${raw}`);
  }
  return v;
}

/** strconv.ParseFloat as Prometheus writes samples: decimals, exponents, NaN, +Inf, -Inf. */
function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}
