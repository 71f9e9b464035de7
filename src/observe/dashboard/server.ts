/**
 * The dashboard's HTTP server (node:http, no framework): one static page, its script and
 * uPlot (served from node_modules, so it works offline), JSON for logs, and Server-Sent Events
 * for live updates: a `snapshot` on every connect (so a reconnect never misses state), a
 * `record` per decision round, and `objects` whenever the objects' status changed.
 *
 * Access: loopback by default; any other host needs a token (the rule shared with /metrics),
 * given as `Authorization: Bearer` or once as `?token=` which sets an HttpOnly cookie and
 * redirects to the same page without it, so the token does not stay in the address bar. On
 * loopback without a token, only requests addressed to this machine's names are answered
 * (DNS-rebinding protection, see `hostGuard`).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Secret } from '../../secret.js';
import { accessRule, baseUrl, bearerToken, FORBIDDEN_HOST, hostGuard } from '../http-auth.js';
import { ASSETS } from './assets.js';
import { objectKey, parseObjectKey, type DashboardSource } from './source.js';
import { closeServer, listenOn } from '../http-listen.js';

export interface DashboardServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  token?: Secret | undefined;
  source: DashboardSource;
  /** Records per object in the snapshot. @default 300 */
  historyLimit?: number;
  /** How often the objects' status is compared and re-sent. @default 1000 */
  objectsIntervalMs?: number;
  /** Open event streams at most; more get 503. @default 32 */
  maxClients?: number;
  /** Flag names for configuration errors. */
  flags?: { host: string; port: string; token: string; env: string };
}

export interface DashboardServer {
  readonly server: Server;
  /** `http://host:port/`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const COOKIE = 'tide_dashboard_token';
function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
};

export async function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const check = accessRule(
    opts.host,
    opts.port,
    opts.token,
    opts.flags ?? {
      host: '--dashboard-host',
      port: '--dashboard-port',
      token: '--dashboard-token',
      env: 'TIDE_DASHBOARD_TOKEN',
    },
  );
  const assets = new Map(
    Object.entries(ASSETS).map(([p, [file, type]]) => [p, { body: readFileSync(file), type }]),
  );
  const history = opts.historyLimit ?? 300;
  const maxClients = opts.maxClients ?? 32;
  const clients = new Set<ServerResponse>();
  const { source } = opts;

  const send = (res: ServerResponse, event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  /** Writes to every open stream; one that just dropped is skipped (its 'close' removes it). */
  const writeAll = (chunk: string) => {
    for (const c of clients) if (!c.destroyed) c.write(chunk);
  };
  const broadcast = (event: string, data: unknown) =>
    writeAll(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  const snapshot = () => {
    const objects = source.objects();
    const records: Record<string, unknown> = {};
    for (const o of objects) {
      const ref = parseObjectKey(o.key);
      if (ref) records[o.key] = source.records(ref, history);
    }
    return { objects, records, logs: source.logs !== undefined };
  };

  let lastObjects = '';
  /** Sends `objects` when they changed; otherwise a comment that keeps idle connections open. */
  const pushObjects = (keepAlive: boolean) => {
    if (clients.size === 0) return;
    const now = JSON.stringify(source.objects());
    if (now !== lastObjects) {
      lastObjects = now;
      writeAll(`event: objects\ndata: ${now}\n\n`);
    } else if (keepAlive) writeAll(': keep-alive\n\n');
  };
  let soon: NodeJS.Timeout | undefined;
  // One subscription for all pages: a record goes out once, serialized once.
  const unsubscribe = source.subscribe((ref, record) => {
    if (clients.size === 0) return;
    broadcast('record', { key: objectKey(ref), record });
    // The round has just been applied: let the table follow the chart without waiting a tick.
    soon ??= setTimeout(() => {
      soon = undefined;
      pushObjects(false);
    }, 150);
  });
  const ticker = setInterval(() => pushObjects(true), opts.objectsIntervalMs ?? 1000);
  ticker.unref();

  const hostAllowed = hostGuard(opts.host, check);
  const authorized = (req: IncomingMessage): boolean =>
    !check ||
    check.matches(bearerToken(req.headers.authorization)) ||
    check.matches(cookieToken(req.headers.cookie));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req.headers.host)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end(FORBIDDEN_HOST);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://tide');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET only\n');
      return;
    }
    const given = url.searchParams.get('token');
    if (check && given !== null) {
      if (!check.matches(given)) return unauthorized(res);
      // Trade the token in the URL for a cookie the page's script cannot read.
      url.searchParams.delete('token');
      res
        .writeHead(303, {
          location: url.pathname + url.search,
          'set-cookie': `${COOKIE}=${encodeURIComponent(given)}; HttpOnly; SameSite=Strict; Path=/`,
          ...SECURITY_HEADERS,
        })
        .end();
      return;
    }
    if (!authorized(req)) return unauthorized(res);

    const asset = assets.get(url.pathname);
    if (asset) {
      res.writeHead(200, {
        'content-type': asset.type,
        'cache-control': 'no-cache',
        ...SECURITY_HEADERS,
      });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
      return;
    }
    if (url.pathname === '/api/snapshot') return json(res, snapshot());
    if (url.pathname === '/api/logs') {
      const ref = parseObjectKey(url.searchParams.get('object') ?? '');
      if (!ref)
        return json(res, { error: 'object: expected ScaledObject|ScaledJob/namespace/name' }, 400);
      if (!source.logs) return json(res, { error: 'this mode has no replica logs' }, 404);
      return json(res, { object: objectKey(ref), logs: await source.logs(ref) });
    }
    if (url.pathname === '/events') {
      if (clients.size >= maxClients) {
        res
          .writeHead(503, { 'retry-after': '5', 'content-type': 'text/plain' })
          .end('too many open dashboards\n');
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        ...SECURITY_HEADERS,
      });
      res.write('retry: 2000\n\n');
      send(res, 'snapshot', snapshot());
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, { error: e instanceof Error ? e.message : String(e) }, 500);
      else res.end();
    });
  });
  const port = await listenOn(server, opts.port, opts.host);
  return {
    server,
    port,
    url: `${baseUrl(opts.host, port)}/`,
    close: async () => {
      clearInterval(ticker);
      clearTimeout(soon);
      unsubscribe();
      for (const c of clients) c.end();
      clients.clear();
      await closeServer(server);
    },
  };
}

function unauthorized(res: ServerResponse): void {
  res
    .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
    .end('a token is required: open the URL with ?token=<token> or send Authorization: Bearer\n');
}

function json(res: ServerResponse, body: unknown, code = 200): void {
  res.writeHead(code, {
    'content-type': 'application/json',
    'cache-control': 'no-cache',
    ...SECURITY_HEADERS,
  });
  res.end(JSON.stringify(body));
}
