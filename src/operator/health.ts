/**
 * The operator's probe and metrics endpoints on one port: `/healthz` (the process serves),
 * `/readyz` (every informer has listed and watches), `/metrics` (Prometheus text), and
 * `/decisions` (the decision log, JSON) when a source answers it.
 */
import { createServer, type Server } from 'node:http';
import { listenOn } from '../observe/http-listen.js';

export interface HealthSource {
  ready: boolean;
  metrics(): Record<string, { help: string; type: 'counter' | 'gauge'; value: number }>;
  /** More Prometheus text appended to `/metrics` (the keda_* metrics). */
  moreMetrics?: () => Promise<string>;
  /** Answers `/decisions?...`; a thrown error is a 400 with its message. */
  decisions?: (q: URLSearchParams) => unknown;
}

export function renderMetrics(src: HealthSource): string {
  return Object.entries(src.metrics())
    .map(([name, m]) => `# HELP ${name} ${m.help}\n# TYPE ${name} ${m.type}\n${name} ${m.value}\n`)
    .join('');
}

/** Starts the server; resolves with it and the port it listens on (0 picks a free one). */
export async function startHealthServer(
  src: HealthSource,
  port: number,
  host = '0.0.0.0',
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (path === '/healthz' || path === '/livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      res
        .writeHead(src.ready ? 200 : 503, { 'Content-Type': 'text/plain' })
        .end(src.ready ? 'ok\n' : 'informers not synced\n');
    } else if (path === '/metrics') {
      const more = src.moreMetrics ? src.moreMetrics() : Promise.resolve('');
      more.then(
        (text) =>
          res
            .writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' })
            .end(renderMetrics(src) + text),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
    } else if (path === '/decisions' && src.decisions) {
      try {
        const body = JSON.stringify(src.decisions(url.searchParams));
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
      } catch (e) {
        res
          .writeHead(400, { 'Content-Type': 'text/plain' })
          .end(e instanceof Error ? e.message : String(e));
      }
    } else {
      res.writeHead(404).end();
    }
  });
  return { server, port: await listenOn(server, port, host) };
}
