/**
 * The Redis transport as kombu implements it: a queue is a list (LPUSH to publish, RPOP/BRPOP
 * to consume) with priority sub-lists, delivered messages wait in the `unacked` hash and the
 * `unacked_index` sorted set until acked, and messages older than the visibility timeout are
 * restored under the `unacked_mutex`. Python workers and this one can share the same keys.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import {
  DEFAULT_VISIBILITY_TIMEOUT,
  PRIORITY_STEPS,
  UNACKED_INDEX_KEY,
  UNACKED_KEY,
  UNACKED_MUTEX_EXPIRE,
  UNACKED_MUTEX_KEY,
  consumeKeys,
  heldKey,
  inboxKey,
  messagePriority,
  queueKeyFor,
  queueOfKey,
} from './keys.js';
import { FETCH_LUA, INBOX_RESTORE_LUA, RELEASE_LOCK_LUA, RESTORE_LUA, runScript } from './lua.js';
import { parseEnvelope, type Envelope } from './protocol.js';

/** A message taken from a queue (and registered in `unacked` when it has a delivery tag). */
export interface Delivery {
  raw: string;
  queue: string;
  /** null when the message could not be parsed; such a message is never registered. */
  envelope: Envelope | null;
  parseError?: Error;
  tag: string | null;
}

/** How to reach Redis: a URL (`redis://:password@host:port/db`), ioredis options, or a client to share. */
export type RedisConnection = string | RedisOptions | Redis;

export interface TransportOptions {
  /** Seconds after which an unacked message may be restored by any worker (kombu default 3600). */
  visibilityTimeout?: number;
  prioritySteps?: readonly number[];
  /**
   * The worker registry id of the worker using this transport (`registry.ts`). With it, every
   * message taken is also recorded in that worker's held set, and a blocking fetch parks the
   * message in the worker's inbox list (BRPOPLPUSH) instead of popping it into memory, so a
   * worker killed at any instant leaves every message it took in Redis, where a live worker
   * finds it. Without it, the transport behaves exactly as kombu's.
   */
  owner?: string;
}

/**
 * Opens an ioredis client; a given client is used as it is. Commands wait for the connection
 * however long an outage lasts (`maxRetriesPerRequest: null`) instead of failing after 20
 * retries, so an ack or a result is never dropped by a broker restart. Connection errors are
 * not printed by ioredis ("Unhandled error event", once per retry): the worker reports the
 * outage once when it starts and once when it ends (see `Worker`).
 */
export function openRedis(c: RedisConnection, extra: RedisOptions = {}): Redis {
  if (c instanceof Redis) return c;
  const client =
    typeof c === 'string'
      ? new Redis(c, { maxRetriesPerRequest: null, ...extra })
      : new Redis({ maxRetriesPerRequest: null, ...c, ...extra });
  return quiet(client);
}

/** A second connection like `client` (for blocking commands or pub/sub), errors handled alike. */
export function duplicateRedis(client: Redis, extra: RedisOptions = {}): Redis {
  return quiet(client.duplicate(extra));
}

function quiet(client: Redis): Redis {
  client.on('error', () => undefined);
  return client;
}

/** kombu-compatible Redis transport. */
export class RedisTransport {
  /** Commands (auto-pipelined: acks and publishes of one tick travel together). */
  readonly client: Redis;
  readonly visibilityTimeout: number;
  private readonly steps: readonly number[];
  private readonly ownsClient: boolean;
  private blocking: Redis | null = null;
  private pendingAcks: string[] = [];
  /** Tags acked but not yet confirmed by the server. */
  private readonly acking = new Set<string>();
  private ackFlush: Promise<void> | null = null;
  /** The held set and inbox of the owning worker, when it has a registry id. */
  private readonly held: string | null;
  private readonly inbox: string | null;

  constructor(conn: RedisConnection, opts: TransportOptions = {}) {
    this.ownsClient = !(conn instanceof Redis);
    this.client = openRedis(conn, { enableAutoPipelining: true });
    this.visibilityTimeout = opts.visibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT;
    this.steps = opts.prioritySteps ?? PRIORITY_STEPS;
    this.held = opts.owner ? heldKey(opts.owner) : null;
    this.inbox = opts.owner ? inboxKey(opts.owner) : null;
  }

  /** The blocking connection, once opened (for connection-state listeners). */
  get blockingClient(): Redis | null {
    return this.blocking;
  }

  /** kombu `_put`: LPUSH onto the queue, or its sub-list for the message's priority. */
  async publish(queue: string, env: Envelope): Promise<void> {
    const key = queueKeyFor(queue, messagePriority(env.properties.priority), this.steps);
    await this.client.lpush(key, JSON.stringify(env));
  }

  /**
   * Takes up to `max` messages without blocking, highest priority (lowest step) first. A message
   * left in this worker's inbox by an interrupted blocking fetch comes first.
   */
  async fetch(queues: readonly string[], max: number): Promise<Delivery[]> {
    if (max <= 0 || queues.length === 0) return [];
    const keys = consumeKeys(queues, this.steps);
    if (this.inbox) keys.unshift(this.inbox);
    const now = (Date.now() / 1000).toFixed(6);
    const out = (await runScript(
      this.client,
      FETCH_LUA,
      [UNACKED_KEY, UNACKED_INDEX_KEY, this.held ?? UNACKED_KEY, ...keys],
      [max, now, this.held ? '1' : '0'],
    )) as string[] | null;
    const res: Delivery[] = [];
    for (let i = 0; out && i + 1 < out.length; i += 2) {
      const key = keys[Number(out[i]) - 1] ?? '';
      const raw = out[i + 1] ?? '';
      const d = toDelivery(raw, key === this.inbox ? '' : queueOfKey(key));
      if (!d.queue) d.queue = d.envelope?.properties.delivery_info.routing_key || queues[0] || '';
      res.push(d);
    }
    return res;
  }

  /**
   * Waits up to `timeoutSec` for a message. With an owner: BRPOPLPUSH from the first queue's
   * list into the worker's inbox, then the atomic fetch registers it, so the message is in
   * Redis at every instant (kombu's BRPOP holds it only in the worker's memory until it is
   * registered). Other queues and priority sub-lists are read by the next non-blocking fetch,
   * within `timeoutSec`. Without an owner: kombu's `_brpop_start`/`_brpop_read` over all keys.
   * Uses its own connection, as a blocking command blocks it.
   */
  async fetchBlocking(queues: readonly string[], timeoutSec: number): Promise<Delivery | null> {
    this.blocking ??= duplicateRedis(this.client, { enableAutoPipelining: false });
    const keys = consumeKeys(queues, this.steps);
    if (this.inbox) {
      const moved = await this.blocking.brpoplpush(keys[0] ?? '', this.inbox, timeoutSec);
      if (moved === null) return null;
      return (await this.fetch(queues, 1))[0] ?? null;
    }
    const r = await this.blocking.brpop(...keys, timeoutSec);
    if (!r) return null;
    const d = toDelivery(r[1], queueOfKey(r[0]));
    if (d.envelope && d.tag) {
      const di = d.envelope.properties.delivery_info;
      const value = `[${d.raw}, ${JSON.stringify(di.exchange ?? '')}, ${JSON.stringify(di.routing_key ?? '')}]`;
      await Promise.all([
        this.client.zadd(UNACKED_INDEX_KEY, Date.now() / 1000, d.tag),
        this.client.hset(UNACKED_KEY, d.tag, value),
      ]);
    } else {
      d.tag = null; // not registered, so nothing to ack
    }
    return d;
  }

  /** Puts back whatever sits in this worker's inbox (a blocking fetch cut short). */
  async restoreInbox(): Promise<number> {
    return this.inbox ? await restoreInbox(this.client, this.inbox) : 0;
  }

  /**
   * kombu `QoS.ack`: remove the tag from `unacked_index` and `unacked`. Acks of one tick are
   * sent together as one multi-member ZREM and one multi-field HDEL.
   */
  ack(tag: string | null): Promise<void> {
    if (!tag) return Promise.resolve();
    this.pendingAcks.push(tag);
    this.acking.add(tag);
    this.ackFlush ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const tags = this.pendingAcks;
        this.pendingAcks = [];
        this.ackFlush = null;
        Promise.all([
          this.client.zrem(UNACKED_INDEX_KEY, ...tags),
          this.client.hdel(UNACKED_KEY, ...tags),
          this.held ? this.client.srem(this.held, ...tags) : 0,
        ])
          .finally(() => {
            for (const t of tags) this.acking.delete(t);
          })
          .then(() => resolve(), reject);
      });
    });
    return this.ackFlush;
  }

  /**
   * The tags in this worker's held set that it does not know it holds (`known`), nor is acking:
   * messages a fetch moved into `unacked` whose reply never arrived (the connection dropped, and
   * the resent fetch took others). Call it only while no fetch is under way.
   */
  async strayHeld(known: ReadonlySet<string>): Promise<string[]> {
    if (!this.held) return [];
    const held = await this.client.smembers(this.held);
    return held.filter((t) => !known.has(t) && !this.acking.has(t));
  }

  /**
   * kombu `restore_by_tag`: put the unacked message back, marked `redelivered`. RPUSH (the end
   * BRPOP reads next) unless `leftmost`. Like kombu 5.2 it goes to the plain list of the routing
   * key's queue. Returns false when the tag was no longer unacked.
   */
  async restore(tag: string, leftmost = false): Promise<boolean> {
    return await restoreUnacked(this.client, tag, { leftmost, held: this.held });
  }

  /**
   * kombu `restore_visible`: under `unacked_mutex` (skipped when another worker holds it),
   * restore every message delivered more than `visibilityTimeout` seconds ago.
   */
  async restoreVisible(limit?: number): Promise<number> {
    const token = randomUUID().replace(/-/g, '');
    const got = await this.client.set(
      UNACKED_MUTEX_KEY,
      token,
      'PX',
      UNACKED_MUTEX_EXPIRE * 1000,
      'NX',
    );
    if (got !== 'OK') return 0;
    let n = 0;
    try {
      const ceil = Date.now() / 1000 - this.visibilityTimeout;
      const tags =
        limit !== undefined
          ? await this.client.zrevrangebyscore(UNACKED_INDEX_KEY, ceil, 0, 'LIMIT', 0, limit)
          : await this.client.zrevrangebyscore(UNACKED_INDEX_KEY, ceil, 0);
      for (const tag of tags) if (await this.restore(tag)) n++;
    } finally {
      await runScript(this.client, RELEASE_LOCK_LUA, [UNACKED_MUTEX_KEY], [token]);
    }
    return n;
  }

  /**
   * Marks messages this worker still holds as freshly delivered (ZADD XX), so no worker restores
   * a task that is alive but slower than the visibility timeout. kombu does not do this; a
   * SIGKILLed worker stops touching and its messages come back as kombu's would.
   */
  async touch(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const now = Date.now() / 1000;
    const args: (string | number)[] = [];
    for (const t of tags) args.push(now, t);
    await this.client.zadd(UNACKED_INDEX_KEY, 'XX', ...args);
  }

  /** Ends a blocking fetch under way at once (it rejects); the next one reconnects. */
  interruptBlocking(): void {
    this.blocking?.disconnect();
    this.blocking = null;
  }

  /** Closes the connections this transport opened (a shared client is left open). */
  async close(): Promise<void> {
    // Pending acks get a few seconds (the broker may be down); an ack that never arrives leaves
    // the message unacked and held, and a live worker gives it back.
    const bounded = (p: Promise<unknown>) =>
      Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, 3000).unref())]);
    if (this.ackFlush) await bounded(this.ackFlush);
    if (this.blocking) this.blocking.disconnect();
    this.blocking = null;
    if (this.ownsClient) {
      await bounded(this.client.quit());
      this.client.disconnect();
    }
  }
}

/**
 * kombu `restore_by_tag` on any client: put the unacked message `tag` back on its queue, marked
 * `redelivered`, as a compare-and-set (nothing happens if it was acked or restored meanwhile),
 * and drop the tag from `held` (the set of the worker that had it). Returns true if restored.
 */
export async function restoreUnacked(
  client: Redis,
  tag: string,
  opts: { leftmost?: boolean; held?: string | null } = {},
): Promise<boolean> {
  const cur = await client.hget(UNACKED_KEY, tag);
  if (cur === null) {
    await Promise.all([
      client.zrem(UNACKED_INDEX_KEY, tag),
      opts.held ? client.srem(opts.held, tag) : 0,
    ]);
    return false;
  }
  let dest = '';
  let payload = '';
  try {
    const [m, , rk] = JSON.parse(cur) as [Envelope, string, string];
    if (m.headers) m.headers.redelivered = true;
    if (m.properties?.delivery_info) m.properties.delivery_info.redelivered = true;
    dest = rk || m.properties?.delivery_info?.routing_key || '';
    payload = JSON.stringify(m);
  } catch {
    // An entry we cannot read cannot be restored either; drop it so it stops coming back.
    await Promise.all([
      client.zrem(UNACKED_INDEX_KEY, tag),
      client.hdel(UNACKED_KEY, tag),
      opts.held ? client.srem(opts.held, tag) : 0,
    ]);
    return false;
  }
  if (!dest) return false;
  const ok = await runScript(
    client,
    RESTORE_LUA,
    [UNACKED_KEY, UNACKED_INDEX_KEY, dest, opts.held ?? dest],
    [tag, cur, payload, opts.leftmost ? '1' : '0'],
  );
  return ok === 1;
}

/**
 * Gives back every message parked in an inbox list (a blocking fetch whose worker stopped or
 * died before registering it) to the consuming end of its queue, named by its routing key.
 */
export async function restoreInbox(client: Redis, inbox: string): Promise<number> {
  let n = 0;
  for (const raw of await client.lrange(inbox, 0, -1)) {
    let dest = '';
    try {
      dest = parseEnvelope(raw).properties.delivery_info.routing_key;
    } catch {
      // Unreadable: there is no queue to give it back to; it stays for a person to look at.
    }
    if (dest && (await runScript(client, INBOX_RESTORE_LUA, [inbox, dest], [raw])) === 1) n++;
  }
  return n;
}

function toDelivery(raw: string, queue: string): Delivery {
  try {
    const envelope = parseEnvelope(raw);
    const tag =
      typeof envelope.properties.delivery_tag === 'string'
        ? envelope.properties.delivery_tag
        : null;
    return { raw, queue, envelope, tag };
  } catch (e) {
    // The fetch script may still have registered it by tag: keep the tag so it can be acked
    // (dropped) instead of coming back after every visibility timeout.
    const tag = /"delivery_tag": ?"([^"]+)"/.exec(raw)?.[1] ?? null;
    return { raw, queue, envelope: null, parseError: e as Error, tag };
  }
}
