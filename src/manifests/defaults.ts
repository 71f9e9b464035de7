/**
 * KEDA's defaults and the effective values derived from them. The object model keeps optional
 * fields optional because KEDA's semantics depend on "set or not" (ScaledJob `maxReplicaCount`,
 * ScaledObject `minReplicaCount` in the webhook); read effective values through these helpers.
 */
import type { PathSegment } from './yaml-source.js';
import type { PodSpec, ScaledJob, ScaledObject, TideObject } from './types.js';

/** KEDA's defaults (scaledobject_types.go, scaledjob_types.go, executor). */
export const KEDA_DEFAULTS = {
  pollingInterval: 30,
  cooldownPeriod: 300,
  initialCooldownPeriod: 0,
  minReplicaCount: 0,
  maxReplicaCount: 100,
  scaleTargetApiVersion: 'apps/v1',
  scaleTargetKind: 'Deployment',
  successfulJobsHistoryLimit: 100,
  failedJobsHistoryLimit: 100,
  jobRestartPolicy: 'OnFailure',
  /** Kubernetes Job default. */
  backoffLimit: 6,
  /** Kubernetes pod default. */
  terminationGracePeriodSeconds: 30,
  fallbackBehavior: 'static',
  metricType: 'AverageValue',
  scalingStrategy: 'default',
  multipleScalersCalculation: 'max',
} as const;

/** tide's own knobs, as annotations so the manifest still applies to a KEDA cluster. */
export const TIDE_ANNOTATIONS = {
  /** At most this many Jobs started per polling round (ack-keda's per-batch cap). */
  maxJobsPerRound: 'autoscaling.tide.dev/max-jobs-per-round',
  /** At most this many Jobs running at once (ack-keda's total cap). */
  maxRunningJobs: 'autoscaling.tide.dev/max-running-jobs',
} as const;

export function pollingIntervalSeconds(o: ScaledObject | ScaledJob): number {
  return o.spec.pollingInterval ?? KEDA_DEFAULTS.pollingInterval;
}

export function cooldownPeriodSeconds(so: ScaledObject): number {
  return so.spec.cooldownPeriod ?? KEDA_DEFAULTS.cooldownPeriod;
}

export function initialCooldownPeriodSeconds(so: ScaledObject): number {
  return so.spec.initialCooldownPeriod ?? KEDA_DEFAULTS.initialCooldownPeriod;
}

/** ScaledObject min replicas (0 when unset). */
export function minReplicas(so: ScaledObject): number {
  return so.spec.minReplicaCount ?? KEDA_DEFAULTS.minReplicaCount;
}

/** ScaledObject max replicas (100 when unset). */
export function maxReplicas(so: ScaledObject): number {
  return so.spec.maxReplicaCount ?? KEDA_DEFAULTS.maxReplicaCount;
}

/** The scale target's apiVersion and kind with KEDA's defaults. */
export function scaleTargetKind(so: ScaledObject): { apiVersion: string; kind: string } {
  return {
    apiVersion: so.spec.scaleTargetRef.apiVersion || KEDA_DEFAULTS.scaleTargetApiVersion,
    kind: so.spec.scaleTargetRef.kind || KEDA_DEFAULTS.scaleTargetKind,
  };
}

/** KEDA's HPA name: `horizontalPodAutoscalerConfig.name` or `keda-hpa-<name>`. */
export function hpaName(so: ScaledObject): string {
  return so.spec.advanced?.horizontalPodAutoscalerConfig?.name || `keda-hpa-${so.metadata.name}`;
}

/** KEDA ScaledJob `MinReplicaCount()`: `min(minReplicaCount, maxReplicaCount)`, 0 when unset. */
export function jobMinReplicaCount(sj: ScaledJob): number {
  const min = sj.spec.minReplicaCount ?? 0;
  const max = sj.spec.maxReplicaCount;
  return max !== undefined && min > max ? max : min;
}

/**
 * KEDA ScaledJob `MaxReplicaCount()`: when `maxReplicaCount` is set, `max − min` (or `max` when
 * min > max); when unset, 100 with min NOT subtracted. (max 10, min 1 ⇒ 9; max unset, min 1 ⇒ 100.)
 */
export function jobMaxReplicaCount(sj: ScaledJob): number {
  const max = sj.spec.maxReplicaCount;
  if (max === undefined) return KEDA_DEFAULTS.maxReplicaCount;
  const min = sj.spec.minReplicaCount ?? 0;
  return min > max ? max : max - min;
}

export function successfulJobsHistoryLimit(sj: ScaledJob): number {
  return sj.spec.successfulJobsHistoryLimit ?? KEDA_DEFAULTS.successfulJobsHistoryLimit;
}

export function failedJobsHistoryLimit(sj: ScaledJob): number {
  return sj.spec.failedJobsHistoryLimit ?? KEDA_DEFAULTS.failedJobsHistoryLimit;
}

/** A Job pod's restart policy: KEDA sets `OnFailure` when the template leaves it empty. */
export function jobRestartPolicy(sj: ScaledJob): 'OnFailure' | 'Never' {
  const p = sj.spec.jobTargetRef.template.spec.restartPolicy;
  return p === 'Never' ? 'Never' : KEDA_DEFAULTS.jobRestartPolicy;
}

export function jobBackoffLimit(sj: ScaledJob): number {
  return sj.spec.jobTargetRef.backoffLimit ?? KEDA_DEFAULTS.backoffLimit;
}

export function terminationGracePeriodSeconds(pod: PodSpec): number {
  return pod.terminationGracePeriodSeconds ?? KEDA_DEFAULTS.terminationGracePeriodSeconds;
}

/** The ScaledJob `rollout.strategy`, the deprecated top-level `rolloutStrategy` winning when set. */
export function jobRolloutStrategy(sj: ScaledJob): string {
  return sj.spec.rolloutStrategy || sj.spec.rollout?.strategy || 'default';
}

/** tide's job concurrency caps from annotations; undefined = no cap. Assumes a validated object. */
export function tideJobCaps(o: { metadata: { annotations: Record<string, string> } }): {
  maxJobsPerRound?: number;
  maxRunningJobs?: number;
} {
  const read = (key: string) => {
    const v = o.metadata.annotations[key];
    return v !== undefined && /^\d+$/.test(v.trim()) && Number(v) > 0 ? Number(v) : undefined;
  };
  const out: { maxJobsPerRound?: number; maxRunningJobs?: number } = {};
  const perRound = read(TIDE_ANNOTATIONS.maxJobsPerRound);
  const running = read(TIDE_ANNOTATIONS.maxRunningJobs);
  if (perRound !== undefined) out.maxJobsPerRound = perRound;
  if (running !== undefined) out.maxRunningJobs = running;
  return out;
}

/** Errors for tide annotations that are present but not positive integers. */
export function checkTideAnnotations(
  o: TideObject,
): { path: PathSegment[]; message: string; severity: 'error' }[] {
  const out: { path: PathSegment[]; message: string; severity: 'error' }[] = [];
  for (const key of Object.values(TIDE_ANNOTATIONS)) {
    const v = o.metadata.annotations[key];
    if (v === undefined) continue;
    const ok = /^\d+$/.test(v.trim()) && Number(v) > 0 && Number(v) <= 2_147_483_647;
    if (!ok) {
      out.push({
        path: ['metadata', 'annotations', key],
        message: `must be a positive integer, got ${JSON.stringify(v)}`,
        severity: 'error',
      });
    }
  }
  return out;
}
