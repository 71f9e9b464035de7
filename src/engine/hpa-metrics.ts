/**
 * The Kubernetes HPA replica calculator for the metric kinds KEDA produces
 * (`pkg/controller/podautoscaler/replica_calculator.go`): one replica proposal per metric.
 * Arithmetic is done in milli-units like the HPA (KEDA emits milli-precision quantities), so
 * 27 / 10 is exactly 2.7 and `ceil` never sees 2.7000000000000001.
 */
import type { MetricTargetType } from '../manifests/types.js';
import { num, reason, TIDE, type Reason } from './reasons.js';

/** One metric as the HPA sees it. */
export interface HpaMetric {
  /** `s<index>-<name>` or `composite-metric`. */
  readonly name: string;
  readonly targetType: MetricTargetType;
  /** Per replica for AverageValue, total for Value, percent for Utilization. */
  readonly target: number;
  /** The value this round; NaN, ±Inf and negatives are clamped to 0 as KEDA does (§1.7). */
  readonly value?: number;
  /** Set when the metric could not be read this round. */
  readonly error?: string;
  /**
   * A Resource metric read from Pods (cpu/memory in Kubernetes mode): `value` is per Pod and
   * the proposal is ceil(value / target × pods), as the HPA's replica calculator computes it
   * over the Pods it counted (which the scaler picks as the HPA does).
   */
  readonly pods?: number;
}

/** Per-direction tolerance: a ratio inside [1 − down, 1 + up] proposes no change. */
export interface Tolerances {
  readonly up: number;
  readonly down: number;
}

/** The cluster default `--horizontal-pod-autoscaler-tolerance`. */
export const DEFAULT_TOLERANCE = 0.1;

export interface Proposal {
  readonly replicas: number;
  readonly reasons: readonly Reason[];
}

function milli(v: number): number {
  return Math.round(v * 1000);
}

/** KEDA clamps NaN, ±Inf and negative values to 0 before the HPA sees them. */
export function clampForHpa(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function within(ratio: number, t: Tolerances): boolean {
  return 1 - t.down <= ratio && ratio <= 1 + t.up;
}

function tolText(t: Tolerances): string {
  return t.up === t.down ? `tolerance ${num(t.up)}` : `tolerance −${num(t.down)}/+${num(t.up)}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The replica count one metric proposes. `currentReplicas` is both the HPA's spec and status
 * count (tide writes replicas itself, so they agree); `readyReplicas` feeds Value and
 * Utilization, as the HPA uses Running ∧ Ready pods there.
 */
export function proposeReplicas(
  m: HpaMetric & { value: number },
  currentReplicas: number,
  readyReplicas: number,
  tol: Tolerances,
): Proposal {
  const reasons: Reason[] = [];
  const v = clampForHpa(m.value);
  if (v !== m.value) {
    reasons.push(
      reason(TIDE.MetricClamped, `${m.name}: value ${num(m.value)} sent to the HPA as 0`, {
        metric: m.name,
        raw: m.value,
      }),
    );
  }
  const usage = milli(v);
  const target = milli(m.target);
  const data = {
    metric: m.name,
    value: v,
    target: m.target,
    targetType: m.targetType,
    currentReplicas,
  };
  if (target <= 0) {
    // The manifest layer rejects non-positive targets; guard anyway so the engine never divides by 0.
    reasons.push(
      reason(
        TIDE.MetricReplicas,
        `${m.name}: target ${num(m.target)} is not positive, metric ignored`,
        data,
      ),
    );
    return { replicas: currentReplicas, reasons };
  }
  if (m.pods !== undefined && m.targetType !== 'Value') {
    // GetResourceReplicas / GetRawResourceReplicas: the usage ratio times the Pods counted.
    const ratio = usage / target;
    const unit = m.targetType === 'Utilization' ? '%' : '';
    const pre = `${m.name}: ${m.targetType === 'Utilization' ? 'utilization' : 'usage per pod'} ${num(v)}${unit}, target ${num(m.target)}${unit}`;
    if (within(ratio, tol)) {
      reasons.push(
        reason(
          TIDE.ToleranceHeld,
          `${pre} → ratio ${num(ratio)} within ${tolText(tol)} → stays ${currentReplicas}`,
          { ...data, ratio },
        ),
      );
      return { replicas: currentReplicas, reasons };
    }
    const replicas = Math.ceil(ratio * m.pods);
    reasons.push(
      reason(
        TIDE.MetricReplicas,
        `${pre} → ratio ${num(ratio)} × ${plural(m.pods, 'pod')} → ceil(${num(ratio * m.pods)}) = ${replicas}`,
        { ...data, ratio, pods: m.pods, replicas },
      ),
    );
    return { replicas, reasons };
  }
  switch (m.targetType) {
    case 'AverageValue': {
      // GetExternalPerPodMetricReplicas: ratio against statusReplicas, result ceil(total/target).
      const ratio = usage / (target * currentReplicas);
      const pre = `${m.name}: value ${num(v)}, target ${num(m.target)} per replica, ${plural(currentReplicas, 'replica')}`;
      if (within(ratio, tol)) {
        reasons.push(
          reason(
            TIDE.ToleranceHeld,
            `${pre} → ratio ${num(ratio)} within ${tolText(tol)} → stays ${currentReplicas}`,
            { ...data, ratio },
          ),
        );
        return { replicas: currentReplicas, reasons };
      }
      const replicas = Math.ceil(usage / target);
      reasons.push(
        reason(TIDE.MetricReplicas, `${pre} → ceil(${num(usage / target)}) = ${replicas}`, {
          ...data,
          ratio,
          replicas,
        }),
      );
      return { replicas, reasons };
    }
    case 'Value': {
      // GetExternalMetricReplicas → getUsageRatioReplicaCount: uses ready pods, not replicas.
      const ratio = usage / target;
      const pre = `${m.name}: value ${num(v)}, target ${num(m.target)} in total`;
      if (currentReplicas === 0) {
        const replicas = Math.ceil(ratio);
        reasons.push(
          reason(TIDE.MetricReplicas, `${pre}, 0 replicas → ceil(${num(ratio)}) = ${replicas}`, {
            ...data,
            ratio,
            replicas,
          }),
        );
        return { replicas, reasons };
      }
      if (within(ratio, tol)) {
        reasons.push(
          reason(
            TIDE.ToleranceHeld,
            `${pre} → ratio ${num(ratio)} within ${tolText(tol)} → stays ${currentReplicas}`,
            { ...data, ratio },
          ),
        );
        return { replicas: currentReplicas, reasons };
      }
      const replicas = Math.ceil(ratio * readyReplicas);
      reasons.push(
        reason(
          TIDE.MetricReplicas,
          `${pre} → ratio ${num(ratio)} × ${plural(readyReplicas, 'ready replica')} → ceil(${num(ratio * readyReplicas)}) = ${replicas}`,
          {
            ...data,
            ratio,
            readyReplicas,
            replicas,
          },
        ),
      );
      return { replicas, reasons };
    }
    case 'Utilization': {
      // Resource metrics: the value is the average utilization over ready pods, so the
      // proposal is ratio × ready pods (without the HPA's missing-pod damping; see report).
      const ratio = usage / target;
      const pods = readyReplicas > 0 ? readyReplicas : currentReplicas;
      const pre = `${m.name}: utilization ${num(v)}%, target ${num(m.target)}%`;
      if (within(ratio, tol)) {
        reasons.push(
          reason(
            TIDE.ToleranceHeld,
            `${pre} → ratio ${num(ratio)} within ${tolText(tol)} → stays ${currentReplicas}`,
            { ...data, ratio },
          ),
        );
        return { replicas: currentReplicas, reasons };
      }
      const replicas = Math.ceil(ratio * pods);
      reasons.push(
        reason(TIDE.MetricReplicas, `${pre} → ceil(${num(ratio)} × ${pods}) = ${replicas}`, {
          ...data,
          ratio,
          replicas,
        }),
      );
      return { replicas, reasons };
    }
  }
}
