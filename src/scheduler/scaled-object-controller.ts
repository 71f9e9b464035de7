/**
 * Drives one ScaledObject: every round reads its triggers, asks the engine, and applies the
 * decision to its scale target. The same class serves local mode (a process pool) and, later,
 * Kubernetes mode (the /scale subresource), because both are `ScaleTarget`s.
 */
import type { Logger } from 'pino';
import {
  compileFormula,
  decideScaledObject,
  KEDA,
  INITIAL_SCALED_OBJECT_STATE,
  type CompiledFormula,
  type ScaledObjectDecision,
  type ScaledObjectState,
} from '../engine/index.js';
import { errorMessage } from '../errors.js';
import { pollingIntervalSeconds, scaleTargetLabel } from '../manifests/defaults.js';
import type { ManifestSet, ScaledObject } from '../manifests/types.js';
import { objectName } from '../manifests/types.js';
import type { ObjectStatus } from './status.js';
import type { ConnectionPool, LocalReplicas, PodMetricsSource } from '../scalers/core/types.js';
import type { RoundObservation } from '../observe/types.js';
import type { ScaleTarget } from '../targets/target.js';
import { DecisionRing, summarizeReasons } from './decision-log.js';
import { PollLoop } from './loop.js';
import { engineInputs, fallbackMetricName, triggerStatuses } from './to-engine.js';
import { WorkerTotals } from './worker-counters.js';
import { TARGET_WAIT_ANNOTATION } from '../engine/wait-target.js';
import { TriggerReader, type ScalerReading } from './trigger-readings.js';

export interface ScaledObjectControllerOptions {
  so: ScaledObject;
  set: ManifestSet;
  target: ScaleTarget;
  pool: ConnectionPool;
  logger: Logger;
  /** State carried over from a previous version of the same object (spec change). */
  state?: ScaledObjectState;
  /** Replicas the target declares before tide's first decision (Deployment `spec.replicas`). */
  initialReplicas: number;
  onDecision?: (so: ScaledObject, d: ScaledObjectDecision) => void;
  /** Every round's decision record with its raw readings (decision log, metrics). */
  onRecord?: (round: RoundObservation) => void;
  /** Local mode: the target's replica processes, for cpu/memory triggers. */
  localReplicas?: LocalReplicas;
  /** Kubernetes mode: the target's Pods and their metrics.k8s.io usage, for cpu/memory triggers. */
  podMetrics?: PodMetricsSource;
  /** Records kept in `decisions`: the last by default, since the DecisionLog keeps the history. @default 1 */
  decisionRingSize?: number;
}

export class ScaledObjectController {
  readonly so: ScaledObject;
  readonly decisions: DecisionRing;
  readonly #opts: ScaledObjectControllerOptions;
  readonly #reader: TriggerReader;
  readonly #loop: PollLoop;
  readonly #formula: CompiledFormula | undefined;
  #state: ScaledObjectState;
  #firstRound = true;
  #lastReadings: ScalerReading[] = [];
  #lastDecision: ScaledObjectDecision | undefined;
  #lastRoundAt: Date | undefined;
  #error: string | undefined;
  /** The wait-time policy's worker totals; only with a wait target. */
  readonly #workerTotals: WorkerTotals | undefined;

  constructor(opts: ScaledObjectControllerOptions) {
    this.#opts = opts;
    this.decisions = new DecisionRing(opts.decisionRingSize ?? 1);
    this.so = opts.so;
    this.#state = opts.state ?? { ...INITIAL_SCALED_OBJECT_STATE, firstSeen: Date.now() };
    if (opts.so.metadata.annotations[TARGET_WAIT_ANNOTATION] !== undefined)
      this.#workerTotals = new WorkerTotals();
    const formula = opts.so.spec.advanced?.scalingModifiers?.formula;
    const compiled = formula ? compileFormula(formula) : undefined;
    this.#formula = compiled?.ok ? compiled : undefined;
    this.#reader = new TriggerReader({
      owner: opts.so,
      set: opts.set,
      pool: opts.pool,
      logger: opts.logger,
      now: () => Date.now(),
      timeoutMs: Math.max(3_000, Math.min(pollingIntervalSeconds(opts.so) * 1000, 30_000)),
      ...(opts.localReplicas ? { localReplicas: opts.localReplicas } : {}),
      ...(opts.podMetrics ? { podMetrics: opts.podMetrics } : {}),
    });
    this.#loop = new PollLoop({
      intervalMs: pollingIntervalSeconds(opts.so) * 1000,
      round: (signal) => this.#round(signal),
      onError: (e) => {
        this.#error = errorMessage(e);
        opts.logger.error({ err: this.#error }, 'round failed');
      },
    });
  }

  get state(): ScaledObjectState {
    return this.#state;
  }

  start(): void {
    this.#loop.start();
    this.#reader.watchAll(this.#loop.signal, () => this.#loop.wake());
  }

  /** Runs a round now (a push wake-up, or a test). */
  wake(): void {
    this.#loop.wake();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
    await this.#reader.close();
  }

  async #round(signal: AbortSignal): Promise<void> {
    const startedAt = Date.now();
    const readings = await this.#reader.readAll(signal);
    const counters = this.#workerTotals
      ? await this.#reader.workerCounters(AbortSignal.timeout(1_000))
      : undefined;
    if (signal.aborted) return;
    const { target } = this.#opts;
    const current = this.#firstRound ? this.#opts.initialReplicas : target.currentReplicas();
    const ready = this.#firstRound ? current : target.readyReplicas();
    const decision = decideScaledObject({
      so: this.so,
      ...engineInputs(readings),
      currentReplicas: current,
      readyReplicas: ready,
      now: Date.now(),
      state: this.#state,
      ...(this.#state.firstSeen !== undefined && !this.so.metadata.creationTimestamp
        ? { createdAt: this.#state.firstSeen }
        : {}),
      ...(this.#formula ? { formula: this.#formula } : {}),
      ...(counters && this.#workerTotals ? { waitSignals: this.#workerTotals.add(counters) } : {}),
    });
    this.#firstRound = false;
    this.#state = decision.state;
    this.#lastReadings = readings;
    this.#lastDecision = decision;
    this.#lastRoundAt = new Date();
    this.#error = undefined;
    const summary = summarizeReasons(decision.reasons);
    if (current !== decision.desiredReplicas) {
      this.#opts.logger.info(
        { from: current, to: decision.desiredReplicas },
        `${objectName(this.so)}: ${current} -> ${decision.desiredReplicas} replicas: ${summary}`,
      );
    }
    // Shrinking: ask the workers which replicas are busy, so idle ones go first.
    const hint =
      decision.desiredReplicas < target.currentReplicas()
        ? { busy: await this.#reader.workerLoad(AbortSignal.timeout(1_000)) }
        : undefined;
    if (signal.aborted) return;
    target.scaleTo(decision.desiredReplicas, summary, hint);
    const record = {
      at: this.#lastRoundAt.toISOString(),
      current,
      decided: decision.desiredReplicas,
      isActive: decision.isActive,
      triggers: triggerStatuses(readings),
      reasons: [...decision.reasons],
    };
    this.decisions.push(record);
    this.#opts.onRecord?.({
      kind: 'ScaledObject',
      namespace: this.so.metadata.namespace,
      name: this.so.metadata.name,
      record,
      readings,
      durationMs: Date.now() - startedAt,
    });
    for (const ev of decision.events) this.#opts.logger.info({ reason: ev.code }, ev.message);
    // Cooling down: decide again right when the cooldown ends, not at the next poll after it.
    const until = decision.reasons.find((r) => r.code === KEDA.ScalerCooldown)?.data?.until;
    if (typeof until === 'number') this.#loop.wakeAt(until + 1);
    this.#opts.onDecision?.(this.so, decision);
  }

  /** The metric name of each trigger as of the last round (what `status()` reports, cheaply). */
  metricNames(): string[] {
    return this.#lastReadings.map((r) => r.specs[0]?.name ?? fallbackMetricName(r));
  }

  status(): ObjectStatus {
    const t = this.#opts.target.status();
    const d = this.#lastDecision;
    return {
      kind: 'ScaledObject',
      namespace: this.so.metadata.namespace,
      name: this.so.metadata.name,
      target: scaleTargetLabel(this.so),
      triggers: triggerStatuses(this.#lastReadings, (i) => this.#reader.pushState(i)),
      ...(d ? { desiredReplicas: d.desiredReplicas, lastReason: summarizeReasons(d.reasons) } : {}),
      runningReplicas: t.currentReplicas,
      readyReplicas: t.readyReplicas,
      ...(this.#lastRoundAt ? { lastRoundAt: this.#lastRoundAt.toISOString() } : {}),
      ...(d ? { paused: d.conditions.paused.status === 'True' } : {}),
      ...(this.#error ? { error: this.#error } : t.lastError ? { error: t.lastError } : {}),
      replicas: t.replicas.map((r) => ({
        name: r.name,
        state: r.state,
        restarts: r.restarts,
        ...(r.pid !== undefined ? { pid: r.pid } : {}),
        ...(r.startedAt ? { startedAt: r.startedAt.toISOString() } : {}),
      })),
    };
  }
}
