/**
 * The Celery worker: takes task messages from kombu-compatible Redis queues, runs registered
 * async functions with bounded concurrency, and shuts down warm on SIGTERM (finish what runs,
 * put back what was reserved) or cold (a second SIGTERM, SIGQUIT or the grace period over).
 */
import { hostname as osHostname } from 'node:os';
import { NotRegisteredError } from './errors.js';
import { serializeError } from './exceptions.js';
import { decodeTask } from './protocol.js';
import { ResultBackend } from './result.js';
import {
  runTask,
  store,
  type Held,
  type RunnerDeps,
  type TaskDef,
  type TaskFn,
  type TaskOptions,
  type WorkerLog,
} from './task-runner.js';
import { RedisTransport, type Delivery, type RedisConnection } from './transport-redis.js';

export interface WorkerOptions {
  broker: RedisConnection;
  /** Queues to consume, in order (default `['celery']`). */
  queues?: string[];
  /** Tasks running at once in this process (default 10). */
  concurrency?: number;
  /** Messages reserved ahead of free slots (default = concurrency). ETA-held messages are extra. */
  prefetch?: number;
  /** Ack after the task instead of just before it (Celery `task_acks_late`). */
  acksLate?: boolean;
  resultBackend?: RedisConnection | ResultBackend | null;
  /** Result expiry in seconds (Celery `result_expires`, default 1 day). */
  resultExpires?: number;
  /** Seconds (kombu `visibility_timeout`, default 3600). */
  visibilityTimeout?: number;
  /** How often to restore timed-out unacked messages, ms (default min(vt/2, 100 s)). */
  restoreIntervalMs?: number;
  /** Node name (`celery@host`), passed to tasks as ctx.hostname. */
  hostname?: string;
  /** Default time limits in seconds when the message carries none. */
  timeLimit?: number;
  softTimeLimit?: number;
  log?: WorkerLog;
  /** Called after each task finished (any outcome); used by benchmarks and tests. */
  onTaskDone?: (h: Held) => void;
}

export type WorkerState = 'new' | 'running' | 'stopping' | 'stopped';
export type ShutdownKind = 'warm' | 'cold';

const defaultLog: WorkerLog = {
  warn: (m) => process.stderr.write(`[celery WARNING] ${m}\n`),
  error: (m) => process.stderr.write(`[celery ERROR] ${m}\n`),
};

/** A Celery worker process (or several in one process, each with its own connections). */
export class Worker {
  readonly transport: RedisTransport;
  readonly backend: ResultBackend | null;
  readonly hostname: string;
  state: WorkerState = 'new';
  /** Tasks finished since start. */
  processed = 0;
  private readonly tasks = new Map<string, TaskDef>();
  private readonly queues: string[];
  private readonly concurrency: number;
  private readonly prefetch: number;
  private readonly acksLate: boolean;
  private readonly deps: RunnerDeps;
  private readonly opts: WorkerOptions;
  private readonly ready: Held[] = [];
  private readonly eta = new Map<Held, NodeJS.Timeout>();
  private readonly running = new Map<Held, Promise<void>>();
  private wakeFn: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private shutdown: Promise<ShutdownKind> | null = null;
  private coldNow: (() => void) | null = null;
  private queueTurn = 0;
  private readonly refillBatch: number;

  constructor(opts: WorkerOptions) {
    this.opts = opts;
    this.transport = new RedisTransport(opts.broker, { visibilityTimeout: opts.visibilityTimeout });
    this.backend =
      opts.resultBackend instanceof ResultBackend
        ? opts.resultBackend
        : opts.resultBackend
          ? new ResultBackend(opts.resultBackend, { expires: opts.resultExpires })
          : null;
    this.queues = opts.queues?.length ? opts.queues : ['celery'];
    this.concurrency = Math.max(1, opts.concurrency ?? 10);
    this.prefetch = Math.max(0, opts.prefetch ?? this.concurrency);
    this.acksLate = opts.acksLate ?? false;
    this.refillBatch = Math.max(1, Math.floor((this.concurrency + this.prefetch) / 4));
    this.hostname = opts.hostname ?? `celery@${osHostname()}`;
    this.deps = {
      transport: this.transport,
      backend: this.backend,
      hostname: this.hostname,
      log: opts.log ?? defaultLog,
      defaults: { timeLimit: opts.timeLimit, softTimeLimit: opts.softTimeLimit },
    };
  }

  /** Registers a task by its Celery name (e.g. `tasks.add`). */
  register(name: string, fn: TaskFn, options: TaskOptions = {}): this {
    this.tasks.set(name, { name, fn, ...options });
    return this;
  }

  /** Tasks currently running / reserved / held for their ETA. */
  get counts(): { running: number; reserved: number; eta: number } {
    return { running: this.running.size, reserved: this.ready.length, eta: this.eta.size };
  }

  /** Connects, restores timed-out messages once (as kombu does on start) and starts consuming. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`worker ${this.hostname} already started`);
    await this.transport.client.ping();
    this.state = 'running';
    await this.restoreVisible();
    const vtMs = this.transport.visibilityTimeout * 1000;
    const restoreMs = this.opts.restoreIntervalMs ?? Math.max(1000, Math.min(vtMs / 2, 100_000));
    const touchMs = Math.max(250, Math.min(vtMs / 4, 60_000));
    this.timers.push(setInterval(() => void this.restoreVisible(), restoreMs));
    this.timers.push(setInterval(() => void this.touchHeld(), touchMs));
    this.loop = this.fetchLoop();
  }

  /**
   * Warm shutdown: stop fetching, put back reserved and ETA-held messages (kombu's restore,
   * RPUSH), let running tasks finish for up to `graceMs`, then close. Past the grace, or when
   * `cold()` is called, it turns cold. Resolves with how it ended.
   */
  stop(opts: { graceMs?: number } = {}): Promise<ShutdownKind> {
    if (this.shutdown) return this.shutdown;
    this.shutdown = this.doStop(opts.graceMs ?? 30_000);
    return this.shutdown;
  }

  /** Cold shutdown: abort running tasks; with acksLate their messages go back to the queue. */
  async cold(): Promise<ShutdownKind> {
    const p = this.stop();
    this.coldNow?.();
    return await p;
  }

  /** SIGTERM/SIGINT: warm, a second one: cold; SIGQUIT: cold. Exits 0 after warm, 1 after cold. */
  installSignalHandlers(opts: { graceMs?: number; exit?: (code: number) => void } = {}): void {
    const exit = opts.exit ?? ((code: number) => process.exit(code));
    const finish = (kind: ShutdownKind): void => exit(kind === 'warm' ? 0 : 1);
    const onTerm = (sig: string): void => {
      if (this.shutdown) {
        this.deps.log.warn(`${sig} again: cold shutdown`);
        void this.cold();
        return;
      }
      this.deps.log.warn(`${sig}: warm shutdown (grace ${opts.graceMs ?? 30_000} ms)`);
      this.stop(opts).then(finish, () => exit(1));
    };
    process.on('SIGTERM', () => onTerm('SIGTERM'));
    process.on('SIGINT', () => onTerm('SIGINT'));
    process.on('SIGQUIT', () => {
      this.cold().then(finish, () => exit(1));
    });
  }

  private async fetchLoop(): Promise<void> {
    while (this.state === 'running') {
      const want = this.concurrency + this.prefetch - this.running.size - this.ready.length;
      // Refill in batches (one Lua call for many messages) unless the worker would go idle.
      const idle = this.ready.length === 0 && this.running.size < this.concurrency;
      if (want <= 0 || (!idle && want < this.refillBatch)) {
        await new Promise<void>((r) => (this.wakeFn = r));
        continue;
      }
      try {
        const queues = this.queueOrder();
        let got = await this.transport.fetch(queues, want);
        if (got.length === 0) {
          const d = await this.transport.fetchBlocking(queues, 1);
          got = d ? [d] : [];
        }
        for (const d of got) this.accept(d);
      } catch (e) {
        if (this.state !== 'running') break;
        this.deps.log.error(`consumer: ${String(e)}; retrying in 1 s`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, 1000);
          this.wakeFn = () => (clearTimeout(t), r());
        });
      }
    }
  }

  /** Round-robin start among queues, like kombu's `_queue_cycle`. */
  private queueOrder(): string[] {
    if (this.queues.length < 2) return this.queues;
    const i = this.queueTurn++ % this.queues.length;
    return [...this.queues.slice(i), ...this.queues.slice(0, i)];
  }

  private accept(d: Delivery): void {
    const log = this.deps.log;
    if (!d.envelope) {
      log.error(`discarding unreadable message on ${d.queue}: ${String(d.parseError)}`);
      void this.transport.ack(d.tag);
      return;
    }
    let req;
    try {
      req = decodeTask(d.envelope);
    } catch (e) {
      log.error(`discarding message ${d.tag ?? '?'} on ${d.queue}: ${String(e)}`);
      void this.transport.ack(d.tag);
      return;
    }
    const def = this.tasks.get(req.task);
    if (!def) {
      // Celery: log, reject without requeue, store FAILURE NotRegistered.
      log.error(
        `Received unregistered task of type '${req.task}' (id ${req.id}); the message is discarded`,
      );
      void this.transport.ack(d.tag);
      void store(req, this.deps, 'FAILURE', serializeError(new NotRegisteredError(req.task)), null);
      return;
    }
    const h: Held = { delivery: d, req, def, acksLate: def.acksLate ?? this.acksLate };
    const due = req.eta ? req.eta.getTime() - Date.now() : 0;
    if (due > 0) this.holdUntil(h, due);
    else this.ready.push(h);
    this.pump();
  }

  /** ETA/countdown: held in memory (still unacked, as Celery), outside the concurrency slots. */
  private holdUntil(h: Held, ms: number): void {
    const t = setTimeout(
      () => {
        this.eta.delete(h);
        const left = (h.req.eta?.getTime() ?? 0) - Date.now();
        if (left > 0) return this.holdUntil(h, left);
        this.ready.push(h);
        this.pump();
      },
      Math.min(ms, 2 ** 31 - 1),
    );
    this.eta.set(h, t);
  }

  private pump(): void {
    while (
      this.state === 'running' &&
      this.running.size < this.concurrency &&
      this.ready.length > 0
    ) {
      const h = this.ready.shift() as Held;
      const p = runTask(h, this.deps).finally(() => {
        this.running.delete(h);
        this.processed++;
        this.opts.onTaskDone?.(h);
        this.pump();
        this.wake();
      });
      this.running.set(h, p);
    }
  }

  private wake(): void {
    const w = this.wakeFn;
    this.wakeFn = null;
    w?.();
  }

  private async restoreVisible(): Promise<void> {
    try {
      const n = await this.transport.restoreVisible();
      if (n > 0)
        this.deps.log.warn(`restored ${n} unacked message(s) older than the visibility timeout`);
    } catch (e) {
      this.deps.log.error(`restore of unacked messages: ${String(e)}`);
    }
  }

  /** Keeps our own unacked messages fresh so no worker restores a task that is still alive. */
  private async touchHeld(): Promise<void> {
    const tags: string[] = [];
    for (const h of [...this.ready, ...this.eta.keys()])
      if (h.delivery.tag) tags.push(h.delivery.tag);
    for (const h of this.running.keys())
      if (h.acksLate && h.delivery.tag) tags.push(h.delivery.tag);
    await this.transport
      .touch(tags)
      .catch((e: unknown) => this.deps.log.error(`touch unacked: ${String(e)}`));
  }

  private async doStop(graceMs: number): Promise<ShutdownKind> {
    if (this.state === 'new') {
      this.state = 'stopped';
      await this.close();
      return 'warm';
    }
    this.state = 'stopping';
    let coldAsked = false;
    const coldSignal = new Promise<void>((r) => (this.coldNow = () => ((coldAsked = true), r())));
    this.wake();
    await this.loop;
    // Put back what was reserved but not started, in delivery order (kombu restore_unacked).
    const back = [...this.ready.splice(0), ...this.eta.keys()];
    for (const t of this.eta.values()) clearTimeout(t);
    this.eta.clear();
    for (const h of back)
      if (h.delivery.tag) await this.transport.restore(h.delivery.tag).catch(() => false);
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((r) => (graceTimer = setTimeout(r, graceMs)));
    await Promise.race([Promise.allSettled([...this.running.values()]), grace, coldSignal]);
    clearTimeout(graceTimer);
    let kind: ShutdownKind = 'warm';
    if (this.running.size > 0 || coldAsked) {
      kind = 'cold';
      for (const h of this.running.keys()) {
        h.abandoned = true;
        h.abort?.abort(new Error('cold shutdown'));
        // An acks-late task is not lost: its message goes back (an early-acked one is gone, as in Celery).
        if (h.acksLate && h.delivery.tag)
          await this.transport.restore(h.delivery.tag).catch(() => false);
        else
          this.deps.log.warn(
            `cold shutdown: task ${h.req.task}[${h.req.id}] was acked early and is lost`,
          );
      }
    }
    this.state = 'stopped';
    await this.close();
    return kind;
  }

  private async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.transport.close();
    if (this.backend && !(this.opts.resultBackend instanceof ResultBackend))
      await this.backend.close();
  }
}
