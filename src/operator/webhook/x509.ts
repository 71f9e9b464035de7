/**
 * Just enough X.509 to serve the admission webhook: a self-signed CA and a serving certificate
 * it signs, both ECDSA P-256 with SHA-256, DER-encoded by hand. Node can make and use keys but
 * has no API to create a certificate, and the libraries that do (@peculiar/x509, pkijs, forge)
 * bring a dozen packages or global polyfills for what is a fixed structure of ~20 fields
 * (RFC 5280 §4.1). Node's own `X509Certificate` parses and verifies the result in the tests,
 * and the Kubernetes API server (Go's crypto/x509) trusts it in the integration tests.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

// --- DER (X.690) ---------------------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
/** Context-specific constructed tag `[n]` (explicit tagging). */
const explicit = (n: number, body: Buffer) => tlv(0xa0 | n, body);

/** A non-negative INTEGER from big-endian bytes (a leading 0 keeps it positive). */
function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && (b[1] ?? 0) < 0x80) b = b.subarray(1);
  if ((b[0] ?? 0) >= 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [(parts[0] ?? 0) * 40 + (parts[1] ?? 0)];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = p >> 7; v > 0; v >>= 7) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const octets = (b: Buffer) => tlv(0x04, b);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
/** BIT STRING with no unused bits. */
const bits = (b: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString(); // 2025-01-02T03:04:05.678Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, ''); // 20250102030405
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'))
    : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

// --- X.509 -----------------------------------------------------------------------------------

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

function name(commonName: string, organization?: string): Buffer {
  const rdn = (type: string, value: string) => set(seq(oid(type), utf8(value)));
  return seq(
    ...(organization ? [rdn(OID.organization, organization)] : []),
    rdn(OID.commonName, commonName),
  );
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

/** KeyUsage bits, numbered as RFC 5280 names them (bit 0 = digitalSignature). */
function keyUsage(bitNumbers: number[]): Buffer {
  let v = 0;
  for (const n of bitNumbers) v |= 0x80 >> n;
  // DER: trailing zero bits are counted as unused.
  let unused = 0;
  while (unused < 7 && !(v & (1 << unused))) unused++;
  return tlv(0x03, Buffer.from([unused, v]));
}

function subjectAltNames(hosts: readonly string[]): Buffer {
  const entries = hosts.map((h) => {
    const kind = isIP(h);
    if (kind === 4) return tlv(0x87, Buffer.from(h.split('.').map(Number)));
    if (kind === 6) return tlv(0x87, ipv6Bytes(h));
    return tlv(0x82, Buffer.from(h, 'ascii'));
  });
  return seq(...entries);
}

function ipv6Bytes(h: string): Buffer {
  const [head = '', tail = ''] = h.split('::');
  const words = (s: string) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const a = words(head);
  const b = words(tail);
  const all = h.includes('::')
    ? [...a, ...Array<number>(8 - a.length - b.length).fill(0), ...b]
    : a;
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/** SHA-1 of the public key bits (RFC 5280 §4.2.1.2 method 1). */
function keyId(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // The key bits are the last element of the SPKI: for P-256 the 65-byte uncompressed point.
  return createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest();
}

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh ECDSA P-256 key pair. */
export function newKeyPair(): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

export interface CertificateInput {
  subject: { commonName: string; organization?: string };
  /** The key the certificate certifies. */
  publicKey: KeyObject;
  issuer: {
    commonName: string;
    organization?: string;
    privateKey: KeyObject;
    publicKey: KeyObject;
  };
  notBefore: Date;
  notAfter: Date;
  /** A CA (may sign certificates) or a TLS server certificate for `hosts`. */
  ca: boolean;
  hosts?: readonly string[];
}

/** Builds and signs one certificate; returns it PEM-encoded. */
export function createCertificate(c: CertificateInput): string {
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const exts = [
    extension(OID.basicConstraints, true, seq(...(c.ca ? [bool(true)] : []))),
    // CA: keyCertSign (5) and cRLSign (6); server: digitalSignature (0).
    extension(OID.keyUsage, true, keyUsage(c.ca ? [0, 5, 6] : [0])),
    extension(OID.subjectKeyIdentifier, false, octets(keyId(c.publicKey))),
    ...(c.ca
      ? []
      : [
          extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
          extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, keyId(c.issuer.publicKey)))),
          extension(OID.subjectAltName, false, subjectAltNames(c.hosts ?? [])),
        ]),
  ];
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(Buffer.concat([Buffer.from([0x40 | (randomBytes(1)[0]! & 0x3f)]), randomBytes(15)])),
    algorithm,
    name(c.issuer.commonName, c.issuer.organization),
    seq(time(c.notBefore), time(c.notAfter)),
    name(c.subject.commonName, c.subject.organization),
    c.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...exts)),
  );
  const signature = sign('sha256', tbs, c.issuer.privateKey);
  const der = seq(tbs, algorithm, bits(signature));
  return toPem('CERTIFICATE', der);
}

export function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** The private key as PKCS#8 PEM (what Node's TLS and Kubernetes Secrets of type tls hold). */
export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}
