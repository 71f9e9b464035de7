/**
 * TLS for real: a CA, a server certificate and a client certificate made with `openssl` in a
 * temp dir, and redis-server listening only on a TLS port. The scaler gets the CA (and client
 * cert/key) from TriggerAuthentication parameters, as KEDA's redis scaler does.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { ScalerError } from '../../../src/errors.js';
import { redis } from '../../../src/scalers/redis/redis.js';
import type { Scaler, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { freePort, startServer, testContext, type ServerProcess } from './redis-servers.js';

let dir: string;
let pem: (name: string) => string;
let server: ServerProcess;
let mtls: ServerProcess;
const KEY_PASSWORD = 'client-key-pass';

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, a server cert for 127.0.0.1/localhost, a client cert (key encrypted) and an unrelated CA. */
function makeCertificates(): void {
  const ca = (name: string) =>
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ]);
  ca('ca');
  ca('other-ca');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const name of ['server', 'client']) {
    openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=tide-${name}`,
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      'san.ext',
    ]);
  }
  openssl([
    'pkcs8',
    '-topk8',
    '-in',
    'client.key',
    '-out',
    'client-enc.key',
    '-v2',
    'aes-256-cbc',
    '-passout',
    `pass:${KEY_PASSWORD}`,
  ]);
}

async function startTls(authClients: 'yes' | 'no'): Promise<ServerProcess> {
  const port = await freePort();
  return startServer(
    'redis-server',
    [
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--tls-cert-file',
      join(dir, 'server.crt'),
      '--tls-key-file',
      join(dir, 'server.key'),
      '--tls-ca-cert-file',
      join(dir, 'ca.crt'),
      '--tls-auth-clients',
      authClients,
    ],
    port,
    `redis-server (TLS, auth-clients ${authClients})`,
  );
}

async function build(
  srv: ServerProcess,
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'],
): Promise<Scaler> {
  const r = redis.parse({
    metadata: { address: `127.0.0.1:${srv.port}`, ...metadata },
    authParams,
    resolvedEnv: {},
    triggerIndex: 0,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return redis.create(r.meta, testContext());
}

async function pushItems(srv: ServerProcess, n: number): Promise<string> {
  const k = `tide-test:${randomUUID()}`;
  const c = new Redis({
    host: '127.0.0.1',
    port: srv.port,
    lazyConnect: true,
    tls: { ca: pem('ca.crt'), cert: pem('client.crt'), key: pem('client.key') },
  });
  await c.connect();
  await c.rpush(k, ...Array.from({ length: n }, (_, i) => `j${i}`));
  c.disconnect();
  return k;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tide-tls-'));
  pem = (name) => readFileSync(join(dir, name), 'utf8');
  makeCertificates();
  server = await startTls('no');
  mtls = await startTls('yes');
});

after(async () => {
  await server?.stop();
  await mtls?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('redis trigger over TLS', () => {
  test('reads a list with enableTLS "true" and the CA from the TriggerAuthentication', async () => {
    const k = await pushItems(server, 4);
    const s = await build(server, { listName: k, enableTLS: 'true' }, { ca: pem('ca.crt') });
    assert.equal((await s.getMetricsAndActivity(AbortSignal.timeout(30_000))).metrics[0]?.value, 4);
    await s.close();
  });

  test('the TriggerAuthentication parameter tls "enable" turns TLS on too', async () => {
    const k = await pushItems(server, 2);
    const s = await build(server, { listName: k }, { tls: 'enable', ca: pem('ca.crt') });
    assert.equal((await s.getMetricsAndActivity(AbortSignal.timeout(30_000))).metrics[0]?.value, 2);
    await s.close();
  });

  test('a CA that did not sign the server certificate fails with a clear certificate error', async () => {
    await assert.rejects(
      build(server, { listName: 'l', enableTLS: 'true' }, { ca: pem('other-ca.crt') }),
      (e: unknown) => {
        assert.ok(e instanceof ScalerError);
        assert.match(
          e.message,
          new RegExp(`cannot connect to Redis at 127\\.0\\.0\\.1:${server.port}: .*certificate`),
        );
        return true;
      },
    );
  });

  test('unsafeSsl "true" skips verification of the server certificate', async () => {
    const k = await pushItems(server, 1);
    const s = await build(
      server,
      { listName: k, enableTLS: 'true', unsafeSsl: 'true' },
      { ca: pem('other-ca.crt') },
    );
    assert.equal((await s.getMetricsAndActivity(AbortSignal.timeout(30_000))).metrics[0]?.value, 1);
    await s.close();
  });

  test('a server that requires client certificates accepts cert and an encrypted key with keyPassword', async () => {
    const k = await pushItems(mtls, 3);
    const s = await build(
      mtls,
      { listName: k, enableTLS: 'true' },
      {
        ca: pem('ca.crt'),
        cert: pem('client.crt'),
        key: new Secret(pem('client-enc.key')),
        keyPassword: new Secret(KEY_PASSWORD),
      },
    );
    assert.equal((await s.getMetricsAndActivity(AbortSignal.timeout(30_000))).metrics[0]?.value, 3);
    await s.close();
  });

  test('without a client certificate that server refuses the connection with a ScalerError', async () => {
    await assert.rejects(
      build(mtls, { listName: 'l', enableTLS: 'true' }, { ca: pem('ca.crt') }),
      ScalerError,
    );
  });
});
