/**
 * Pure translations between a ScaledJob and `batch/v1` Jobs (keda.md §2.5): the Job a
 * ScaledJob creates from its `jobTargetRef`, and the JobRecord the ScaledJobController reads
 * back from a Job and its Pods (KEDA's running / pending rules).
 */
import { isJobPending } from '../../engine/index.js';
import type { JobReason, JobRecord, JobState } from '../target.js';

export const SJ_NAME_LABEL = 'scaledjob.keda.sh/name';
export const SJ_GENERATION_ANNOTATION = 'scaledjob.keda.sh/generation';
/** Comma-separated SJ labels not copied onto its Jobs (KEDA's `scaledjob.keda.sh/job-excluded-labels`). */
export const SJ_EXCLUDED_LABELS_ANNOTATION = 'scaledjob.keda.sh/job-excluded-labels';
/** The Job controller labels each Pod with its Job's name (both spellings exist across releases). */
const JOB_NAME_LABELS = ['batch.kubernetes.io/job-name', 'job-name'];

/** The ScaledJob as read from the API: the raw `jobTargetRef` is kept whole (every JobSpec field). */
export interface RawScaledJob {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: { jobTargetRef: Record<string, unknown> & { template?: Record<string, unknown> } };
}

interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  lastTransitionTime?: string;
}

/** The fields of a `batch/v1` Job tide reads. */
export interface KubeJob {
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string | Date;
  };
  status?: {
    startTime?: string | Date;
    completionTime?: string | Date;
    active?: number;
    succeeded?: number;
    failed?: number;
    conditions?: JobCondition[];
  };
}

/** The fields of a Pod tide reads. */
export interface KubePod {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

/** The Job's name as its Pods carry it. */
export function podJobName(pod: KubePod): string | undefined {
  for (const l of JOB_NAME_LABELS) {
    const v = pod.metadata.labels?.[l];
    if (v) return v;
  }
  return undefined;
}

/**
 * The Job KEDA's `generateJobs` makes: `generateName: <sj>-` (the API server adds 5 random
 * characters), KEDA's labels plus the ScaledJob's own (minus the excluded ones), the
 * generation annotation plus the ScaledJob's annotations, the ScaledJob as controller owner
 * (so deleting it deletes its Jobs), `restartPolicy: OnFailure` when the template leaves it empty.
 */
export function jobBody(sj: RawScaledJob): Record<string, unknown> {
  const { name, namespace } = sj.metadata;
  const annotations = sj.metadata.annotations ?? {};
  const excluded = new Set(
    (annotations[SJ_EXCLUDED_LABELS_ANNOTATION] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const own = Object.fromEntries(
    Object.entries(sj.metadata.labels ?? {}).filter(([k]) => !excluded.has(k)),
  );
  const labels = {
    ...own,
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': name,
    'app.kubernetes.io/managed-by': 'tide-operator',
    [SJ_NAME_LABEL]: name,
  };
  const ref = sj.spec.jobTargetRef;
  const template = (ref.template ?? {}) as {
    metadata?: { labels?: Record<string, string> };
    spec?: Record<string, unknown> & { restartPolicy?: string };
  };
  const podSpec = template.spec ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      generateName: `${name}-`,
      namespace,
      labels,
      annotations: {
        ...annotations,
        [SJ_GENERATION_ANNOTATION]: String(sj.metadata.generation ?? 1),
      },
      ...(sj.metadata.uid
        ? {
            ownerReferences: [
              {
                apiVersion: 'keda.sh/v1alpha1',
                kind: 'ScaledJob',
                name,
                uid: sj.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      ...ref,
      template: {
        ...template,
        metadata: {
          ...(template.metadata ?? {}),
          labels: { ...(template.metadata?.labels ?? {}), [SJ_NAME_LABEL]: name },
        },
        spec: { ...podSpec, restartPolicy: podSpec.restartPolicy || 'OnFailure' },
      },
    },
  };
}

const time = (t: string | Date | undefined): Date | undefined =>
  t === undefined ? undefined : t instanceof Date ? t : new Date(t);

const trueCondition = (job: KubeJob, type: string) =>
  job.status?.conditions?.find((c) => c.type === type && c.status === 'True');

/**
 * A Job as the controller sees it: Succeeded (Complete=True), Failed (Failed=True), else
 * Pending (no Pod Running/Succeeded, or none with every `pendingPodConditions` True) or Running.
 */
export function jobRecord(
  job: KubeJob,
  pods: readonly KubePod[],
  pendingPodConditions: readonly string[] = [],
): JobRecord {
  const complete = trueCondition(job, 'Complete');
  const failed = trueCondition(job, 'Failed');
  let state: JobState;
  let reason: JobReason | undefined;
  if (complete) state = 'Succeeded';
  else if (failed) {
    state = 'Failed';
    if (failed.reason === 'BackoffLimitExceeded' || failed.reason === 'DeadlineExceeded')
      reason = failed.reason;
  } else {
    const pending = isJobPending(
      {
        pods: pods.map((p) => ({
          phase: p.status?.phase ?? 'Pending',
          conditions: p.status?.conditions ?? [],
        })),
      },
      pendingPodConditions,
    );
    state = pending ? 'Pending' : 'Running';
  }
  const created = time(job.metadata.creationTimestamp) ?? new Date(0);
  const done = time(job.status?.completionTime) ?? time((complete ?? failed)?.lastTransitionTime);
  const g = job.metadata.annotations?.[SJ_GENERATION_ANNOTATION]?.trim() ?? '';
  const generation = /^\d+$/.test(g) ? Number(g) : Number.NaN;
  const s = job.status ?? {};
  return {
    id: job.metadata.uid,
    name: job.metadata.name,
    state,
    ...(reason ? { reason } : {}),
    attempts: Math.max(pods.length, (s.active ?? 0) + (s.succeeded ?? 0) + (s.failed ?? 0)),
    failures: s.failed ?? 0,
    startTime: time(s.startTime) ?? created,
    ...(state === 'Succeeded' || state === 'Failed' ? { completionTime: done ?? created } : {}),
    // NaN for a missing annotation: never equal to a generation, so a rollout deletes it.
    generation,
  };
}
