/**
 * Key layout of kombu's Redis transport (kombu/transport/redis.py, 5.2). Pure functions so the
 * ordering rules can be unit-tested without a server.
 */

/** kombu's `sep`: a priority sub-list is `<queue>\x06\x16<step>`. */
export const SEP = '\x06\x16';
/** kombu's default `priority_steps`. */
export const PRIORITY_STEPS: readonly number[] = [0, 3, 6, 9];
/** Hash delivery_tag -> JSON `[message, exchange, routing_key]` of delivered, unacked messages. */
export const UNACKED_KEY = 'unacked';
/** Sorted set delivery_tag -> delivery time (seconds); restore takes entries older than the visibility timeout. */
export const UNACKED_INDEX_KEY = 'unacked_index';
/** The lock restore_visible holds (redis-py `Lock`, SET NX PX). */
export const UNACKED_MUTEX_KEY = 'unacked_mutex';
/** kombu's `unacked_mutex_expire`, seconds. */
export const UNACKED_MUTEX_EXPIRE = 300;
/** kombu's default `visibility_timeout`, seconds. */
export const DEFAULT_VISIBILITY_TIMEOUT = 3600;

/** kombu `_get_message_priority`: the property clamped to 0..9, 0 when missing or not a number. */
export function messagePriority(p: unknown): number {
  const n = typeof p === 'number' ? Math.trunc(p) : typeof p === 'string' ? parseInt(p, 10) : NaN;
  if (!Number.isFinite(n)) return 0;
  return Math.max(0, Math.min(9, n));
}

/** kombu `priority(n)`: the largest step not above n (bisect_right - 1). */
export function priorityStep(n: number, steps: readonly number[] = PRIORITY_STEPS): number {
  let chosen = steps[0] ?? 0;
  for (const s of steps) if (s <= n) chosen = s;
  return chosen;
}

/** kombu `_q_for_pri`: the queue itself for step 0, else `<queue>\x06\x16<step>`. */
export function queueKeyFor(
  queue: string,
  priority: number,
  steps: readonly number[] = PRIORITY_STEPS,
): string {
  const step = priorityStep(priority, steps);
  return step ? `${queue}${SEP}${step}` : queue;
}

/**
 * kombu `_brpop_start`: every priority step, and within a step every queue, in that order. So
 * step 0 (the plain list) of all queues is read before any sub-list: with the Redis transport a
 * LOWER priority number is served first.
 */
export function consumeKeys(
  queues: readonly string[],
  steps: readonly number[] = PRIORITY_STEPS,
): string[] {
  const keys: string[] = [];
  for (const step of steps) for (const q of queues) keys.push(step ? `${q}${SEP}${step}` : q);
  return keys;
}

/** kombu `_brpop_read`: the queue a key belongs to (`dest.rsplit(sep, 1)[0]`). */
export function queueOfKey(key: string): string {
  const i = key.lastIndexOf(SEP);
  return i < 0 ? key : key.slice(0, i);
}

/**
 * tide's worker registry, beside kombu's keys (kombu and Python Celery never read them). A TS
 * worker registers under an id unique to its process and keeps, with a TTL, a record of itself
 * (`_tide.worker.<id>`: its pod, pid and busy count) and the set of delivery tags it holds
 * (`_tide.held.<id>`). A worker whose record expired is dead: any live worker (or tide's
 * `redis`/`celery` trigger) puts its held tasks back at once, instead of after the visibility
 * timeout. See `registry.ts`.
 */
export const WORKERS_KEY = '_tide.workers';
export const workerRecordKey = (id: string): string => `_tide.worker.${id}`;
export const heldKey = (id: string): string => `_tide.held.${id}`;
/** Where a blocking fetch parks a message (BRPOPLPUSH) until it is registered as unacked. */
export const inboxKey = (id: string): string => `_tide.inbox.${id}`;
/** Held while dead workers are reaped, so two reapers never restore the same worker twice. */
export const REAP_MUTEX_KEY = '_tide.reap_mutex';
