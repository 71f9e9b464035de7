/**
 * A local HTTP server standing in for a source's API, as KEDA's tests use httptest servers:
 * each case sets the answer and reads back the request URI it was asked.
 */
import { createServer, type Server } from 'node:http';

export interface StubAnswer {
  status: number;
  body: string;
  contentType?: string;
}

class Stub {
  #server: Server | undefined;
  #url: Promise<string> | undefined;
  #answer: (uri: string) => StubAnswer = () => ({ status: 500, body: 'no answer set' });
  /** Request URIs (path and query) received since the last `answer`. */
  requests: string[] = [];
  /** Their headers, in the same order. */
  headers: Record<string, string | string[] | undefined>[] = [];

  url(): Promise<string> {
    this.#url ??= new Promise((resolve, reject) => {
      const server = createServer((req, res) => {
        const uri = req.url ?? '';
        this.requests.push(uri);
        this.headers.push(req.headers);
        const a = this.#answer(uri);
        res.writeHead(a.status, { 'content-type': a.contentType ?? 'application/json' });
        res.end(a.body);
      });
      server.keepAliveTimeout = 1000;
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address();
        if (addr === null || typeof addr === 'string') return reject(new Error('no port'));
        resolve(`http://127.0.0.1:${addr.port}`);
      });
      this.#server = server;
    });
    return this.#url;
  }

  answer(f: (uri: string) => StubAnswer): void {
    this.#answer = f;
    this.requests = [];
    this.headers = [];
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    this.#url = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** The one stub server of a run; `closeStub()` when done. */
export const stub = new Stub();
export const closeStub = () => stub.close();
