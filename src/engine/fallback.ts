/**
 * Fallback (KEDA `pkg/fallback/fallback.go`): per-metric failure counting in `status.health`,
 * the strict `numberOfFailures > failureThreshold` test, the five behaviors, and the metric
 * value that makes the HPA arrive at exactly N replicas.
 *
 * One difference in cadence: KEDA counts a failure on every poll *and* on every HPA query
 * (every 15 s); tide has one decision per round, so it counts once per round.
 */
import { usesScalingModifiers } from '../manifests/defaults.js';
import type { Fallback, MetricTargetType, ScaledObjectSpec } from '../manifests/types.js';
import type { MetricHealth } from './types.js';
import type { Result } from '../result.js';

/**
 * KEDA `HasValidFallback`: a fallback block with non-negative numbers; with scalingModifiers the
 * modifiers' target must also parse as a positive integer (so "2.5" disables fallback, as in KEDA).
 */
export function hasValidFallback(spec: ScaledObjectSpec): boolean {
  const fb = spec.fallback;
  if (!fb || fb.failureThreshold < 0 || fb.replicas < 0) return false;
  const mods = spec.advanced?.scalingModifiers;
  if (usesScalingModifiers({ spec })) {
    const t = mods?.target ?? '';
    if (!/^[+-]?\d+$/.test(t) || Number(t) <= 0) return false;
  }
  return true;
}

/** Success resets to {0, Happy}; an error adds one failure and marks the metric Failing. */
export function nextHealth(prev: MetricHealth | undefined, ok: boolean): MetricHealth {
  if (ok) return { numberOfFailures: 0, status: 'Happy' };
  return { numberOfFailures: (prev?.numberOfFailures ?? 0) + 1, status: 'Failing' };
}

/**
 * KEDA fallbackExceededThreshold: the Fallback condition is True when any metric's health is
 * Failing past the threshold, whether or not a fallback value could be computed for it.
 */
export function fallbackExceeded(
  health: Readonly<Record<string, MetricHealth>>,
  fallback: Fallback,
): boolean {
  return Object.values(health).some(
    (h) => h.status === 'Failing' && h.numberOfFailures > fallback.failureThreshold,
  );
}

/** Strict: threshold 3 falls back on the 4th consecutive failure. */
export function isPastThreshold(health: MetricHealth | undefined, fallback: Fallback): boolean {
  return (health?.numberOfFailures ?? 0) > fallback.failureThreshold;
}

/** The replica count N the fallback asks for, by `fallback.behavior`. */
export function fallbackReplicas(fallback: Fallback, currentReplicas: number): number {
  const behavior = fallback.behavior ?? 'static';
  switch (behavior) {
    case 'static':
    case 'scalingModifiers':
      // scalingModifiers uses `replicas` when the formula yields nil (see scaled-object.ts).
      return fallback.replicas;
    case 'currentReplicas':
      return currentReplicas;
    case 'currentReplicasIfHigher':
      return Math.max(currentReplicas, fallback.replicas);
    case 'currentReplicasIfLower':
      return Math.min(currentReplicas, fallback.replicas);
  }
}

/**
 * The metric value that makes the HPA compute N: AverageValue `target × N`; Value
 * `target × N / readyPods`, which fails with no ready pod (KEDA returns an error then).
 */
export function fallbackMetricValue(
  targetType: MetricTargetType,
  target: number,
  replicas: number,
  readyReplicas: number,
): Result<{ value: number }> {
  if (targetType === 'Value') {
    if (readyReplicas <= 0)
      return {
        ok: false,
        error: 'fallback for a Value metric needs at least one ready replica, found 0',
      };
    return { ok: true, value: (target * replicas) / readyReplicas };
  }
  return { ok: true, value: target * replicas };
}
