import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TargetError, errorMessage } from '../../errors.js';
import type {
  ReplicaState,
  ReplicaStatus,
  ScaleInHint,
  ScaleTarget,
  TargetEvent,
  TargetStatus,
  Termination,
} from '../target.js';
import { Backoff, KUBELET_RESTART_BACKOFF, type BackoffOptions } from './backoff.js';
import {
  ChildRun,
  LineLog,
  exitText,
  termination,
  type LineSink,
  type RunResult,
} from './child.js';
import { DEFAULT_GRACE_SECONDS, generateName, type ProcessSpec } from './process-spec.js';

export interface ProcessPoolOptions {
  /** `Kind namespace/name` of the workload, e.g. `Deployment default/celery-worker`. */
  objectName: string;
  /** Replica names are `<podNamePrefix>-<5 random chars>` (or `-<ordinal>`); use the workload's name. */
  podNamePrefix: string;
  /**
   * `random`: a Deployment's pods, `<prefix>-<5 chars>`, scale-in as a ReplicaSet (not ready
   * first, then newest). `ordinal`: a StatefulSet's pods, `<prefix>-0`, `-1`... (lowest free
   * ordinal first), scale-in removes the highest ordinal first. Pods start in parallel (as
   * `podManagementPolicy: Parallel`); if an ordinal is still terminating, scale-out takes the
   * next free one instead of waiting.
   * @default 'random'
   */
  identity?: 'random' | 'ordinal';
  /**
   * Builds one replica's process from the pod template. Called once per replica (the name
   * plays the pod's `metadata.name` for `fieldRef`), and again on restart only if it threw.
   */
  makeReplica(replicaName: string): ProcessSpec;
  /** Folder for `<replica>.log` files; created if missing. Files are kept after scale-in. */
  logDir: string;
  /** Every stdout/stderr line, with the replica name (the CLI prints it prefixed). */
  onLine?: LineSink;
  /** Starts, kills, crashes and back-offs, shaped like Kubernetes Events. */
  onEvent?: (event: TargetEvent) => void;
  /** @default KUBELET_RESTART_BACKOFF (10 s doubling to 5 min, reset after 10 min running) */
  restartBackoff?: BackoffOptions;
}

interface Replica {
  name: string;
  /** Creation order, the tie-breaker when two replicas share a millisecond. */
  seq: number;
  /** With `identity: 'ordinal'`. */
  ordinal?: number;
  createdAt: Date;
  state: ReplicaState;
  restarts: number;
  spec?: ProcessSpec;
  run?: ChildRun;
  startedAt?: Date;
  lastTermination?: Termination;
  nextRestartAt?: Date;
  restartTimer?: NodeJS.Timeout;
  backoff: Backoff;
  log: LineLog;
  /** Set once termination began; resolves when the process exited and the replica is gone. */
  gone?: Promise<void>;
}

/**
 * A Deployment's replicas as local child processes. `scaleTo` sets the desired count and
 * converges: scale-out spawns at once; scale-in terminates gracefully (SIGTERM to the process
 * group, SIGKILL after `terminationGracePeriodSeconds`), choosing victims as a ReplicaSet does:
 * not-ready replicas (Starting, CrashLoopBackOff) first, then the newest first. A replica that
 * exits when nobody asked it to is restarted after the kubelet's backoff and shows
 * `CrashLoopBackOff` meanwhile.
 */
export class ProcessPool implements ScaleTarget {
  readonly name: string;
  readonly #opts: ProcessPoolOptions;
  readonly #replicas = new Map<string, Replica>();
  #desired = 0;
  #seq = 0;
  #stopped = false;
  #lastScaleReason: string | undefined;
  #lastError: string | undefined;

  constructor(opts: ProcessPoolOptions) {
    this.#opts = opts;
    this.name = opts.objectName;
    mkdirSync(opts.logDir, { recursive: true });
  }

  currentReplicas(): number {
    return this.#active().length;
  }

  readyReplicas(): number {
    return [...this.#replicas.values()].filter((r) => r.state === 'Running').length;
  }

  /**
   * Ignored after `stop()`, so a late scheduler round cannot resurrect replicas during shutdown.
   * With a `hint`, a scale-in removes the least busy replicas first (after not-ready ones).
   */
  scaleTo(n: number, reason?: string, hint?: ScaleInHint): void {
    if (!Number.isInteger(n) || n < 0) {
      throw new TargetError(
        this.name,
        `cannot scale to ${n}: replicas must be a whole number >= 0`,
      );
    }
    if (this.#stopped) return;
    this.#desired = n;
    if (reason !== undefined) this.#lastScaleReason = reason;
    this.#reconcile(hint?.busy);
  }

  status(): TargetStatus {
    const replicas: ReplicaStatus[] = [...this.#replicas.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((r) => ({
        name: r.name,
        state: r.state,
        pid: r.run?.pid,
        restarts: r.restarts,
        createdAt: r.createdAt,
        startedAt: r.startedAt,
        lastTermination: r.lastTermination,
        nextRestartAt: r.nextRestartAt,
        logFile: r.log.path,
      }));
    return {
      name: this.name,
      desiredReplicas: this.#desired,
      currentReplicas: this.currentReplicas(),
      readyReplicas: this.readyReplicas(),
      replicas,
      lastScaleReason: this.#lastScaleReason,
      lastError: this.#lastError,
    };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#desired = 0;
    await Promise.all([...this.#replicas.values()].map((r) => this.#terminate(r)));
  }

  #active(): Replica[] {
    return [...this.#replicas.values()].filter((r) => r.state !== 'Terminating');
  }

  #reconcile(busy?: ReadonlyMap<string, number>): void {
    const active = this.#active();
    for (let i = active.length; i < this.#desired; i++) this.#create();
    const excess = active.length - this.#desired;
    if (excess <= 0) return;
    const victims = active.sort(
      this.#opts.identity === 'ordinal'
        ? byOrdinalDesc
        : busy && busy.size > 0
          ? byBusyAwareRank(busy)
          : byReplicaSetRank,
    );
    for (const r of victims.slice(0, excess)) {
      const load = busy?.get(r.name) ?? 0;
      if (load > 0)
        this.#event(
          r.name,
          'Normal',
          'ScaleInBusy',
          `removing it although it runs ${load} task(s): every replica left is busy too`,
        );
      void this.#terminate(r);
    }
  }

  #create(): void {
    const replica = this.#opts.identity === 'ordinal' ? this.#newOrdinal() : this.#newRandom();
    this.#replicas.set(replica.name, replica);
    this.#startRun(replica);
  }

  #newRandom(): Replica {
    return this.#newReplica(generateName(this.#opts.podNamePrefix, (n) => this.#replicas.has(n)));
  }

  #newOrdinal(): Replica {
    let ordinal = 0;
    while (this.#replicas.has(`${this.#opts.podNamePrefix}-${ordinal}`)) ordinal++;
    return { ...this.#newReplica(`${this.#opts.podNamePrefix}-${ordinal}`), ordinal };
  }

  #newReplica(name: string): Replica {
    return {
      name,
      seq: this.#seq++,
      createdAt: new Date(),
      state: 'Starting',
      restarts: 0,
      backoff: new Backoff(this.#opts.restartBackoff ?? KUBELET_RESTART_BACKOFF),
      log: new LineLog(join(this.#opts.logDir, `${name}.log`)),
    };
  }

  #startRun(r: Replica): void {
    r.state = 'Starting';
    r.startedAt = undefined;
    r.nextRestartAt = undefined;
    try {
      r.spec ??= this.#opts.makeReplica(r.name);
    } catch (e) {
      const err = new TargetError(
        this.name,
        `replica ${r.name}: cannot build its process: ${errorMessage(e)}`,
        { cause: e },
      );
      this.#onRunEnd(r, undefined, {
        exitCode: null,
        signal: null,
        startError: err,
        requested: false,
        finishedAt: new Date(),
      });
      return;
    }
    const run = new ChildRun({
      spec: r.spec,
      name: r.name,
      objectName: this.name,
      log: r.log,
      onLine: this.#opts.onLine,
      onSpawn: (pid) => {
        if (r.run !== run || r.state !== 'Starting') return;
        r.state = 'Running';
        r.startedAt = new Date();
        // The template starts fine now (e.g. the missing executable was installed).
        this.#lastError = undefined;
        this.#event(r.name, 'Normal', 'Started', `started process ${pid}`);
      },
    });
    r.run = run;
    void run.done.then((res) => this.#onRunEnd(r, run, res));
  }

  #onRunEnd(r: Replica, run: ChildRun | undefined, res: RunResult): void {
    // A requested exit is handled by #terminate; a stale run (already replaced) is ignored.
    if (r.state === 'Terminating' || res.requested || (run && r.run !== run)) return;
    const ranForMs = r.startedAt ? res.finishedAt.getTime() - r.startedAt.getTime() : 0;
    r.lastTermination = termination(res);
    if (res.startError) {
      this.#lastError = res.startError.message;
      this.#event(r.name, 'Warning', 'Failed', res.startError.message);
    }
    const delay = r.backoff.next(ranForMs);
    r.state = 'CrashLoopBackOff';
    r.startedAt = undefined;
    r.nextRestartAt = new Date(Date.now() + delay);
    const how = res.startError ? 'could not start' : exitText(res);
    this.#event(
      r.name,
      'Warning',
      'BackOff',
      `${how}; restarting in ${Math.round(delay / 1000)} s`,
    );
    r.restartTimer = setTimeout(() => {
      r.restartTimer = undefined;
      if (r.state !== 'CrashLoopBackOff' || this.#stopped) return;
      r.restarts++;
      this.#startRun(r);
    }, delay);
  }

  #terminate(r: Replica): Promise<void> {
    if (r.gone) return r.gone;
    clearTimeout(r.restartTimer);
    r.state = 'Terminating';
    r.nextRestartAt = undefined;
    const run = r.run;
    const graceMs = (r.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
    let exited: Promise<unknown> = Promise.resolve();
    if (run && !run.finished) {
      this.#event(
        r.name,
        'Normal',
        'Killing',
        `stopping process ${run.pid ?? '?'} (grace ${graceMs / 1000} s)`,
      );
      exited = run.terminate(graceMs);
    }
    r.gone = exited.then(async () => {
      this.#replicas.delete(r.name);
      await r.log.close();
    });
    return r.gone;
  }

  #event(subject: string, type: TargetEvent['type'], reason: string, message: string): void {
    try {
      this.#opts.onEvent?.({ object: this.name, subject, type, reason, message });
    } catch {
      // Reporting must never break the pool.
    }
  }
}

/**
 * ReplicaSet's scale-in ranking, minus what has no local meaning (nodes, deletion cost): not
 * ready before ready, then the youngest first.
 */
export function byReplicaSetRank(
  a: { state: ReplicaState; seq: number },
  b: { state: ReplicaState; seq: number },
): number {
  return Number(b.state !== 'Running') - Number(a.state !== 'Running') || b.seq - a.seq;
}

/**
 * Busy-aware scale-in: not ready first (as a ReplicaSet), then the replicas running the fewest
 * tasks, then the youngest. What `controller.kubernetes.io/pod-deletion-cost` achieves in
 * Kubernetes, fed with each worker's own running count.
 */
export function byBusyAwareRank(
  busy: ReadonlyMap<string, number>,
): (a: { name: string; state: ReplicaState; seq: number }, b: typeof a) => number {
  return (a, b) =>
    Number(b.state !== 'Running') - Number(a.state !== 'Running') ||
    (busy.get(a.name) ?? 0) - (busy.get(b.name) ?? 0) ||
    b.seq - a.seq;
}

/** StatefulSet's scale-in: the highest ordinal goes first. */
function byOrdinalDesc(a: Replica, b: Replica): number {
  return (b.ordinal ?? 0) - (a.ordinal ?? 0);
}
