/**
 * Test certificates made with `openssl` in a temp folder: a CA, a server certificate for
 * 127.0.0.1/localhost and a client certificate, both signed by the CA (P-256 keys: fast).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  /** Path of `ca.crt`, `server.crt`, `server.key`, `client.crt`, `client.key`. */
  path(name: string): string;
  pem(name: string): string;
  remove(): void;
}

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'tide-certs-'));
  const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ossl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=tide-ca',
  ]);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const n of ['server', 'client']) {
    ossl(['req', ...ec, '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', `/CN=tide-${n}`]);
    ossl([
      'x509',
      '-req',
      '-in',
      `${n}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${n}.crt`,
      '-days',
      '2',
      '-extfile',
      'san.ext',
    ]);
  }
  return {
    dir,
    path: (n) => join(dir, n),
    pem: (n) => readFileSync(join(dir, n), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
