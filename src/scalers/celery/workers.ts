/**
 * What tide's `redis` and `celery` triggers do with the TS Celery workers' registry on their
 * broker (`src/celery/registry.ts`): read each pod's running tasks for busy-aware scale-in, and
 * give back the messages of registered workers that died, so a pool scaled on the list length
 * does not sit at zero while a dead worker's tasks wait out the visibility timeout. A broker
 * without registered workers costs one `ZRANGE` every few seconds.
 */
import type { Redis } from 'ioredis';
import type * as Registry from '../../celery/registry.js';
import type { RedisClient } from '../redis/client.js';
import { errorMessage, ScalerError } from '../../errors.js';
import { abortable } from '../core/source-scaler.js';
import { scrub } from '../core/scrub.js';
import type { Scaler, ScalerContext } from '../core/types.js';
import type { Secret } from '../../secret.js';

/**
 * A standalone or sentinel connection (the registry is not read on a cluster). `isCluster`, not
 * `instanceof`, so that ioredis loads with the first connection, not with the trigger types.
 */
const standalone = (client: RedisClient): client is Redis => !client.isCluster;

/**
 * The registry module (and through the Celery transport, ioredis) loads with the first
 * connection, not with the trigger types: `tide validate` needs neither.
 */
let registry: typeof Registry | undefined;
/** One import for all: each round of each trigger asks until it has landed. */
let loading: Promise<typeof Registry> | undefined;
function loadRegistry(): Promise<typeof Registry> {
  loading ??= import('../../celery/registry.js').then(
    (m) => (registry = m),
    (e: unknown) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
}

/** How often one broker is checked for dead workers, at most. */
const REAP_EVERY_MS = 5_000;

interface ClientState {
  /** When the connection last became ready; null while it is down. */
  readySince: number | null;
  lastReap: number;
  reaping: boolean;
}

/** Per shared client, so triggers sharing a connection add one listener pair in all. */
const states = new WeakMap<Redis, ClientState>();

function stateOf(client: Redis): ClientState {
  let st = states.get(client);
  if (!st) {
    const s: ClientState = {
      readySince: client.status === 'ready' ? Date.now() : null,
      lastReap: 0,
      reaping: false,
    };
    client.on('ready', () => (s.readySince = Date.now()));
    client.on('close', () => (s.readySince = null));
    states.set(client, s);
    st = s;
  }
  return st;
}

/** Running tasks per pod of the registered workers on this broker (empty on a cluster). */
export async function workerLoadOf(client: RedisClient): Promise<ReadonlyMap<string, number>> {
  if (!standalone(client)) return new Map();
  return await (registry ?? (await loadRegistry())).runningByPod(client);
}

/** Every registered worker's counters on this broker (empty on a cluster). */
export async function workerCountersOf(
  client: RedisClient,
): Promise<readonly Registry.WorkerCounters[]> {
  if (!standalone(client)) return [];
  return await (registry ?? (await loadRegistry())).workerCounters(client);
}

/**
 * The `workerCounters` and `workerLoad` of a trigger on `client` (the `redis` list and `celery`
 * triggers share them): bounded by the round's signal, failures named by the trigger and
 * scrubbed of the connection's secrets.
 */
export function workerReads(
  client: RedisClient,
  ctx: ScalerContext,
  secrets: readonly (Secret | undefined)[],
): Required<Pick<Scaler, 'workerCounters' | 'workerLoad'>> {
  const read = async <T>(what: string, p: () => Promise<T>, signal: AbortSignal): Promise<T> => {
    try {
      return await abortable(p(), signal);
    } catch (e) {
      throw new ScalerError(
        ctx.triggerRef,
        `reading the workers' ${what} failed: ${scrub(errorMessage(e), secrets)}`,
        { cause: e },
      );
    }
  };
  return {
    workerCounters: (signal) => read('counters', () => workerCountersOf(client), signal),
    workerLoad: (signal) => read('load', () => workerLoadOf(client), signal),
  };
}

/**
 * At most every few seconds per broker, and only once the connection has been up for a whole
 * worker TTL (after a broker restart live workers need one refresh to write their records
 * again), gives back the messages of dead registered workers. Never throws; `onReaped` reports
 * what was given back.
 */
export function maybeReap(
  client: RedisClient,
  onReaped: (restored: number, workers: string[]) => void,
  now = Date.now(),
): void {
  if (!standalone(client)) return;
  const st = stateOf(client);
  const r = registry;
  if (!r) {
    // Not loaded yet: start now; no worker can be overdue before a whole TTL has passed.
    void loadRegistry().catch(() => undefined);
    return;
  }
  if (st.reaping || now - st.lastReap < REAP_EVERY_MS) return;
  if (st.readySince === null || now - st.readySince < r.DEFAULT_LIVENESS_TTL_MS) return;
  st.lastReap = now;
  st.reaping = true;
  r.reapDeadWorkers(client)
    .then((r) => {
      if (r.workers.length > 0) onReaped(r.restored, r.workers);
    })
    .catch(() => undefined)
    .finally(() => (st.reaping = false));
}

/** Logs what a trigger gave back for dead registered workers. */
export function reaped(ctx: ScalerContext, restored: number, workers: string[]): void {
  ctx.logger.warn(
    { workers },
    `${ctx.triggerRef}: gave back ${restored} message(s) held by ${workers.length} Celery worker(s) that stopped answering`,
  );
}
