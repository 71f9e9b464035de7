/**
 * The `prometheus` trigger against a real Prometheus (Debian's package) started here, scraping
 * an exporter the test drives; a second Prometheus sits behind basic auth (bcrypt hash below);
 * a small capture server checks what the scaler sends (headers, parameters, auth modes).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ScalerError } from '../../../src/errors.js';
import { prometheus } from '../../../src/scalers/prometheus.js';
import type { Scaler, ScalerContext, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { makeTestCerts, type TestCerts } from '../../support/certs.js';
import { freePort } from '../../support/ports.js';
import {
  startExporter,
  startPrometheus,
  type Exporter,
  type PrometheusServer,
} from '../../support/prometheus.js';
import { startTideUp } from '../../support/tide-process.js';
import { waitFor } from '../../support/wait-for.js';
import { scalerContract } from '../scaler-contract.js';
import { testContext } from './redis-servers.js';

// bcrypt (cost 4) of PASSWORD, made once with python3's crypt(METHOD_BLOWFISH).
const PASSWORD = 'tide-prom-test-pw';
const BCRYPT = '$2b$04$9E1uj6/Z8HXjNHcq3NC8wua6nZl0xwkVGEFN6K1Tk.m9JW09JgvAu';
const WRONG = 'wrong-prom-password';
const BACKLOG = 'sum(tide_test_backlog{queue="jobs"})';
const signal = () => AbortSignal.timeout(30_000);

let exporter: Exporter;
let prom: PrometheusServer;
let securedProm: PrometheusServer;

function ctx(i = 0): ScalerContext {
  return {
    ...testContext(i),
    triggerRef: `ScaledObject default/test-so trigger ${i} (prometheus)`,
  };
}

async function build(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  c: ScalerContext = ctx(),
): Promise<Scaler> {
  const r = prometheus.parse({
    metadata,
    authParams,
    resolvedEnv: {},
    triggerIndex: c.triggerIndex,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return prometheus.create(r.meta, c);
}

async function read(s: Scaler): Promise<{ value: number; active: boolean }> {
  const r = await s.getMetricsAndActivity(signal());
  return { value: r.metrics[0]?.value ?? NaN, active: r.isActive };
}

/** Waits until the scaler reads `value` (Prometheus picks up the gauge on its next scrape). */
async function readsValue(s: Scaler, value: number): Promise<{ value: number; active: boolean }> {
  let last: { value: number; active: boolean } | undefined;
  await waitFor(
    async () => {
      last = await read(s);
      return last.value === value;
    },
    {
      timeoutMs: 15_000,
      intervalMs: 100,
      what: `the query to read ${value} (last ${JSON.stringify(last)})`,
    },
  );
  return last!;
}

before(async () => {
  exporter = await startExporter();
  exporter.set(0);
  [prom, securedProm] = await Promise.all([
    startPrometheus({ targets: [exporter.target] }),
    startPrometheus({
      targets: [exporter.target],
      basicAuth: { user: 'tide', bcryptHash: BCRYPT, password: PASSWORD },
    }),
  ]);
});

after(async () => {
  await prom?.stop();
  await securedProm?.stop();
  await exporter?.stop();
});

describe('prometheus trigger on a real Prometheus', () => {
  test('activation, scale-out and scale-in follow the scraped gauge', async () => {
    const s = await build({
      serverAddress: prom.url,
      query: BACKLOG,
      threshold: '10',
      activationThreshold: '2',
    });
    assert.deepEqual(s.metricSpecs, [
      { name: 's0-prometheus', targetType: 'AverageValue', target: 10 },
    ]);
    exporter.set(2);
    assert.deepEqual(
      await readsValue(s, 2),
      { value: 2, active: false },
      'equal to activationThreshold: inactive',
    );
    exporter.set(3);
    assert.deepEqual(await readsValue(s, 3), { value: 3, active: true });
    exporter.set(45);
    assert.deepEqual(await readsValue(s, 45), { value: 45, active: true });
    exporter.set(0);
    assert.deepEqual(await readsValue(s, 0), { value: 0, active: false });
    await s.close();
  });

  test('an empty result reads 0 by default and is an error with ignoreNullValues false', async () => {
    const none = 'tide_test_backlog{queue="no-such-queue"}';
    const lenient = await build({ serverAddress: prom.url, query: none, threshold: '1' });
    assert.deepEqual(await read(lenient), { value: 0, active: false });
    const strict = await build({
      serverAddress: prom.url,
      query: none,
      threshold: '1',
      ignoreNullValues: 'false',
    });
    await assert.rejects(strict.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.match(e.message, /target may be lost, the result is empty/);
      return true;
    });
    await lenient.close();
    await strict.close();
  });

  test('a query returning several series is an error', async () => {
    exporter.set(1, 'a');
    exporter.set(2, 'b');
    const s = await build({ serverAddress: prom.url, query: 'tide_test_backlog', threshold: '1' });
    await waitFor(
      async () => {
        try {
          await read(s);
          return false;
        } catch (e) {
          return e instanceof ScalerError && /returned multiple elements/.test(e.message);
        }
      },
      { timeoutMs: 15_000, what: 'a multiple-elements error once both series are scraped' },
    );
    await s.close();
  });

  test('a scalar result is read as its value', async () => {
    const s = await build({
      serverAddress: prom.url,
      query: 'scalar(vector(7.25))',
      threshold: '1',
    });
    assert.deepEqual(await read(s), { value: 7.25, active: true });
    await s.close();
  });

  test('a PromQL syntax error is a ScalerError naming the status', async () => {
    const s = await build({ serverAddress: prom.url, query: 'sum(', threshold: '1' });
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.equal(
        e.message,
        `ScaledObject default/test-so trigger 0 (prometheus): query on Prometheus at ${prom.url} failed: prometheus query api returned error. status: 400`,
      );
      return true;
    });
    await s.close();
  });
});

describe('prometheus trigger with basic auth (--web.config.file)', () => {
  test('reads with the username and password from the TriggerAuthentication', async () => {
    exporter.set(6);
    const s = await build(
      { serverAddress: securedProm.url, query: BACKLOG, threshold: '5', authModes: 'basic' },
      { username: 'tide', password: new Secret(PASSWORD) },
    );
    assert.deepEqual(await readsValue(s, 6), { value: 6, active: true });
    await s.close();
  });

  test('a wrong password is a ScalerError with the status and without the password', async () => {
    const s = await build(
      { serverAddress: securedProm.url, query: BACKLOG, threshold: '5', authModes: 'basic' },
      { username: 'tide', password: new Secret(WRONG) },
    );
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.match(e.message, /status: 401$/);
      assert.ok(!e.message.includes(WRONG));
      return true;
    });
    await s.close();
  });
});

describe('prometheus trigger with authModes tls (client certificate required)', () => {
  let certs: TestCerts;
  let tlsProm: PrometheusServer;
  before(async () => {
    certs = makeTestCerts();
    tlsProm = await startPrometheus({
      targets: [exporter.target],
      tls: {
        certFile: certs.path('server.crt'),
        keyFile: certs.path('server.key'),
        caFile: certs.path('ca.crt'),
        client: {
          cert: certs.pem('client.crt'),
          key: certs.pem('client.key'),
          ca: certs.pem('ca.crt'),
        },
      },
    });
  });
  after(async () => {
    await tlsProm?.stop();
    certs?.remove();
  });

  test('reads with the client certificate, key and CA from the TriggerAuthentication', async () => {
    const s = await build(
      { serverAddress: tlsProm.url, query: 'vector(5)', threshold: '1', authModes: 'tls' },
      {
        cert: certs.pem('client.crt'),
        key: new Secret(certs.pem('client.key')),
        ca: certs.pem('ca.crt'),
      },
    );
    assert.deepEqual(await read(s), { value: 5, active: true });
    await s.close();
  });

  test('without a client certificate the query fails with a ScalerError', async () => {
    const s = await build(
      { serverAddress: tlsProm.url, query: 'vector(5)', threshold: '1' },
      { ca: certs.pem('ca.crt') },
    );
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.match(e.message, /query on Prometheus at https:\/\/127\.0\.0\.1:\d+ failed: /);
      return true;
    });
    await s.close();
  });

  test('an untrusted server certificate fails unless unsafeSsl', async () => {
    const s = await build(
      { serverAddress: tlsProm.url, query: 'vector(5)', threshold: '1', authModes: 'tls' },
      {
        cert: certs.pem('client.crt'),
        key: new Secret(certs.pem('client.key')),
        ca: certs.pem('client.crt'),
      },
    );
    await assert.rejects(s.getMetricsAndActivity(signal()), /certificate/);
    await s.close();
    const unsafe = await build(
      {
        serverAddress: tlsProm.url,
        query: 'vector(5)',
        threshold: '1',
        authModes: 'tls',
        unsafeSsl: 'true',
      },
      {
        cert: certs.pem('client.crt'),
        key: new Secret(certs.pem('client.key')),
        ca: certs.pem('client.crt'),
      },
    );
    assert.equal((await read(unsafe)).value, 5);
    await unsafe.close();
  });
});

describe('what the prometheus trigger sends', () => {
  let server: Server;
  let url: string;
  const seen: IncomingMessage[] = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push(req);
      if (req.url === '/token') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ access_token: 'oauth-tok', token_type: 'bearer', expires_in: 3600 }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [1, '4'] }] },
        }),
      );
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    url = `http://127.0.0.1:${port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const cases: {
    name: string;
    metadata: Record<string, string>;
    auth?: TriggerInputs['authParams'];
    check(req: IncomingMessage, u: URL): void;
  }[] = [
    {
      name: 'the query, time (RFC 3339, UTC), namespace and queryParameters',
      metadata: { namespace: 'team-a', queryParameters: 'dedup=false, partial_response=true' },
      check(_req, u) {
        assert.equal(u.pathname, '/api/v1/query');
        assert.equal(u.searchParams.get('query'), BACKLOG);
        assert.match(u.searchParams.get('time') ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.equal(u.searchParams.get('namespace'), 'team-a');
        assert.equal(u.searchParams.get('dedup'), 'false');
        assert.equal(u.searchParams.get('partial_response'), 'true');
      },
    },
    {
      name: 'customHeaders',
      metadata: { customHeaders: 'X-Scope-OrgID=tenant-1,X-Client-Id=cid' },
      check(req) {
        assert.equal(req.headers['x-scope-orgid'], 'tenant-1');
        assert.equal(req.headers['x-client-id'], 'cid');
      },
    },
    {
      name: 'a bearer token',
      metadata: { authModes: 'bearer' },
      auth: { bearerToken: new Secret('tok-123') },
      check(req) {
        assert.equal(req.headers.authorization, 'Bearer tok-123');
      },
    },
    {
      name: 'an OAuth2 client-credentials token',
      metadata: { authModes: 'oauth' },
      get auth() {
        return {
          oauthTokenURI: `${url}/token`,
          clientID: 'tide',
          clientSecret: new Secret('oauth-secret'),
        };
      },
      check(req) {
        assert.equal(req.headers.authorization, 'Bearer oauth-tok');
        assert.equal(seen[0]?.url, '/token', 'the token was fetched first');
      },
    },
    {
      name: 'a custom auth header',
      metadata: { authModes: 'custom' },
      auth: { customAuthHeader: 'X-Auth', customAuthValue: new Secret('v-456') },
      check(req) {
        assert.equal(req.headers['x-auth'], 'v-456');
      },
    },
  ];
  for (const c of cases) {
    test(`sends ${c.name}`, async () => {
      const s = await build(
        { serverAddress: url, query: BACKLOG, threshold: '1', ...c.metadata },
        c.auth ?? {},
      );
      seen.length = 0;
      assert.equal((await read(s)).value, 4);
      const req = seen.at(-1);
      assert.ok(req);
      c.check(req, new URL(req.url ?? '', url));
      await s.close();
    });
  }

  test('an unanswered query fails after `timeout`', async () => {
    const silent = createServer(() => undefined);
    const port = await freePort();
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    const s = await build({
      serverAddress: `http://127.0.0.1:${port}`,
      query: BACKLOG,
      threshold: '1',
      timeout: '300ms',
    });
    const t0 = Date.now();
    await assert.rejects(s.getMetricsAndActivity(signal()), /no answer within 300 ms/);
    assert.ok(Date.now() - t0 < 5_000);
    await s.close();
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
  });
});

describe('prometheus trigger under tide up', () => {
  test('a Deployment follows the scraped gauge from zero to three replicas and back to zero', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tide-prom-up-'));
    writeFileSync(
      join(dir, 'app.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: prom-worker }
spec:
  replicas: 0
  selector: { matchLabels: { app: prom-worker } }
  template:
    metadata: { labels: { app: prom-worker } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: worker
          command: ['node', '-e', 'setInterval(() => {}, 1000)']
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: prom-worker }
spec:
  scaleTargetRef: { name: prom-worker }
  pollingInterval: 1
  cooldownPeriod: 2
  maxReplicaCount: 5
  advanced:
    horizontalPodAutoscalerConfig:
      behavior: { scaleDown: { stabilizationWindowSeconds: 0 } }
  triggers:
    - type: prometheus
      metadata:
        serverAddress: ${prom.url}
        query: '${BACKLOG}'
        threshold: '5'
        activationThreshold: '1'
`,
    );
    exporter.set(0);
    // Prometheus still holds the earlier tests' gauge until its next scrape; tide must start on
    // a 0, or its first reading wakes the pool and the cooldown still holds a replica below.
    const probe = await build({ serverAddress: prom.url, query: BACKLOG, threshold: '5' });
    await readsValue(probe, 0);
    await probe.close();
    const tide = await startTideUp(dir, ['app.yaml']);
    t.after(async () => {
      await tide.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const so = () => tide.object('ScaledObject', 'prom-worker');
    await waitFor(async () => (await so())?.triggers[0]?.value === 0, {
      timeoutMs: 20_000,
      what: 'a first reading of 0',
    });
    assert.equal((await so())?.runningReplicas, 0);
    exporter.set(1);
    await waitFor(async () => (await so())?.triggers[0]?.value === 1, {
      timeoutMs: 15_000,
      what: 'a reading of 1 (not above activationThreshold)',
    });
    assert.equal((await so())?.runningReplicas, 0, 'equal to activationThreshold: stays at zero');
    exporter.set(12);
    await waitFor(async () => (await so())?.runningReplicas === 3, {
      timeoutMs: 20_000,
      what: `3 replicas for 12 at threshold 5 (last: ${JSON.stringify((await so())?.triggers)})`,
    });
    exporter.set(0);
    await waitFor(async () => (await so())?.runningReplicas === 0, {
      timeoutMs: 30_000,
      what: 'zero replicas after the gauge drops and cooldownPeriod passes',
    });
  });
});

scalerContract('prometheus', () => ({
  secrets: [PASSWORD, WRONG],
  working: (i) =>
    build(
      { serverAddress: securedProm.url, query: BACKLOG, threshold: '1', authModes: 'basic' },
      { username: 'tide', password: new Secret(PASSWORD) },
      ctx(i),
    ),
  down: async () =>
    build(
      {
        serverAddress: `http://127.0.0.1:${await freePort()}`,
        query: BACKLOG,
        threshold: '1',
        authModes: 'basic',
      },
      { username: 'tide', password: new Secret(PASSWORD) },
    ),
  badCredentials: () =>
    build(
      { serverAddress: securedProm.url, query: BACKLOG, threshold: '1', authModes: 'basic' },
      { username: 'tide', password: new Secret(WRONG) },
    ),
}));
