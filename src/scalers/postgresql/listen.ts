/**
 * Push wake-ups for `postgresql` triggers: `LISTEN` on the tide-only `notifyChannel`, so a
 * producer's `NOTIFY <channel>` (or `pg_notify()` in a trigger function) wakes the round at once
 * instead of at the next poll. One listening connection per server + credentials, shared by every
 * trigger (reference-counted through the scaler connection pool); each channel is LISTENed once.
 */
import type pg from 'pg';
import { errorMessage } from '../../errors.js';
import { poolKey } from '../core/pool.js';
import type { ScalerContext } from '../core/types.js';

/** A LISTEN connection fanned out to subscribers per channel. */
export class PgListener {
  readonly #client: pg.Client;
  readonly #subs = new Map<string, Set<() => void>>();
  readonly #onBreak = new Set<(e: Error) => void>();
  #broken: Error | undefined;

  constructor(client: pg.Client) {
    this.#client = client;
    client.on('notification', (m) => {
      for (const fn of this.#subs.get(m.channel) ?? []) fn();
    });
    const broke = (e: Error) => {
      this.#broken ??= e;
      for (const fn of this.#onBreak) fn(this.#broken);
    };
    client.on('error', broke);
    client.on('end', () => broke(new Error('the LISTEN connection ended')));
  }

  get broken(): Error | undefined {
    return this.#broken;
  }

  onBreak(fn: (e: Error) => void): () => void {
    this.#onBreak.add(fn);
    return () => this.#onBreak.delete(fn);
  }

  /** Calls `fn` on every notification on `channel` until the returned function is called. */
  async subscribe(channel: string, fn: () => void): Promise<() => Promise<void>> {
    let set = this.#subs.get(channel);
    if (!set) {
      set = new Set();
      this.#subs.set(channel, set);
      try {
        await this.#client.query(`LISTEN ${quoteIdent(channel)}`);
      } catch (e) {
        this.#subs.delete(channel);
        throw e;
      }
    }
    set.add(fn);
    return async () => {
      set.delete(fn);
      if (set.size === 0 && this.#subs.get(channel) === set) {
        this.#subs.delete(channel);
        if (!this.#broken)
          await this.#client.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => undefined);
      }
    };
  }
}

/** A channel name as a quoted identifier: case is kept, as written in `notifyChannel`. */
export function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/**
 * Yields on each notification on `channel` (bursts coalesce into one wake-up). Ends when
 * `signal` aborts; throws when the connection breaks, so the scheduler retries later.
 */
export async function* listenForWakeUps(
  config: pg.ClientConfig,
  connectionKey: string,
  channel: string,
  ctx: Pick<ScalerContext, 'pool' | 'logger'>,
  signal: AbortSignal,
): AsyncIterable<void> {
  if (signal.aborted) return;
  const pooled = await ctx.pool.acquire(
    poolKey('postgresql-listen', connectionKey),
    async () => {
      const { default: pg } = await import('pg');
      const connect = async (c: pg.ClientConfig) => {
        const client = new pg.Client({ connectionTimeoutMillis: 10_000, ...c });
        // Until the listener is attached an error must not crash the process.
        client.on('error', (e) => ctx.logger.debug({ err: errorMessage(e) }, 'pg listen error'));
        await client.connect();
        return client;
      };
      let client: pg.Client;
      try {
        client = await connect(config);
      } catch (e) {
        // libpq's sslmode=prefer: fall back to a plain connection when the server has no TLS.
        if (!config.ssl || !/does not support SSL/i.test(errorMessage(e))) throw e;
        client = await connect({ ...config, ssl: false });
      }
      return { client, listener: new PgListener(client) };
    },
    async ({ client }) => {
      await client.end().catch(() => undefined);
    },
  );
  let pending = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const { listener } = pooled.client;
  const offBreak = listener.onBreak((e) => {
    failure = e;
    poke();
  });
  signal.addEventListener('abort', poke);
  let unsubscribe: (() => Promise<void>) | undefined;
  try {
    if (listener.broken) throw listener.broken;
    unsubscribe = await listener.subscribe(channel, () => {
      pending = true;
      poke();
    });
    while (!signal.aborted) {
      if (!pending && !failure) await new Promise<void>((r) => (wake = r));
      if (signal.aborted) break;
      if (failure) throw new Error(`LISTEN ${channel} stopped: ${errorMessage(failure)}`);
      pending = false;
      yield;
    }
  } finally {
    signal.removeEventListener('abort', poke);
    offBreak();
    await unsubscribe?.();
    await pooled.release();
  }
}
