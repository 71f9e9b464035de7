/**
 * The producer: Celery's `app.send_task` over the kombu Redis transport.
 */
import { AsyncResult, ResultBackend } from './result.js';
import { encodeTask } from './protocol.js';
import { RedisTransport, type RedisConnection } from './transport-redis.js';

export interface ProducerOptions {
  /** Broker: `redis://[:password@]host:port/db`, ioredis options or a client. */
  broker: RedisConnection;
  /** Result backend (Redis); null/undefined = results are not awaited (`get` throws). */
  resultBackend?: RedisConnection | ResultBackend | null;
  /** Queue used when `sendTask` names none. Celery's default is `celery`. */
  defaultQueue?: string;
}

/** Celery's `apply_async` options that this producer supports. */
export interface SendOptions {
  /** Run no earlier than this many seconds from now (becomes `eta`). */
  countdown?: number;
  eta?: Date;
  /** Seconds from now, or an absolute time, after which the task is REVOKED instead of run. */
  expires?: number | Date;
  /** 0..9; with Redis, kombu serves the LOWER step first (0 before 3, 6, 9). */
  priority?: number;
  queue?: string;
  taskId?: string;
  ignoreResult?: boolean;
  /** Celery's `time_limit` / `soft_time_limit`, seconds. */
  timeLimit?: number;
  softTimeLimit?: number;
  /** Sent as `headers.retries` (the worker uses it when re-sending a retried task). */
  retries?: number;
  rootId?: string;
  parentId?: string;
  shadow?: string;
}

/** Sends Celery tasks to a Redis broker. */
export class Producer {
  readonly transport: RedisTransport;
  readonly backend: ResultBackend | null;
  private readonly defaultQueue: string;
  private readonly ownsBackend: boolean;

  constructor(opts: ProducerOptions) {
    this.transport = new RedisTransport(opts.broker);
    if (opts.resultBackend instanceof ResultBackend) {
      this.backend = opts.resultBackend;
      this.ownsBackend = false;
    } else {
      this.backend = opts.resultBackend ? new ResultBackend(opts.resultBackend) : null;
      this.ownsBackend = true;
    }
    this.defaultQueue = opts.defaultQueue ?? 'celery';
  }

  /** Celery's `send_task`: puts a protocol v2 message on the queue; resolves once Redis has it. */
  async sendTask<T = unknown>(
    name: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    opts: SendOptions = {},
  ): Promise<AsyncResult<T>> {
    const now = new Date();
    const queue = opts.queue ?? this.defaultQueue;
    const eta =
      opts.eta ??
      (opts.countdown !== undefined ? new Date(now.getTime() + opts.countdown * 1000) : null);
    const expires =
      opts.expires === undefined
        ? null
        : opts.expires instanceof Date
          ? opts.expires
          : new Date(now.getTime() + opts.expires * 1000);
    const env = encodeTask({
      task: name,
      args,
      kwargs,
      id: opts.taskId,
      queue,
      eta,
      expires,
      priority: opts.priority,
      retries: opts.retries,
      timeLimit: [opts.timeLimit ?? null, opts.softTimeLimit ?? null],
      rootId: opts.rootId,
      parentId: opts.parentId,
      shadow: opts.shadow,
      ignoreResult: opts.ignoreResult ?? false,
      now,
    });
    await this.transport.publish(queue, env);
    return new AsyncResult<T>(String(env.headers.id), this.backend);
  }

  /** An AsyncResult for a task id sent elsewhere (e.g. by Python). */
  asyncResult<T = unknown>(taskId: string): AsyncResult<T> {
    return new AsyncResult<T>(taskId, this.backend);
  }

  async close(): Promise<void> {
    await this.transport.close();
    if (this.backend && this.ownsBackend) await this.backend.close();
  }
}
