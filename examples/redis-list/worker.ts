/**
 * A minimal queue worker: pops items from a Redis list and records what it did, so you can
 * see (and a test can check) that every item was processed exactly once, and by whom.
 *   REDIS_HOST   host:port (default 127.0.0.1:6379)     REDIS_PASSWORD  optional
 *   REDIS_LIST   list to pop from (default `jobs`)       WORK_MS         time per item (default 200)
 *   WORKER_ID    this worker's name (tide sets it to the replica name through fieldRef)
 * Records: HINCRBY <list>:done <item> 1 and HSET <list>:by <item> <worker>.
 * On SIGTERM it finishes the item in hand, then exits 0 (a warm shutdown).
 */
import { Redis } from 'ioredis';

const [host = '127.0.0.1', port = '6379'] = (process.env.REDIS_HOST ?? '127.0.0.1:6379').split(':');
const list = process.env.REDIS_LIST ?? 'jobs';
const me = process.env.WORKER_ID ?? `worker-${process.pid}`;
const workMs = Number(process.env.WORK_MS ?? 200);
const redis = new Redis({
  host,
  port: Number(port),
  password: process.env.REDIS_PASSWORD || undefined,
});

let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
  console.log(`${me} got SIGTERM, finishing the item in hand`);
});

console.log(`${me} started, popping from ${list}`);
while (!stopping) {
  // A short blocking timeout so a SIGTERM is noticed within a second when the list is empty.
  const popped = await redis.brpop(list, 1);
  if (!popped) continue;
  const item = popped[1];
  await new Promise((r) => setTimeout(r, workMs));
  await redis.multi().hincrby(`${list}:done`, item, 1).hset(`${list}:by`, item, me).exec();
  console.log(`${me} processed ${item}`);
}
await redis.quit();
console.log(`${me} stopped`);
