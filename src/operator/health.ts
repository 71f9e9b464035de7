/**
 * The operator's probe and metrics endpoints on one port: `/healthz` (the process serves),
 * `/readyz` (every informer has listed and watches), `/metrics` (Prometheus text).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthSource {
  ready: boolean;
  metrics(): Record<string, { help: string; type: 'counter' | 'gauge'; value: number }>;
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
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      res
        .writeHead(src.ready ? 200 : 503, { 'Content-Type': 'text/plain' })
        .end(src.ready ? 'ok\n' : 'informers not synced\n');
    } else if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(renderMetrics(src));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
