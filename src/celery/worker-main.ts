/**
 * Worker process entry, configured by environment (so local-mode replicas and Deployments can
 * run it):  tsx src/celery/worker-main.ts <task-module>
 *
 *   CELERY_BROKER_URL (or BROKER_URL)   redis://[:password@]host:port/db
 *   REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, REDIS_DB   used when no broker URL is set
 *   CELERY_RESULT_BACKEND   Redis URL; empty/none = results not stored
 *   CELERY_QUEUES (celery), CELERY_CONCURRENCY (10), CELERY_PREFETCH (= concurrency),
 *   CELERY_ACKS_LATE (0/1), CELERY_VISIBILITY_TIMEOUT (3600 s), CELERY_HOSTNAME,
 *   CELERY_SHUTDOWN_GRACE (30 s), CELERY_LOGLEVEL (info | warning), CELERY_TASKS (module),
 *   CELERY_LIVENESS_TTL (30 s; 0 turns tide's worker registry off)
 *   Set by `tide up` for each replica: TIDE_TERMINATION_GRACE_SECONDS (the replica's
 *   terminationGracePeriodSeconds), TIDE_SUPERVISOR_PID, HOSTNAME (the replica's name).
 *
 * The task module exports `register(worker)`, or an object `tasks` mapping Celery task names
 * to async functions `(args, kwargs, ctx) => result` (either may be the default export).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hostname } from 'node:os';
import type { TaskFn } from './task-runner.js';
import { Worker, type WorkerOptions } from './worker.js';

/** Reads the worker's configuration from an environment; throws naming the variable at fault. */
export function workerOptionsFromEnv(env: NodeJS.ProcessEnv): WorkerOptions & {
  graceMs: number;
  logInfo: boolean;
  supervisorPid?: number;
} {
  const broker = env.CELERY_BROKER_URL || env.BROKER_URL || brokerFromParts(env);
  const backend = env.CELERY_RESULT_BACKEND ?? '';
  const concurrency = intVar(env, 'CELERY_CONCURRENCY', 10);
  return {
    broker,
    resultBackend: ['', 'none', 'disabled', '0'].includes(backend.toLowerCase()) ? null : backend,
    queues: (env.CELERY_QUEUES || 'celery')
      .split(',')
      .map((q) => q.trim())
      .filter(Boolean),
    concurrency,
    prefetch: intVar(env, 'CELERY_PREFETCH', concurrency),
    acksLate: ['1', 'true', 'yes'].includes((env.CELERY_ACKS_LATE ?? '').toLowerCase()),
    visibilityTimeout: intVar(env, 'CELERY_VISIBILITY_TIMEOUT', 3600),
    hostname: env.CELERY_HOSTNAME || `celery-ts-${process.pid}@${hostname()}`,
    graceMs: drainMs(env),
    logInfo: (env.CELERY_LOGLEVEL ?? 'info').toLowerCase() === 'info',
    registry:
      env.CELERY_LIVENESS_TTL === '0'
        ? false
        : {
            ttlMs: intVar(env, 'CELERY_LIVENESS_TTL', 30) * 1000,
            ...(env.HOSTNAME ? { pod: env.HOSTNAME } : {}),
          },
    ...(env.TIDE_SUPERVISOR_PID ? { supervisorPid: intVar(env, 'TIDE_SUPERVISOR_PID', 0) } : {}),
  };
}

/**
 * How long running tasks may go on after SIGTERM before acks-late ones are put back: the
 * replica's grace (`TIDE_TERMINATION_GRACE_SECONDS`, which `tide up` sets from
 * `terminationGracePeriodSeconds`, else `CELERY_SHUTDOWN_GRACE`, default 30 s: Kubernetes'
 * default grace) minus a margin of 10 % (at least 0.5 s, at most 5 s), so the messages are back
 * on the queue before the SIGKILL that ends the grace can land. When both are set, the shorter
 * wins.
 */
export function drainMs(env: NodeJS.ProcessEnv): number {
  const pod = numberVar(env, 'TIDE_TERMINATION_GRACE_SECONDS');
  const celery = numberVar(env, 'CELERY_SHUTDOWN_GRACE');
  const limit = pod ?? celery ?? 30;
  const margin = Math.min(5, Math.max(0.5, limit * 0.1));
  const drain = Math.max(0, limit - margin);
  return Math.round(
    1000 * (pod !== undefined && celery !== undefined ? Math.min(celery, drain) : drain),
  );
}

function numberVar(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`${name}: must be a non-negative number of seconds, got ${JSON.stringify(v)}`);
  return n;
}

function brokerFromParts(env: NodeJS.ProcessEnv): string {
  const raw = env.REDIS_HOST || '127.0.0.1';
  const [host, portInHost] = raw.split(':');
  const port = env.REDIS_PORT || portInHost || '6379';
  const auth = env.REDIS_PASSWORD ? `:${encodeURIComponent(env.REDIS_PASSWORD)}@` : '';
  return `redis://${auth}${host}:${port}/${env.REDIS_DB || '0'}`;
}

function intVar(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name}: must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

/** Loads a task module and registers its tasks on `worker`. */
export async function loadTasks(worker: Worker, modulePath: string): Promise<void> {
  const mod = (await import(pathToFileURL(resolve(modulePath)).href)) as Record<string, unknown>;
  const candidates = [mod, mod.default as Record<string, unknown> | undefined];
  for (const m of candidates) {
    if (!m) continue;
    if (typeof m.register === 'function') {
      await (m.register as (w: Worker) => unknown)(worker);
      return;
    }
    if (m.tasks && typeof m.tasks === 'object') {
      for (const [name, fn] of Object.entries(m.tasks as Record<string, TaskFn>))
        worker.register(name, fn);
      return;
    }
  }
  throw new Error(`${modulePath}: exports neither register(worker) nor a tasks object`);
}

/**
 * Runs a worker configured by `env` with the tasks of `modulePath` until a signal stops it
 * (`tide celery worker` is a thin layer over this: its flags become these variables).
 */
export async function runWorker(
  modulePath: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Worker> {
  const o = workerOptionsFromEnv(env);
  const out = (m: string): boolean => process.stdout.write(`[${new Date().toISOString()}] ${m}\n`);
  const worker = new Worker({
    ...o,
    log: {
      info: o.logInfo ? out : undefined,
      warn: (m) => out(`WARNING ${m}`),
      error: (m) => out(`ERROR ${m}`),
    },
  });
  await loadTasks(worker, modulePath);
  worker.installSignalHandlers({
    graceMs: o.graceMs,
    ...(o.supervisorPid ? { supervisorPid: o.supervisorPid } : {}),
  });
  await worker.start();
  out(
    `${worker.hostname} ready: queues=${(o.queues ?? []).join(',')} concurrency=${o.concurrency} acksLate=${o.acksLate}`,
  );
  return worker;
}

async function main(): Promise<void> {
  const modulePath = process.argv[2] || process.env.CELERY_TASKS;
  if (!modulePath) throw new Error('usage: worker-main.ts <task-module> (or set CELERY_TASKS)');
  await runWorker(modulePath);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    process.stderr.write(`celery worker: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  });
}
