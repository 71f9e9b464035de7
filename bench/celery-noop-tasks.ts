/**
 * The benchmark's task module for the TS worker: `tasks.noop`, which INCRs $DONE_KEY like the
 * Python peer's COUNT_DONE task_postrun hook, so both sides count completions the same way.
 */
import { Redis } from 'ioredis';
import type { Worker } from '../src/celery/index.js';

export function register(w: Worker): void {
  const redis = new Redis(process.env.CELERY_BROKER_URL ?? 'redis://127.0.0.1:6390/0', {
    enableAutoPipelining: true,
  });
  const key = process.env.DONE_KEY ?? 'peer:done';
  w.register('tasks.noop', async () => {
    await redis.incr(key);
    return null;
  });
}
