/**
 * KEDA's defaults and the effective values derived from them: the one home of each rule. The
 * object model keeps optional fields optional because KEDA's semantics depend on "set or not"
 * (ScaledJob `maxReplicaCount`, ScaledObject `minReplicaCount` in the webhook); code that runs
 * an object reads `effectiveScaledObject` / `effectiveScaledJob` (every default applied once,
 * Temporal's Options → Compiled) or the single-value helpers below, never `spec.x ?? n`.
 */
import { ANNOTATIONS, parseJobCapAnnotations, type JobCaps } from '../engine/pause.js';
import type { PathSegment } from './yaml-source.js';
import type { PodSpec, ScaledJob, ScaledJobSpec, ScaledObject, TideObject } from './types.js';
import { flat } from '../flat.js';

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

export function pollingIntervalSeconds(o: ScaledObject | ScaledJob): number {
  return o.spec.pollingInterval ?? KEDA_DEFAULTS.pollingInterval;
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

/** The scale target as logs and reasons name it: `Deployment default/web`. */
export function scaleTargetLabel(so: ScaledObject): string {
  return flat(
    `${scaleTargetKind(so).kind} ${so.metadata.namespace}/${so.spec.scaleTargetRef.name}`,
  );
}

/** The scale target as a map key (two ScaledObjects on one target share it): `Deployment/default/web`. */
export function scaleTargetKey(so: ScaledObject): string {
  return `${scaleTargetKind(so).kind}/${so.metadata.namespace}/${so.spec.scaleTargetRef.name}`;
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
  const min = sj.spec.minReplicaCount ?? KEDA_DEFAULTS.minReplicaCount;
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
  const min = sj.spec.minReplicaCount ?? KEDA_DEFAULTS.minReplicaCount;
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

/**
 * tide's job concurrency caps from `autoscaling.tide.dev/max-jobs-per-round` and
 * `.../max-running-jobs`; a missing cap is no cap. Assumes a validated object (the validator
 * refuses a bad value through the same parser, so an invalid one here reads as no caps).
 */
export function jobCaps(o: { metadata: { annotations: Record<string, string> } }): JobCaps {
  const r = parseJobCapAnnotations(o.metadata.annotations);
  return r.ok ? r.value : {};
}

/** Errors for tide annotations that are present but not positive integers. */
export function checkTideAnnotations(
  o: TideObject,
): { path: PathSegment[]; message: string; severity: 'error' }[] {
  const out: { path: PathSegment[]; message: string; severity: 'error' }[] = [];
  // One annotation at a time, so each bad one is named (the parser stops at the first).
  for (const key of [ANNOTATIONS.maxJobsPerRound, ANNOTATIONS.maxRunningJobs]) {
    const v = o.metadata.annotations[key];
    if (v === undefined) continue;
    const r = parseJobCapAnnotations({ [key]: v });
    if (!r.ok)
      out.push({ path: ['metadata', 'annotations', key], message: r.error, severity: 'error' });
  }
  return out;
}

/** A ScaledObject's spec with every KEDA default applied: what the engine and schedulers run. */
export interface EffectiveScaledObject {
  readonly pollingInterval: number;
  readonly cooldownPeriod: number;
  readonly initialCooldownPeriod: number;
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  /** KEDA's idle count; undefined when unset (no idle state, 0 is a real value). */
  readonly idleReplicaCount: number | undefined;
  /** KEDA `GetHPAMinReplicas`. */
  readonly hpaMinReplicas: number;
  /** `Deployment default/web`. */
  readonly scaleTarget: string;
}

export function effectiveScaledObject(so: ScaledObject): EffectiveScaledObject {
  return {
    pollingInterval: pollingIntervalSeconds(so),
    cooldownPeriod: so.spec.cooldownPeriod ?? KEDA_DEFAULTS.cooldownPeriod,
    initialCooldownPeriod: so.spec.initialCooldownPeriod ?? KEDA_DEFAULTS.initialCooldownPeriod,
    minReplicaCount: minReplicas(so),
    maxReplicaCount: maxReplicas(so),
    idleReplicaCount: so.spec.idleReplicaCount,
    hpaMinReplicas: hpaMinReplicas(so),
    scaleTarget: scaleTargetLabel(so),
  };
}

/** A ScaledJob's spec with every KEDA default applied, plus tide's job caps. */
export interface EffectiveScaledJob {
  readonly pollingInterval: number;
  /** KEDA `MinReplicaCount()`. */
  readonly minReplicaCount: number;
  /** KEDA `MaxReplicaCount()`: the room above the minimum when max is set, else 100. */
  readonly maxReplicaCount: number;
  readonly successfulJobsHistoryLimit: number;
  readonly failedJobsHistoryLimit: number;
  readonly restartPolicy: 'OnFailure' | 'Never';
  readonly backoffLimit: number;
  readonly jobCaps: JobCaps;
}

export function effectiveScaledJob(sj: ScaledJob): EffectiveScaledJob {
  return {
    pollingInterval: pollingIntervalSeconds(sj),
    minReplicaCount: jobMinReplicaCount(sj),
    maxReplicaCount: jobMaxReplicaCount(sj),
    successfulJobsHistoryLimit: successfulJobsHistoryLimit(sj),
    failedJobsHistoryLimit: failedJobsHistoryLimit(sj),
    restartPolicy: jobRestartPolicy(sj),
    backoffLimit: jobBackoffLimit(sj),
    jobCaps: jobCaps(sj),
  };
}
