/**
 * A small JSON client for the Kubernetes API over `node:https`, authenticated by
 * `@kubernetes/client-node`'s KubeConfig (kubeconfig file or in-cluster service account).
 * Every request goes through one token bucket, so `--qps`/`--burst` bound what the operator
 * asks of the API server (KEDA's `--kube-api-qps 20 --kube-api-burst 30`), and is counted.
 * The informers use client-node's own watch; their list calls go through here.
 *
 * Connections are kept alive and reused: client-node's `applyToHTTPSOptions` builds a new
 * Agent for every call, so each request paid a TCP connect and a TLS handshake (with a client
 * certificate), which at thousands of ScaledObjects was the operator's largest CPU cost. The
 * client keeps one Agent per TLS identity (a rotated certificate gets a new one) and only
 * takes headers and TLS material from the kubeconfig per request.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
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

/** Queue order under the rate limit: urgent, then normal, then background. */
export type Lane = 'urgent' | 'normal' | 'background';

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

/**
 * `VERB resource[/subresource]` of a request, e.g. `PATCH scaledobjects/status`; a GET of a
 * collection is `LIST`, with `watch=` a `WATCH`. Names and namespaces are left out (bounded
 * label values).
 */
export function requestKind(method: string, path: string): string {
  const [pathname = '', query = ''] = path.split('?', 2);
  const parts = pathname.split('/').filter(Boolean);
  // /api/v1/... or /apis/group/version/...
  let rest = parts.slice(parts[0] === 'api' ? 2 : 3);
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const [resource = pathname, name, sub] = rest;
  let verb = method;
  if (method === 'GET' && name === undefined)
    verb = /(^|&)watch=(1|true)/.test(query) ? 'WATCH' : 'LIST';
  return `${verb} ${resource}${sub ? `/${sub}` : ''}`;
}

export class KubeClient {
  readonly kc: KubeConfig;
  readonly #qps: number;
  readonly #burst: number;
  #tokens: number;
  #last = Date.now();
  readonly #lanes: Record<Lane, (() => void)[]> = { urgent: [], normal: [], background: [] };
  #pumpTimer: NodeJS.Timeout | undefined;
  /** Requests sent, for metrics and the benchmarks. */
  requests = 0;
  /**
   * Requests sent by verb and resource (`GET workers/scale`, `LIST scaledobjects`, `WATCH
   * deployments`): what a start-up spends its QPS budget on.
   */
  readonly requestsBy = new Map<string, number>();
  #agent: { key: string; agent: HttpsAgent | HttpAgent } | undefined;

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

  /**
   * Waits for a token of the rate limit. Waiters queue in order behind one timer (a waiter
   * polling its own timer made 10,000 start-up reconciles wake each other thousands of times
   * a second). Three lanes: `urgent` (scale writes: the reaction to a source) first, then
   * `normal`, then `background` (Events, status writes), so at start-up the reads that get
   * controllers running are not queued behind the first rounds' Events and status.
   */
  #throttle(lane: Lane = 'normal'): Promise<void> {
    this.#refill();
    if (this.#tokens >= 1 && this.queued === 0) {
      this.#tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.#lanes[lane].push(resolve);
      this.#pump();
    });
  }

  #refill(): void {
    const now = Date.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
    this.#last = now;
  }

  #pump(): void {
    if (this.#pumpTimer) return;
    this.#refill();
    while (this.#tokens >= 1) {
      const next =
        this.#lanes.urgent.shift() ?? this.#lanes.normal.shift() ?? this.#lanes.background.shift();
      if (!next) return;
      this.#tokens -= 1;
      next();
    }
    if (this.queued === 0) return;
    this.#pumpTimer = setTimeout(
      () => {
        this.#pumpTimer = undefined;
        this.#pump();
      },
      Math.ceil(((1 - this.#tokens) / this.#qps) * 1000),
    );
  }

  #count(method: string, path: string): void {
    this.requests++;
    const key = requestKind(method, path);
    this.requestsBy.set(key, (this.requestsBy.get(key) ?? 0) + 1);
  }

  /** Requests waiting for a token (metrics, tests). */
  get queued(): number {
    const l = this.#lanes;
    return l.urgent.length + l.normal.length + l.background.length;
  }

  /** The kept-alive Agent for this TLS identity (the kubeconfig may rotate certificates). */
  #agentFor(opts: RequestOptions, plain: boolean): HttpsAgent | HttpAgent {
    const pem = (x: unknown): string =>
      x === undefined
        ? ''
        : Array.isArray(x)
          ? x.map(pem).join(',')
          : Buffer.isBuffer(x)
            ? x.toString('base64')
            : typeof x === 'string'
              ? x
              : JSON.stringify(x);
    const key = [
      plain,
      pem(opts.ca),
      pem(opts.cert),
      pem(opts.key),
      opts.rejectUnauthorized,
      opts.servername,
    ].join('\0');
    if (this.#agent?.key === key) return this.#agent.agent;
    this.#agent?.agent.destroy();
    const common = {
      keepAlive: true,
      // HTTP/1.1: one request per socket at a time. 64 keeps start-up reconciles and
      // background writes from queueing at the Agent when the API server is slow.
      maxSockets: 64,
      maxFreeSockets: 16,
      scheduling: 'lifo' as const,
    };
    const agent = plain
      ? new HttpAgent(common)
      : new HttpsAgent({
          ...common,
          ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
          ...(opts.cert !== undefined ? { cert: opts.cert } : {}),
          ...(opts.key !== undefined ? { key: opts.key } : {}),
          ...(opts.pfx !== undefined ? { pfx: opts.pfx } : {}),
          ...(opts.passphrase !== undefined ? { passphrase: opts.passphrase } : {}),
          ...(opts.rejectUnauthorized !== undefined
            ? { rejectUnauthorized: opts.rejectUnauthorized }
            : {}),
          ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
        });
    this.#agent = { key, agent };
    return agent;
  }

  /**
   * A watch: GETs `path` (which carries `watch=1`) and calls `onLine` with each line of the
   * response as it arrives; resolves when the server ends the stream, rejects on an HTTP error
   * or `signal`. Watches get their own connections (no pooling): a long-lived stream must not
   * hold one of the request lane's sockets.
   */
  async stream(path: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    await this.#throttle();
    this.#count('GET', path);
    const url = new URL(path, this.server);
    const opts: RequestOptions = {
      method: 'GET',
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers: { Accept: 'application/json' },
    };
    await this.kc.applyToHTTPSOptions(opts);
    delete opts.agent;
    const plain = url.protocol === 'http:';
    const send = plain ? httpRequest : httpsRequest;
    return new Promise<void>((resolve, reject) => {
      const req = send({ ...opts, signal }, (res) => {
        const status = res.statusCode ?? 0;
        let rest = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          rest += chunk;
          let nl: number;
          while ((nl = rest.indexOf('\n')) >= 0) {
            const line = rest.slice(0, nl);
            rest = rest.slice(nl + 1);
            if (status >= 200 && status < 300 && line.trim()) onLine(line);
          }
        });
        res.on('end', () => {
          if (status >= 200 && status < 300) {
            if (rest.trim()) onLine(rest);
            return resolve();
          }
          reject(
            new KubeApiError(status, '', `GET ${url.pathname}: ${status} ${rest.slice(0, 200)}`),
          );
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Closes the kept-alive connections (the process can then exit on its own). */
  close(): void {
    this.#agent?.agent.destroy();
    this.#agent = undefined;
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

  post<T>(path: string, body: unknown, opts: { lane?: Lane } = {}): Promise<T> {
    return this.request<T>('POST', path, body, 'application/json', opts.lane);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  /** `lane`: see #throttle (scale writes `urgent`, status writes `background`). */
  patch<T>(
    path: string,
    body: unknown,
    type: PatchType = 'merge',
    opts: { lane?: Lane } = {},
  ): Promise<T> {
    return this.request<T>('PATCH', path, body, PATCH_TYPES[type], opts.lane);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    lane: Lane = 'normal',
  ): Promise<T> {
    await this.#throttle(lane);
    this.#count(method, path);
    const url = new URL(path, this.server);
    const opts: RequestOptions = {
      method,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers: { Accept: 'application/json' },
    };
    await this.kc.applyToHTTPSOptions(opts);
    opts.agent = this.#agentFor(opts, url.protocol === 'http:');
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
