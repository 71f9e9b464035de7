/** Binding and closing tide's small HTTP servers (dashboard, /metrics, operator health). */
import type { Server } from 'node:http';

/** Listens on `host:port` (0 picks a free port); rejects on EADDRINUSE and the like. */
export async function listenOn(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : port;
}

/** Stops listening and ends open connections too: a scraper's keep-alive would hold close(). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
