/**
 * The blog's worker task, in TypeScript: `users.registration` takes a person's name, email and
 * address, "processes" it for 1 to 9 s (SLEEP_MIN_S..SLEEP_MAX_S), then stores it in the Redis
 * hash `users:<1..1000>` with the worker's id and the UTC time, logging what the blog shows.
 * Run by tide's Celery worker: `tide celery worker --app tasks.ts` (consumer.yaml).
 */
import { Redis } from 'ioredis';
import type { Worker } from '../../src/celery/index.js';

const [host = '127.0.0.1', port = '6379'] = (process.env.REDIS_HOST ?? '127.0.0.1:6379').split(':');
const workerId = process.env.WORKER_ID ?? `worker-${process.pid}`;
const minS = Number(process.env.SLEEP_MIN_S ?? 1);
const maxS = Number(process.env.SLEEP_MAX_S ?? 9);
let redis: Redis | undefined;

function db(): Redis {
  if (redis) return redis;
  redis = new Redis({
    host,
    port: Number(port),
    password: process.env.REDIS_PASSWORD || undefined,
    // Wait out a Redis restart however long it takes instead of failing the task after 20
    // retries: the record is written once Redis is back (the worker reports the outage).
    maxRetriesPerRequest: null,
  });
  redis.on('error', () => undefined);
  return redis;
}

export function register(worker: Worker): void {
  worker.register('users.registration', async (args) => {
    const [name, email, address] = args as [string, string, string];
    console.log(`got info - ${name} ${email} ${address}`);
    const sleepFor = minS + Math.floor(Math.random() * (maxS - minS + 1));
    console.log(`worker ${workerId} sleeping for ${sleepFor}`);
    await new Promise((r) => setTimeout(r, sleepFor * 1000));
    const hash = `users:${1 + Math.floor(Math.random() * 1000)}`;
    await db().hset(hash, {
      name,
      email,
      address,
      worker: workerId,
      processed_at: new Date().toISOString(),
    });
    console.log(`saved hash info ${hash}`);
    return hash;
  });
}
