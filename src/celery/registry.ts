/**
 * tide's worker registry on the broker: which TS workers are alive, which pod each runs in, how
 * many tasks each is running, and which messages each holds. It serves two promises:
 *
 * - **A dead worker's tasks come back promptly.** kombu restores an unacked message only after
 *   the visibility timeout (an hour by default), because it cannot tell a slow worker from a dead
 *   one. A registered worker refreshes its record every `ttl / 5`; once the record has expired
 *   (the worker was SIGKILLed, OOM-killed, its machine died) any live worker, or tide's
 *   `redis`/`celery` trigger, puts back every message in its held set and its inbox.
 * - **Scale-in picks idle replicas.** The record names the pod (`HOSTNAME`, which Kubernetes and
 *   `tide up` set to the pod/replica name) and its running count, which tide reads before it
 *   removes replicas.
 *
 * Python Celery workers on the same broker are not registered and keep kombu's rules: nothing
 * here touches a message that is not in a registered worker's held set.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { REAP_MUTEX_KEY, WORKERS_KEY, heldKey, inboxKey, workerRecordKey } from './keys.js';
import { RELEASE_LOCK_LUA, runScript } from './lua.js';
import { restoreInbox, restoreUnacked } from './transport-redis.js';

/** What a live worker publishes about itself. */
export interface WorkerRecord {
  /** Registry id: unique per worker process (`<node name>#<random>`). */
  id: string;
  /** Celery node name, e.g. `celery@host`. */
  node: string;
  /** The pod (or `tide up` replica) the worker runs in, from `HOSTNAME`, when known. */
  pod?: string;
  pid: number;
  /** Tasks running now. */
  running: number;
  /** Tasks finished since the worker started (tide's wait-time policy reads the sum). */
  done?: number;
  /** Milliseconds spent running the finished tasks. */
  busyMs?: number;
  /** Messages reserved (prefetched or waiting for their ETA), not started. */
  reserved: number;
  concurrency: number;
  queues: string[];
  /** When the worker started, ms since the epoch. */
  startedAt: number;
}

/** Default lifetime of a worker's record without a refresh, ms. */
export const DEFAULT_LIVENESS_TTL_MS = 30_000;

/** A fresh registry id for a worker with node name `node`. */
export function newWorkerId(node: string): string {
  return `${node}#${randomBytes(4).toString('hex')}`;
}

/** Writes (or refreshes) a worker's record with its TTL, and lists it among the workers. */
export async function publishWorker(
  client: Redis,
  rec: WorkerRecord,
  ttlMs: number,
): Promise<void> {
  // Record first, then the listing: a listed worker always had a record once.
  await client.set(workerRecordKey(rec.id), JSON.stringify(rec), 'PX', Math.max(1, ttlMs));
  await client.zadd(WORKERS_KEY, 'NX', rec.startedAt, rec.id);
}

/**
 * A worker leaving cleanly: its record goes at once. When it still holds messages (they could
 * not be put back, e.g. the broker was down), it stays listed so a reaper gives them back.
 */
export async function unpublishWorker(client: Redis, id: string): Promise<boolean> {
  await client.del(workerRecordKey(id));
  const [held, inbox] = await Promise.all([client.scard(heldKey(id)), client.llen(inboxKey(id))]);
  if (held > 0 || inbox > 0) return false;
  await client.zrem(WORKERS_KEY, id);
  return true;
}

/** The records of every live registered worker. */
export async function liveWorkers(client: Redis): Promise<WorkerRecord[]> {
  const ids = await client.zrange(WORKERS_KEY, 0, -1);
  if (ids.length === 0) return [];
  const raws = await client.mget(...ids.map(workerRecordKey));
  const out: WorkerRecord[] = [];
  for (const raw of raws) {
    if (raw === null) continue;
    try {
      out.push(JSON.parse(raw) as WorkerRecord);
    } catch {
      // A record we cannot read says nothing; the worker rewrites it at its next refresh.
    }
  }
  return out;
}

/** Running tasks per pod name, summed over the live workers that name a pod. */
export async function runningByPod(client: Redis): Promise<Map<string, number>> {
  const byPod = new Map<string, number>();
  for (const w of await liveWorkers(client)) {
    if (!w.pod) continue;
    byPod.set(w.pod, (byPod.get(w.pod) ?? 0) + w.running);
  }
  return byPod;
}

/** One live worker's counters, for tide's wait-time policy. */
export interface WorkerCounters {
  readonly id: string;
  readonly running: number;
  readonly reserved: number;
  readonly done: number;
  readonly busyMs: number;
  readonly concurrency: number;
}

/** The counters of every live worker (a worker that restarts starts again from 0 under a new id). */
export async function workerCounters(client: Redis): Promise<WorkerCounters[]> {
  return (await liveWorkers(client)).map((w) => ({
    id: w.id,
    running: w.running,
    reserved: w.reserved,
    done: w.done ?? 0,
    busyMs: w.busyMs ?? 0,
    concurrency: w.concurrency,
  }));
}

export interface ReapResult {
  /** Dead workers whose messages were given back. */
  workers: string[];
  /** Messages put back on their queues. */
  restored: number;
}

/**
 * Gives back the messages of every registered worker whose record has expired: the tags in its
 * held set that are still unacked (restored as kombu's restore does, marked redelivered) and
 * whatever sits in its inbox. Under a mutex, so two reapers never race on one worker; skipped
 * when another reaper holds it.
 *
 * The caller must only reap once its own connection has been up for at least the TTL: after a
 * broker restart every record may have expired at once, and a live worker needs one refresh
 * period to write its record again.
 */
export async function reapDeadWorkers(client: Redis): Promise<ReapResult> {
  const result: ReapResult = { workers: [], restored: 0 };
  const ids = await client.zrange(WORKERS_KEY, 0, -1);
  if (ids.length === 0) return result;
  const records = await client.mget(...ids.map(workerRecordKey));
  const dead = ids.filter((_, i) => records[i] === null);
  if (dead.length === 0) return result;
  const token = randomBytes(12).toString('hex');
  if ((await client.set(REAP_MUTEX_KEY, token, 'PX', 60_000, 'NX')) !== 'OK') return result;
  try {
    for (const id of dead) {
      // Re-check under the mutex: the worker may have come back since we looked.
      if ((await client.exists(workerRecordKey(id))) === 1) continue;
      const held = heldKey(id);
      for (const tag of await client.smembers(held))
        if (await restoreUnacked(client, tag, { held })) result.restored++;
      result.restored += await restoreInbox(client, inboxKey(id));
      await client.del(held);
      if ((await client.llen(inboxKey(id))) === 0) await client.zrem(WORKERS_KEY, id);
      result.workers.push(id);
    }
  } finally {
    await runScript(client, RELEASE_LOCK_LUA, [REAP_MUTEX_KEY], [token]);
  }
  return result;
}
