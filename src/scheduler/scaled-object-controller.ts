/**
 * Drives one ScaledObject: every round reads its triggers, asks the engine, and applies the
 * decision to its scale target. The same class serves local mode (a process pool) and, later,
 * Kubernetes mode (the /scale subresource), because both are `ScaleTarget`s.
 */
import {
  compileFormula,
  decideScaledObject,
  KEDA,
  INITIAL_SCALED_OBJECT_STATE,
  parseRfc3339,
  type CompiledFormula,
  type ScaledObjectDecision,
  type ScaledObjectState,
} from '../engine/index.js';
import { scaleTargetLabel } from '../manifests/defaults.js';
import type { ScaledObject } from '../manifests/types.js';
import { objectName } from '../manifests/types.js';
import type { ObjectStatus } from './status.js';
import type { LocalReplicas, PodMetricsSource } from '../scalers/core/types.js';
import type { ScaleTarget } from '../targets/target.js';
import { Controller, type ControllerOptions, type Decided } from './controller.js';
import { summarizeReasons } from './decision-log.js';
import { engineInputs } from './to-engine.js';
import { WorkerTotals } from './worker-counters.js';
import { TARGET_WAIT_ANNOTATION } from '../engine/wait-target.js';
import type { ScalerReading } from './trigger-readings.js';

export interface ScaledObjectControllerOptions extends ControllerOptions {
  so: ScaledObject;
  target: ScaleTarget;
  /** State carried over from a previous version of the same object (spec change). */
  state?: ScaledObjectState;
  /** Replicas the target declares before tide's first decision (Deployment `spec.replicas`). */
  initialReplicas: number;
  onDecision?: (so: ScaledObject, d: ScaledObjectDecision) => void;
  /**
   * Whether what `onDecision` started is done (the operator: the status is written). A quiet
   * round (see Controller) skips `onDecision`, so it waits until this says true. @default true
   */
  settled?: () => boolean;
  /** Local mode: the target's replica processes, for cpu/memory triggers. */
  localReplicas?: LocalReplicas;
  /** Kubernetes mode: the target's Pods and their metrics.k8s.io usage, for cpu/memory triggers. */
  podMetrics?: PodMetricsSource;
}

const NONE: readonly never[] = Object.freeze([]);

export class ScaledObjectController extends Controller<ScaledObjectState, ScaledObjectDecision> {
  readonly so: ScaledObject;
  readonly #opts: ScaledObjectControllerOptions;
  readonly #formula: CompiledFormula | undefined;
  #firstRound = true;
  /** `creationTimestamp`, parsed once (the engine would parse it every round). */
  readonly #createdAt: number | undefined;
  /** The wait-time policy's worker totals; only with a wait target. */
  readonly #workerTotals: WorkerTotals | undefined;

  constructor(opts: ScaledObjectControllerOptions) {
    super(
      { kind: 'ScaledObject', object: opts.so },
      opts,
      opts.state ?? { ...INITIAL_SCALED_OBJECT_STATE, firstSeen: Date.now() },
      opts,
    );
    this.#opts = opts;
    this.so = opts.so;
    this.#createdAt = parseRfc3339(opts.so.metadata.creationTimestamp);
    if (opts.so.metadata.annotations[TARGET_WAIT_ANNOTATION] !== undefined)
      this.#workerTotals = new WorkerTotals();
    const formula = opts.so.spec.advanced?.scalingModifiers?.formula;
    const compiled = formula ? compileFormula(formula) : undefined;
    this.#formula = compiled?.ok ? compiled : undefined;
  }

  protected async decide(
    readings: ScalerReading[],
    state: ScaledObjectState,
    signal: AbortSignal,
  ): Promise<Decided<ScaledObjectDecision> | undefined> {
    const counters = this.#workerTotals
      ? await this.reader.workerCounters(AbortSignal.timeout(1_000))
      : undefined;
    if (signal.aborted) return undefined;
    const { target } = this.#opts;
    const current = this.#firstRound ? this.#opts.initialReplicas : target.currentReplicas();
    const ready = this.#firstRound ? current : target.readyReplicas();
    const decision = decideScaledObject({
      so: this.so,
      ...engineInputs(readings),
      currentReplicas: current,
      readyReplicas: ready,
      now: Date.now(),
      state,
      ...(this.#createdAt !== undefined
        ? { createdAt: this.#createdAt }
        : state.firstSeen !== undefined
          ? { createdAt: state.firstSeen }
          : {}),
      ...(this.#formula ? { formula: this.#formula } : {}),
      ...(counters && this.#workerTotals ? { waitSignals: this.#workerTotals.add(counters) } : {}),
    });
    this.#firstRound = false;
    return { decision, current, decided: decision.desiredReplicas };
  }

  protected async apply(
    { decision, current }: Decided<ScaledObjectDecision>,
    signal: AbortSignal,
  ): Promise<void> {
    const { target } = this.#opts;
    const summary = summarizeReasons(decision.reasons);
    if (current !== decision.desiredReplicas) {
      this.logger.info(
        { from: current, to: decision.desiredReplicas },
        `${objectName(this.so)}: ${current} -> ${decision.desiredReplicas} replicas: ${summary}`,
      );
    }
    // Shrinking: ask the workers which replicas are busy, so idle ones go first.
    const hint =
      decision.desiredReplicas < target.currentReplicas()
        ? { busy: await this.reader.workerLoad(AbortSignal.timeout(1_000)) }
        : undefined;
    if (signal.aborted) return;
    target.scaleTo(decision.desiredReplicas, summary, hint);
  }

  protected afterRecord(decision: ScaledObjectDecision): void {
    for (const ev of decision.events) this.logger.info({ reason: ev.code }, ev.message);
    // Cooling down: decide again right when the cooldown ends, not at the next poll after it.
    const until = decision.reasons.find((r) => r.code === KEDA.ScalerCooldown)?.data?.until;
    if (typeof until === 'number') this.loop.wakeAt(until + 1);
    this.#opts.onDecision?.(this.so, decision);
  }

  /**
   * Idle at zero: no replicas before or after, no trigger active, none failing, no event. Time
   * moves nothing there (cooldowns, stabilization windows and the initial cooldown only act on
   * replicas above zero; fallback needs failures), so the same readings decide the same. The
   * wait-time policy reads worker counters every round: never quiet.
   */
  protected override repeatable(
    { decision, current }: Decided<ScaledObjectDecision>,
    readings: readonly ScalerReading[],
  ): boolean {
    return (
      current === 0 &&
      decision.desiredReplicas === 0 &&
      !decision.isActive &&
      decision.events.length === 0 &&
      !this.#workerTotals &&
      readings.every((r) => r.error === undefined)
    );
  }

  /** The target still has no replica (nobody scaled it meanwhile) and the status is written. */
  protected override stillRepeatable(): boolean {
    return this.#opts.target.currentReplicas() === 0 && (this.#opts.settled?.() ?? true);
  }

  /**
   * The decision without its per-trigger outcomes and HPA metrics: status reads the replicas,
   * reasons and conditions; the rest was ~40 % of what an idle object kept between changes
   * (they go out with the round's record and status write, which are built before this).
   */
  protected override kept(d: ScaledObjectDecision): ScaledObjectDecision {
    return d.triggers.length === 0 && d.hpaMetrics.length === 0
      ? d
      : { ...d, triggers: NONE, hpaMetrics: NONE };
  }

  protected statusDetail(d: ScaledObjectDecision | undefined): Partial<ObjectStatus> {
    const t = this.#opts.target.status();
    return {
      target: scaleTargetLabel(this.so),
      ...(d ? { desiredReplicas: d.desiredReplicas } : {}),
      runningReplicas: t.currentReplicas,
      readyReplicas: t.readyReplicas,
      ...(t.lastError ? { error: t.lastError } : {}),
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
