/**
 * How a JavaScript error becomes Celery's serialized exception (`prepare_exception` with the
 * json serializer), so that Python's `AsyncResult.get()` re-raises something sensible.
 */
import type { ExceptionInfo } from './result.js';

/** Python builtins with the same name as common JS errors, re-raised as the real class in Python. */
const PY_BUILTINS = new Set([
  'Exception',
  'ValueError',
  'TypeError',
  'KeyError',
  'IndexError',
  'RuntimeError',
  'ZeroDivisionError',
  'AttributeError',
  'NotImplementedError',
  'LookupError',
  'ArithmeticError',
  'AssertionError',
  'OSError',
  'TimeoutError',
]);

/** Where Celery's own exceptions live, so Python rebuilds the genuine classes. */
const CELERY_MODULES: Record<string, string> = {
  SoftTimeLimitExceeded: 'billiard.exceptions',
  TimeLimitExceeded: 'billiard.exceptions',
  TaskRevokedError: 'celery.exceptions',
  NotRegistered: 'celery.exceptions',
  MaxRetriesExceededError: 'celery.exceptions',
  Retry: 'celery.exceptions',
};

/**
 * Serializes an error. `exc_message` is the Python `args` tuple: `[message]`, or the error's
 * own `args` array when it has one. Unknown names get `exc_module: null`, for which Celery
 * creates an exception class of that name on the Python side.
 */
export function serializeError(e: unknown): ExceptionInfo {
  if (e instanceof Error) {
    const name = e.name || 'Error';
    const own = (e as { args?: unknown }).args;
    return {
      exc_type: name,
      exc_message: Array.isArray(own) ? own : [e.message],
      exc_module: CELERY_MODULES[name] ?? (PY_BUILTINS.has(name) ? 'builtins' : null),
    };
  }
  return { exc_type: 'Exception', exc_message: [String(e)], exc_module: 'builtins' };
}

/** The traceback text stored next to the exception (the JS stack stands in for Python's). */
export function tracebackText(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}

/** An Error whose Python-side `args` are given explicitly (e.g. TimeLimitExceeded(60)). */
export function withArgs<E extends Error>(err: E, args: unknown[]): E {
  Object.defineProperty(err, 'args', { value: args, enumerable: false });
  return err;
}
