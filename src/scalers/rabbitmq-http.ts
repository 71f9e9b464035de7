/**
 * The RabbitMQ management API read, as KEDA's rabbitmq scaler does it over HTTP:
 * `GET <host without vhost>/api/queues/<vhost>/<queue>` (or the regex listing), basic auth from
 * the host's user info, and the queue statistics each mode needs. node:http(s) is used rather
 * than fetch because `ca`/`cert`/`key`/`unsafeSsl` need TLS options fetch cannot take.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RabbitMeta } from './rabbitmq-metadata.js';
import { queryEscape } from './rabbitmq-metadata.js';
import type { TokenSource } from './rabbitmq-oauth.js';

export interface QueueStats {
  messages: number;
  publishRate: number;
  deliverRate: number;
}

interface QueueInfo {
  messages?: number;
  messages_ready?: number;
  message_stats?: {
    publish_details?: { rate?: number };
    deliver_get_details?: { rate?: number };
  };
}

/** KEDA getVhostAndPathFromURL: the last path segment is the vhost, the rest a path prefix. */
export function vhostAndPath(path: string, vhostName?: string): { vhost: string; prefix: string } {
  const parts = path.split('/');
  let vhost = `/${parts[parts.length - 1] ?? ''}`;
  const prefix = parts.length > 2 ? parts.slice(0, -1).join('/') : '';
  if (vhostName !== undefined) vhost = `/${queryEscape(vhostName)}`;
  if (vhost === '/' || vhost === '//') vhost = '/%2F';
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

function stats(q: QueueInfo, excludeUnacked: boolean): QueueStats {
  return {
    messages: (excludeUnacked ? q.messages_ready : q.messages) ?? 0,
    publishRate: q.message_stats?.publish_details?.rate ?? 0,
    deliverRate: q.message_stats?.deliver_get_details?.rate ?? 0,
  };
}

/** KEDA getComposedQueue: sum / avg / max of messages and publish rate (deliver rate stays 0). */
export function compose(items: readonly QueueStats[], op: RabbitMeta['operation']): QueueStats {
  if (items.length === 0) return { messages: 0, publishRate: 0, deliverRate: 0 };
  const msgs = items.map((i) => i.messages);
  const rates = items.map((i) => i.publishRate);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  switch (op) {
    case 'sum':
      return { messages: sum(msgs), publishRate: sum(rates), deliverRate: 0 };
    case 'avg':
      // KEDA divides integers for message counts.
      return {
        messages: Math.trunc(sum(msgs) / items.length),
        publishRate: sum(rates) / items.length,
        deliverRate: 0,
      };
    case 'max':
      return { messages: Math.max(...msgs), publishRate: Math.max(...rates), deliverRate: 0 };
  }
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
  if (!meta.useRegex) return stats(parsed as QueueInfo, meta.excludeUnacknowledged);
  const page = parsed as { items?: QueueInfo[]; page_count?: number };
  if ((page.page_count ?? 1) > 1)
    throw new Error('regex matches more than a single page, consider increasing your pageSize');
  return compose(
    (page.items ?? []).map((q) => stats(q, meta.excludeUnacknowledged)),
    meta.operation,
  );
}
