/**
 * The RabbitMQ management API read, as KEDA's rabbitmq scaler does it over HTTP:
 * `GET <host without vhost>/api/queues/<vhost>/<queue>` (or the regex listing), basic auth from
 * the host's user info, and the queue statistics each mode needs. node:http(s) is used rather
 * than fetch because `ca`/`cert`/`key`/`unsafeSsl` need TLS options fetch cannot take.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RabbitMeta } from './metadata.js';
import { queryEscape } from './metadata.js';
import type { TokenSource } from './oauth.js';

/** What a mode measures: messages (ready only with excludeUnacknowledged) and the two rates. */
export interface QueueStats {
  messages: number;
  publishRate: number;
  deliverRate: number;
}

/** One queue of the management API, the fields KEDA reads (`queueInfo`). */
export interface QueueInfo {
  messages: number;
  messagesReady: number;
  publishRate: number;
  deliverRate: number;
}

interface ApiQueue {
  messages?: number;
  messages_ready?: number;
  message_stats?: {
    publish_details?: { rate?: number };
    deliver_get_details?: { rate?: number };
  };
}

/** Go path.Clean of the joined segments: empty and `.` segments dropped, `..` resolved. */
function cleanJoin(segments: readonly string[]): string {
  const out: string[] = [];
  for (const s of segments.join('/').split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out.join('/');
}

/**
 * KEDA getVhostAndPathFromURL: the last path segment is the vhost (`/`, `//` or none is the
 * root vhost `%2F`), the segments before it a path prefix joined as Go's path.Join does
 * (`sub1//` → prefix `/sub1`).
 */
export function vhostAndPath(path: string, vhostName?: string): { vhost: string; prefix: string } {
  const parts = path.split('/');
  let vhost = `/${parts[parts.length - 1] ?? ''}`;
  const joined = cleanJoin(parts.slice(0, -1));
  const prefix = joined ? `/${joined}` : '';
  if (vhostName !== undefined) vhost = `/${queryEscape(vhostName)}`;
  if (vhost === '/') vhost = '/%2F';
  return { vhost, prefix };
}

/** The management API URL for the queue (or the regex listing), without credentials. */
export function managementUrl(meta: RabbitMeta): { url: URL; user: string; password: string } {
  const u = new URL(meta.url.reveal());
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const { vhost, prefix } = vhostAndPath(u.pathname, meta.vhostName);
  const base = `${u.protocol}//${u.host}${prefix}`;
  const q = queryEscape(meta.queueName);
  const url = meta.useRegex
    ? new URL(
        `${base}/api/queues${vhost}?page=1&use_regex=true&pagination=false&name=${q}&page_size=${meta.pageSize}`,
      )
    : new URL(`${base}/api/queues${vhost}/${q}`);
  return { url, user, password };
}

function getJson(
  meta: RabbitMeta,
  signal: AbortSignal,
  bearer: string | undefined,
): Promise<{ status: number; body: string; url: URL }> {
  const { url, user, password } = managementUrl(meta);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
  else if (user || password)
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const tls = meta.tls;
  const options = {
    method: 'GET',
    headers,
    signal,
    timeout: meta.timeoutMs,
    ...(url.protocol === 'https:'
      ? {
          rejectUnauthorized: !meta.unsafeSsl,
          ...(tls?.ca ? { ca: tls.ca } : {}),
          ...(tls?.cert ? { cert: tls.cert } : {}),
          ...(tls?.key ? { key: tls.key.reveal() } : {}),
          ...(tls?.keyPassword ? { passphrase: tls.keyPassword.reveal() } : {}),
        }
      : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, url }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${meta.timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function queueInfo(q: ApiQueue): QueueInfo {
  return {
    messages: q.messages ?? 0,
    messagesReady: q.messages_ready ?? 0,
    publishRate: q.message_stats?.publish_details?.rate ?? 0,
    deliverRate: q.message_stats?.deliver_get_details?.rate ?? 0,
  };
}

/** What the modes measure of a queue: `messages`, or `messages_ready` with excludeUnacknowledged. */
export function queueStats(q: QueueInfo, excludeUnacked: boolean): QueueStats {
  return {
    messages: excludeUnacked ? q.messagesReady : q.messages,
    publishRate: q.publishRate,
    deliverRate: q.deliverRate,
  };
}

/**
 * KEDA getComposedQueue: the queues a regex matched as one, each field summed, averaged
 * (message counts divided as integers) or maxed on its own; no queue gives zeros.
 */
export function compose(items: readonly QueueInfo[], op: string): QueueInfo {
  const fields = ['messages', 'messagesReady', 'publishRate', 'deliverRate'] as const;
  const out: QueueInfo = { messages: 0, messagesReady: 0, publishRate: 0, deliverRate: 0 };
  if (items.length === 0) return out;
  for (const f of fields) {
    const xs = items.map((i) => i[f]);
    const sum = xs.reduce((a, b) => a + b, 0);
    switch (op) {
      case 'sum':
        out[f] = sum;
        break;
      case 'avg':
        out[f] =
          f === 'messages' || f === 'messagesReady' ? Math.trunc(sum / xs.length) : sum / xs.length;
        break;
      case 'max':
        out[f] = Math.max(...xs);
        break;
      default:
        throw new Error(`operation mode ${op} must be one of sum, avg, max`);
    }
  }
  return out;
}

/** One read of the management API. Throws Errors whose messages hold no credentials. */
export async function readQueueHttp(
  meta: RabbitMeta,
  signal: AbortSignal,
  tokens?: TokenSource,
): Promise<QueueStats> {
  const bearer = tokens ? await tokens.token(signal) : undefined;
  const { status, body, url } = await getJson(meta, signal, bearer);
  if (status !== 200)
    throw new Error(
      `error requesting rabbitMQ API status: ${status}, response: ${body.slice(0, 200).trim()}, from: ${url.toString()}`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error(`the management API at ${url.toString()} did not answer JSON`);
  }
  if (!meta.useRegex) return queueStats(queueInfo(parsed as ApiQueue), meta.excludeUnacknowledged);
  const page = parsed as { items?: ApiQueue[]; page_count?: number };
  if ((page.page_count ?? 1) > 1)
    throw new Error('regex matches more than a single page, consider increasing your pageSize');
  return queueStats(
    compose((page.items ?? []).map(queueInfo), meta.operation),
    meta.excludeUnacknowledged,
  );
}
