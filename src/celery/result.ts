/**
 * Celery's Redis result backend (celery/backends/redis.py + base.py): the meta JSON under
 * `celery-task-meta-<id>`, written with SETEX (result_expires, default 1 day) and PUBLISHed on a
 * channel of the same name, which is what Python's `AsyncResult.get()` subscribes to.
 */
import { Redis } from 'ioredis';
import { ResultTimeoutError, TaskFailedError } from './errors.js';
import { STORE_RESULT_LUA, runScript } from './lua.js';
import { toPyIso } from './py-format.js';
import { duplicateRedis, openRedis, type RedisConnection } from './transport-redis.js';

export const TASK_KEY_PREFIX = 'celery-task-meta-';
/** Celery's `result_expires` default: one day. */
export const DEFAULT_RESULT_EXPIRES = 86_400;

export type TaskState =
  'PENDING' | 'RECEIVED' | 'STARTED' | 'SUCCESS' | 'FAILURE' | 'RETRY' | 'REVOKED';
export const READY_STATES: ReadonlySet<string> = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

/** Celery's serialized exception (`prepare_exception` with the json serializer). */
export interface ExceptionInfo {
  exc_type: string;
  exc_message: unknown[];
  exc_module: string | null;
}

/** The stored meta, as Celery writes and reads it. */
export interface ResultMeta {
  status: string;
  result: unknown;
  traceback: string | null;
  children: unknown[];
  date_done: string | null;
  task_id: string;
  group_id?: string;
  parent_id?: string;
}

export interface BackendOptions {
  /** Seconds a result lives (SETEX); 0 keeps it forever. Default 86400 like Celery. */
  expires?: number;
  /** How often `get` re-reads the key in case a PUBLISH was missed, ms (default 500). */
  pollIntervalMs?: number;
}

/** Result store + waiter on one Redis. */
export class ResultBackend {
  readonly client: Redis;
  readonly expires: number;
  private readonly pollMs: number;
  private readonly owns: boolean;
  private sub: Redis | null = null;
  private readonly waiters = new Map<string, Set<(meta: ResultMeta) => void>>();

  constructor(conn: RedisConnection, opts: BackendOptions = {}) {
    this.owns = !(conn instanceof Redis);
    this.client = openRedis(conn, { enableAutoPipelining: true });
    this.expires = opts.expires ?? DEFAULT_RESULT_EXPIRES;
    this.pollMs = opts.pollIntervalMs ?? 500;
  }

  /** Stores a state (never over a SUCCESS, as Celery) and publishes it. */
  async store(
    taskId: string,
    status: TaskState,
    result: unknown,
    traceback: string | null = null,
    extra: { groupId?: string | null; parentId?: string | null } = {},
  ): Promise<void> {
    const meta: ResultMeta = {
      status,
      result: result === undefined ? null : result,
      traceback,
      children: [],
      date_done: READY_STATES.has(status) ? toPyIso(new Date(), false) : null,
      task_id: taskId,
    };
    if (extra.groupId) meta.group_id = extra.groupId;
    if (extra.parentId) meta.parent_id = extra.parentId;
    await runScript(
      this.client,
      STORE_RESULT_LUA,
      [TASK_KEY_PREFIX + taskId],
      [JSON.stringify(meta), this.expires],
    );
  }

  /** Reads the meta, or null when there is none yet (Celery reports PENDING). */
  async getMeta(taskId: string): Promise<ResultMeta | null> {
    const raw = await this.client.get(TASK_KEY_PREFIX + taskId);
    return raw === null ? null : (JSON.parse(raw) as ResultMeta);
  }

  /**
   * Waits for a ready state: SUBSCRIBE to the key's channel (as Python's ResultConsumer),
   * then GET once (the result may already be there) and again every poll interval.
   */
  async waitReady(taskId: string, timeoutMs: number): Promise<ResultMeta> {
    const key = TASK_KEY_PREFIX + taskId;
    return await new Promise<ResultMeta>((resolve, reject) => {
      let done = false;
      const finish = (err: Error | null, meta?: ResultMeta): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        this.removeWaiter(key, onMeta);
        if (err) reject(err);
        else resolve(meta as ResultMeta);
      };
      const onMeta = (meta: ResultMeta): void => {
        if (READY_STATES.has(meta.status)) finish(null, meta);
      };
      const check = (): void => {
        this.getMeta(taskId).then(
          (m) => m && onMeta(m),
          () => undefined,
        );
      };
      const timer = setTimeout(() => finish(new ResultTimeoutError(taskId, timeoutMs)), timeoutMs);
      const poll = setInterval(check, this.pollMs);
      this.addWaiter(key, onMeta)
        .then(check)
        .catch((e: unknown) => finish(e as Error));
    });
  }

  private async addWaiter(key: string, fn: (m: ResultMeta) => void): Promise<void> {
    if (!this.sub) {
      this.sub = duplicateRedis(this.client, { enableAutoPipelining: false });
      this.sub.on('message', (channel: string, message: string) => {
        const set = this.waiters.get(channel);
        if (!set) return;
        let meta: ResultMeta;
        try {
          meta = JSON.parse(message) as ResultMeta;
        } catch {
          return;
        }
        for (const w of [...set]) w(meta);
      });
    }
    let set = this.waiters.get(key);
    if (!set) {
      set = new Set();
      this.waiters.set(key, set);
      set.add(fn);
      await this.sub.subscribe(key);
    } else {
      set.add(fn);
    }
  }

  private removeWaiter(key: string, fn: (m: ResultMeta) => void): void {
    const set = this.waiters.get(key);
    if (!set) return;
    set.delete(fn);
    if (set.size === 0) {
      this.waiters.delete(key);
      this.sub?.unsubscribe(key).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.sub?.disconnect();
    this.sub = null;
    if (this.owns) await this.client.quit().catch(() => undefined);
  }
}

/** The handle `sendTask` returns: Celery's `AsyncResult`. */
export class AsyncResult<T = unknown> {
  constructor(
    readonly id: string,
    private readonly backend: ResultBackend | null,
  ) {}

  /** The current state: PENDING until a meta exists. */
  async state(): Promise<string> {
    const meta = await this.requireBackend().getMeta(this.id);
    return meta?.status ?? 'PENDING';
  }

  /**
   * Waits for the result. Resolves with the value on SUCCESS; rejects with TaskFailedError
   * (exc_type, exc_message, remote traceback text) on FAILURE or REVOKED, and with
   * ResultTimeoutError after `timeout` seconds (default 30).
   */
  async get(opts: { timeout?: number } = {}): Promise<T> {
    const meta = await this.requireBackend().waitReady(this.id, (opts.timeout ?? 30) * 1000);
    if (meta.status === 'SUCCESS') return meta.result as T;
    const exc = (meta.result ?? {}) as Partial<ExceptionInfo>;
    throw new TaskFailedError(
      this.id,
      exc.exc_type ?? 'Exception',
      exc.exc_message ?? [],
      exc.exc_module ?? null,
      meta.traceback,
      meta.status,
    );
  }

  private requireBackend(): ResultBackend {
    if (!this.backend)
      throw new Error(`task ${this.id}: no result backend configured, cannot wait for results`);
    return this.backend;
  }
}
