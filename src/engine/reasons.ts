/**
 * Reason codes for every engine decision. Where KEDA has an event or condition reason for the
 * same thing the code is KEDA's string verbatim (`pkg/eventreason`, the condition reasons in
 * `apis/keda/v1alpha1/condition_types.go`), so `tide explain` and `kubectl describe` speak the
 * same words. tide's own reasons explain the HPA arithmetic KEDA leaves to Kubernetes, and the
 * job caps KEDA does not have.
 */

import { intern } from '../intern.js';

export const KEDA = {
  /** 0 → 1 (or idle → min) because triggers became active. */
  ScaleTargetActivated: 'KEDAScaleTargetActivated',
  /** N → 0 (or → idle) once the cooldown passed. */
  ScaleTargetDeactivated: 'KEDAScaleTargetDeactivated',
  ScalerActive: 'ScalerActive',
  ScalerNotActive: 'ScalerNotActive',
  /** Inactive, but the cooldown has not passed yet. */
  ScalerCooldown: 'ScalerCooldown',
  /** Every failing trigger, no fallback: Ready=False, nothing scales down. */
  TriggerError: 'TriggerError',
  /** Some triggers fail while the object is active: Ready=Unknown. */
  PartialTriggerError: 'PartialTriggerError',
  FallbackExists: 'FallbackExists',
  NoFallbackFound: 'NoFallbackFound',
  FallbackActivated: 'ScaledObjectFallbackActivated',
  FallbackDeactivated: 'ScaledObjectFallbackDeactivated',
  ScaledObjectReady: 'ScaledObjectReady',
  ScaledObjectCheckFailed: 'ScaledObjectCheckFailed',
  ScaledObjectPaused: 'ScaledObjectPaused',
  ScaledObjectUnpaused: 'ScaledObjectUnpaused',
  ScaledJobReady: 'ScaledJobReady',
  ScaledJobPaused: 'ScaledJobPaused',
  ScaledJobActive: 'ScaledJobActive',
  ScaledJobInactive: 'ScaledJobInactive',
  JobsCreated: 'KEDAJobsCreated',
} as const;

export const TIDE = {
  /** One metric's replica proposal (the HPA replica calculator), with its arithmetic. */
  MetricReplicas: 'TideMetricReplicas',
  /** |1 − ratio| within tolerance: the metric proposes the current count. */
  ToleranceHeld: 'TideHPAToleranceHeld',
  /** A negative, NaN or infinite value was sent to the HPA as 0 (KEDA does the same). */
  MetricClamped: 'TideMetricClamped',
  /** HPA rule: some metrics failed and the others would scale down, so nothing changes. */
  MetricErrorHold: 'TideHPAMetricErrorHold',
  /** Every HPA metric failed: the replica count is held. */
  AllMetricsFailed: 'TideHPAAllMetricsFailed',
  /** Zero replicas: the HPA part is inert until KEDA's activation moves the target. */
  HPAInert: 'TideHPAInert',
  /** A higher recommendation inside the scale-down stabilization window holds replicas up. */
  ScaleDownStabilized: 'TideHPAScaleDownStabilized',
  /** A lower recommendation inside the scale-up stabilization window holds replicas down. */
  ScaleUpStabilized: 'TideHPAScaleUpStabilized',
  /** Behavior policies (or the legacy max(2×current, 4) rule) limit the scale-up. */
  ScaleUpLimited: 'TideHPAScaleUpLimit',
  /** Behavior policies limit the scale-down. */
  ScaleDownLimited: 'TideHPAScaleDownLimit',
  /** selectPolicy Disabled in that direction (paused-scale-in/out sets it too). */
  ScaleUpDisabled: 'TideHPAScaleUpDisabled',
  ScaleDownDisabled: 'TideHPAScaleDownDisabled',
  /** Clamped to maxReplicaCount. */
  CappedByMax: 'TideCappedByMax',
  /** Clamped to the HPA minimum, max(minReplicaCount, 1). */
  CappedByMin: 'TideCappedByMin',
  /** idleReplicaCount unset and replicas below minReplicaCount: raised at once. */
  RaisedToMin: 'TideRaisedToMin',
  /** The scale-in or scale-out annotation blocked a change. */
  ScaleInPaused: 'TidePausedScaleIn',
  ScaleOutPaused: 'TidePausedScaleOut',
  ForceActivation: 'TideForceActivation',
  /** scalingModifiers: the composite value and how it was computed. */
  CompositeMetric: 'TideCompositeMetric',
  FormulaError: 'TideFormulaError',
  /** A trigger's metric is replaced by its fallback value. */
  FallbackMetric: 'TideFallbackMetric',
  /** The replica count does not change this round. */
  Unchanged: 'TideUnchanged',
  /** ScaledJob: the queue and per-scaler arithmetic. */
  JobQueue: 'TideJobQueue',
  /** ScaledJob: fewer running jobs than minReplicaCount. */
  JobsBelowMin: 'TideJobsBelowMin',
  /** ScaledJob: the scaling strategy's effective count. */
  JobStrategy: 'TideJobStrategy',
  /** tide's `autoscaling.tide.dev/max-jobs-per-round` cap. */
  JobsPerRoundCap: 'TideJobsPerRoundCap',
  /** tide's `autoscaling.tide.dev/max-running-jobs` cap. */
  RunningJobsCap: 'TideRunningJobsCap',
  NoJobs: 'TideNoJobsCreated',
  /** The wait-time target (`autoscaling.tide.dev/target-wait-seconds`): its estimate and arithmetic. */
  WaitTarget: 'TideWaitTarget',
  /** An annotation could not be parsed. */
  AnnotationInvalid: 'TideAnnotationInvalid',
} as const;

export type KedaReason = (typeof KEDA)[keyof typeof KEDA];
export type TideReason = (typeof TIDE)[keyof typeof TIDE];
export type ReasonCode = KedaReason | TideReason;

/** One step of a decision's explanation: a code for tools, a sentence with the numbers for people. */
export interface Reason {
  readonly code: ReasonCode;
  /** e.g. "list value 27, target 10 per replica → ceil(2.7) = 3". */
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Builds a Reason; `data` is omitted when empty so decision logs stay small. */
export function reason(code: ReasonCode, message: string, data?: Record<string, unknown>): Reason {
  // An idle object keeps its last reasons until something changes: one copy of each text
  // for all of them (intern.ts), not one per object.
  const m = intern(message);
  return data === undefined ? { code, message: m } : { code, message: m, data };
}

/** Formats a number for messages: integers as is, others with up to 3 decimals (milli precision). */
export function num(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
}
