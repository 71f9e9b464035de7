/**
 * A private Prometheus (Debian's /usr/bin/prometheus) for tests: started on a free port with a
 * temp config that scrapes the given targets at a short interval, optionally behind basic auth
 * (`--web.config.file` with a bcrypt hash). Readiness is `/-/ready` answering 200, never a sleep.
 * Also a small exporter (prom-client) whose gauge a test drives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get as httpGet, type Server } from 'node:http';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gauge, Registry } from 'prom-client';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

export interface PrometheusServer {
  port: number;
  url: string;
  /** Output so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** `host:port` targets scraped at `/metrics`. */
  targets: readonly string[];
  /** @default '250ms' */
  scrapeInterval?: string;
  /** Basic auth on every endpoint: the user and a bcrypt hash of the password. */
  basicAuth?: { user: string; bcryptHash: string; password: string };
  /** Serve HTTPS and require a client certificate signed by `ca` (PEM file paths and contents). */
  tls?: {
    certFile: string;
    keyFile: string;
    caFile: string;
    client: { cert: string; key: string; ca: string };
  };
}

export async function startPrometheus(o: PrometheusOptions): Promise<PrometheusServer> {
  if (!existsSync(PROMETHEUS_BIN))
    throw new Error(
      `${PROMETHEUS_BIN} is missing: install Debian's prometheus package (scripts/setup.sh)`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'tide-prom-'));
  const interval = o.scrapeInterval ?? '250ms';
  const targets = o.targets.map((t) => `'${t}'`).join(', ');
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      `  scrape_interval: ${interval}`,
      `  scrape_timeout: ${interval}`,
      'scrape_configs:',
      '  - job_name: tide-test',
      '    static_configs:',
      `      - targets: [${targets}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const args = [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    '--log.level=warn',
  ];
  const web: string[] = [];
  if (o.basicAuth)
    web.push(`basic_auth_users:\n  ${o.basicAuth.user}: '${o.basicAuth.bcryptHash}'`);
  if (o.tls)
    web.push(
      [
        'tls_server_config:',
        `  cert_file: ${o.tls.certFile}`,
        `  key_file: ${o.tls.keyFile}`,
        `  client_ca_file: ${o.tls.caFile}`,
        '  client_auth_type: RequireAndVerifyClientCert',
      ].join('\n'),
    );
  if (web.length > 0) {
    writeFileSync(join(dir, 'web.yml'), `${web.join('\n')}\n`);
    args.push(`--web.config.file=${join(dir, 'web.yml')}`);
  }
  const proc: ChildProcess = spawn(PROMETHEUS_BIN, args, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let exited = false;
  proc.once('exit', () => (exited = true));
  const url = `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const headers: Record<string, string> = o.basicAuth
    ? {
        authorization: `Basic ${Buffer.from(`${o.basicAuth.user}:${o.basicAuth.password}`).toString('base64')}`,
      }
    : {};
  const stop = async () => {
    if (!exited) {
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await done;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`prometheus exited: ${out.slice(-2000)}`);
        return (await readyStatus(`${url}/-/ready`, headers, o.tls?.client)) === 200;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `prometheus on ${port}` },
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, url, log: () => out, stop };
}

/** GET `url` (with a client certificate over HTTPS); the status, or 0 when nothing answers. */
function readyStatus(
  url: string,
  headers: Record<string, string>,
  client?: { cert: string; key: string; ca: string },
): Promise<number> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https:') ? httpsGet : httpGet)(
      url,
      { headers, ...(client ?? {}) },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', () => resolve(0));
  });
}

export interface Exporter {
  /** `127.0.0.1:<port>` to put in a scrape config. */
  target: string;
  /** The gauge `tide_test_backlog{queue=…}` Prometheus scrapes. */
  set(value: number, queue?: string): void;
  stop(): Promise<void>;
}

/** An HTTP exporter with one gauge, `tide_test_backlog`, labelled by `queue`. */
export async function startExporter(): Promise<Exporter> {
  const registry = new Registry();
  const gauge = new Gauge({
    name: 'tide_test_backlog',
    help: 'Items waiting, driven by the test',
    labelNames: ['queue'],
    registers: [registry],
  });
  const server: Server = createServer((req, res) => {
    void registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    target: `127.0.0.1:${port}`,
    set: (value, queue = 'jobs') => gauge.set({ queue }, value),
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
