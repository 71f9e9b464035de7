import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TargetError, errorMessage } from '../../errors.js';
import type {
  JobReason,
  JobRecord,
  JobState,
  JobTarget,
  TargetEvent,
  Termination,
} from '../target.js';
import {
  Backoff,
  JOB_RETRY_BACKOFF,
  KUBELET_RESTART_BACKOFF,
  type BackoffOptions,
} from './backoff.js';
import {
  ChildRun,
  LineLog,
  exitText,
  termination,
  type LineSink,
  type RunResult,
} from './child.js';
import { DEFAULT_GRACE_SECONDS, generateName, type ProcessSpec } from './process-spec.js';

/** A ScaledJob's `jobTargetRef`, resolved for local mode. */
export interface JobTemplate {
  /** Builds one job's process (the job name plays the pod's `metadata.name`). Called once per job. */
  makeJob(jobName: string): ProcessSpec;
  /**
   * `Never`: a failed attempt counts one failure and a new process starts after the Job
   * controller's backoff; the job is Pending meanwhile. `OnFailure`: the same job restarts in
   * place after the kubelet's backoff and stays Running. KEDA sets `OnFailure` when the
   * template leaves it empty, hence the default.
   * @default 'OnFailure'
   */
  restartPolicy?: 'Never' | 'OnFailure';
  /**
   * As the Job controller counts it: with `Never` the job fails when failures exceed the limit
   * (limit 2 = at most 3 attempts); with `OnFailure` when restarts reach it (at least one).
   * @default 6
   */
  backoffLimit?: number;
  /** Seconds from the job's start after which it is killed (whole group) and Failed with `DeadlineExceeded`. */
  activeDeadlineSeconds?: number;
  /** The ScaledJob's `metadata.generation`, stamped on each job for rollout. */
  generation: number;
}

export interface JobRunnerOptions {
  /** `ScaledJob namespace/name`. */
  objectName: string;
  /** Job names are `<jobNamePrefix>-<5 random chars>`; use the ScaledJob's name. */
  jobNamePrefix: string;
  template: JobTemplate;
  /** Folder for `<job>.log` files; created if missing. */
  logDir: string;
  onLine?: LineSink;
  onEvent?: (event: TargetEvent) => void;
  /** Delay before a new attempt with `restartPolicy: Never`. @default JOB_RETRY_BACKOFF (10 s doubling to 6 min) */
  retryBackoff?: BackoffOptions;
  /** Delay before an in-place restart with `OnFailure`. @default KUBELET_RESTART_BACKOFF */
  restartBackoff?: BackoffOptions;
}

interface Job {
  id: string;
  name: string;
  seq: number;
  template: JobTemplate;
  state: JobState;
  reason?: JobReason;
  attempts: number;
  failures: number;
  startTime: Date;
  completionTime?: Date;
  exitCode?: number | null;
  lastTermination?: Termination;
  spec?: ProcessSpec;
  run?: ChildRun;
  attemptStartedAt?: Date;
  retryTimer?: NodeJS.Timeout;
  deadlineTimer?: NodeJS.Timeout;
  backoff: Backoff;
  log: LineLog;
  /** Why tide is ending it (deadline, shutdown, delete); the attempt's exit then decides nothing. */
  ending?: JobReason | 'Deleted';
}

/** First attempts spawned per event-loop turn. */
const SPAWN_BATCH = 10;

/** setTimeout fires at once above this (about 24.8 days); such deadlines are not armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A ScaledJob's jobs as local child processes: one process group per attempt, exit code 0 =
 * succeeded. The engine decides how many to start and which finished ones to delete; this
 * applies it. `startJobs(n)` spawns all `n` at once.
 */
export class JobRunner implements JobTarget {
  readonly name: string;
  readonly #opts: JobRunnerOptions;
  #template: JobTemplate;
  readonly #jobs = new Map<string, Job>();
  /** Names in use, so a new name never repeats a recorded one. */
  readonly #names = new Set<string>();
  #seq = 0;
  #stopped = false;
  /** First attempts not spawned yet (see #drainSpawns). */
  #toSpawn: Job[] = [];
  #drainScheduled = false;

  constructor(opts: JobRunnerOptions) {
    this.#opts = opts;
    this.name = opts.objectName;
    this.#template = opts.template;
    mkdirSync(opts.logDir, { recursive: true });
  }

  /** Generation of the template new jobs get. */
  get generation(): number {
    return this.#template.generation;
  }

  /** A changed ScaledJob: jobs started from now on use `template`; running ones are untouched (rollout is the caller's `delete`). */
  setTemplate(template: JobTemplate): void {
    this.#template = template;
  }

  startJobs(n: number): JobRecord[] {
    if (!Number.isInteger(n) || n < 0) {
      throw new TargetError(
        this.name,
        `cannot start ${n} jobs: the count must be a whole number >= 0`,
      );
    }
    if (this.#stopped)
      throw new TargetError(this.name, 'cannot start jobs: the job runner is stopped');
    const created: Job[] = [];
    for (let i = 0; i < n; i++) created.push(this.#create());
    for (const job of created) this.#toSpawn.push(job);
    this.#drainSpawns();
    return created.map(toRecord);
  }

  /**
   * Spawns queued first attempts, SPAWN_BATCH per event-loop turn. Node's `spawn` blocks for
   * its fork/exec (about 2-10 ms each on a busy machine), so 1,000 jobs in one loop would
   * freeze polling, output and timers for seconds; batching keeps tide responsive while the
   * jobs still go out back to back. Queued jobs are `Pending`, which is what they are.
   */
  #drainSpawns(): void {
    const batch = this.#toSpawn.splice(0, SPAWN_BATCH);
    for (const job of batch) {
      if (!this.#stopped && !job.ending && job.state === 'Pending') this.#startAttempt(job);
    }
    if (this.#toSpawn.length > 0 && !this.#drainScheduled) {
      this.#drainScheduled = true;
      setImmediate(() => {
        this.#drainScheduled = false;
        this.#drainSpawns();
      });
    }
  }

  list(): JobRecord[] {
    return [...this.#jobs.values()].sort((a, b) => a.seq - b.seq).map(toRecord);
  }

  async delete(ids: readonly string[]): Promise<void> {
    const jobs = ids.map((id) => this.#jobs.get(id)).filter((j): j is Job => j !== undefined);
    await Promise.all(
      jobs.map(async (job) => {
        job.ending = 'Deleted';
        this.#clearTimers(job);
        if (job.run && !job.run.finished) await job.run.terminate(graceMs(job));
        this.#jobs.delete(job.id);
        this.#names.delete(job.name);
        await job.log.close();
        await rm(job.log.path, { force: true });
      }),
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#toSpawn = [];
    await Promise.all(
      [...this.#jobs.values()].map(async (job) => {
        if (isFinal(job.state)) return;
        job.ending ??= 'Stopped';
        this.#clearTimers(job);
        if (job.run && !job.run.finished) await job.run.terminate(graceMs(job));
        // The attempt's exit handler marks it Failed; a job waiting between attempts has none.
        if (!isFinal(job.state)) this.#fail(job, 'Stopped', 'stopped with tide');
      }),
    );
  }

  #create(): Job {
    const name = generateName(this.#opts.jobNamePrefix, (n) => this.#names.has(n));
    this.#names.add(name);
    const template = this.#template;
    const onFailure = (template.restartPolicy ?? 'OnFailure') === 'OnFailure';
    const job: Job = {
      id: randomUUID(),
      name,
      seq: this.#seq++,
      template,
      state: 'Pending',
      attempts: 0,
      failures: 0,
      startTime: new Date(),
      backoff: new Backoff(
        onFailure
          ? (this.#opts.restartBackoff ?? KUBELET_RESTART_BACKOFF)
          : (this.#opts.retryBackoff ?? JOB_RETRY_BACKOFF),
      ),
      log: new LineLog(join(this.#opts.logDir, `${name}.log`)),
    };
    this.#jobs.set(job.id, job);
    const deadline = template.activeDeadlineSeconds;
    if (deadline !== undefined && deadline * 1000 <= MAX_TIMER_MS) {
      job.deadlineTimer = setTimeout(() => this.#deadline(job), deadline * 1000);
    }
    return job;
  }

  #startAttempt(job: Job): void {
    job.attempts++;
    job.attemptStartedAt = undefined;
    try {
      job.spec ??= job.template.makeJob(job.name);
    } catch (e) {
      const err = new TargetError(
        this.name,
        `job ${job.name}: cannot build its process: ${errorMessage(e)}`,
        { cause: e },
      );
      this.#onAttemptEnd(job, undefined, {
        exitCode: null,
        signal: null,
        startError: err,
        requested: false,
        finishedAt: new Date(),
      });
      return;
    }
    const run = new ChildRun({
      spec: job.spec,
      name: job.name,
      objectName: this.name,
      log: job.log,
      onLine: this.#opts.onLine,
      onSpawn: (pid) => {
        if (job.run !== run || isFinal(job.state)) return;
        job.state = 'Running';
        job.attemptStartedAt = new Date();
        if (job.reason === 'BackOff') job.reason = undefined;
        this.#event(
          job.name,
          'Normal',
          'Started',
          `attempt ${job.attempts} started process ${pid}`,
        );
      },
    });
    job.run = run;
    void run.done.then((res) => this.#onAttemptEnd(job, run, res));
  }

  #onAttemptEnd(job: Job, run: ChildRun | undefined, res: RunResult): void {
    if (run && job.run !== run) return;
    if (job.ending === 'Deleted') return;
    job.lastTermination = termination(res);
    job.exitCode = res.exitCode;
    if (job.ending) return this.#fail(job, job.ending, `${job.ending}: ${exitText(res)}`);
    if (!res.startError && res.exitCode === 0) return this.#succeed(job);

    job.failures++;
    const why = res.startError ? res.startError.message : exitText(res);
    const limit = job.template.backoffLimit ?? 6;
    const onFailure = (job.template.restartPolicy ?? 'OnFailure') === 'OnFailure';
    // The Job controller's arithmetic: pod failures > limit (Never); restarts >= limit, at least one (OnFailure).
    const exceeded = onFailure ? job.failures >= Math.max(limit, 1) : job.failures > limit;
    if (exceeded)
      return this.#fail(
        job,
        'BackoffLimitExceeded',
        `attempt ${job.attempts} ${why}; backoffLimit ${limit} reached`,
      );

    const ranForMs = job.attemptStartedAt
      ? res.finishedAt.getTime() - job.attemptStartedAt.getTime()
      : 0;
    const delay = job.backoff.next(ranForMs);
    // With Never the failed pod is gone and the next one is not running yet (KEDA counts it
    // pending); with OnFailure the pod itself stays and restarts its container.
    job.state = onFailure ? 'Running' : 'Pending';
    job.reason = 'BackOff';
    this.#event(
      job.name,
      'Warning',
      'BackOff',
      `attempt ${job.attempts} ${why}; retrying in ${Math.round(delay / 1000)} s`,
    );
    job.retryTimer = setTimeout(() => {
      job.retryTimer = undefined;
      if (!isFinal(job.state) && !job.ending) this.#startAttempt(job);
    }, delay);
  }

  #deadline(job: Job): void {
    job.deadlineTimer = undefined;
    if (isFinal(job.state) || job.ending) return;
    job.ending = 'DeadlineExceeded';
    job.reason = 'DeadlineExceeded';
    clearTimeout(job.retryTimer);
    const secs = job.template.activeDeadlineSeconds ?? 0;
    this.#event(
      job.name,
      'Warning',
      'DeadlineExceeded',
      `Job was active longer than activeDeadlineSeconds (${secs} s)`,
    );
    // Failed once its process has exited (as Kubernetes >= 1.31 sets Failed after the pods are gone).
    if (job.run && !job.run.finished) void job.run.terminate(graceMs(job));
    else this.#fail(job, 'DeadlineExceeded', `active longer than ${secs} s`);
  }

  #succeed(job: Job): void {
    job.state = 'Succeeded';
    job.reason = undefined;
    job.completionTime = new Date();
    this.#clearTimers(job);
    void job.log.close();
    this.#event(job.name, 'Normal', 'Completed', `Job completed after ${job.attempts} attempt(s)`);
  }

  #fail(job: Job, reason: JobReason, message: string): void {
    job.state = 'Failed';
    job.reason = reason;
    job.completionTime = new Date();
    this.#clearTimers(job);
    void job.log.close();
    this.#event(job.name, 'Warning', reason, message);
  }

  #clearTimers(job: Job): void {
    clearTimeout(job.retryTimer);
    clearTimeout(job.deadlineTimer);
    job.retryTimer = undefined;
    job.deadlineTimer = undefined;
  }

  #event(subject: string, type: TargetEvent['type'], reason: string, message: string): void {
    try {
      this.#opts.onEvent?.({ object: this.name, subject, type, reason, message });
    } catch {
      // Reporting must never break the runner.
    }
  }
}

function isFinal(s: JobState): boolean {
  return s === 'Succeeded' || s === 'Failed';
}

function graceMs(job: Job): number {
  return (job.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
}

function toRecord(j: Job): JobRecord {
  return {
    id: j.id,
    name: j.name,
    state: j.state,
    reason: j.reason,
    attempts: j.attempts,
    failures: j.failures,
    startTime: j.startTime,
    completionTime: j.completionTime,
    exitCode: j.exitCode,
    generation: j.template.generation,
    pid: j.run?.pid,
    lastTermination: j.lastTermination,
    logFile: j.log.path,
  };
}
