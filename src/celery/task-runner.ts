/**
 * Runs one task request the way Celery's tracer does: time limits, retry, and the result that
 * follows (SUCCESS / FAILURE / RETRY / REVOKED), stored unless ignored, acked early or late.
 */
import {
  MaxRetriesExceededError,
  RetryRequest,
  SoftTimeLimitExceeded,
  TimeLimitExceeded,
} from './errors.js';
import { serializeError, tracebackText, withArgs } from './exceptions.js';
import { encodeTask, type TaskRequest } from './protocol.js';
import type { ResultBackend, TaskState } from './result.js';
import type { Delivery, RedisTransport } from './transport-redis.js';

/** What a task function receives besides its arguments. */
export interface TaskContext {
  id: string;
  name: string;
  retries: number;
  hostname: string;
  request: TaskRequest;
  /** Aborted at the soft time limit (reason: SoftTimeLimitExceeded) and at cold shutdown. */
  signal: AbortSignal;
  /** Celery's `self.retry()`: throws; the worker re-sends the task with retries + 1. */
  retry(opts?: { countdown?: number; exc?: unknown; maxRetries?: number }): never;
}

export type TaskFn = (
  args: unknown[],
  kwargs: Record<string, unknown>,
  ctx: TaskContext,
) => unknown;

/** Per-task options (Celery task attributes). */
export interface TaskOptions {
  acksLate?: boolean;
  /** Seconds; the message's `timelimit` header wins when set. */
  timeLimit?: number;
  softTimeLimit?: number;
  /** Celery default 3. */
  maxRetries?: number;
  /** Seconds; Celery's `default_retry_delay` is 180. */
  defaultRetryDelay?: number;
  ignoreResult?: boolean;
}

export interface TaskDef extends TaskOptions {
  name: string;
  fn: TaskFn;
}

/** One message in the worker's hands. */
export interface Held {
  delivery: Delivery;
  req: TaskRequest;
  def: TaskDef;
  acksLate: boolean;
  /** Set at cold shutdown: the outcome of a still-running promise is then ignored. */
  abandoned?: boolean;
  abort?: AbortController;
}

/** Logging sinks; `info` is undefined when info is off, so per-task lines cost nothing then. */
export interface WorkerLog {
  info?: (msg: string) => void;
  warn: (msg: string) => void;
  error: (msg: string) => void;
}

export interface RunnerDeps {
  transport: RedisTransport;
  backend: ResultBackend | null;
  hostname: string;
  log: WorkerLog;
  defaults: { timeLimit?: number; softTimeLimit?: number };
}

type Outcome =
  { kind: 'ok'; value: unknown } | { kind: 'error'; error: unknown } | { kind: 'hard' };

/** Executes `h` and records its outcome. Never rejects. */
export async function runTask(h: Held, deps: RunnerDeps): Promise<void> {
  const { req, def } = h;
  const ignore = def.ignoreResult === true;
  const ack = (): void => {
    deps.transport
      .ack(h.delivery.tag)
      .catch((e: unknown) => deps.log.error(`ack ${req.id}: ${String(e)}`));
  };
  // Celery acks early just before running the task.
  if (!h.acksLate) ack();
  if (req.expires && req.expires.getTime() <= Date.now()) {
    await storeRevokedExpired(req, deps, ignore);
    if (h.acksLate) ack();
    return;
  }
  const hard = req.timeLimit[0] ?? def.timeLimit ?? deps.defaults.timeLimit ?? null;
  const soft = req.timeLimit[1] ?? def.softTimeLimit ?? deps.defaults.softTimeLimit ?? null;
  // Created on first use: most tasks never look at their signal.
  const abort = (): AbortController => (h.abort ??= new AbortController());
  const ctx: TaskContext = {
    id: req.id,
    name: req.task,
    retries: req.retries,
    hostname: deps.hostname,
    request: req,
    get signal() {
      return abort().signal;
    },
    retry(opts = {}) {
      throw new RetryRequest(
        opts.countdown ?? def.defaultRetryDelay ?? 180,
        opts.exc ?? null,
      ).withMax(opts.maxRetries ?? def.maxRetries ?? 3);
    },
  };
  const started = performance.now();
  let softTimer: NodeJS.Timeout | undefined;
  let hardTimer: NodeJS.Timeout | undefined;
  const outcome = await new Promise<Outcome>((resolve) => {
    try {
      Promise.resolve(def.fn(req.args, req.kwargs, ctx)).then(
        (value) => resolve({ kind: 'ok', value }),
        (error: unknown) => resolve({ kind: 'error', error }),
      );
    } catch (error) {
      resolve({ kind: 'error', error });
    }
    if (soft) {
      softTimer = setTimeout(
        () =>
          abort().abort(withArgs(new SoftTimeLimitExceeded(`SoftTimeLimitExceeded(${soft})`), [])),
        soft * 1000,
      );
    }
    // A JS promise cannot be killed: at the hard limit the slot is freed and the result stored;
    // whatever the function still does is ignored.
    if (hard) hardTimer = setTimeout(() => resolve({ kind: 'hard' }), hard * 1000);
  });
  clearTimeout(softTimer);
  clearTimeout(hardTimer);
  if (h.abandoned) return;
  const secs = ((performance.now() - started) / 1000).toFixed(6);
  switch (outcome.kind) {
    case 'ok':
      await store(req, deps, 'SUCCESS', outcome.value ?? null, null, ignore);
      deps.log.info?.(`Task ${req.task}[${req.id}] succeeded in ${secs}s: ${short(outcome.value)}`);
      break;
    case 'hard': {
      h.abort?.abort(new TimeLimitExceeded(`hard time limit (${hard}s) exceeded`));
      const err = withArgs(new TimeLimitExceeded(`TimeLimitExceeded(${hard})`), [hard]);
      await store(req, deps, 'FAILURE', serializeError(err), tracebackText(err), ignore);
      deps.log.error(`Task ${req.task}[${req.id}] hard time limit (${hard}s) exceeded`);
      break;
    }
    case 'error':
      if (outcome.error instanceof RetryRequest) await retry(h, outcome.error, deps, ignore);
      else await fail(req, outcome.error, deps, secs, ignore);
      break;
  }
  if (h.acksLate) ack();
}

async function retry(h: Held, r: RetryRequest, deps: RunnerDeps, ignore: boolean): Promise<void> {
  const { req } = h;
  if (req.retries >= r.maxRetries) {
    const err =
      r.exc ??
      new MaxRetriesExceededError(
        `Can't retry ${req.task}[${req.id}] args:${JSON.stringify(req.args)} kwargs:${JSON.stringify(req.kwargs)}`,
      );
    await fail(req, err, deps, '-', ignore);
    return;
  }
  // Celery's Task.retry: the same task id, retries + 1, eta = now + countdown, same queue.
  const queue = req.routingKey || h.delivery.queue;
  const env = encodeTask({
    task: req.task,
    args: req.args,
    kwargs: req.kwargs,
    id: req.id,
    queue,
    exchange: req.exchange,
    eta: new Date(Date.now() + r.countdownSeconds * 1000),
    expires: req.expires,
    priority: req.priority,
    retries: req.retries + 1,
    timeLimit: req.timeLimit,
    rootId: req.rootId,
    parentId: req.parentId,
    group: req.group,
    groupIndex: req.groupIndex,
    ignoreResult: req.ignoreResult,
    shadow: req.shadow,
    embed: req.embed,
    replyTo: req.replyTo ?? undefined,
  });
  await deps.transport.publish(queue, env);
  const exc = r.exc ? serializeError(r.exc) : null;
  await store(req, deps, 'RETRY', exc, tracebackText(r.exc ?? r), ignore);
  deps.log.info?.(`Task ${req.task}[${req.id}] retry: Retry in ${r.countdownSeconds}s`);
}

async function fail(
  req: TaskRequest,
  error: unknown,
  deps: RunnerDeps,
  secs: string,
  ignore: boolean,
): Promise<void> {
  await store(req, deps, 'FAILURE', serializeError(error), tracebackText(error), ignore);
  deps.log.error(`Task ${req.task}[${req.id}] raised unexpected (${secs}s): ${String(error)}`);
}

/** Celery `mark_as_revoked(reason='expired')`: REVOKED with TaskRevokedError('expired'). */
export async function storeRevokedExpired(
  req: TaskRequest,
  deps: RunnerDeps,
  ignore = false,
): Promise<void> {
  deps.log.info?.(`Discarding expired task ${req.task}[${req.id}]`);
  const exc = {
    exc_type: 'TaskRevokedError',
    exc_message: ['expired'],
    exc_module: 'celery.exceptions',
  };
  await store(req, deps, 'REVOKED', exc, null, ignore);
}

/**
 * Stores a state unless results are ignored (the message's `ignore_result` or the task's
 * option). Like Celery without `store_errors_even_if_ignored`, errors are not stored either.
 */
export async function store(
  req: TaskRequest,
  deps: RunnerDeps,
  state: TaskState,
  result: unknown,
  traceback: string | null,
  ignore = false,
): Promise<void> {
  if (!deps.backend || ignore || req.ignoreResult) return;
  try {
    await deps.backend.store(req.id, state, result, traceback, {
      groupId: req.group,
      parentId: req.parentId,
    });
  } catch (e) {
    deps.log.error(`storing ${state} for ${req.id}: ${String(e)}`);
  }
}

function short(v: unknown): string {
  const s = v === undefined ? 'None' : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
