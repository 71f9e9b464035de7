/**
 * The `metrics-api` trigger against HTTP(S) servers run here: a node:http API whose value the
 * test drives (json / yaml / xml / prometheus bodies, basic, bearer and apiKey auth), and a
 * node:https server with a CA, server and client certificates made with `openssl`.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { ScalerError } from '../../../src/errors.js';
import { metricsApi } from '../../../src/scalers/metrics-api.js';
import type { Scaler, ScalerContext, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { makeTestCerts, type TestCerts } from '../../support/certs.js';
import { freePort } from '../../support/ports.js';
import { scalerContract } from '../scaler-contract.js';
import { testContext } from './redis-servers.js';

const PASSWORD = 'metrics-api-pw';
const WRONG = 'metrics-api-wrong';
const API_KEY = 'metrics-api-key-123';
const signal = () => AbortSignal.timeout(30_000);

/** The value the API serves, driven by the tests. */
let backlog = 0;
let api: Server;
let base: string;
let lastRequest: IncomingMessage | undefined;

function ctx(i = 0): ScalerContext {
  return {
    ...testContext(i),
    triggerRef: `ScaledObject default/test-so trigger ${i} (metrics-api)`,
  };
}

async function build(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = {},
  c: ScalerContext = ctx(),
): Promise<Scaler> {
  const r = metricsApi.parse({
    metadata,
    authParams,
    resolvedEnv: {},
    triggerIndex: c.triggerIndex,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return metricsApi.create(r.meta, c);
}

async function read(s: Scaler): Promise<{ value: number; active: boolean }> {
  const r = await s.getMetricsAndActivity(signal());
  return { value: r.metrics[0]?.value ?? NaN, active: r.isActive };
}

function basicOk(req: IncomingMessage): boolean {
  const want = `Basic ${Buffer.from(`tide:${PASSWORD}`).toString('base64')}`;
  return req.headers.authorization === want;
}

/** Routes: /json /yaml /xml /prom (open), /basic /bearer /key-header /key-query (guarded). */
function handle(req: IncomingMessage, res: import('node:http').ServerResponse): void {
  lastRequest = req;
  const u = new URL(req.url ?? '/', 'http://x');
  const json = () =>
    JSON.stringify({ components: { worker: { tasks: backlog, mem: '512Mi' } }, items: [1, 2, 3] });
  const deny = () => {
    res.writeHead(401);
    res.end('unauthorized');
  };
  switch (u.pathname) {
    case '/json':
      res.end(json());
      return;
    case '/yaml':
      res.end(`components:\n  worker:\n    tasks: ${backlog}\n  list:\n    - depth: 4\n`);
      return;
    case '/xml':
      res.end(
        `<?xml version="1.0"?><stats><worker><tasks>${backlog}</tasks></worker><q><d>1</d></q><q><d>2</d></q></stats>`,
      );
      return;
    case '/prom':
      res.end(`# HELP q Items\n# TYPE q gauge\nq{name="a"} 1\nq{name="b"} ${backlog}\nother 3\n`);
      return;
    case '/basic':
      if (!basicOk(req)) return deny();
      res.end(json());
      return;
    case '/bearer':
      if (req.headers.authorization !== `Bearer ${API_KEY}`) return deny();
      res.end(json());
      return;
    case '/key-header':
      if (req.headers['x-api-key'] !== API_KEY) return deny();
      res.end(json());
      return;
    case '/key-query':
      if (u.searchParams.get('secret_key') !== API_KEY) return deny();
      res.end(json());
      return;
    default:
      res.writeHead(404);
      res.end('no such path');
  }
}

before(async () => {
  api = createServer(handle);
  const port = await freePort();
  await new Promise<void>((r) => api.listen(port, '127.0.0.1', r));
  base = `http://127.0.0.1:${port}`;
});

after(async () => {
  api.closeAllConnections();
  await new Promise<void>((r) => api.close(() => r()));
});

describe('metrics-api trigger on a node:http API', () => {
  test('activation, scale-out and scale-in follow the served value', async () => {
    const s = await build({
      url: `${base}/json`,
      valueLocation: 'components.worker.tasks',
      targetValue: '5',
      activationTargetValue: '2',
    });
    assert.deepEqual(s.metricSpecs, [
      { name: 's0-metric-api-components-worker-tasks', targetType: 'AverageValue', target: 5 },
    ]);
    backlog = 2;
    assert.deepEqual(await read(s), { value: 2, active: false });
    backlog = 3;
    assert.deepEqual(await read(s), { value: 3, active: true });
    backlog = 40;
    assert.deepEqual(await read(s), { value: 40, active: true });
    backlog = 0;
    assert.deepEqual(await read(s), { value: 0, active: false });
    await s.close();
  });

  const formats = [
    { name: 'json array length (#)', path: '/json', format: 'json', loc: 'items.#', want: 3 },
    { name: 'json array index', path: '/json', format: 'json', loc: 'items.1', want: 2 },
    {
      name: 'json quantity string',
      path: '/json',
      format: 'json',
      loc: 'components.worker.mem',
      want: 512 * 2 ** 20,
    },
    {
      name: 'yaml dotted path',
      path: '/yaml',
      format: 'yaml',
      loc: 'components.worker.tasks',
      want: 7,
    },
    {
      name: 'yaml list index',
      path: '/yaml',
      format: 'yaml',
      loc: 'components.list.0.depth',
      want: 4,
    },
    { name: 'xml dotted path', path: '/xml', format: 'xml', loc: 'stats.worker.tasks', want: 7 },
    { name: 'xml repeated element', path: '/xml', format: 'xml', loc: 'stats.q.1.d', want: 2 },
    {
      name: 'prometheus selector',
      path: '/prom',
      format: 'prometheus',
      loc: 'q{name="b"}',
      want: 7,
    },
    { name: 'prometheus bare name', path: '/prom', format: 'prometheus', loc: 'other', want: 3 },
  ];
  for (const c of formats) {
    test(`reads ${c.name}`, async () => {
      backlog = 7;
      const s = await build({
        url: `${base}${c.path}`,
        format: c.format,
        valueLocation: c.loc,
        targetValue: '1',
      });
      assert.equal((await read(s)).value, c.want);
      await s.close();
    });
  }

  const failures: { name: string; meta: Record<string, string> & { url: string }; want: RegExp }[] =
    [
      {
        name: 'a status other than 200',
        meta: { url: `/nope`, valueLocation: 'a' },
        want: /\/nope: api returned 404$/,
      },
      {
        name: 'a location pointing at an object',
        meta: { url: '/json', valueLocation: 'components.worker' },
        want: /must point to value of type number or a string representing a Quantity got: 'JSON'/,
      },
      {
        name: 'a missing location',
        meta: { url: '/json', valueLocation: 'components.none' },
        want: /got: 'Null'/,
      },
      {
        name: 'a prometheus metric that is absent',
        meta: { url: '/prom', valueLocation: 'absent', format: 'prometheus' },
        want: /metric 'absent' not found/,
      },
    ];
  for (const c of failures) {
    test(`${c.name} is a ScalerError`, async () => {
      const s = await build({ ...c.meta, url: `${base}${c.meta.url}`, targetValue: '1' });
      await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
        assert.ok(e instanceof ScalerError, String(e));
        assert.match(e.message, c.want);
        return true;
      });
      await s.close();
    });
  }

  const auths: {
    name: string;
    path: string;
    meta: Record<string, string>;
    auth: TriggerInputs['authParams'];
    check?(req: IncomingMessage): void;
  }[] = [
    {
      name: 'basic',
      path: '/basic',
      meta: { authMode: 'basic' },
      auth: { username: 'tide', password: new Secret(PASSWORD) },
    },
    {
      name: 'bearer',
      path: '/bearer',
      meta: { authMode: 'bearer' },
      auth: { bearerToken: new Secret(API_KEY) },
    },
    {
      name: 'apiKey in the X-API-KEY header',
      path: '/key-header',
      meta: { authMode: 'apiKey' },
      auth: { apiKey: new Secret(API_KEY) },
    },
    {
      name: 'apiKey in a named query parameter',
      path: '/key-query',
      meta: { authMode: 'apiKey', method: 'query', keyParamName: 'secret_key' },
      auth: { apiKey: new Secret(API_KEY) },
      check(req) {
        assert.ok(!req.headers['x-api-key']);
      },
    },
  ];
  for (const c of auths) {
    test(`authenticates with ${c.name}`, async () => {
      backlog = 9;
      const s = await build(
        {
          url: `${base}${c.path}`,
          valueLocation: 'components.worker.tasks',
          targetValue: '1',
          ...c.meta,
        },
        c.auth,
      );
      assert.equal((await read(s)).value, 9);
      if (c.check && lastRequest) c.check(lastRequest);
      await s.close();
    });
  }

  test('a wrong password is a ScalerError naming the 401, without the password', async () => {
    const s = await build(
      {
        url: `${base}/basic`,
        valueLocation: 'components.worker.tasks',
        targetValue: '1',
        authModes: 'basic',
      },
      { username: 'tide', password: new Secret(WRONG) },
    );
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.equal(
        e.message,
        `ScaledObject default/test-so trigger 0 (metrics-api): error requesting metrics endpoint ${base}/basic: /basic: api returned 401`,
      );
      return true;
    });
    await s.close();
  });

  test('an apiKey sent in the query never shows in the error', async () => {
    const s = await build(
      {
        url: `http://127.0.0.1:${await freePort()}/x`,
        valueLocation: 'a',
        targetValue: '1',
        authModes: 'apiKey',
        method: 'query',
      },
      { apiKey: new Secret(API_KEY) },
    );
    await assert.rejects(s.getMetricsAndActivity(signal()), (e: unknown) => {
      assert.ok(e instanceof ScalerError);
      assert.ok(!e.message.includes(API_KEY), e.message);
      return true;
    });
    await s.close();
  });

  test('aggregateFromKubeServiceEndpoints is refused with a clear error', async () => {
    const s = await build({
      url: `${base}/json`,
      valueLocation: 'items.0',
      targetValue: '1',
      aggregateFromKubeServiceEndpoints: 'true',
    });
    await assert.rejects(s.getMetricsAndActivity(signal()), /needs Kubernetes EndpointSlices/);
    await s.close();
  });
});

describe('metrics-api trigger over TLS', () => {
  let certs: TestCerts;
  let https: ReturnType<typeof createHttpsServer>;
  let url: string;
  const pem = (n: string) => certs.pem(n);

  before(async () => {
    certs = makeTestCerts();
    https = createHttpsServer(
      {
        key: pem('server.key'),
        cert: pem('server.crt'),
        ca: pem('ca.crt'),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        // Only a client certificate signed by the CA may read.
        if (!(req.socket as TLSSocket).authorized) {
          res.writeHead(401);
          res.end();
          return;
        }
        res.end(JSON.stringify({ depth: 11 }));
      },
    );
    const port = await freePort();
    await new Promise<void>((r) => https.listen(port, '127.0.0.1', r));
    url = `https://127.0.0.1:${port}/stats`;
  });
  after(async () => {
    https?.closeAllConnections();
    await new Promise<void>((r) => https.close(() => r()));
    certs?.remove();
  });

  test('authMode tls reads with the client certificate, key and CA', async () => {
    const s = await build(
      { url, valueLocation: 'depth', targetValue: '1', authMode: 'tls' },
      { cert: pem('client.crt'), key: new Secret(pem('client.key')), ca: pem('ca.crt') },
    );
    assert.equal((await read(s)).value, 11);
    await s.close();
  });

  test('an untrusted server certificate is an error, unsafeSsl skips the check', async () => {
    const strict = await build({ url, valueLocation: 'depth', targetValue: '1' });
    await assert.rejects(strict.getMetricsAndActivity(signal()), /certificate/);
    const unsafe = await build({
      url,
      valueLocation: 'depth',
      targetValue: '1',
      unsafeSsl: 'true',
    });
    await assert.rejects(
      unsafe.getMetricsAndActivity(signal()),
      /api returned 401/,
      'no client certificate: 401',
    );
    await strict.close();
    await unsafe.close();
  });
});

scalerContract('metrics-api', () => ({
  secrets: [PASSWORD, WRONG],
  working: (i) =>
    build(
      {
        url: `${base}/basic`,
        valueLocation: 'components.worker.tasks',
        targetValue: '1',
        authModes: 'basic',
      },
      { username: 'tide', password: new Secret(PASSWORD) },
      ctx(i),
    ),
  down: async () =>
    build(
      {
        url: `http://tide:${PASSWORD}@127.0.0.1:${await freePort()}/x`,
        valueLocation: 'a',
        targetValue: '1',
        authModes: 'basic',
      },
      { username: 'tide', password: new Secret(PASSWORD) },
    ),
  badCredentials: () =>
    build(
      {
        url: `${base}/basic`,
        valueLocation: 'components.worker.tasks',
        targetValue: '1',
        authModes: 'basic',
      },
      { username: 'tide', password: new Secret(WRONG) },
    ),
}));
