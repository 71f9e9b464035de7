/**
 * The Celery worker: takes task messages from kombu-compatible Redis queues, runs registered
 * async functions with bounded concurrency, and shuts down warm on SIGTERM (finish what runs,
 * put back what was reserved) or cold (a second SIGTERM, SIGQUIT or the grace period over).
 */
import { hostname as osHostname } from 'node:os';
import type { Redis } from 'ioredis';
import { NotRegisteredError } from './errors.js';
import { serializeError } from './exceptions.js';
import { decodeTask } from './protocol.js';
import {
  DEFAULT_LIVENESS_TTL_MS,
  newWorkerId,
  publishWorker,
  reapDeadWorkers,
  unpublishWorker,
  type WorkerRecord,
} from './registry.js';
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
  /**
   * tide's worker registry (`registry.ts`): the worker publishes its pod, pid and running count
   * with a TTL, records the messages it holds, and gives back the messages of registered
   * workers that died, without waiting for the visibility timeout. `false` turns it off (the
   * worker then behaves as kombu's). @default { ttlMs: 30000, pod: process.env.HOSTNAME }
   */
  registry?: false | { ttlMs?: number; pod?: string };
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
  /** Milliseconds spent on the finished tasks (published for the wait-time policy). */
  private busyMs = 0;
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
  /** Registry id, when registered. */
  readonly registryId: string | null;
  private readonly ttlMs: number;
  private readonly pod: string | undefined;
  private readonly startedAt = Date.now();
  private publishTimer: NodeJS.Timeout | null = null;
  /** When the command connection last became ready (null while it is down). */
  private connectedSince: number | null = null;
  /** Set while the broker is unreachable: when it was lost, for the recovery line. */
  private outageSince: number | null = null;
  /** Set when the connection came back: check the held set against what we really hold. */
  private needReconcile = false;

  constructor(opts: WorkerOptions) {
    this.opts = opts;
    this.hostname = opts.hostname ?? `celery@${osHostname()}`;
    const reg = opts.registry === false ? null : (opts.registry ?? {});
    this.registryId = reg ? newWorkerId(this.hostname) : null;
    this.ttlMs = Math.max(500, reg?.ttlMs ?? DEFAULT_LIVENESS_TTL_MS);
    this.pod = reg ? (reg.pod ?? (process.env.HOSTNAME || undefined)) : undefined;
    this.transport = new RedisTransport(opts.broker, {
      visibilityTimeout: opts.visibilityTimeout,
      ...(this.registryId ? { owner: this.registryId } : {}),
    });
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

  /**
   * Connects, restores timed-out messages once (as kombu does on start), registers in tide's
   * worker registry and starts consuming.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`worker ${this.hostname} already started`);
    await this.transport.client.ping();
    this.connectedSince = Date.now();
    this.watchConnection(this.transport.client);
    this.state = 'running';
    await this.restoreVisible();
    const vtMs = this.transport.visibilityTimeout * 1000;
    const restoreMs = this.opts.restoreIntervalMs ?? Math.max(1000, Math.min(vtMs / 2, 100_000));
    const touchMs = Math.max(250, Math.min(vtMs / 4, 60_000));
    this.timers.push(setInterval(() => void this.restoreVisible(), restoreMs));
    this.timers.push(setInterval(() => void this.touchHeld(), touchMs));
    if (this.registryId) {
      await this.publish();
      this.timers.push(setInterval(() => void this.publish(), this.ttlMs / 5));
      this.timers.push(setInterval(() => void this.reap(), Math.max(500, this.ttlMs / 6)));
    }
    this.loop = this.fetchLoop();
  }

  /**
   * Reports the broker connection once per change of state: lost (with the cause), and back
   * (with how long it was gone). Running tasks go on meanwhile; commands wait for the
   * connection, so acks and results are sent once it is back.
   */
  private watchConnection(client: Redis): void {
    let lastError = '';
    client.on('error', (e: Error) => (lastError = e.message));
    client.on('close', () => {
      this.connectedSince = null;
      if (this.outageSince !== null || this.state === 'stopped') return;
      this.outageSince = Date.now();
      this.deps.log.warn(
        `lost the connection to the broker${lastError ? ` (${lastError})` : ''}; running tasks go on, fetching resumes when it is back`,
      );
    });
    client.on('ready', () => {
      this.connectedSince = Date.now();
      if (this.outageSince === null) return;
      const secs = ((Date.now() - this.outageSince) / 1000).toFixed(1);
      this.outageSince = null;
      this.deps.log.warn(`the broker is back after ${secs} s`);
      void this.publish();
      // A fetch cut by the outage may have taken messages whose reply never arrived.
      this.needReconcile = true;
      this.wake();
    });
  }

  /**
   * Gives back messages registered as held by this worker that it never received (a fetch's
   * reply lost when the connection dropped; ioredis then resent the fetch, which took others).
   * Runs from the fetch loop between fetches, so no delivery is in flight.
   */
  private async reconcileHeld(): Promise<void> {
    this.needReconcile = false;
    const known = new Set<string>();
    for (const h of [...this.ready, ...this.eta.keys(), ...this.running.keys()])
      if (h.delivery.tag) known.add(h.delivery.tag);
    let n = 0;
    try {
      for (const tag of await this.transport.strayHeld(known))
        if (await this.transport.restore(tag)) n++;
    } catch {
      this.needReconcile = true; // the connection dropped again: next time
      return;
    }
    if (n > 0)
      this.deps.log.warn(
        `gave back ${n} message(s) a fetch took while the connection dropped (its reply was lost)`,
      );
  }

  /** The record other workers and tide read (running count, pod), refreshed with its TTL. */
  private record(): WorkerRecord {
    return {
      id: this.registryId ?? '',
      node: this.hostname,
      ...(this.pod ? { pod: this.pod } : {}),
      pid: process.pid,
      running: this.running.size,
      done: this.processed,
      busyMs: this.busyMs,
      reserved: this.ready.length + this.eta.size,
      concurrency: this.concurrency,
      queues: this.queues,
      startedAt: this.startedAt,
    };
  }

  private async publish(): Promise<void> {
    if (!this.registryId || this.state === 'stopped' || this.connectedSince === null) return;
    await publishWorker(this.transport.client, this.record(), this.ttlMs).catch(() => undefined);
  }

  /** Publishes a changed running count soon, at most every 200 ms, for busy-aware scale-in. */
  private publishSoon(): void {
    if (!this.registryId || this.publishTimer) return;
    this.publishTimer = setTimeout(() => {
      this.publishTimer = null;
      void this.publish();
    }, 200);
  }

  /**
   * Gives back the messages of registered workers that died. Only once this worker's own
   * connection has been up for a whole TTL: after a broker restart every record may have
   * expired, and live workers need one refresh to write theirs again.
   */
  private async reap(): Promise<void> {
    if (this.state !== 'running' || this.connectedSince === null) return;
    if (Date.now() - this.connectedSince < this.ttlMs) return;
    try {
      const r = await reapDeadWorkers(this.transport.client);
      if (r.workers.length > 0)
        this.deps.log.warn(
          `gave back ${r.restored} message(s) held by ${r.workers.length} worker(s) that stopped answering: ${r.workers.join(', ')}`,
        );
    } catch (e) {
      if (this.outageSince === null) this.deps.log.error(`reaping dead workers: ${String(e)}`);
    }
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

  /**
   * SIGTERM/SIGINT: warm shutdown (finish for up to `graceMs`, then put acks-late tasks back and
   * exit); a signal again later: cold; SIGQUIT: cold. Signals within a second of the first are
   * the same request: a terminal's Ctrl-C and a supervisor's SIGTERM often arrive together.
   * Exits 0 after warm, 1 after cold.
   *
   * `supervisorPid`: the process that runs this worker (tide sets `TIDE_SUPERVISOR_PID`); when
   * it is gone (killed without stopping its replicas), the worker shuts down warm by itself
   * rather than run on unsupervised. Output to a pipe whose reader died (EPIPE) means the same.
   */
  installSignalHandlers(
    opts: { graceMs?: number; exit?: (code: number) => void; supervisorPid?: number } = {},
  ): void {
    const exit = opts.exit ?? ((code: number) => process.exit(code));
    const graceMs = opts.graceMs ?? 30_000;
    const finish = (kind: ShutdownKind): void => exit(kind === 'warm' ? 0 : 1);
    /** When the first stop signal arrived (a warm shutdown may also start without one). */
    let firstSignalAt = 0;
    const warm = (why: string): void => {
      if (this.shutdown) return;
      this.deps.log.warn(`${why}: warm shutdown (running tasks get ${graceMs / 1000} s)`);
      this.stop({ graceMs }).then(finish, () => exit(1));
    };
    const onTerm = (sig: string): void => {
      if (!firstSignalAt) {
        firstSignalAt = Date.now();
        return warm(sig); // already stopping warm (supervisor gone): this signal changes nothing
      }
      if (Date.now() - firstSignalAt < 1000) return; // the same stop, delivered twice
      this.deps.log.warn(`${sig} again: cold shutdown`);
      void this.cold();
    };
    process.on('SIGTERM', () => onTerm('SIGTERM'));
    process.on('SIGINT', () => onTerm('SIGINT'));
    process.on('SIGQUIT', () => {
      this.cold().then(finish, () => exit(1));
    });
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') warm('output pipe closed (its reader is gone)');
      });
    }
    const sup = opts.supervisorPid;
    if (sup && sup > 0) {
      const t = setInterval(() => {
        if (this.shutdown) return clearInterval(t);
        if (!processExists(sup)) {
          clearInterval(t);
          warm(`supervisor (pid ${sup}) is gone`);
        }
      }, 500);
      t.unref();
    }
  }

  private async fetchLoop(): Promise<void> {
    while (this.state === 'running') {
      if (this.needReconcile) await this.reconcileHeld();
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
        // While the connection is down the outage was reported once; don't repeat it every second.
        if (this.outageSince === null)
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
    if (this.state !== 'running') {
      // A fetch that completed after shutdown began: straight back to the queue.
      if (d.tag) void this.transport.restore(d.tag).catch(() => false);
      return;
    }
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
      const startedAt = Date.now();
      const p = runTask(h, this.deps).finally(() => {
        this.running.delete(h);
        this.processed++;
        this.busyMs += Date.now() - startedAt;
        this.opts.onTaskDone?.(h);
        this.pump();
        this.wake();
        this.publishSoon();
      });
      this.running.set(h, p);
      this.publishSoon();
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
    // Stop fetching now: end a blocking wait instead of letting it run out, and don't wait for a
    // fetch stuck on a broker that is down (what it still delivers is put back by accept()).
    this.transport.interruptBlocking();
    this.wake();
    await Promise.race([this.loop, delay(2000)]);
    await this.transport.restoreInbox().catch(() => 0);
    // Put back what was reserved but not started, in delivery order (kombu restore_unacked).
    const back = [...this.ready.splice(0), ...this.eta.keys()];
    for (const t of this.eta.values()) clearTimeout(t);
    this.eta.clear();
    for (const h of back)
      if (h.delivery.tag) await this.transport.restore(h.delivery.tag).catch(() => false);
    this.publishSoon();
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((r) => (graceTimer = setTimeout(r, graceMs)));
    await Promise.race([Promise.allSettled([...this.running.values()]), grace, coldSignal]);
    clearTimeout(graceTimer);
    let kind: ShutdownKind = 'warm';
    if (this.running.size > 0 || coldAsked) {
      kind = 'cold';
      const left = [...this.running.keys()];
      if (left.length > 0)
        this.deps.log.warn(
          `${left.length} task(s) still running ${coldAsked ? 'at cold shutdown' : `after ${graceMs / 1000} s`}: acks-late ones go back to the queue now`,
        );
      for (const h of left) {
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
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.publishTimer = null;
    if (this.registryId) {
      // Bounded: with the broker down the record simply expires and a reaper takes over.
      const clean = await Promise.race([
        unpublishWorker(this.transport.client, this.registryId).catch(() => false),
        delay(2000).then(() => false),
      ]);
      if (!clean)
        this.deps.log.warn(
          'some messages could not be put back now; a live worker gives them back once this worker is gone',
        );
    }
    await this.transport.close();
    if (this.backend && !(this.opts.resultBackend instanceof ResultBackend))
      await this.backend.close();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
