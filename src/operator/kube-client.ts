/**
 * A small JSON client for the Kubernetes API over `node:https`, authenticated by
 * `@kubernetes/client-node`'s KubeConfig (kubeconfig file or in-cluster service account).
 * Every request goes through one token bucket, so `--qps`/`--burst` bound what the operator
 * asks of the API server (KEDA's `--kube-api-qps 20 --kube-api-burst 30`), and is counted.
 * The informers use client-node's own watch; their list calls go through here.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

/** An API error with the server's status and message (never the request body). */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface KubeClientOptions {
  /** Requests per second, sustained. @default 20 */
  qps?: number;
  /** Requests allowed at once above the rate. @default 30 */
  burst?: number;
}

export type PatchType = 'merge' | 'json' | 'strategic';

const PATCH_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** Loads a KubeConfig: the given file, else $KUBECONFIG / ~/.kube/config, else in-cluster. */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else if (process.env.KUBERNETES_SERVICE_HOST && !process.env.KUBECONFIG) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

export class KubeClient {
  readonly kc: KubeConfig;
  readonly #qps: number;
  readonly #burst: number;
  #tokens: number;
  #last = Date.now();
  /** Requests sent, for metrics and the benchmarks. */
  requests = 0;

  constructor(kc: KubeConfig, opts: KubeClientOptions = {}) {
    this.kc = kc;
    this.#qps = opts.qps ?? 20;
    this.#burst = opts.burst ?? Math.max(30, this.#qps);
    this.#tokens = this.#burst;
  }

  /** Sustained requests per second this client allows itself. */
  get qps(): number {
    return this.#qps;
  }

  get server(): string {
    const c = this.kc.getCurrentCluster();
    if (!c) throw new Error('the kubeconfig has no current cluster');
    return c.server;
  }

  /** Waits for a token of the rate limit. */
  async #throttle(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
      this.#last = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.#tokens) / this.#qps) * 1000)));
    }
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** GET that returns undefined on 404. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  patch<T>(path: string, body: unknown, type: PatchType = 'merge'): Promise<T> {
    return this.request<T>('PATCH', path, body, PATCH_TYPES[type]);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    await this.#throttle();
    this.requests++;
    const url = new URL(path, this.server);
    const opts: RequestOptions = {
      method,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers: { Accept: 'application/json' },
    };
    await this.kc.applyToHTTPSOptions(opts);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) {
      opts.headers = {
        ...opts.headers,
        'Content-Type': contentType,
        'Content-Length': Buffer.byteLength(payload),
      };
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<T>((resolve, reject) => {
      const req = send(opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          if (status >= 200 && status < 300) return resolve(json as T);
          const s = (json ?? {}) as { message?: string; reason?: string };
          reject(
            new KubeApiError(
              status,
              s.reason ?? '',
              `${method} ${url.pathname}: ${status} ${s.message ?? text.slice(0, 200)}`,
            ),
          );
        });
        res.on('error', reject);
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${url.pathname}: timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}
