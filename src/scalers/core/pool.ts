/**
 * The connection pool scalers share: one client per server + credentials, reference-counted.
 * Two triggers reading the same Redis open one connection (KEDA opens one per scaler; a local
 * run with many ScaledObjects on one broker should not). Keys are hashed so that a password
 * that is part of the identity never sits in clear in a Map, a heap dump or a debug log.
 */
import { createHash } from 'node:crypto';
import type { ConnectionPool, PooledConnection } from './types.js';

/**
 * A pool key from the parts that identify a connection (type, addresses, user, password, TLS
 * material...). SHA-256 of the JSON of the parts: stable, collision-free in practice, no secret.
 */
export function poolKey(...parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

interface Entry {
  /** Settles once; concurrent acquirers of one key await the same open. */
  opening: Promise<unknown>;
  refs: number;
  close: (client: unknown) => Promise<void>;
}

/** The default {@link ConnectionPool}. */
export class SharedConnectionPool implements ConnectionPool {
  readonly #entries = new Map<string, Entry>();
  #opened = 0;

  /** Connections successfully opened so far (a failed open does not count). */
  get opened(): number {
    return this.#opened;
  }

  /** Keys currently held (for tests: they must be hashes). */
  get keys(): readonly string[] {
    return [...this.#entries.keys()];
  }

  async acquire<T>(
    key: string,
    open: () => Promise<T>,
    close: (client: T) => Promise<void>,
  ): Promise<PooledConnection<T>> {
    let entry = this.#entries.get(key);
    if (!entry) {
      const opening = open().then((c) => {
        this.#opened += 1;
        return c;
      });
      entry = { opening, refs: 0, close: close as (c: unknown) => Promise<void> };
      this.#entries.set(key, entry);
      // A failed open must not poison the key: the next acquire tries again.
      opening.catch(() => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      });
    }
    entry.refs += 1;
    const held = entry;
    let client: T;
    try {
      client = (await held.opening) as T;
    } catch (e) {
      held.refs -= 1;
      throw e;
    }
    let released = false;
    return {
      client,
      release: async () => {
        if (released) return;
        released = true;
        held.refs -= 1;
        if (held.refs > 0) return;
        if (this.#entries.get(key) === held) this.#entries.delete(key);
        await held.close(client);
      },
    };
  }
}
