/**
 * Pure choices about existing Jobs: which count as pending (KEDA `getPendingJobCount`), which
 * finished ones history cleanup deletes (§2.6), and which a rollout deletes (§2.7). The
 * targets (local runner, Kubernetes) gather the facts and apply the result.
 */

/** What a pending check needs to know about one unfinished Job's pods. */
export interface JobPods {
  readonly pods: readonly {
    /** Pod phase: Pending, Running, Succeeded, Failed, Unknown. */
    readonly phase: string;
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
  }[];
}

/**
 * KEDA: without `pendingPodConditions`, a Job is pending while none of its pods is Running or
 * Succeeded; with them, while no single pod has *all* listed conditions True. A Job with no
 * pods yet is pending either way.
 */
export function isJobPending(job: JobPods, pendingPodConditions: readonly string[] = []): boolean {
  if (pendingPodConditions.length === 0)
    return !job.pods.some((p) => p.phase === 'Running' || p.phase === 'Succeeded');
  const fulfilled = job.pods.some((p) =>
    pendingPodConditions.every((c) =>
      (p.conditions ?? []).some((pc) => pc.type === c && pc.status === 'True'),
    ),
  );
  return !fulfilled;
}

export interface FinishedJob {
  readonly id: string;
  /** True for Complete, false for Failed. */
  readonly succeeded: boolean;
  /** ms since epoch; a Job without one sorts as the oldest. */
  readonly completionTime?: number;
}

/**
 * History cleanup: per kind (successful, failed), sort by completion time ascending and delete
 * the oldest `count − limit`. Limits default to 100; 0 keeps none. Running Jobs are never passed in.
 */
export function selectJobsToDelete(
  finished: readonly FinishedJob[],
  limits: { readonly successful?: number; readonly failed?: number } = {},
): string[] {
  const pick = (ok: boolean, limit: number): string[] => {
    const jobs = finished
      .filter((j) => j.succeeded === ok)
      .slice()
      .sort(
        (a, b) =>
          (a.completionTime ?? -Infinity) - (b.completionTime ?? -Infinity) ||
          a.id.localeCompare(b.id),
      );
    return jobs.slice(0, Math.max(0, jobs.length - limit)).map((j) => j.id);
  };
  return [...pick(true, limits.successful ?? 100), ...pick(false, limits.failed ?? 100)];
}

export interface RolloutJob {
  readonly id: string;
  /** The `scaledjob.keda.sh/generation` annotation; undefined when missing. */
  readonly generation?: number | string;
}

/**
 * Rollout on a spec change: `gradual` keeps every Job; any other strategy (default/immediate)
 * deletes each Job whose generation annotation is missing or differs — running ones included.
 * `strategy` is the resolved one: the deprecated top-level `rolloutStrategy` wins when set.
 */
export function selectJobsForRollout(
  jobs: readonly RolloutJob[],
  currentGeneration: number,
  strategy: string | undefined,
): string[] {
  if (strategy === 'gradual') return [];
  return jobs
    .filter((j) => j.generation === undefined || String(j.generation) !== String(currentGeneration))
    .map((j) => j.id);
}

/** The effective rollout strategy: top-level `rolloutStrategy` (deprecated) wins over `rollout.strategy`. */
export function rolloutStrategy(spec: {
  rolloutStrategy?: string;
  rollout?: { strategy?: string };
}): string {
  return spec.rolloutStrategy || spec.rollout?.strategy || 'default';
}
