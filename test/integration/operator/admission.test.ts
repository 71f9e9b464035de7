/**
 * The validating admission webhook of `tide operator --webhook-port` on a real API server:
 * the ValidatingWebhookConfiguration of deploy/operator/webhook.yaml (only its Service moved to
 * the test namespace and the operator's port), reached through an ExternalName Service to
 * localhost because the test cluster has no kube-proxy for a ClusterIP. The API server calls
 * the operator over HTTPS with the CA tide wrote into `caBundle`, so every refusal below also
 * proves the certificate chain (Go's crypto/x509 verifying tide's hand-written DER).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { after, before, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { KubeApiError, KubeClient, loadKubeConfig } from '../../../src/targets/kubernetes/kube-client.js';
import { issueCerts, serviceHosts } from '../../../src/operator/webhook/cert-plan.js';
import { startKubeCluster, type KubeCluster } from '../../support/peers.js';
import { freePort } from '../../support/ports.js';
import { repoRoot } from '../../support/tide-process.js';
import { waitFor } from '../../support/wait-for.js';
import { createNamespace, deployment, installCrds } from './support.js';

const NS = 'tide-admit';
const NS_LIMITS = 'tide-admit-limits';
const KEDA = '/apis/keda.sh/v1alpha1';
const VWC = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/tide-admission';
const SECRET = `/api/v1/namespaces/${NS}/secrets/tide-webhook-certs`;
const YEAR = 365 * 86_400_000;

let cluster: KubeCluster | undefined;
let client: KubeClient;
let operator: ChildProcess | undefined;
let output = '';
/** The certificates seeded before the operator starts: CA in its last year, cert expired. */
let seeded: ReturnType<typeof issueCerts>;

interface Vwc {
  webhooks: {
    name: string;
    clientConfig: { caBundle?: string; service: { namespace: string; port?: number } };
  }[];
}

before(async () => {
  cluster = await startKubeCluster({ stages: 'fast' });
  client = new KubeClient(loadKubeConfig(cluster.kubeconfig), { qps: 200, burst: 400 });
  await installCrds(client);
  await createNamespace(client, NS);
  await createNamespace(client, NS_LIMITS);
  const port = await freePort();
  await client.post(`/api/v1/namespaces/${NS}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'tide-webhook', namespace: NS },
    spec: { type: 'ExternalName', externalName: 'localhost' },
  });
  const shipped = parseAllDocuments(
    readFileSync(`${repoRoot}/deploy/operator/webhook.yaml`, 'utf8'),
  ).map((d) => d.toJS() as { kind: string } & Vwc);
  const vwc = shipped.find((d) => d.kind === 'ValidatingWebhookConfiguration');
  assert.ok(vwc);
  for (const w of vwc.webhooks) Object.assign(w.clientConfig.service, { namespace: NS, port });
  await client.post('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', vwc);
  seeded = issueCerts(undefined, 'ca', serviceHosts('tide-webhook', NS), Date.now() - 9.5 * YEAR);
  await client.post(`/api/v1/namespaces/${NS}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name: 'tide-webhook-certs', namespace: NS },
    data: Object.fromEntries(
      Object.entries(seeded).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
  });
  const web = deployment(NS, 'web', 1);
  Object.assign(web.spec.template.spec.containers[0]!, {
    resources: { requests: { cpu: '100m' } },
  });
  await client.post(`/apis/apps/v1/namespaces/${NS}/deployments`, web);
  await client.post(
    `/apis/apps/v1/namespaces/${NS_LIMITS}/deployments`,
    deployment(NS_LIMITS, 'bare', 1),
  );

  operator = spawn(
    process.execPath,
    [
      'bin/tide.js',
      'operator',
      '--kubeconfig',
      cluster.kubeconfig,
      '--namespaces',
      NS,
      '--health-port',
      String(await freePort()),
      '--no-dashboard',
      '--webhook-port',
      String(port),
      '--webhook-host',
      '127.0.0.1',
      '--webhook-namespace',
      NS,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  operator.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  operator.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  await waitFor(
    async () => {
      if (operator?.exitCode !== null) throw new Error(`tide operator exited:\n${output}`);
      const v = await client.get<Vwc>(VWC);
      const secret = await client.get<{ data: Record<string, string> }>(SECRET);
      return v.webhooks.every((w) => w.clientConfig.caBundle === secret.data['ca.crt']);
    },
    { timeoutMs: 30_000, what: 'tide operator to renew the certificate and set every caBundle' },
  );
});

after(async () => {
  if (operator && operator.exitCode === null) operator.kill('SIGKILL');
  await cluster?.stop();
});

interface Sent {
  status: number;
  body: { message?: string; metadata?: { name: string } };
  warnings: string[];
}

/** A request as kubectl sends it, with the Warning headers the API server returns. */
async function send(method: string, path: string, body?: unknown): Promise<Sent> {
  const url = new URL(path, client.server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const opts: RequestOptions = {
    method,
    hostname: url.hostname,
    port: url.port,
    path: url.pathname,
    headers: {
      Accept: 'application/json',
      ...(payload ? { 'Content-Type': 'application/json' } : {}),
    },
  };
  await client.kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        const header = [res.headers.warning ?? ''].flat().join(', ');
        const warnings = [...header.matchAll(/299 - "((?:[^"\\]|\\.)*)"/g)].map((m) =>
          (m[1] ?? '').replace(/\\(.)/g, '$1'),
        );
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Sent['body'], warnings });
      });
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

function scaledObject(name: string, spec: Record<string, unknown>, namespace = NS) {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, namespace },
    spec: { scaleTargetRef: { name: 'web' }, ...spec },
  };
}

const redis = (metadata: Record<string, string> = {}) => ({
  type: 'redis',
  metadata: { address: 'redis.tide-admit:6379', listName: 'jobs', ...metadata },
});

test('a stored certificate near expiry is renewed at start: new CA in caBundle, the outgoing CA kept', async () => {
  const secret = await client.get<{ data: Record<string, string> }>(SECRET);
  const decoded = (k: string) => Buffer.from(secret.data[k] ?? '', 'base64').toString('utf8');
  const cert = new X509Certificate(decoded('tls.crt'));
  assert.notEqual(decoded('tls.crt'), seeded['tls.crt']);
  const days = (new Date(cert.validTo).getTime() - Date.now()) / 86_400_000;
  assert.ok(days > 360 && days <= 366, `the new certificate lives a year, got ${days} days`);
  assert.ok(cert.checkHost(`tide-webhook.${NS}.svc`));
  const bundle = decoded('ca.crt').match(
    /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g,
  );
  assert.equal(bundle?.length, 2, 'the new CA and the outgoing one');
  assert.equal(`${bundle[1]}\n`, seeded['ca.crt']);
  const vwc = await client.get<Vwc>(VWC);
  assert.equal(vwc.webhooks.length, 4);
  for (const w of vwc.webhooks) assert.equal(w.clientConfig.caBundle, secret.data['ca.crt']);
});

test('an invalid ScaledObject is refused at once with each field path in the API error, and not stored', async () => {
  const r = await send(
    'POST',
    `${KEDA}/namespaces/${NS}/scaledobjects`,
    scaledObject('invalid', {
      idleReplicaCount: 0,
      triggers: [redis({ listLength: 'ten' })],
    }),
  );
  assert.equal(r.status, 403);
  assert.match(
    r.body.message ?? '',
    /^admission webhook "vscaledobject\.tide\.dev" denied the request: /,
  );
  assert.match(
    r.body.message ?? '',
    /spec\.idleReplicaCount: IdleReplicaCount=0 must be less than MinReplicaCount=0/,
  );
  assert.match(r.body.message ?? '', /spec\.triggers\[0\]\.metadata\.listLength: /);
  const stored = await client.find(`${KEDA}/namespaces/${NS}/scaledobjects/invalid`);
  assert.equal(stored, undefined);
});

test('a valid ScaledObject is admitted, and KEDA\'s "not relevant" warning comes back as an admission warning', async () => {
  const r = await send(
    'POST',
    `${KEDA}/namespaces/${NS}/scaledobjects`,
    scaledObject('valid', { minReplicaCount: 1, pollingInterval: 15, triggers: [redis()] }),
  );
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.ok(
    r.warnings.some((w) =>
      w.startsWith('spec.pollingInterval: PollingInterval is configured but is not relevant'),
    ),
    `warnings: ${JSON.stringify(r.warnings)}`,
  );
});

test('a second ScaledObject on the same workload is refused (KEDA rule 5)', async () => {
  await assert.rejects(
    client.post(
      `${KEDA}/namespaces/${NS}/scaledobjects`,
      scaledObject('second', { minReplicaCount: 1, triggers: [redis()] }),
    ),
    (e: unknown) => {
      assert.ok(e instanceof KubeApiError);
      assert.equal(e.status, 403);
      assert.match(
        e.message,
        /spec\.scaleTargetRef\.name: ScaledObject tide-admit\/second and ScaledObject tide-admit\/valid both target Deployment tide-admit\/web/,
      );
      return true;
    },
  );
});

test('an update is checked too; one that only touches metadata (a finalizer) is not', async () => {
  const path = `${KEDA}/namespaces/${NS}/scaledobjects/valid`;
  await assert.rejects(
    client.patch(path, { spec: { triggers: [redis({ listLength: 'ten' })] } }),
    (e: unknown) =>
      e instanceof KubeApiError &&
      e.status === 403 &&
      /spec\.triggers\[0\]\.metadata\.listLength/.test(e.message),
  );
  const labelled = await client.patch<{ metadata: { labels?: Record<string, string> } }>(path, {
    metadata: { labels: { team: 'a' } },
  });
  assert.equal(labelled.metadata.labels?.team, 'a');
});

test('a ScaledObject applied before its TriggerAuthentication is admitted, warning what is missing', async () => {
  const r = await send(
    'POST',
    `${KEDA}/namespaces/${NS}/scaledobjects`,
    scaledObject('early', {
      scaleTargetRef: { name: 'other' },
      minReplicaCount: 1,
      triggers: [
        {
          type: 'redis',
          metadata: { listName: 'jobs' },
          authenticationRef: { name: 'comes-later' },
        },
      ],
    }),
  );
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.ok(
    r.warnings.some((w) =>
      /TriggerAuthentication tide-admit\/comes-later does not exist yet/.test(w),
    ),
    `warnings: ${JSON.stringify(r.warnings)}`,
  );
});

test("cpu trigger: a container without a cpu request is refused with KEDA's message; a LimitRange default admits it", async () => {
  const so = scaledObject(
    'cpu',
    {
      scaleTargetRef: { name: 'bare' },
      minReplicaCount: 1,
      triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '50' } }],
    },
    NS_LIMITS,
  );
  await assert.rejects(
    client.post(`${KEDA}/namespaces/${NS_LIMITS}/scaledobjects`, so),
    (e: unknown) => {
      assert.ok(e instanceof KubeApiError);
      assert.match(
        e.message,
        /spec\.triggers\[0\]: the scaledobject has a cpu trigger but the container worker doesn't have the cpu request defined/,
      );
      return true;
    },
  );
  await client.post(`/api/v1/namespaces/${NS_LIMITS}/limitranges`, {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'defaults', namespace: NS_LIMITS },
    spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '100m' } }] },
  });
  await client.post(`${KEDA}/namespaces/${NS_LIMITS}/scaledobjects`, so);
});

test('an invalid ScaledJob and an invalid TriggerAuthentication are refused with their field paths', async () => {
  await assert.rejects(
    client.post(`${KEDA}/namespaces/${NS}/scaledjobs`, {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledJob',
      metadata: { name: 'twice', namespace: NS },
      spec: {
        jobTargetRef: { template: { spec: { containers: [{ name: 'j', image: 'busybox' }] } } },
        triggers: [
          { ...redis(), name: 'q' },
          { ...redis(), name: 'q' },
        ],
      },
    }),
    (e: unknown) =>
      e instanceof KubeApiError &&
      /"vscaledjob\.tide\.dev" denied the request: spec\.triggers\[1\]\.name: trigger name "q" is also used by spec\.triggers\[0\]/.test(
        e.message,
      ),
  );
  await assert.rejects(
    client.post(`${KEDA}/namespaces/${NS}/triggerauthentications`, {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: { name: 'oauth', namespace: NS },
      spec: { oauth2: { type: 'password', tokenUrl: 'https://idp/token' } },
    }),
    (e: unknown) =>
      e instanceof KubeApiError &&
      /"vtriggerauthentication\.tide\.dev" denied the request: .*spec\.oauth2\.type: must be clientCredentials, got "password"/.test(
        e.message,
      ) &&
      /spec\.oauth2\.clientId: is required/.test(e.message),
  );
});

test('a ScaledJob whose Pod template names a Secret not created yet is admitted with a warning', async () => {
  const r = await send('POST', `${KEDA}/namespaces/${NS}/scaledjobs`, {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledJob',
    metadata: { name: 'secret-later', namespace: NS },
    spec: {
      jobTargetRef: {
        template: {
          spec: {
            containers: [
              {
                name: 'j',
                image: 'busybox',
                env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'later', key: 'p' } } }],
              },
            ],
          },
        },
      },
      triggers: [redis()],
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.ok(
    r.warnings.some((w) =>
      /containers\[0\]\.env\[0\]\.valueFrom\.secretKeyRef: Secret tide-admit\/later not found: its Pods cannot start until it exists/.test(
        w,
      ),
    ),
    `warnings: ${JSON.stringify(r.warnings)}`,
  );
});

test('with the operator down, failurePolicy Ignore lets an invalid ScaledObject through', async () => {
  const exited = new Promise((r) => operator?.once('exit', r));
  operator?.kill('SIGTERM');
  await exited;
  const started = Date.now();
  const r = await send(
    'POST',
    `${KEDA}/namespaces/${NS}/scaledobjects`,
    scaledObject('while-down', {
      scaleTargetRef: { name: 'down' },
      idleReplicaCount: 0,
      triggers: [redis()],
    }),
  );
  assert.equal(r.status, 201, JSON.stringify(r.body));
  // Connection refused is immediate: no wait for the webhook's 10 s timeout.
  assert.ok(Date.now() - started < 5_000);
});
