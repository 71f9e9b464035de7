/**
 * Serves `/metrics` over HTTP. Loopback by default; any other address is reachable by others,
 * so it requires a bearer token (`--metrics-token` or TIDE_METRICS_TOKEN). The token is
 * compared in constant time and never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import { TideError } from '../errors.js';
import type { Secret } from '../secret.js';

export class MetricsConfigError extends TideError {
  override readonly name = 'MetricsConfigError';
  readonly code = 'TIDE_USAGE' as const;
}

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port (tests); read it back from `address`. */
  port: number;
  token?: Secret | undefined;
  /** The exposition text and its content type. */
  render: () => Promise<{ contentType: string; body: string }>;
}

export interface MetricsServer {
  readonly server: Server;
  /** `http://host:port/metrics`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535)
    throw new MetricsConfigError(`--metrics-port: expected a port 0-65535, got ${opts.port}`);
  const token = opts.token && !opts.token.isEmpty ? opts.token : undefined;
  if (!isLoopback(opts.host) && !token)
    throw new MetricsConfigError(
      `--metrics-host ${opts.host} is reachable from other machines: give a token with --metrics-token or TIDE_METRICS_TOKEN, or keep 127.0.0.1`,
    );
  const want = token ? digest(token.reveal()) : undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://tide');
    if (url.pathname !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    if (want) {
      const m = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
      if (!m || !timingSafeEqual(digest(m[1]!), want)) {
        res
          .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
          .end('a bearer token is required\n');
        return;
      }
    }
    opts.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (e: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`metrics failed: ${e instanceof Error ? e.message : String(e)}\n`);
      },
    );
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolveListen());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const host = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
  return {
    server,
    port,
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
