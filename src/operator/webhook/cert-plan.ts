/**
 * The webhook's serving certificate, kept as KEDA's operator keeps its own (a CA and a serving
 * certificate in one Secret, the CA in the webhook configuration's `caBundle`): when to issue
 * a new one and how. Pure, so rotation is tested with an injected clock.
 *
 * The CA lives 10 years and is replaced in its last year; the serving certificate lives one
 * year and is replaced in its last 90 days, when the DNS names it must carry change, or when
 * the CA is replaced. The bundle keeps the previous CA while it is valid, so an API server
 * holding the new `caBundle` still trusts a replica that has not reloaded yet, and the
 * other way round.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { createCertificate, newKeyPair, privateKeyPem } from './x509.js';

const DAY = 86_400_000;
export const CA_VALIDITY_MS = 3650 * DAY;
export const CA_RENEW_BEFORE_MS = 365 * DAY;
export const CERT_VALIDITY_MS = 365 * DAY;
export const CERT_RENEW_BEFORE_MS = 90 * DAY;
/** Certificates start an hour back: clocks of nodes and API servers differ a little. */
const BACKDATE_MS = 3_600_000;

/** What the Secret holds (PEM strings), as Secret data keys. */
export interface StoredCerts {
  'tls.crt': string;
  'tls.key': string;
  /** The CAs to trust: the current one first, then the previous one while it is valid. */
  'ca.crt': string;
  /** The current CA's key, to sign the next serving certificate. */
  'ca.key': string;
}

/** The DNS names a Service-addressed webhook is reached by (as KEDA's cert rotator lists them). */
export function serviceHosts(service: string, namespace: string, clusterDomain = 'cluster.local') {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.${clusterDomain}`,
  ];
}

function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];
}

const expiry = (c: X509Certificate) => new Date(c.validTo).getTime();

function covers(cert: X509Certificate, host: string): boolean {
  return isIP(host)
    ? cert.checkIP(host) !== undefined
    : cert.checkHost(host, { wildcards: false }) !== undefined;
}

/** Why `stored` cannot be kept at `now` for `hosts`, or undefined when it can. */
export function renewalReason(
  stored: Partial<StoredCerts> | undefined,
  hosts: readonly string[],
  now: number,
): { what: 'ca' | 'cert'; why: string } | undefined {
  if (!stored?.['tls.crt'] || !stored['tls.key'] || !stored['ca.crt'] || !stored['ca.key'])
    return { what: 'ca', why: 'no certificate yet' };
  let ca: X509Certificate;
  let cert: X509Certificate;
  try {
    const first = splitPem(stored['ca.crt'])[0];
    if (!first) return { what: 'ca', why: 'the CA bundle holds no certificate' };
    ca = new X509Certificate(first);
    cert = new X509Certificate(stored['tls.crt']);
    createPrivateKey(stored['tls.key']);
    if (!ca.checkPrivateKey(createPrivateKey(stored['ca.key'])))
      return { what: 'ca', why: 'the CA key does not match the CA' };
  } catch {
    return { what: 'ca', why: 'the stored certificates do not parse' };
  }
  if (expiry(ca) - now < CA_RENEW_BEFORE_MS)
    return { what: 'ca', why: 'the CA expires within a year' };
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey))
    return { what: 'cert', why: 'the serving certificate is not signed by the current CA' };
  if (!cert.checkPrivateKey(createPrivateKey(stored['tls.key'])))
    return { what: 'cert', why: 'the serving key does not match its certificate' };
  if (expiry(cert) - now < CERT_RENEW_BEFORE_MS)
    return { what: 'cert', why: 'the serving certificate expires within 90 days' };
  const missing = hosts.filter((h) => !covers(cert, h));
  if (missing.length)
    return { what: 'cert', why: `the serving certificate does not name ${missing.join(', ')}` };
  return undefined;
}

/** New certificates: a new serving certificate, and a new CA too when `what` is 'ca'. */
export function issueCerts(
  stored: Partial<StoredCerts> | undefined,
  what: 'ca' | 'cert',
  hosts: readonly string[],
  now: number,
): StoredCerts {
  const notBefore = new Date(now - BACKDATE_MS);
  const caName = { commonName: 'tide-webhook-ca', organization: 'tide' };
  let caPem: string;
  let caKeyPem: string;
  let previous: string[] = [];
  if (what === 'ca' || !stored?.['ca.crt'] || !stored['ca.key']) {
    const keys = newKeyPair();
    caPem = createCertificate({
      subject: caName,
      publicKey: keys.publicKey,
      issuer: { ...caName, ...keys },
      notBefore,
      notAfter: new Date(now + CA_VALIDITY_MS),
      ca: true,
    });
    caKeyPem = privateKeyPem(keys.privateKey);
    // The outgoing CA stays trusted while it is valid.
    previous = splitPem(stored?.['ca.crt'] ?? '')
      .slice(0, 1)
      .filter((p) => {
        try {
          return expiry(new X509Certificate(p)) > now;
        } catch {
          return false;
        }
      });
  } else {
    const bundle = splitPem(stored['ca.crt']);
    caPem = bundle[0] ?? '';
    caKeyPem = stored['ca.key'];
    previous = bundle.slice(1).filter((p) => expiry(new X509Certificate(p)) > now);
  }
  const caPrivate = createPrivateKey(caKeyPem);
  const serving = newKeyPair();
  const cert = createCertificate({
    subject: { commonName: hosts[0] ?? 'tide-webhook' },
    publicKey: serving.publicKey,
    issuer: { ...caName, privateKey: caPrivate, publicKey: createPublicKey(caPrivate) },
    notBefore,
    notAfter: new Date(now + CERT_VALIDITY_MS),
    ca: false,
    hosts,
  });
  return {
    'tls.crt': cert,
    'tls.key': privateKeyPem(serving.privateKey),
    'ca.crt': [caPem, ...previous].map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join(''),
    'ca.key': caKeyPem,
  };
}
