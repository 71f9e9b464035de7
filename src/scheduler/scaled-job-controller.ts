/**
 * Drives one ScaledJob: every round reads its triggers, counts unfinished and pending jobs,
 * asks the engine how many to start (KEDA's strategies plus tide's per-round and total caps),
 * starts them all at once, and cleans finished jobs beyond the history limits.
 */
import type { Logger } from 'pino';
import {
  decideScaledJob,
  INITIAL_SCALED_JOB_STATE,
  selectJobsToDelete,
  type ScaledJobDecision,
  type ScaledJobState,
} from '../engine/index.js';
import { errorMessage } from '../errors.js';
import {
  failedJobsHistoryLimit,
  pollingIntervalSeconds,
  successfulJobsHistoryLimit,
  jobCaps,
} from '../manifests/defaults.js';
import type { ManifestSet, ScaledJob } from '../manifests/types.js';
import { objectName } from '../manifests/types.js';
import type { ObjectStatus } from './status.js';
import type { ConnectionPool } from '../scalers/core/types.js';
import type { RoundObservation } from '../observe/types.js';
import type { JobTarget } from '../targets/target.js';
import { DecisionRing, summarizeReasons } from './decision-log.js';
import { PollLoop } from './loop.js';
import { engineInputs, triggerStatuses } from './to-engine.js';
import { TriggerReader, type ScalerReading } from './trigger-readings.js';

export interface ScaledJobControllerOptions {
  sj: ScaledJob;
  set: ManifestSet;
  target: JobTarget;
  pool: ConnectionPool;
  logger: Logger;
  state?: ScaledJobState;
  onDecision?: (sj: ScaledJob, d: ScaledJobDecision, created: number) => void;
  /** Every round's decision record with its raw readings (decision log, metrics). */
  onRecord?: (round: RoundObservation) => void;
  /** Records kept in `decisions`: the last by default, since the DecisionLog keeps the history. @default 1 */
  decisionRingSize?: number;
}

export class ScaledJobController {
  readonly sj: ScaledJob;
  readonly decisions: DecisionRing;
  readonly #opts: ScaledJobControllerOptions;
  readonly #reader: TriggerReader;
  readonly #loop: PollLoop;
  #state: ScaledJobState;
  #lastReadings: ScalerReading[] = [];
  #lastDecision: ScaledJobDecision | undefined;
  #lastRoundAt: Date | undefined;
  #error: string | undefined;
  #jobsStarted = 0;

  constructor(opts: ScaledJobControllerOptions) {
    this.#opts = opts;
    this.decisions = new DecisionRing(opts.decisionRingSize ?? 1);
    this.sj = opts.sj;
    this.#state = opts.state ?? INITIAL_SCALED_JOB_STATE;
    this.#reader = new TriggerReader({
      owner: opts.sj,
      set: opts.set,
      pool: opts.pool,
      logger: opts.logger,
      now: () => Date.now(),
      timeoutMs: Math.max(3_000, Math.min(pollingIntervalSeconds(opts.sj) * 1000, 30_000)),
    });
    this.#loop = new PollLoop({
      intervalMs: pollingIntervalSeconds(opts.sj) * 1000,
      round: (signal) => this.#round(signal),
      onError: (e) => {
        this.#error = errorMessage(e);
        opts.logger.error({ err: this.#error }, 'round failed');
      },
    });
  }

  get state(): ScaledJobState {
    return this.#state;
  }

  /** Jobs started since this controller began. */
  get jobsStarted(): number {
    return this.#jobsStarted;
  }

  start(): void {
    this.#loop.start();
    this.#reader.watchAll(this.#loop.signal, () => this.#loop.wake());
  }

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
    if (signal.aborted) return;
    const { target } = this.#opts;
    const jobs = target.list();
    const unfinished = jobs.filter((j) => j.state === 'Pending' || j.state === 'Running');
    const pending = unfinished.filter((j) => j.state === 'Pending').length;
    const decision = decideScaledJob({
      sj: this.sj,
      ...engineInputs(readings),
      runningJobs: unfinished.length,
      pendingJobs: pending,
      now: Date.now(),
      state: this.#state,
      caps: jobCaps(this.sj),
    });
    this.#state = decision.state;
    this.#lastReadings = readings;
    this.#lastDecision = decision;
    this.#lastRoundAt = new Date();
    this.#error = undefined;
    if (decision.jobsToCreate > 0) {
      target.startJobs(decision.jobsToCreate);
      this.#jobsStarted += decision.jobsToCreate;
      this.#opts.logger.info(
        { jobs: decision.jobsToCreate },
        `${objectName(this.sj)}: started ${decision.jobsToCreate} job(s): ${summarizeReasons(decision.reasons)}`,
      );
    }
    const record = {
      at: this.#lastRoundAt.toISOString(),
      current: unfinished.length,
      decided: decision.jobsToCreate,
      isActive: decision.isActive,
      triggers: triggerStatuses(readings),
      reasons: [...decision.reasons],
    };
    this.decisions.push(record);
    this.#opts.onRecord?.({
      kind: 'ScaledJob',
      namespace: this.sj.metadata.namespace,
      name: this.sj.metadata.name,
      record,
      readings,
      durationMs: Date.now() - startedAt,
    });
    this.#opts.onDecision?.(this.sj, decision, decision.jobsToCreate);
    await this.cleanupHistory();
  }

  /** KEDA's history cleanup: oldest finished jobs beyond each limit go, with their logs. */
  async cleanupHistory(): Promise<void> {
    const finished = this.#opts.target
      .list()
      .filter((j) => j.state === 'Succeeded' || j.state === 'Failed')
      .map((j) => ({
        id: j.id,
        succeeded: j.state === 'Succeeded',
        ...(j.completionTime ? { completionTime: j.completionTime.getTime() } : {}),
      }));
    const ids = selectJobsToDelete(finished, {
      successful: successfulJobsHistoryLimit(this.sj),
      failed: failedJobsHistoryLimit(this.sj),
    });
    if (ids.length) await this.#opts.target.delete(ids);
  }

  status(): ObjectStatus {
    const d = this.#lastDecision;
    return {
      kind: 'ScaledJob',
      namespace: this.sj.metadata.namespace,
      name: this.sj.metadata.name,
      triggers: triggerStatuses(this.#lastReadings, (i) => this.#reader.pushState(i)),
      ...(d ? { jobsCreated: d.jobsToCreate, lastReason: summarizeReasons(d.reasons) } : {}),
      ...(this.#lastRoundAt ? { lastRoundAt: this.#lastRoundAt.toISOString() } : {}),
      ...(d ? { paused: d.conditions.paused.status === 'True' } : {}),
      ...(this.#error ? { error: this.#error } : {}),
      jobs: this.#opts.target.list().map((j) => ({
        name: j.name,
        state: j.state,
        attempts: j.attempts,
        startTime: j.startTime.toISOString(),
        ...(j.completionTime ? { completionTime: j.completionTime.toISOString() } : {}),
        ...(typeof j.exitCode === 'number' ? { exitCode: j.exitCode } : {}),
        ...(j.reason ? { reason: j.reason } : {}),
      })),
    };
  }
}
