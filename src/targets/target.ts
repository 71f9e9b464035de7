/**
 * What the scheduler drives. The engine decides (desired replicas, jobs to start, jobs to clean
 * up); a target applies the decision and reports what really runs. Local mode implements these
 * with child processes (`local/process-pool.ts`, `local/job-runner.ts`); Kubernetes mode will
 * implement the same interfaces with the `/scale` subresource and `batch/v1` Jobs, so nothing
 * here mentions processes, pids or signals.
 */

/**
 * Lifecycle of one replica (a pod, locally a child process group):
 * - `Starting`: created, the process is not confirmed running yet (no `spawn` event yet).
 * - `Running`: the process runs; counts as ready (there are no probes locally).
 * - `CrashLoopBackOff`: it exited without being asked to (or could not start) and waits for
 *   its restart delay, as the kubelet does. `restarts` and `lastTermination` say why.
 * - `Terminating`: scale-in or stop asked it to go: SIGTERM sent, SIGKILL after the grace
 *   period. It no longer counts in `currentReplicas`; it leaves the list once it has exited.
 *
 * There is no `Completed` state for replicas: a Deployment's pods always restart
 * (`restartPolicy: Always`), so a clean exit shows as `CrashLoopBackOff` with
 * `lastTermination.reason === 'Completed'`, exactly as `kubectl get pods` shows it.
 */
export type ReplicaState = 'Starting' | 'Running' | 'CrashLoopBackOff' | 'Terminating';

/** Why a process ended, as the kubelet names it in `lastState.terminated.reason`. */
export type TerminationReason =
  /** exit code 0 */
  | 'Completed'
  /** non-zero exit code, or killed by a signal it was not sent by tide */
  | 'Error'
  /** the command could not be started (missing executable, bad working directory) */
  | 'StartError';

export interface Termination {
  reason: TerminationReason;
  exitCode: number | null;
  signal: string | null;
  finishedAt: Date;
  /** For `StartError`: what went wrong, naming the command and the object; never env values. */
  message?: string;
}

export interface ReplicaStatus {
  /** The pod name: `<podNamePrefix>-<5 random chars>`. */
  name: string;
  state: ReplicaState;
  /** Process id of the current run (group leader), when one runs. */
  pid?: number;
  /** How many times it was restarted after an unexpected exit. */
  restarts: number;
  /** When the replica was created (the pod's creationTimestamp). */
  createdAt: Date;
  /** When the current run started (spawn confirmed). */
  startedAt?: Date;
  lastTermination?: Termination;
  /** In `CrashLoopBackOff`: when the next restart is due. */
  nextRestartAt?: Date;
  /** Log file of this replica (local mode), appended across restarts. */
  logFile?: string;
}

export interface TargetStatus {
  /** `Kind namespace/name` of the scaled workload. */
  name: string;
  desiredReplicas: number;
  currentReplicas: number;
  readyReplicas: number;
  replicas: ReplicaStatus[];
  /** The reason given with the last `scaleTo`, for `tide status` and the dashboard. */
  lastScaleReason?: string;
  /** The last failure to apply a decision (e.g. a command that cannot start). */
  lastError?: string;
}

/**
 * What the controller knows about the replicas' work when it shrinks a target: running tasks
 * per replica (pod) name, from the workers themselves (`Scaler.workerLoad`). Replicas absent
 * from `busy` are idle or unknown. Kubernetes' ReplicaSet ranks pods only by readiness and age
 * (and `controller.kubernetes.io/pod-deletion-cost`), so it kills busy pods as readily as idle
 * ones (KEDA issue #157); with this hint idle replicas go first.
 */
export interface ScaleInHint {
  readonly busy: ReadonlyMap<string, number>;
}

/** What a ScaledObject scales: a Deployment, StatefulSet, or anything with `/scale`. */
export interface ScaleTarget {
  /** `Kind namespace/name`, e.g. `Deployment default/celery-worker`. */
  readonly name: string;
  /** Replicas that exist and are not terminating (Kubernetes `.status.replicas`, minus terminating pods). */
  currentReplicas(): number;
  /** Replicas running and ready (`.status.readyReplicas`). */
  readyReplicas(): number;
  /**
   * Sets the desired replica count and returns at once; the target converges asynchronously.
   * Idempotent: the same `n` twice changes nothing. `reason` is kept for status. `hint` says
   * which replicas are busy, so a scale-in removes idle ones first.
   */
  scaleTo(n: number, reason?: string, hint?: ScaleInHint): void;
  status(): TargetStatus;
  /** Terminates every replica gracefully (in parallel); resolves when all have exited. */
  stop(): Promise<void>;
}

/**
 * Lifecycle of one job (a `batch/v1` Job, locally a child process group per attempt):
 * - `Pending`: started, but no process of it is confirmed running: just created, or waiting
 *   for its retry delay after a failed attempt with `restartPolicy: Never`. This is KEDA's
 *   "pending" (a Job with no pod Running or Succeeded); strategies like `accurate` subtract it.
 * - `Running`: a process runs (with `OnFailure`, also while the process waits to restart in
 *   place: the pod is still Running in Kubernetes terms).
 * - `Succeeded`: an attempt exited 0.
 * - `Failed`: too many failures (`BackoffLimitExceeded`), `DeadlineExceeded`, `StartError`
 *   past the limit, or `Stopped` by shutdown.
 *
 * KEDA's "running" count is every job that is neither Succeeded nor Failed.
 */
export type JobState = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** Why a job is where it is (Kubernetes Job condition reasons where one exists). */
export type JobReason =
  /** Pending between two attempts (restartPolicy Never) or Running waiting for an in-place restart. */
  | 'BackOff'
  | 'BackoffLimitExceeded'
  | 'DeadlineExceeded'
  /** Killed because the target stopped (`tide up` exiting). */
  | 'Stopped';

export interface JobRecord {
  /** Unique id (the Job's uid). */
  id: string;
  /** The Job name: `<scaledjob>-<5 random chars>`. */
  name: string;
  state: JobState;
  reason?: JobReason;
  /** Processes (pods, or in-place restarts with OnFailure) started so far, including the current one. */
  attempts: number;
  /** Attempts that failed (non-zero exit, signal, or could not start). */
  failures: number;
  /** When `startJobs` created it (the Job's `status.startTime`; the deadline counts from here). */
  startTime: Date;
  /** When it became Succeeded or Failed. */
  completionTime?: Date;
  /** Exit code of the last attempt that ended (null when killed by a signal). */
  exitCode?: number | null;
  /** The ScaledJob generation whose template this job runs (KEDA's `scaledjob.keda.sh/generation`). */
  generation: number;
  /** Process id of the running attempt, if any. */
  pid?: number;
  /** Last attempt's termination, with the start error message if it could not start. */
  lastTermination?: Termination;
  /** Log file of this job (local mode); every attempt appends to it. */
  logFile?: string;
}

/** What a ScaledJob drives: something that starts jobs from a template. */
export interface JobTarget {
  /** `ScaledJob namespace/name`. */
  readonly name: string;
  /** Starts `n` jobs at once, in parallel, from the current template; returns their records (Pending). */
  startJobs(n: number): JobRecord[];
  /** Every job still recorded: pending, running, succeeded and failed, oldest first. Copies. */
  list(): JobRecord[];
  /**
   * Deletes jobs (history cleanup, rollout): kills running ones gracefully (SIGTERM, grace,
   * SIGKILL), then removes their records and logs. Unknown ids are ignored.
   */
  delete(ids: readonly string[]): Promise<void>;
  /** Kills every running job gracefully; no job starts afterwards. Records stay listable. */
  stop(): Promise<void>;
}

/** Something worth telling the user, shaped like a Kubernetes Event. Never contains env values. */
export interface TargetEvent {
  /** `Kind namespace/name` of the target object. */
  object: string;
  /** Replica or job name the event is about. */
  subject: string;
  type: 'Normal' | 'Warning';
  /** Kubernetes-style reason: `Started`, `Killing`, `BackOff`, `Failed`, `Completed`, `DeadlineExceeded`... */
  reason: string;
  message: string;
}

/** Where a child's output line came from. */
export type OutputStream = 'stdout' | 'stderr';
