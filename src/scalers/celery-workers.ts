/**
 * What tide's `redis` and `celery` triggers do with the TS Celery workers' registry on their
 * broker (`src/celery/registry.ts`): read each pod's running tasks for busy-aware scale-in, and
 * give back the messages of registered workers that died, so a pool scaled on the list length
 * does not sit at zero while a dead worker's tasks wait out the visibility timeout. A broker
 * without registered workers costs one `ZRANGE` every few seconds.
 */
import { Redis } from 'ioredis';
import { DEFAULT_LIVENESS_TTL_MS, reapDeadWorkers, runningByPod } from '../celery/registry.js';
import type { RedisClient } from './redis-client.js';
import type { ScalerContext } from './types.js';

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
  if (!(client instanceof Redis)) return new Map();
  return await runningByPod(client);
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
  if (!(client instanceof Redis)) return;
  const st = stateOf(client);
  if (st.reaping || now - st.lastReap < REAP_EVERY_MS) return;
  if (st.readySince === null || now - st.readySince < DEFAULT_LIVENESS_TTL_MS) return;
  st.lastReap = now;
  st.reaping = true;
  reapDeadWorkers(client)
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
