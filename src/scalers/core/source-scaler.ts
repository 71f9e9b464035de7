/**
 * The plumbing every scaler that reads a source shares, in one place: borrowing a connection
 * from the pool (and releasing it once), the closed guard, racing each call against the round's
 * abort signal, wrapping failures in a ScalerError whose message has every secret scrubbed, and
 * ending a watch when the scaler closes. A scaler is then its schema plus one `read()`:
 *
 *   create: (meta, ctx) => sourceScaler({
 *     ctx, secrets: [meta.password],
 *     metricSpecs: [{ name, targetType: ctx.metricType, target: meta.target }],
 *     connection: { key, open, close, failure: `cannot connect to X at ${where}` },
 *     read: async ({ client, call }) => {
 *       const n = await call(`reading X at ${where} failed`, client.count());
 *       return { metrics: [{ name, value: n }], isActive: n > meta.activation };
 *     },
 *   })
 */
import { errorMessage, ScalerError } from '../../errors.js';
import type { Secret } from '../../secret.js';
import { scrub } from './scrub.js';
import type {
  MetricsAndActivity,
  MetricSpec,
  PooledConnection,
  Scaler,
  ScalerContext,
} from './types.js';

/** Rejects when `signal` aborts, so a poll never outlives its round (drivers lack cancellation). */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => undefined); // its outcome no longer matters; do not let it go unhandled
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    // Detached before the caller resumes (a `finally` ran a turn later), so the read's signal
    // is clean when the read ends and its controller can serve the next read (deadline.ts).
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** A connection shared through `ctx.pool`, keyed by server and credentials. */
export interface SourceConnection<C> {
  readonly key: string;
  open(): Promise<C>;
  close(client: C): Promise<void>;
  /** What the message says when it cannot be opened: `cannot connect to MySQL at db:3306/app`. */
  readonly failure: string;
}

/** What one read gets. */
export interface ReadIO<C> {
  /** The pooled client (`undefined` for a source without a connection). */
  readonly client: C;
  readonly signal: AbortSignal;
  /**
   * Awaits `p`, rejecting when the round aborts first; a failure becomes the trigger's
   * ScalerError `<what>: <message>`, secrets scrubbed, the original as `cause`. `what` may
   * depend on the failure (a step that names itself reads better without "failed").
   */
  readonly call: <T>(what: string | ((e: unknown) => string), p: Promise<T>) => Promise<T>;
  /** A ScalerError for this trigger; `message` must already be secret-free. */
  readonly fail: (message: string, cause?: unknown) => ScalerError;
}

export interface SourceScalerOptions<C> {
  readonly ctx: ScalerContext;
  readonly metricSpecs: readonly MetricSpec[];
  /** Values no message may show, even when a driver echoes them. */
  readonly secrets?: readonly (Secret | undefined)[];
  /** How a failure reads before scrubbing. @default errorMessage */
  readonly describe?: (e: unknown) => string;
  /** Applied after scrubbing (e.g. masking user info in URLs). */
  readonly clean?: (message: string) => string;
  /** Omitted for sources read per request (HTTP) or computed locally. */
  readonly connection?: SourceConnection<C>;
  /** One read of the source: KEDA's GetMetricsAndActivity. */
  read(io: ReadIO<C>): Promise<MetricsAndActivity>;
  /** Push wake-ups; the signal also aborts when the scaler closes, so the scheduler re-watches. */
  readonly watch?: (signal: AbortSignal, client: C) => AsyncIterable<void>;
}

/** Builds a Scaler from a source's `read()`; rejects with a ScalerError when it cannot connect. */
export async function sourceScaler<C = undefined>(opts: SourceScalerOptions<C>): Promise<Scaler> {
  const { ctx } = opts;
  const message = (e: unknown) => {
    const scrubbed = scrub((opts.describe ?? errorMessage)(e), opts.secrets ?? []);
    return opts.clean ? opts.clean(scrubbed) : scrubbed;
  };
  const fail = (text: string, cause?: unknown) =>
    new ScalerError(ctx.triggerRef, text, cause === undefined ? undefined : { cause });
  let pooled: PooledConnection<C> | undefined;
  if (opts.connection) {
    const c = opts.connection;
    try {
      pooled = await ctx.pool.acquire(
        c.key,
        () => c.open(),
        (client) => c.close(client),
      );
    } catch (e) {
      throw fail(`${c.failure}: ${message(e)}`, e);
    }
  }
  const client = pooled?.client as C;
  let closed = false;
  // Made when a watch starts: an AbortController is ~0.7 KB, kept per trigger for nothing by
  // the scalers that never watch.
  let closing: AbortController | undefined;
  const watch = opts.watch;
  return {
    metricSpecs: opts.metricSpecs,
    async getMetricsAndActivity(signal) {
      if (closed) throw fail('scaler is closed');
      return opts.read({
        client,
        signal,
        fail,
        call: async <T>(what: string | ((e: unknown) => string), p: Promise<T>): Promise<T> => {
          try {
            return await abortable(p, signal);
          } catch (e) {
            throw fail(`${typeof what === 'string' ? what : what(e)}: ${message(e)}`, e);
          }
        },
      });
    },
    ...(watch
      ? {
          watch: (signal: AbortSignal) => {
            closing ??= new AbortController();
            if (closed) closing.abort();
            return watch(AbortSignal.any([signal, closing.signal]), client);
          },
        }
      : {}),
    async close() {
      if (closed) return;
      closed = true;
      closing?.abort();
      await pooled?.release();
    },
  };
}
