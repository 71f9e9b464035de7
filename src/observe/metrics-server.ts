/**
 * Serves `/metrics` over HTTP. Loopback by default; any other address is reachable by others,
 * so it requires a bearer token (`--metrics-token` or TIDE_METRICS_TOKEN). The token is
 * compared in constant time and never logged or echoed. On loopback without a token, requests
 * addressed to other names are refused (DNS-rebinding protection, see `hostGuard`).
 */
import { createServer, type Server } from 'node:http';
import type { Secret } from '../secret.js';
import {
  accessRule,
  baseUrl,
  bearerToken,
  FORBIDDEN_HOST,
  HttpConfigError,
  hostGuard,
} from './http-auth.js';
import { closeServer, listenOn } from './http-listen.js';

export { isLoopback } from './http-auth.js';

export class MetricsConfigError extends HttpConfigError {
  override readonly name = 'MetricsConfigError';
}

const FLAGS = {
  host: '--metrics-host',
  port: '--metrics-port',
  token: '--metrics-token',
  env: 'TIDE_METRICS_TOKEN',
};

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

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  let check;
  try {
    check = accessRule(opts.host, opts.port, opts.token, FLAGS);
  } catch (e) {
    // Keep the class callers (and tests) know for this endpoint.
    throw e instanceof HttpConfigError ? new MetricsConfigError(e.message) : e;
  }
  const hostAllowed = hostGuard(opts.host, check);
  const server = createServer((req, res) => {
    if (!hostAllowed(req.headers.host)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end(FORBIDDEN_HOST);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://tide');
    if (url.pathname !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    if (check) {
      if (!check.matches(bearerToken(req.headers.authorization))) {
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
  const port = await listenOn(server, opts.port, opts.host);
  return {
    server,
    port,
    url: `${baseUrl(opts.host, port)}/metrics`,
    close: () => closeServer(server),
  };
}
