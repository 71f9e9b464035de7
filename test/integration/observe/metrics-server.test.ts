/** `/metrics` over real HTTP on 127.0.0.1: loopback by default, a bearer token otherwise. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricsConfigError, startMetricsServer } from '../../../src/observe/metrics-server.js';
import { TideMetrics } from '../../../src/observe/metrics.js';
import { Secret } from '../../../src/secret.js';

const metrics = new TideMetrics();
const render = async () => ({ contentType: metrics.contentType, body: await metrics.metrics() });

test('on loopback, /metrics answers without a token in the Prometheus text format', async (t) => {
  const s = await startMetricsServer({ host: '127.0.0.1', port: 0, render });
  t.after(() => s.close());
  const res = await fetch(s.url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  assert.match(await res.text(), /^# HELP tide_build_info/m);
  assert.equal((await fetch(s.url.replace('/metrics', '/other'))).status, 404);
});

test('binding to all interfaces without a token is refused before listening', async () => {
  await assert.rejects(
    startMetricsServer({ host: '0.0.0.0', port: 0, render }),
    (e: unknown) => e instanceof MetricsConfigError && /--metrics-token/.test(e.message),
  );
  await assert.rejects(
    startMetricsServer({ host: '0.0.0.0', port: 0, render, token: new Secret('') }),
    MetricsConfigError,
  );
});

test('with a token, /metrics needs the right bearer token and never echoes it', async (t) => {
  const token = 'scrape-token-7f3a';
  const s = await startMetricsServer({
    host: '0.0.0.0',
    port: 0,
    render,
    token: new Secret(token),
  });
  t.after(() => s.close());
  const url = `http://127.0.0.1:${s.port}/metrics`;
  const none = await fetch(url);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  const wrong = await fetch(url, { headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.status, 401);
  assert.equal((await wrong.text()).includes(token), false);
  const right = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(right.status, 200);
  assert.equal((await right.text()).includes(token), false);
});

test('a port out of range is a usage error naming the option', async () => {
  await assert.rejects(
    startMetricsServer({ host: '127.0.0.1', port: 70000, render }),
    /--metrics-port: expected a port 0-65535, got 70000/,
  );
});
