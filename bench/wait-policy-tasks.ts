/**
 * The task bench/wait-policy.ts replays, run by tide's Celery worker under `tide up`:
 * `bench.wait(seq, sentAtMs, workMs)` records when it starts (`<BENCH_PREFIX>:started`, first
 * start only, and `:starts` counts every start) and when it ends (`:done`) on the broker, around
 * `workMs` of sleep. `sentAtMs` is the producer's clock at send time: Celery messages carry no
 * send time, so the producer stamps one in the args and a task's wait is its start minus that.
 *
 * Each worker process also appends its lifetime to `BENCH_LIFETIMES` (a file): `start <pod>
 * <pid> <ms> <loaded ms>` at load, with the process's own start time (performance.timeOrigin, so node's
 * start-up counts: the replica exists and costs from its spawn), and `exit <pod> <pid> <ms>`
 * when it exits. Appends of one short line are atomic, so workers share the file.
 */
import { appendFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { Worker } from '../src/celery/index.js';

const prefix = process.env.BENCH_PREFIX ?? 'bench';
const lifetimes = process.env.BENCH_LIFETIMES;
const pod = process.env.HOSTNAME ?? '?';
if (lifetimes) {
  // The process's start (node's own clock origin) and now, when the worker loads its tasks.
  appendFileSync(
    lifetimes,
    `start ${pod} ${process.pid} ${Math.round(performance.timeOrigin)} ${Date.now()}\n`,
  );
  process.on('exit', () => appendFileSync(lifetimes, `exit ${pod} ${process.pid} ${Date.now()}\n`));
}

let client: Redis | undefined;
function db(): Redis {
  if (client) return client;
  const host = process.env.REDIS_HOST ?? '127.0.0.1:6379';
  client = new Redis(`redis://${host}/0`, { maxRetriesPerRequest: null });
  client.on('error', () => undefined);
  return client;
}

export function register(worker: Worker): void {
  worker.register('bench.wait', async (args) => {
    const [seq, , workMs] = args as [number, number, number];
    const startedAt = Date.now();
    await db()
      .multi()
      .hsetnx(`${prefix}:started`, String(seq), String(startedAt))
      .hincrby(`${prefix}:starts`, String(seq), 1)
      .exec();
    await new Promise((r) => setTimeout(r, workMs));
    await db().hset(`${prefix}:done`, String(seq), String(Date.now()));
    return seq;
  });
}
