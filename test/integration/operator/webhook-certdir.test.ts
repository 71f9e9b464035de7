/**
 * The webhook's HTTPS server with `--webhook-cert-dir` (a mounted cert-manager Secret): it
 * serves the folder's certificate, answers an AdmissionReview, and swaps to a renewed
 * certificate once the files change, without a restart. A TriggerAuthentication review needs
 * no cluster, so no API server is started here.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { KubeClient } from '../../../src/targets/kubernetes/kube-client.js';
import { KedaAdmission } from '../../../src/operator/webhook/admission.js';
import { issueCerts } from '../../../src/operator/webhook/cert-plan.js';
import { DirCerts } from '../../../src/operator/webhook/certs.js';
import { startWebhookServer, type WebhookServer } from '../../../src/operator/webhook/server.js';
import { waitFor } from '../../support/wait-for.js';

const logger = pino({ level: 'silent' });
let dir: string;
let server: WebhookServer;
let first: ReturnType<typeof issueCerts>;

function writeCerts(c: ReturnType<typeof issueCerts>): void {
  writeFileSync(join(dir, 'tls.crt'), c['tls.crt']);
  writeFileSync(join(dir, 'tls.key'), c['tls.key']);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tide-webhook-certs-'));
  first = issueCerts(undefined, 'ca', ['localhost', '127.0.0.1'], Date.now());
  writeCerts(first);
  const kc = new KubeConfig();
  // Never asked: TriggerAuthentication checks need no cluster.
  kc.loadFromOptions({
    clusters: [{ name: 'none', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'none' }],
    contexts: [{ name: 'none', cluster: 'none', user: 'none' }],
    currentContext: 'none',
  });
  const client = new KubeClient(kc);
  server = await startWebhookServer({
    admission: new KedaAdmission({ client, logger, clusterObjectNamespace: 'keda' }),
    logger,
    port: 0,
    host: '127.0.0.1',
    certs: (onChange) =>
      new DirCerts({ client, logger, webhookConfig: '', dir, refreshMs: 100, onChange }),
  });
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** POSTs a TriggerAuthentication review, trusting `ca`; returns the response and the peer certificate. */
function review(ca: string, spec: unknown) {
  const body = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u-1',
      kind: { group: 'keda.sh', version: 'v1alpha1', kind: 'TriggerAuthentication' },
      operation: 'CREATE',
      object: {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'TriggerAuthentication',
        metadata: { name: 'a', namespace: 'default' },
        spec,
      },
    },
  });
  return new Promise<{
    json: { response: { allowed: boolean; status?: { message: string } } };
    cert: string;
  }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port: server.port,
        method: 'POST',
        path: '/validate-keda-sh-v1alpha1-triggerauthentication',
        ca,
        agent: false,
        headers: { 'Content-Type': 'application/json' },
      },
      (res) => {
        const cert =
          res.socket && 'getPeerCertificate' in res.socket
            ? (res.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256
            : '';
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ json: JSON.parse(text) as never, cert }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('serves the folder’s certificate and answers an AdmissionReview', async () => {
  const ok = await review(first['ca.crt'], { secretTargetRef: [] });
  assert.equal(ok.json.response.allowed, true);
  assert.equal(ok.cert, new X509Certificate(first['tls.crt']).fingerprint256);
  const bad = await review(first['ca.crt'], { oauth2: { type: 'clientCredentials' } });
  assert.equal(bad.json.response.allowed, false);
  assert.match(bad.json.response.status?.message ?? '', /spec\.oauth2\.clientId: is required/);
});

test('a renewed certificate in the folder is served without a restart', async () => {
  const renewed = issueCerts(undefined, 'ca', ['localhost', '127.0.0.1'], Date.now());
  writeCerts(renewed);
  const want = new X509Certificate(renewed['tls.crt']).fingerprint256;
  await waitFor(
    async () => (await review(renewed['ca.crt'], {}).catch(() => undefined))?.cert === want,
    {
      timeoutMs: 5_000,
      what: 'the renewed certificate to be served',
    },
  );
  await assert.rejects(review(first['ca.crt'], {}), /certificate/);
});
