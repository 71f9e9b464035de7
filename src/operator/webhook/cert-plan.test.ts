import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import {
  CA_VALIDITY_MS,
  CERT_VALIDITY_MS,
  issueCerts,
  renewalReason,
  serviceHosts,
} from './cert-plan.js';
import { createCertificate, newKeyPair } from './x509.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const hosts = serviceHosts('tide-webhook', 'tide-system');
const certs = (pem: string) =>
  (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map(
    (p) => new X509Certificate(p),
  );

test('a CA signs a serving certificate Node verifies, naming every Service DNS name and IPs', () => {
  const s = issueCerts(undefined, 'ca', [...hosts, '127.0.0.1', '::1'], T0);
  const [ca] = certs(s['ca.crt']);
  const cert = new X509Certificate(s['tls.crt']);
  assert.ok(ca?.ca, 'the CA is a CA');
  assert.equal(cert.ca, false);
  assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
  for (const h of hosts) assert.equal(cert.checkHost(h, { wildcards: false }), h);
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(cert.checkIP('::1'), '::1');
  assert.equal(cert.checkHost('other.tide-system.svc'), undefined);
  assert.equal(new Date(cert.validTo).getTime(), Math.floor((T0 + CERT_VALIDITY_MS) / 1000) * 1000);
  assert.equal(new Date(ca.validTo).getTime(), Math.floor((T0 + CA_VALIDITY_MS) / 1000) * 1000);
  // Backdated an hour against clock skew.
  assert.equal(new Date(cert.validFrom).getTime(), T0 - 3_600_000);
  assert.equal(renewalReason(s, hosts, T0), undefined);
});

const cases: {
  name: string;
  at: number;
  hosts?: string[];
  edit?: (s: ReturnType<typeof issueCerts>) => Partial<ReturnType<typeof issueCerts>> | undefined;
  want: 'ca' | 'cert' | undefined;
}[] = [
  { name: 'nothing stored yet: a new CA', at: T0, edit: () => undefined, want: 'ca' },
  { name: 'fresh certificates are kept', at: T0 + 30 * DAY, want: undefined },
  {
    name: 'kept until 90 days before the serving certificate expires',
    at: T0 + 274 * DAY,
    want: undefined,
  },
  { name: 'renewed within its last 90 days', at: T0 + 276 * DAY, want: 'cert' },
  {
    name: 'renewed when a DNS name is missing',
    at: T0,
    hosts: [...hosts, 'tide-webhook.other.svc'],
    want: 'cert',
  },
  { name: 'a new CA in the CA’s last year', at: T0 + 9.1 * 365 * DAY, want: 'ca' },
  {
    name: 'garbage in the Secret: start over',
    at: T0,
    edit: (s) => ({ ...s, 'tls.crt': 'not a certificate' }),
    want: 'ca',
  },
  {
    name: 'a serving certificate from another CA is replaced',
    at: T0,
    edit: (s) => ({ ...s, 'tls.crt': issueCerts(undefined, 'ca', hosts, T0)['tls.crt'] }),
    want: 'cert',
  },
];
for (const c of cases)
  test(`renewal: ${c.name}`, () => {
    const s = issueCerts(undefined, 'ca', hosts, T0);
    const stored = c.edit ? c.edit(s) : s;
    assert.equal(renewalReason(stored, c.hosts ?? hosts, c.at)?.what, c.want);
  });

test('renewing the serving certificate keeps the CA, so the caBundle does not change', () => {
  const s = issueCerts(undefined, 'ca', hosts, T0);
  const next = issueCerts(s, 'cert', hosts, T0 + 300 * DAY);
  assert.equal(next['ca.crt'], s['ca.crt']);
  assert.notEqual(next['tls.crt'], s['tls.crt']);
  assert.ok(new X509Certificate(next['tls.crt']).verify(certs(s['ca.crt'])[0]!.publicKey));
  assert.equal(renewalReason(next, hosts, T0 + 300 * DAY), undefined);
});

test('a new CA keeps the previous one in the bundle while it is valid', () => {
  const s = issueCerts(undefined, 'ca', hosts, T0);
  const at = T0 + 9.5 * 365 * DAY;
  const next = issueCerts(s, 'ca', hosts, at);
  const bundle = certs(next['ca.crt']);
  assert.equal(bundle.length, 2);
  assert.equal(bundle[1]!.fingerprint256, certs(s['ca.crt'])[0]!.fingerprint256);
  assert.ok(new X509Certificate(next['tls.crt']).verify(bundle[0]!.publicKey));
  assert.equal(renewalReason(next, hosts, at), undefined);
  // Once the old CA has expired, the next renewal drops it.
  const later = issueCerts(next, 'cert', hosts, T0 + 10.1 * 365 * DAY);
  assert.equal(certs(later['ca.crt']).length, 1);
});

test('a long DER body (many names) still encodes lengths right', () => {
  const names = Array.from({ length: 40 }, (_, i) => `host-${i}.example-with-a-long-name.svc`);
  const k = newKeyPair();
  const pem = createCertificate({
    subject: { commonName: 'x' },
    publicKey: k.publicKey,
    issuer: { commonName: 'x', ...k },
    notBefore: new Date(T0),
    notAfter: new Date(Date.UTC(2051, 0, 1)), // GeneralizedTime after 2049
    ca: false,
    hosts: names,
  });
  const cert = new X509Certificate(pem);
  assert.equal(
    cert.checkHost('host-39.example-with-a-long-name.svc'),
    'host-39.example-with-a-long-name.svc',
  );
  assert.equal(new Date(cert.validTo).getUTCFullYear(), 2051);
  assert.ok(cert.verify(k.publicKey));
});
