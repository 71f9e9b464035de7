/**
 * Drives one ScaledJob: every round reads its triggers, counts unfinished and pending jobs,
 * asks the engine how many to start (KEDA's strategies plus tide's per-round and total caps),
 * starts them all at once, and cleans finished jobs beyond the history limits.
 */
import {
  decideScaledJob,
  INITIAL_SCALED_JOB_STATE,
  selectJobsToDelete,
  type ScaledJobDecision,
  type ScaledJobState,
} from '../engine/index.js';
import {
  failedJobsHistoryLimit,
  successfulJobsHistoryLimit,
  jobCaps,
} from '../manifests/defaults.js';
import type { ScaledJob } from '../manifests/types.js';
import { objectName } from '../manifests/types.js';
import type { ObjectStatus } from './status.js';
import type { JobTarget } from '../targets/target.js';
import { Controller, type ControllerOptions, type Decided } from './controller.js';
import { summarizeReasons } from './decision-log.js';
import { engineInputs } from './to-engine.js';
import type { ScalerReading } from './trigger-readings.js';

export interface ScaledJobControllerOptions extends ControllerOptions {
  sj: ScaledJob;
  target: JobTarget;
  state?: ScaledJobState;
  onDecision?: (sj: ScaledJob, d: ScaledJobDecision, created: number) => void;
}

export class ScaledJobController extends Controller<ScaledJobState, ScaledJobDecision> {
  readonly sj: ScaledJob;
  readonly #opts: ScaledJobControllerOptions;
  #jobsStarted = 0;

  constructor(opts: ScaledJobControllerOptions) {
    super({ kind: 'ScaledJob', object: opts.sj }, opts, opts.state ?? INITIAL_SCALED_JOB_STATE);
    this.#opts = opts;
    this.sj = opts.sj;
  }

  /** Jobs started since this controller began. */
  get jobsStarted(): number {
    return this.#jobsStarted;
  }

  protected decide(readings: ScalerReading[], state: ScaledJobState): Decided<ScaledJobDecision> {
    const jobs = this.#opts.target.list();
    const unfinished = jobs.filter((j) => j.state === 'Pending' || j.state === 'Running');
    const pending = unfinished.filter((j) => j.state === 'Pending').length;
    const decision = decideScaledJob({
      sj: this.sj,
      ...engineInputs(readings),
      runningJobs: unfinished.length,
      pendingJobs: pending,
      now: Date.now(),
      state,
      caps: jobCaps(this.sj),
    });
    return { decision, current: unfinished.length, decided: decision.jobsToCreate };
  }

  protected apply({ decision }: Decided<ScaledJobDecision>): void {
    if (decision.jobsToCreate <= 0) return;
    this.#opts.target.startJobs(decision.jobsToCreate);
    this.#jobsStarted += decision.jobsToCreate;
    this.logger.info(
      { jobs: decision.jobsToCreate },
      `${objectName(this.sj)}: started ${decision.jobsToCreate} job(s): ${summarizeReasons(decision.reasons)}`,
    );
  }

  protected async afterRecord(decision: ScaledJobDecision): Promise<void> {
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

  protected statusDetail(d: ScaledJobDecision | undefined): Partial<ObjectStatus> {
    return {
      ...(d ? { jobsCreated: d.jobsToCreate } : {}),
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
