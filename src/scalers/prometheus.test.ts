import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from '../secret.js';
import { prometheus, queryUrl, sampleValue } from './prometheus.js';
import type { ParseResult, TriggerInputs } from './core/types.js';

function inputs(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
): TriggerInputs {
  return { metadata, authParams, resolvedEnv: {}, triggerIndex: 0 };
}
function issues<M>(r: ParseResult<M>): string[] {
  if (r.ok) assert.fail('expected issues');
  return r.issues.filter((i) => i.severity === 'error').map((i) => `${i.path}: ${i.message}`);
}
const base = { serverAddress: 'http://prom:9090/', query: 'up', threshold: '10.5' };

test('defaults: activationThreshold 0, ignoreNullValues true, unsafeSsl false, timeout 3 s, no auth', () => {
  const r = prometheus.parse(inputs(base));
  if (!r.ok) return assert.fail(JSON.stringify(r.issues));
  assert.equal(r.meta.serverAddress, 'http://prom:9090');
  assert.equal(r.meta.threshold, 10.5);
  assert.equal(r.meta.activationThreshold, 0);
  assert.equal(r.meta.ignoreNullValues, true);
  assert.equal(r.meta.unsafeSsl, false);
  assert.equal(r.meta.timeoutMs, 3000);
  assert.equal(r.meta.auth.modes.size, 0);
});

const rejected: {
  name: string;
  metadata: Record<string, string>;
  auth: TriggerInputs['authParams'];
  want: RegExp;
}[] = [
  {
    name: 'threshold is required',
    metadata: { serverAddress: 'http://p', query: 'up' },
    auth: {},
    want: /metadata\.threshold: missing required parameter "threshold"/,
  },
  {
    name: 'threshold must be a number',
    metadata: { ...base, threshold: 'ten' },
    auth: {},
    want: /metadata\.threshold: must be a number, got "ten"/,
  },
  {
    name: 'serverAddress must be a URL',
    metadata: { ...base, serverAddress: 'prom:9090' },
    auth: {},
    want: /serverAddress: must be an http:\/\/ or https:\/\/ URL/,
  },
  {
    name: 'bearer and basic exclude each other',
    metadata: { ...base, authModes: 'bearer,basic' },
    auth: { bearerToken: new Secret('t'), username: 'u' },
    want: /authModes: bearer and basic cannot be used together/,
  },
  {
    name: 'bearer needs a token',
    metadata: { ...base, authModes: 'bearer' },
    auth: {},
    want: /bearerToken: bearer token is required/,
  },
  {
    name: 'an unknown auth mode',
    metadata: { ...base, authModes: 'kerberos' },
    auth: {},
    want: /authModes: must be a list of apiKey, basic, tls, bearer, custom, oauth, got "kerberos"/,
  },
  {
    name: 'customHeaders must be key=value pairs',
    metadata: { ...base, customHeaders: 'X-A=1,broken' },
    auth: {},
    want: /customHeaders: expected key=value pairs, got "broken"/,
  },
  {
    name: 'tls needs cert and key (ca is optional, as in KEDA)',
    metadata: { ...base, authModes: 'tls' },
    auth: { cert: 'C' },
    want: /cert and key are required/,
  },
];
for (const c of rejected) {
  test(`rejects: ${c.name}`, () => {
    const all = issues(prometheus.parse(inputs(c.metadata, c.auth)));
    assert.ok(
      all.some((m) => c.want.test(m)),
      all.join('\n'),
    );
  });
}

test('tls with cert and key but no ca is accepted, as KEDA accepts it', () => {
  const r = prometheus.parse(
    inputs({ ...base, authModes: 'tls' }, { cert: 'C', key: new Secret('K') }),
  );
  assert.ok(r.ok, JSON.stringify(r.ok ? '' : r.issues));
});

test('an answer without a result list is no sample: 0 with ignoreNullValues, as KEDA decodes it', () => {
  assert.equal(sampleValue({}, { ignoreNullValues: true, query: 'up' }), 0);
  assert.throws(() => sampleValue({}, { ignoreNullValues: false, query: 'up' }), /result is empty/);
});

test('authMode (singular) is an alias and may come from the TriggerAuthentication', () => {
  const r = prometheus.parse(
    inputs(base, { authMode: 'basic', username: 'u', password: new Secret('p') }),
  );
  if (!r.ok) return assert.fail(JSON.stringify(r.issues));
  assert.equal(r.meta.auth.basic?.username, 'u');
});

test('a secret auth value is never quoted in an issue', () => {
  const r = prometheus.parse(
    inputs({ ...base, authModes: 'apiKey', method: 'cookie' }, { apiKey: new Secret('k-secret') }),
  );
  assert.ok(!JSON.stringify(issues(r)).includes('k-secret'));
});

test('the query URL carries query, time, namespace and parameters in order', () => {
  const r = prometheus.parse(inputs({ ...base, namespace: 'ns', queryParameters: 'a=1' }));
  if (!r.ok) return assert.fail(JSON.stringify(r.issues));
  assert.equal(
    queryUrl(r.meta, Date.UTC(2025, 0, 2, 3, 4, 5, 678)).toString(),
    'http://prom:9090/api/v1/query?query=up&time=2025-01-02T03%3A04%3A05Z&namespace=ns&a=1',
  );
});

const samples = [
  { name: 'a vector of one', body: { data: { result: [{ value: [1, '2.5'] }] } }, want: 2.5 },
  { name: 'an empty vector', body: { data: { result: [] } }, want: 0 },
  { name: 'NaN', body: { data: { result: [{ value: [1, 'NaN'] }] } }, want: 0 },
  { name: '+Inf', body: { data: { result: [{ value: [1, '+Inf'] }] } }, want: 0 },
  { name: 'a scalar', body: { data: { resultType: 'scalar', result: [1, '3'] } }, want: 3 },
  { name: 'an exponent', body: { data: { result: [{ value: [1, '1e3'] }] } }, want: 1000 },
];
for (const c of samples) {
  test(`sample: ${c.name} reads ${c.want} with ignoreNullValues`, () => {
    assert.equal(sampleValue(c.body, { ignoreNullValues: true, query: 'q' }), c.want);
  });
}

test('NaN is an error without ignoreNullValues', () => {
  assert.throws(
    () =>
      sampleValue(
        { data: { result: [{ value: [1, 'NaN'] }] } },
        { ignoreNullValues: false, query: 'q' },
      ),
    /prometheus query returns NaN/,
  );
});
