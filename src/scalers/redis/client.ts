/**
 * Opens (or borrows from the pool) an ioredis client for a {@link RedisConnection}: standalone,
 * cluster or sentinel, with TLS and ACL credentials. Like KEDA's client it PINGs on creation, so
 * a trigger whose server is down fails at build with a clear error instead of at the first poll.
 * Secrets are revealed only here, where the client options are built.
 */
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import { errorMessage, ScalerError } from '../../errors.js';
import type { Secret } from '../../secret.js';
import { poolKey } from '../core/pool.js';
import { scrub } from '../core/scrub.js';
import type { RedisAddress, RedisConnection } from './metadata.js';
import type { PooledConnection, ScalerContext } from '../core/types.js';

export type RedisClient = Redis | Cluster;

/** How long connect + PING and each command may take before the read fails. */
const TIMEOUT_MS = 10_000;

/** `:7001` leaves the host out; Go dials the local system then, and so does tide. */
function dialHost(a: RedisAddress): string {
  return a.host === '' ? 'localhost' : a.host;
}

export function formatAddresses(addresses: readonly RedisAddress[]): string {
  return addresses
    .map((a) => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`))
    .join(',');
}

/** What the connection talks to, for messages: never credentials. */
export function describeConnection(c: RedisConnection): string {
  const addrs = c.mode === 'standalone' ? c.addresses.slice(0, 1) : c.addresses;
  const where = formatAddresses(addrs);
  switch (c.mode) {
    case 'standalone':
      return `Redis at ${where}`;
    case 'cluster':
      return `Redis cluster at ${where}`;
    case 'sentinel':
      return `Redis master "${c.sentinel?.master ?? ''}" via sentinels ${where}`;
  }
}

export function connectionSecrets(c: RedisConnection): (Secret | undefined)[] {
  return [c.password, c.sentinel?.password, c.tls?.key, c.tls?.keyPassword];
}

function tlsOptions(c: RedisConnection): ConnectionOptions | undefined {
  if (!c.tls) return undefined;
  const t: ConnectionOptions = { rejectUnauthorized: !c.tls.unsafeSsl };
  if (c.tls.ca) t.ca = c.tls.ca;
  if (c.tls.cert) t.cert = c.tls.cert;
  if (c.tls.key) t.key = c.tls.key.reveal();
  if (c.tls.keyPassword) t.passphrase = c.tls.keyPassword.reveal();
  if (c.tls.unsafeSsl) t.checkServerIdentity = () => undefined;
  return t;
}

/** The pool key: every part that makes two connections interchangeable, hashed. */
export function redisPoolKey(c: RedisConnection): string {
  const addrs = c.mode === 'standalone' ? c.addresses.slice(0, 1) : c.addresses;
  return poolKey(
    'redis',
    c.mode,
    formatAddresses(addrs),
    c.mode === 'cluster' ? 0 : c.databaseIndex,
    c.username ?? '',
    c.password?.reveal() ?? '',
    c.sentinel?.master ?? '',
    c.sentinel?.username ?? '',
    c.sentinel?.password?.reveal() ?? '',
    c.tls
      ? [
          c.tls.ca ?? '',
          c.tls.cert ?? '',
          c.tls.key?.reveal() ?? '',
          c.tls.keyPassword?.reveal() ?? '',
          c.tls.unsafeSsl,
        ]
      : null,
  );
}

/**
 * The first connection must succeed without retries (so `create` fails fast when the server is
 * down); once ready, reconnects back off up to 2 s and each command fails after one retry, so a
 * poll during an outage rejects instead of hanging.
 */
function retry(ready: () => boolean) {
  return (times: number): number | null => (ready() ? Math.min(times * 200, 2000) : null);
}

function newClient(
  { Cluster, Redis }: Pick<typeof import('ioredis'), 'Cluster' | 'Redis'>,
  c: RedisConnection,
  onReady: () => void,
  isReady: () => boolean,
): RedisClient {
  const tls = tlsOptions(c);
  const base: RedisOptions = {
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    commandTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: retry(isReady),
    ...(c.username !== undefined ? { username: c.username } : {}),
    ...(c.password !== undefined ? { password: c.password.reveal() } : {}),
    ...(tls ? { tls } : {}),
  };
  let client: RedisClient;
  switch (c.mode) {
    case 'standalone': {
      const a = c.addresses[0] ?? { host: '127.0.0.1', port: 6379 };
      client = new Redis({ ...base, host: dialHost(a), port: a.port, db: c.databaseIndex });
      break;
    }
    case 'cluster': {
      const opts: ClusterOptions = {
        lazyConnect: true,
        redisOptions: base,
        clusterRetryStrategy: retry(isReady),
        enableOfflineQueue: true,
        ...(tls ? { dnsLookup: (address, cb) => cb(null, address) } : {}),
      };
      client = new Cluster(
        c.addresses.map((a) => ({ host: dialHost(a), port: a.port })),
        opts,
      );
      break;
    }
    case 'sentinel': {
      const s = c.sentinel ?? { master: '' };
      client = new Redis({
        ...base,
        db: c.databaseIndex,
        sentinels: c.addresses.map((a) => ({ host: dialHost(a), port: a.port })),
        name: s.master,
        sentinelRetryStrategy: retry(isReady),
        ...(s.username !== undefined ? { sentinelUsername: s.username } : {}),
        ...(s.password !== undefined ? { sentinelPassword: s.password.reveal() } : {}),
        ...(tls ? { enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
      });
      break;
    }
  }
  client.once('ready', onReady);
  return client;
}

/** Opens a client and PINGs it; rejects with the library's error (the caller wraps it). */
export async function openRedis(
  c: RedisConnection,
  ctx: Pick<ScalerContext, 'logger'>,
): Promise<RedisClient> {
  let ready = false;
  const client = newClient(
    await import('ioredis'),
    c,
    () => (ready = true),
    () => ready,
  );
  // ioredis emits 'error' on every failed reconnect; without a listener Node prints them raw.
  let lastError: unknown;
  client.on('error', (e: unknown) => {
    lastError = e;
    ctx.logger.debug({ err: errorMessage(e) }, 'redis connection error');
  });
  try {
    await client.connect();
    await client.ping();
    ready = true;
    return client;
  } catch (e) {
    client.disconnect();
    // connect() rejects with a bare "Connection is closed."; the 'error' event has the reason
    // (ECONNREFUSED, WRONGPASS, a certificate error).
    throw lastError ?? e;
  }
}

export async function closeRedis(client: RedisClient): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/** The library's message, plus the node error behind ioredis's "Failed to refresh slots cache." */
function reason(e: unknown): string {
  const last =
    typeof e === 'object' && e !== null
      ? (e as { lastNodeError?: unknown }).lastNodeError
      : undefined;
  return last ? `${errorMessage(e)} (last node error: ${errorMessage(last)})` : errorMessage(e);
}

/** Borrows a shared, PINGed client; rejects with a ScalerError naming the address, never a secret. */
export async function acquireRedis(
  c: RedisConnection,
  ctx: ScalerContext,
): Promise<PooledConnection<RedisClient>> {
  try {
    return await ctx.pool.acquire(redisPoolKey(c), () => openRedis(c, ctx), closeRedis);
  } catch (e) {
    const why = scrub(reason(e), connectionSecrets(c));
    throw new ScalerError(ctx.triggerRef, `cannot connect to ${describeConnection(c)}: ${why}`, {
      cause: e,
    });
  }
}
