/**
 * Push wake-ups for the Redis stream triggers (tide only; KEDA polls). A stream can be waited on
 * directly: `XREAD BLOCK` on a second connection returns as soon as an entry is added after the
 * last one seen. Unlike keyspace notifications this needs no `CONFIG SET`, so it works on managed
 * Redis and under ACLs that allow XREAD. Cluster mode does not watch (the stream's node can move);
 * on any error the iterable ends and the scheduler keeps polling.
 */
import type { Redis } from 'ioredis';
import { errorMessage } from '../../errors.js';
import type { RedisClient } from './client.js';
import type { RedisConnection } from './metadata.js';
import type { ScalerContext } from '../core/types.js';

/** Shorter than the client's 10 s command timeout, so a quiet stream is not a timeout error. */
const BLOCK_MS = 5_000;

export async function* watchStream(
  client: RedisClient,
  conn: RedisConnection,
  stream: string,
  ctx: Pick<ScalerContext, 'logger'>,
  signal: AbortSignal,
): AsyncIterable<void> {
  if (conn.mode === 'cluster' || signal.aborted) return;
  const sub = (client as Redis).duplicate();
  sub.on('error', (e: unknown) =>
    ctx.logger.debug({ err: errorMessage(e) }, 'redis stream watch connection error'),
  );
  // Disconnecting makes the blocked XREAD reject at once, which ends the loop.
  const stop = () => sub.disconnect();
  signal.addEventListener('abort', stop, { once: true });
  try {
    if (sub.status === 'wait') await sub.connect();
    // Start after the newest entry (or from the beginning of a stream that does not exist yet),
    // so an entry added between two XREADs is never missed.
    const newest = await sub.xrevrange(stream, '+', '-', 'COUNT', 1);
    let last = newest[0]?.[0] ?? '0-0';
    while (!signal.aborted) {
      const reply = await sub.xread('COUNT', 100, 'BLOCK', BLOCK_MS, 'STREAMS', stream, last);
      const entries = reply?.[0]?.[1];
      const id = entries?.[entries.length - 1]?.[0];
      if (id === undefined) continue;
      last = id;
      yield;
    }
  } catch (e) {
    if (!signal.aborted)
      ctx.logger.info({ err: errorMessage(e) }, 'redis stream watch stopped; polling only');
  } finally {
    signal.removeEventListener('abort', stop);
    sub.disconnect();
  }
}
