/**
 * KEDA's defaults and the effective values derived from them. The object model keeps optional
 * fields optional because KEDA's semantics depend on "set or not" (ScaledJob `maxReplicaCount`,
 * ScaledObject `minReplicaCount` in the webhook); read effective values through these helpers.
 */
import { ANNOTATIONS, parseJobCapAnnotations } from '../engine/pause.js';
import type { PathSegment } from './yaml-source.js';
import type { PodSpec, ScaledJob, ScaledJobSpec, ScaledObject, TideObject } from './types.js';

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
  maxJobsPerRound: ANNOTATIONS.maxJobsPerRound,
  /** At most this many Jobs running at once (ack-keda's total cap). */
  maxRunningJobs: ANNOTATIONS.maxRunningJobs,
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

/** KEDA `GetHPAMinReplicas`: the HPA part's lower bound, minReplicaCount but at least 1. */
export function hpaMinReplicas(so: ScaledObject): number {
  return Math.max(minReplicas(so), 1);
}

/** KEDA `GetHPAMaxReplicas`: maxReplicaCount, 100 when unset. */
export function hpaMaxReplicas(so: ScaledObject): number {
  return maxReplicas(so);
}

/**
 * KEDA `IsUsingModifiers`: any field of `advanced.scalingModifiers` set (a target without a
 * formula counts: KEDA then refuses the object, "formula is mandatory"). The one test for
 * "this ScaledObject uses scalingModifiers" (validation, metadata parsing, fallback, the engine).
 */
export function usesScalingModifiers(so: Pick<ScaledObject, 'spec'>): boolean {
  const m = so.spec.advanced?.scalingModifiers;
  return m !== undefined && Object.values(m).some((v) => v !== undefined && v !== '');
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

type JobBounds = { spec: Pick<ScaledJobSpec, 'minReplicaCount' | 'maxReplicaCount'> };

/**
 * KEDA ScaledJob `MinReplicaCount()`: `minReplicaCount` (0 when unset), clamped to
 * `maxReplicaCount` only when max is set: min 150 without a max stays 150. The engine, the
 * schedulers and status all read the bounds through this function and the next.
 */
export function jobMinReplicaCount(sj: JobBounds): number {
  const min = sj.spec.minReplicaCount ?? 0;
  const max = sj.spec.maxReplicaCount;
  return max !== undefined && min > max ? max : min;
}

/**
 * KEDA ScaledJob `MaxReplicaCount()`: when `maxReplicaCount` is set, `max − min` (or `max` when
 * min > max); when unset, 100 with min NOT subtracted. (max 10, min 1 ⇒ 9; max unset, min 1 ⇒ 100.)
 */
export function jobMaxReplicaCount(sj: JobBounds): number {
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
  const r = parseJobCapAnnotations(o.metadata.annotations);
  if (!r.ok) return {};
  return {
    ...(r.value.maxPerRound !== undefined ? { maxJobsPerRound: r.value.maxPerRound } : {}),
    ...(r.value.maxRunning !== undefined ? { maxRunningJobs: r.value.maxRunning } : {}),
  };
}

/** Errors for tide annotations that are present but not positive integers. */
export function checkTideAnnotations(
  o: TideObject,
): { path: PathSegment[]; message: string; severity: 'error' }[] {
  const out: { path: PathSegment[]; message: string; severity: 'error' }[] = [];
  // One annotation at a time, so each bad one is named (the parser stops at the first).
  for (const key of Object.values(TIDE_ANNOTATIONS)) {
    const v = o.metadata.annotations[key];
    if (v === undefined) continue;
    const r = parseJobCapAnnotations({ [key]: v });
    if (!r.ok)
      out.push({ path: ['metadata', 'annotations', key], message: r.error, severity: 'error' });
  }
  return out;
}
