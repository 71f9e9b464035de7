/**
 * Errors of the Celery module. Names mirror Celery's own exception classes (celery.exceptions)
 * because they travel to Python peers as `exc_type` in the result meta.
 */

/** A message on the queue that is not a Celery task message we can read. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** A task failed remotely: carries Celery's `exc_type`, `exc_message` and the traceback text. */
export class TaskFailedError extends Error {
  override name = 'TaskFailedError';
  constructor(
    readonly taskId: string,
    readonly excType: string,
    readonly excMessage: unknown,
    readonly excModule: string | null,
    readonly traceback: string | null,
    readonly state: string = 'FAILURE',
  ) {
    super(`task ${taskId} ${state}: ${excType}(${formatExcMessage(excMessage)})`);
  }
}

/** `AsyncResult.get` ran out of time (Celery raises `celery.exceptions.TimeoutError`). */
export class ResultTimeoutError extends Error {
  override name = 'TimeoutError';
  constructor(
    readonly taskId: string,
    timeoutMs: number,
  ) {
    super(`task ${taskId}: no result within ${timeoutMs} ms`);
  }
}

/** Raised inside a task (as `ctx.signal.reason`) when its soft time limit passes. */
export class SoftTimeLimitExceeded extends Error {
  override name = 'SoftTimeLimitExceeded';
}

/** Stored as the FAILURE result of a task that outran its hard time limit. */
export class TimeLimitExceeded extends Error {
  override name = 'TimeLimitExceeded';
}

/** Thrown by `ctx.retry()`: the worker catches it, re-sends the task and stores RETRY. */
export class RetryRequest extends Error {
  override name = 'Retry';
  maxRetries = 3;
  constructor(
    readonly countdownSeconds: number,
    readonly exc: unknown,
  ) {
    super(`Retry in ${countdownSeconds}s`);
  }

  /** Sets the retry budget this request is checked against. */
  withMax(n: number): this {
    this.maxRetries = n;
    return this;
  }
}

/** A retry asked for more retries than the task allows. */
export class MaxRetriesExceededError extends Error {
  override name = 'MaxRetriesExceededError';
}

function formatExcMessage(m: unknown): string {
  if (Array.isArray(m))
    return m.map((x) => (typeof x === 'string' ? `'${x}'` : JSON.stringify(x))).join(', ');
  return typeof m === 'string' ? `'${m}'` : JSON.stringify(m);
}

/** A message named a task this worker does not have (Celery's `NotRegistered`). */
export class NotRegisteredError extends Error {
  override name = 'NotRegistered';
  readonly args: unknown[];
  constructor(task: string) {
    super(`'${task}'`);
    this.args = [task];
  }
}
