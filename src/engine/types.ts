/**
 * Inputs and outputs shared by the engine's decisions. Everything is plain data: the scheduler
 * keeps the returned `state` and hands it back next round, so the engine itself holds nothing.
 */
import type { MetricSpec, MetricValue } from '../scalers/core/types.js';
import type { WaitEstimate } from './wait-target.js';

export type { MetricSpec, MetricValue };

/**
 * One trigger's result for this round, indexed like `spec.triggers`. `ok: false` is a scaler
 * error (KEDA's `err` from GetMetricsAndActivity); the message must already be secret-free.
 */
export type TriggerReading =
  | { readonly ok: true; readonly metrics: readonly MetricValue[]; readonly isActive: boolean }
  | { readonly ok: false; readonly error: string };

/** A status condition the way KEDA reports it. */
export interface Condition {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

/** One recommendation the HPA remembers for its stabilization windows. */
export interface TimedRecommendation {
  readonly time: number;
  readonly replicas: number;
}

/** One past scale change, summed by behavior policies over their `periodSeconds`. */
export interface ScaleEvent {
  readonly time: number;
  readonly change: number;
}

/** What the HPA part remembers between rounds (the HPA controller keeps this in memory). */
export interface HpaState {
  readonly recommendations: readonly TimedRecommendation[];
  readonly scaleUpEvents: readonly ScaleEvent[];
  readonly scaleDownEvents: readonly ScaleEvent[];
}

export const EMPTY_HPA_STATE: HpaState = {
  recommendations: [],
  scaleUpEvents: [],
  scaleDownEvents: [],
};

/** KEDA `status.health[metricName]`. */
export interface MetricHealth {
  readonly numberOfFailures: number;
  readonly status: 'Happy' | 'Failing';
}

/** Everything a ScaledObject decision carries from one round to the next. */
export interface ScaledObjectState {
  /** KEDA `status.lastActiveTime`, ms since epoch. */
  readonly lastActiveTime?: number;
  /** When tide first saw the object; stands in for `creationTimestamp` when that is absent. */
  readonly firstSeen?: number;
  /** KEDA `status.health`, keyed by metric name. */
  readonly health: Readonly<Record<string, MetricHealth>>;
  readonly hpa: HpaState;
  /** Previous Active condition status (KEDA leaves it untouched while paused). */
  readonly active?: boolean;
  /** Previous Fallback condition status, for the activated/deactivated transitions. */
  readonly fallback?: boolean;
  /** The wait-time policy's measurements (only with `autoscaling.tide.dev/target-wait-seconds`). */
  readonly waitEstimate?: WaitEstimate;
}

export const INITIAL_SCALED_OBJECT_STATE: ScaledObjectState = { health: {}, hpa: EMPTY_HPA_STATE };

/** Everything a ScaledJob decision carries from one round to the next. */
export interface ScaledJobState {
  readonly lastActiveTime?: number;
  readonly active?: boolean;
}

export const INITIAL_SCALED_JOB_STATE: ScaledJobState = {};
