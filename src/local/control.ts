/**
 * The control endpoint of a running `tide up`: HTTP over a unix socket in the state folder,
 * so `tide status` (and later `tide explain`) in another terminal can ask the running process.
 * A socket file in the folder is private to the user, needs no port and no token.
 */
import { createServer, request, type Server } from 'node:http';
import { existsSync, unlinkSync } from 'node:fs';

export type ControlHandler = (path: string, query: URLSearchParams) => unknown;

export async function startControlServer(
  socketPath: string,
  handle: ControlHandler,
): Promise<Server> {
  // A socket file left by a crashed run would make listen() fail with EADDRINUSE; the lock
  // already proved no live tide owns this folder, so the stale file can go.
  if (existsSync(socketPath)) unlinkSync(socketPath);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://tide');
    try {
      const body = handle(url.pathname, url.searchParams);
      if (body === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `no such endpoint ${url.pathname}` }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    } catch (e) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
    }
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolveListen());
  });
  return server;
}

export async function stopControlServer(server: Server, socketPath: string): Promise<void> {
  await new Promise<void>((r) => server.close(() => r()));
  if (existsSync(socketPath)) unlinkSync(socketPath);
}

/** GETs a path from the running tide; rejects with a clear message when none is running. */
export async function queryControl(socketPath: string, path: string): Promise<unknown> {
  return new Promise((resolveQuery, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          const body = JSON.parse(text) as unknown;
          if ((res.statusCode ?? 500) >= 400) {
            reject(new Error((body as { error?: string }).error ?? `HTTP ${res.statusCode}`));
          } else resolveQuery(body);
        } catch {
          reject(new Error(`unexpected answer from tide: ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('tide did not answer within 5 s')));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') {
        reject(new Error(`no tide up is running here (no control socket at ${socketPath})`));
      } else reject(e);
    });
    req.end();
  });
}
