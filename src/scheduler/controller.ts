/**
 * The lifecycle every tide controller shares: a TriggerReader and a PollLoop, start/stop/wake,
 * and each round's header (read the triggers, decide, apply), its decision record and the
 * status. A kind (ScaledObject, ScaledJob) only says how to decide, how to apply a decision and
 * what follows a round, through the hooks below.
 */
import type { Logger } from 'pino';
import type { Condition, Reason } from '../engine/index.js';
import { errorMessage } from '../errors.js';
import { pollingIntervalSeconds } from '../manifests/defaults.js';
import type { ManifestSet, ScaledJob, ScaledObject } from '../manifests/types.js';
import type { ObjectStatus } from './status.js';
import type { ConnectionPool, LocalReplicas, PodMetricsSource } from '../scalers/core/types.js';
import type { RoundObservation } from '../observe/types.js';
import { DecisionRing, summarizeReasons, type DecisionRecord } from './decision-log.js';
import { PollLoop } from './loop.js';
import { fallbackMetricName, triggerStatuses } from './to-engine.js';
import { TriggerReader, type ScalerReading } from './trigger-readings.js';
import type { PushState } from '../scalers/core/types.js';

/** The options both kinds of controller take. */
export interface ControllerOptions {
  set: ManifestSet;
  pool: ConnectionPool;
  logger: Logger;
  /** Every round's decision record with its raw readings (decision log, metrics). */
  onRecord?: (round: RoundObservation) => void;
  /**
   * Records kept in `decisions`: the last by default, since the DecisionLog keeps the history;
   * 0 keeps none (the operator: its DecisionLog is where records are read). @default 1
   */
  decisionRingSize?: number;
}

/** What the base needs of an engine decision. */
export interface EngineDecision<State> {
  readonly reasons: readonly Reason[];
  readonly isActive: boolean;
  readonly state: State;
  readonly conditions: { readonly paused: Condition };
}

/** A kind's decision with the two numbers its record keeps (see DecisionRecord). */
export interface Decided<Decision> {
  decision: Decision;
  /** Replicas before the decision, or unfinished jobs. */
  current: number;
  /** Desired replicas, or jobs to create. */
  decided: number;
}

/** What the base passes to the TriggerReader beyond the owner: cpu/memory sources. */
interface ReaderSources {
  localReplicas?: LocalReplicas | undefined;
  podMetrics?: PodMetricsSource | undefined;
}

export abstract class Controller<State, Decision extends EngineDecision<State>> {
  readonly decisions: DecisionRing;
  protected readonly reader: TriggerReader;
  protected readonly loop: PollLoop;
  protected readonly logger: Logger;
  readonly #kind: 'ScaledObject' | 'ScaledJob';
  readonly #owner: ScaledObject | ScaledJob;
  readonly #onRecord: ((round: RoundObservation) => void) | undefined;
  readonly #keepRecords: boolean;
  /** `Kind/namespace/name` for the observers (see RoundObservation.key). */
  readonly #key: string;
  #state: State;
  #lastReadings: ScalerReading[] = [];
  #lastDecision: Decision | undefined;
  /** `decided` of the round that set #lastDecision. */
  #lastDecided = NaN;
  /** ms since epoch (a Date kept per round is one more object living a whole interval). */
  #lastRoundAt: number | undefined;
  #error: string | undefined;
  /** The last full round's record, repeated by a quiet round (see #round). */
  #lastRecord: DecisionRecord | undefined;
  /** Whether the next round, if its readings equal the last, may repeat its decision. */
  #repeatable = false;

  /** The metric name of each trigger as of the last round (what `status()` reports, cheaply). */
  metricNames(): string[] {
    return this.#lastReadings.map((r) => r.specs[0]?.name ?? fallbackMetricName(r));
  }

  protected constructor(
    owner:
      { kind: 'ScaledObject'; object: ScaledObject } | { kind: 'ScaledJob'; object: ScaledJob },
    opts: ControllerOptions,
    state: State,
    sources: ReaderSources = {},
  ) {
    this.#kind = owner.kind;
    this.#owner = owner.object;
    this.#key = `${owner.kind}/${owner.object.metadata.namespace}/${owner.object.metadata.name}`;
    this.#onRecord = opts.onRecord;
    this.#state = state;
    this.logger = opts.logger;
    this.decisions = new DecisionRing(opts.decisionRingSize ?? 1);
    this.#keepRecords = (opts.decisionRingSize ?? 1) > 0;
    const intervalMs = pollingIntervalSeconds(owner.object) * 1000;
    this.reader = new TriggerReader({
      owner: owner.object,
      set: opts.set,
      pool: opts.pool,
      logger: opts.logger,
      now: () => Date.now(),
      timeoutMs: Math.max(3_000, Math.min(intervalMs, 30_000)),
      ...(sources.localReplicas ? { localReplicas: sources.localReplicas } : {}),
      ...(sources.podMetrics ? { podMetrics: sources.podMetrics } : {}),
    });
    this.loop = new PollLoop({
      intervalMs,
      round: (signal) => this.#round(signal),
      onError: (e) => {
        this.#error = errorMessage(e);
        opts.logger.error({ err: this.#error }, 'round failed');
      },
    });
  }

  get state(): State {
    return this.#state;
  }

  start(): void {
    this.loop.start();
    this.reader.watchAll(this.loop.signal, () => this.loop.wake());
  }

  /** Runs a round now (a push wake-up, or a test). */
  wake(): void {
    this.loop.wake();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.reader.close();
  }

  /** Asks the engine; `undefined` when the round was aborted meanwhile. */
  protected abstract decide(
    readings: ScalerReading[],
    state: State,
    signal: AbortSignal,
  ): Promise<Decided<Decision> | undefined> | Decided<Decision>;

  /** Carries the decision out on the target. */
  protected abstract apply(round: Decided<Decision>, signal: AbortSignal): Promise<void> | void;

  /** What follows the round's record: events, alarms, the caller's callback, cleanup. */
  protected abstract afterRecord(decision: Decision): Promise<void> | void;

  /**
   * Whether a round that left the state unchanged decided something time cannot change, so
   * that the same readings will get the same decision at any later time (see #round). A kind
   * answers false unless it knows; the default.
   */
  protected repeatable(_round: Decided<Decision>, _readings: readonly ScalerReading[]): boolean {
    return false;
  }

  /** Checked before a quiet round: what `repeatable` assumed still holds (the target's replicas...). */
  protected stillRepeatable(): boolean {
    return true;
  }

  /**
   * What is kept of a decision until the next one that differs (status and `sameOutcome` read
   * it): a kind may drop what neither reads. The default keeps it whole.
   */
  protected kept(decision: Decision): Decision {
    return decision;
  }

  /** The kind's own status fields; an `error` here is shown only when the round had none. */
  protected abstract statusDetail(decision: Decision | undefined): Partial<ObjectStatus>;

  async #round(signal: AbortSignal): Promise<void> {
    const startedAt = Date.now();
    const readings = await this.reader.readAll(signal);
    if (signal.aborted) return;
    // A quiet round: the engine is pure, and the last round left its state as it found it in
    // a case the kind says time cannot change (an idle ScaledObject at zero), so the same
    // readings get the same decision; it is repeated without asking the engine again. At
    // thousands of idle objects polled every second, the engine, its record and the status
    // key were most of a round's cost.
    if (
      this.#repeatable &&
      this.#lastRecord &&
      sameReadings(this.#lastReadings, readings) &&
      this.stillRepeatable()
    ) {
      this.#emit({ ...this.#lastRecord, at: this.#stamp() }, readings, startedAt);
      return;
    }
    this.#repeatable = false;
    const stateBefore = this.#state;
    const round = await this.decide(readings, this.#state, signal);
    if (!round || signal.aborted) return;
    const { decision } = round;
    this.#state = decision.state;
    // What status reads is kept from the last round that changed it: a round that repeats
    // the last one leaves its copies to die young instead of keeping them until the next
    // round (at thousands of objects polled every second, that garbage reached the old
    // generation and its collections were a large part of the CPU).
    if (!sameReadings(this.#lastReadings, readings)) this.#lastReadings = readings;
    if (
      !this.#lastDecision ||
      this.#lastDecided !== round.decided ||
      !sameOutcome(this.#lastDecision, decision)
    ) {
      this.#lastDecision = this.kept(decision);
      this.#lastDecided = round.decided;
    }
    const at = this.#stamp();
    await this.apply(round, signal);
    if (signal.aborted) return;
    const record: DecisionRecord = {
      at,
      current: round.current,
      decided: round.decided,
      isActive: decision.isActive,
      triggers: triggerStatuses(readings),
      reasons: [...decision.reasons],
    };
    this.#lastRecord = record;
    this.#emit(record, readings, startedAt);
    await this.afterRecord(decision);
    this.#repeatable = decision.state === stateBefore && this.repeatable(round, readings);
  }

  /** Marks the round done now; its record's `at`. */
  #stamp(): string {
    const at = Date.now();
    this.#lastRoundAt = at;
    this.#error = undefined;
    return isoStamp(at);
  }

  #emit(record: DecisionRecord, readings: ScalerReading[], startedAt: number): void {
    if (this.#keepRecords) this.decisions.push(record);
    this.#onRecord?.({
      kind: this.#kind,
      namespace: this.#owner.metadata.namespace,
      name: this.#owner.metadata.name,
      record,
      readings,
      durationMs: Date.now() - startedAt,
      key: this.#key,
    });
  }

  status(): ObjectStatus {
    const d = this.#lastDecision;
    const detail = this.statusDetail(d);
    const error = this.#error ?? detail.error;
    return {
      kind: this.#kind,
      namespace: this.#owner.metadata.namespace,
      name: this.#owner.metadata.name,
      triggers: triggerStatuses(this.#lastReadings, (i) => this.reader.pushState(i)),
      ...detail,
      ...(d ? { lastReason: summarizeReasons(d.reasons) } : {}),
      ...(this.#lastRoundAt !== undefined
        ? { lastRoundAt: new Date(this.#lastRoundAt).toISOString() }
        : {}),
      ...(d ? { paused: d.conditions.paused.status === 'True' } : {}),
      ...(error ? { error } : {}),
    };
  }
}

let lastStamp = { at: NaN, iso: '' };
/**
 * `new Date(at).toISOString()`, one string for all the rounds of the same millisecond: each
 * object keeps its last record's stamp, and rounds due together end together (thousands of
 * copies of a few hundred distinct stamps).
 */
function isoStamp(at: number): string {
  if (lastStamp.at !== at) lastStamp = { at, iso: new Date(at).toISOString() };
  return lastStamp.iso;
}

/** Two rounds' readings alike in what status shows (all but read latency). */
function sameReadings(a: readonly ScalerReading[], b: readonly ScalerReading[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.index !== y.index ||
      x.specs !== y.specs ||
      x.isActive !== y.isActive ||
      x.error !== y.error ||
      x.failingSince !== y.failingSince ||
      x.failedRounds !== y.failedRounds ||
      !samePush(x.push, y.push)
    )
      return false;
    const mx = x.metrics ?? [];
    const my = y.metrics ?? [];
    if (mx.length !== my.length) return false;
    for (let k = 0; k < mx.length; k++)
      if (mx[k]!.name !== my[k]!.name || mx[k]!.value !== my[k]!.value) return false;
  }
  return true;
}

function samePush(a: PushState | undefined, b: PushState | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.mode !== b.mode) return false;
  return a.mode !== 'polling only' || a.reason === (b as typeof a).reason;
}

/** Two decisions alike in what status reads of them: activity, reasons, conditions, state. */
function sameOutcome<State>(a: EngineDecision<State>, b: EngineDecision<State>): boolean {
  if (a.isActive !== b.isActive || a.state !== b.state) return false;
  if (a.reasons.length !== b.reasons.length) return false;
  for (let i = 0; i < a.reasons.length; i++)
    if (
      a.reasons[i]!.code !== b.reasons[i]!.code ||
      a.reasons[i]!.message !== b.reasons[i]!.message
    )
      return false;
  const ca = a.conditions as unknown as Record<string, Condition>;
  const cb = b.conditions as unknown as Record<string, Condition>;
  for (const k of Object.keys(ca)) {
    const x = ca[k]!;
    const y = cb[k];
    if (!y || x.status !== y.status || x.reason !== y.reason || x.message !== y.message)
      return false;
  }
  return true;
}
