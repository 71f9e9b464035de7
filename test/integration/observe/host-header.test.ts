/**
 * DNS-rebinding protection on real servers: a page on evil.example whose name resolves to
 * 127.0.0.1 sends `Host: evil.example`. The dashboard and /metrics on loopback without a token
 * answer 403 to it (the dashboard would otherwise serve replica output to that page), and
 * answer requests addressed to localhost, 127.0.0.1 or [::1] as before.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { startDashboardServer } from '../../../src/observe/dashboard/server.js';
import type { DashboardSource } from '../../../src/observe/dashboard/source.js';
import { startMetricsServer } from '../../../src/observe/metrics-server.js';
import { TideMetrics } from '../../../src/observe/metrics.js';
import { Secret } from '../../../src/secret.js';

/** GET with a Host header of our choosing (fetch forbids setting it). */
function get(
  port: number,
  path: string,
  host: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { ...headers, host }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const source: DashboardSource = {
  objects: () => [
    {
      key: 'ScaledObject/default/demo',
      kind: 'ScaledObject',
      namespace: 'default',
      name: 'demo',
      conditions: { ready: true, active: false, paused: false, fallback: false },
      triggers: [],
      hasLogs: true,
    },
  ],
  records: () => [],
  subscribe: () => () => undefined,
  logs: async () => [
    { replica: 'demo-0', updatedAt: '', lines: ['replica output'], truncated: false },
  ],
};

const FORGED = ['evil.example', 'evil.example:7117', 'localhost.evil.example', '10.0.0.5:7117'];

test('the dashboard on loopback without a token refuses a forged Host with 403', async (t) => {
  const server = await startDashboardServer({ host: '127.0.0.1', port: 0, source });
  t.after(() => server.close());
  const logs = '/api/logs?object=ScaledObject/default/demo';
  for (const host of FORGED) {
    for (const path of ['/', '/api/snapshot', logs, '/events']) {
      const res = await get(server.port, path, host);
      assert.equal(res.status, 403, `${host} ${path}`);
      assert.ok(!res.body.includes('replica output'));
      assert.match(res.body, /DNS rebinding protection/);
    }
  }
  for (const host of [
    'localhost',
    `localhost:${server.port}`,
    `127.0.0.1:${server.port}`,
    '[::1]:1',
  ]) {
    const res = await get(server.port, logs, host);
    assert.equal(res.status, 200, host);
    assert.match(res.body, /replica output/);
  }
});

test('the dashboard with a token answers any Host that brings the token', async (t) => {
  const token = 'host-test-token-91b2';
  const server = await startDashboardServer({
    host: '127.0.0.1',
    port: 0,
    source,
    token: new Secret(token),
  });
  t.after(() => server.close());
  assert.equal((await get(server.port, '/api/snapshot', 'tide.internal')).status, 401);
  const ok = await get(server.port, '/api/snapshot', 'tide.internal', {
    authorization: `Bearer ${token}`,
  });
  assert.equal(ok.status, 200);
});

test('/metrics on loopback without a token refuses a forged Host with 403', async (t) => {
  const metrics = new TideMetrics();
  const s = await startMetricsServer({
    host: '127.0.0.1',
    port: 0,
    render: async () => ({ contentType: metrics.contentType, body: await metrics.metrics() }),
  });
  t.after(() => s.close());
  for (const host of FORGED) assert.equal((await get(s.port, '/metrics', host)).status, 403, host);
  const ok = await get(s.port, '/metrics', `localhost:${s.port}`);
  assert.equal(ok.status, 200);
  assert.match(ok.body, /tide_build_info/);
});
