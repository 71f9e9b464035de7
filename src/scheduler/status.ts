/** What `tide status --json` returns, and what the live terminal view and the dashboard show. */

export interface TriggerStatus {
  index: number;
  type: string;
  name?: string;
  metricName?: string;
  value?: number;
  target?: number;
  targetType?: string;
  active?: boolean;
  /** The last read's error (scrubbed: never a secret). */
  error?: string;
  /** While failing: since when (ISO time) and how many rounds in a row. */
  failingSince?: string;
  failedRounds?: number;
  /** Push wake-ups: `on`, or `polling only` (then `pushReason` says why); absent if it cannot push. */
  push?: 'on' | 'polling only';
  pushReason?: string;
}

export interface ReplicaStatus {
  name: string;
  state: string;
  pid?: number;
  restarts: number;
  startedAt?: string;
}

export interface JobStatus {
  name: string;
  state: string;
  attempts: number;
  startTime?: string;
  completionTime?: string;
  exitCode?: number;
  reason?: string;
}

export interface ObjectStatus {
  kind: 'ScaledObject' | 'ScaledJob' | 'Deployment' | 'StatefulSet';
  namespace: string;
  name: string;
  /** `Deployment default/celery-worker` for ScaledObjects; the job template for ScaledJobs. */
  target?: string;
  triggers: TriggerStatus[];
  desiredReplicas?: number;
  runningReplicas?: number;
  readyReplicas?: number;
  /** Jobs started in the last round (ScaledJobs). */
  jobsCreated?: number;
  lastReason?: string;
  lastRoundAt?: string;
  paused?: boolean;
  error?: string;
  replicas?: ReplicaStatus[];
  jobs?: JobStatus[];
}

export interface TideStatus {
  pid: number;
  startedAt: string;
  manifests: string[];
  objects: ObjectStatus[];
  /** Manifest files whose last change was rejected, with the errors (everything else kept running). */
  rejected: { file: string; errors: string[] }[];
  /**
   * Warnings from the last load: what KEDA accepts but will not work as written (an address
   * without a port, ...). Absent from older tide processes.
   */
  warnings?: string[];
  /** The dashboard's URL (without any token), when it is on. */
  dashboard?: string;
}
