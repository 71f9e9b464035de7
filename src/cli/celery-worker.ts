/**
 * `tide celery worker --app <tasks module>`: tide's Celery worker as a command, the way a
 * Deployment runs it (`command: [tide, celery, worker, --app, tasks.js]`). A thin layer over
 * src/celery/worker-main.ts: each flag sets the environment variable the worker already reads
 * (so env-only configuration keeps working, and a flag wins over its variable).
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { errorMessage } from '../errors.js';
import { fromSources } from '../package-root.js';

export interface CeleryWorkerCliOptions {
  app?: string;
  broker?: string;
  resultBackend?: string;
  queues?: string;
  concurrency?: number;
  prefetch?: number;
  acksLate?: boolean;
  visibilityTimeout?: number;
  hostname?: string;
  loglevel?: string;
  shutdownGrace?: number;
  livenessTtl?: number;
}

/** Each flag and the variable of src/celery/worker-main.ts it sets. */
const FLAG_VARIABLES: Record<Exclude<keyof CeleryWorkerCliOptions, 'acksLate'>, string> = {
  app: 'CELERY_TASKS',
  broker: 'CELERY_BROKER_URL',
  resultBackend: 'CELERY_RESULT_BACKEND',
  queues: 'CELERY_QUEUES',
  concurrency: 'CELERY_CONCURRENCY',
  prefetch: 'CELERY_PREFETCH',
  visibilityTimeout: 'CELERY_VISIBILITY_TIMEOUT',
  hostname: 'CELERY_HOSTNAME',
  loglevel: 'CELERY_LOGLEVEL',
  shutdownGrace: 'CELERY_SHUTDOWN_GRACE',
  livenessTtl: 'CELERY_LIVENESS_TTL',
};

/** The worker's environment: `env` with every given flag written over its variable. */
export function workerEnv(
  opts: CeleryWorkerCliOptions,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [flag, variable] of Object.entries(FLAG_VARIABLES)) {
    const v = opts[flag as keyof typeof FLAG_VARIABLES];
    if (v !== undefined) out[variable] = String(v);
  }
  if (opts.acksLate) out.CELERY_ACKS_LATE = '1';
  return out;
}

const TYPESCRIPT = /\.(c|m)?tsx?$/;

/**
 * A TypeScript tasks module needs a loader. Node 20 has none built in: when tsx is installed
 * where the module lives (the user's project, or this repository), it is registered for this
 * process. Not needed when tide itself runs from its TypeScript sources (tsx is already there)
 * or when Node strips types itself (22.6+).
 */
function registerTypeScriptLoader(app: string): void {
  if (!TYPESCRIPT.test(app) || fromSources) return;
  if ((process.features as { typescript?: unknown }).typescript) return;
  try {
    const api = createRequire(resolve(app))('tsx/esm/api') as { register(): unknown };
    api.register();
  } catch {
    // No tsx beside the module: the import fails below and says what to do.
  }
}

export async function runCeleryWorker(opts: CeleryWorkerCliOptions): Promise<number> {
  const env = workerEnv(opts);
  const app = env.CELERY_TASKS;
  if (!app) {
    console.error(
      'tide celery worker: which tasks? Give --app <module> (a .js/.mjs file exporting register(worker) or tasks), or set CELERY_TASKS',
    );
    return 2;
  }
  registerTypeScriptLoader(app);
  const { runWorker } = await import('../celery/worker-main.js');
  try {
    await runWorker(app, env);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const hint =
      code === 'ERR_UNKNOWN_FILE_EXTENSION' && TYPESCRIPT.test(app)
        ? ` (${app} is TypeScript and no loader is installed: compile it to JavaScript, or install tsx in its project: npm install --save-dev tsx)`
        : '';
    console.error(`tide celery worker: ${errorMessage(e)}${hint}`);
    return 2;
  }
  // Running: the worker's signal handlers end the process (warm shutdown on SIGTERM).
  return 0;
}
