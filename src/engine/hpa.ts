/**
 * The Kubernetes HPA's decision for one sync (`horizontal.go` reconcileAutoscaler): metric
 * proposals, max over metrics, the error rule, then normalization — legacy (behavior nil:
 * 300 s downscale stabilization, scale-up capped at max(2×current, 4)) or with `behavior`
 * (stabilization windows, Pods/Percent policies over `periodSeconds`, selectPolicy).
 * State the HPA controller keeps in memory is returned as data and handed back next time.
 */
import type { HPABehavior } from '../manifests/types.js';
import {
  DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
  fillBehavior,
  keepRecent,
  normalizeWithBehavior,
  withRecommendation,
} from './hpa-behavior.js';
import {
  DEFAULT_TOLERANCE,
  proposeReplicas,
  type HpaMetric,
  type Tolerances,
} from './hpa-metrics.js';
import { reason, TIDE, type Reason } from './reasons.js';
import { formatInstant } from './time.js';
import type { HpaState, TimedRecommendation } from './types.js';

export {
  clampForHpa,
  DEFAULT_TOLERANCE,
  proposeReplicas,
  type HpaMetric,
  type Tolerances,
} from './hpa-metrics.js';
export {
  DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
  fillBehavior,
  scaleDownLimit,
  scaleUpLimit,
  type FilledRules,
} from './hpa-behavior.js';

/** Longest `periodSeconds` the API accepts; older scale events can never matter. */
const MAX_PERIOD_SECONDS = 1800;

export interface HpaInput {
  readonly metrics: readonly HpaMetric[];
  readonly currentReplicas: number;
  readonly readyReplicas: number;
  /** HPA `minReplicas`: KEDA gives max(minReplicaCount, 1). */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** `advanced.horizontalPodAutoscalerConfig.behavior`; undefined selects legacy normalization. */
  readonly behavior?: HPABehavior;
  readonly now: number;
  readonly state: HpaState;
}

export interface HpaResult {
  readonly desiredReplicas: number;
  /** Max over metric proposals before normalization; undefined when metrics were not used. */
  readonly metricReplicas?: number;
  readonly reasons: readonly Reason[];
  readonly state: HpaState;
}

/** One HPA sync. Pure: the returned state replaces `input.state`. */
export function computeHpa(input: HpaInput): HpaResult {
  const { currentReplicas: cur, minReplicas: min, maxReplicas: max, now, state } = input;
  const filled = input.behavior ? fillBehavior(input.behavior) : undefined;
  const tol: Tolerances = filled
    ? { up: filled.scaleUp.tolerance, down: filled.scaleDown.tolerance }
    : { up: DEFAULT_TOLERANCE, down: DEFAULT_TOLERANCE };
  const reasons: Reason[] = [];

  if (cur === 0 && min !== 0) {
    reasons.push(reason(TIDE.HPAInert, 'target has 0 replicas: the HPA part waits for activation'));
    return { desiredReplicas: 0, reasons, state };
  }
  if (cur > max) {
    reasons.push(
      reason(TIDE.CappedByMax, `${cur} replicas exceed maxReplicaCount ${max} → ${max}`, { max }),
    );
    return { desiredReplicas: max, reasons, state: recordEvent(state, filled, cur, max, now) };
  }
  if (cur < min) {
    reasons.push(
      reason(TIDE.CappedByMin, `${cur} replicas are below the minimum ${min} → ${min}`, { min }),
    );
    return { desiredReplicas: min, reasons, state: recordEvent(state, filled, cur, min, now) };
  }

  let best = 0;
  let valid = 0;
  const failed: string[] = [];
  for (const m of input.metrics) {
    if (m.error !== undefined || m.value === undefined) {
      failed.push(m.name);
      continue;
    }
    const p = proposeReplicas({ ...m, value: m.value }, cur, input.readyReplicas, tol);
    reasons.push(...p.reasons);
    valid++;
    best = Math.max(best, p.replicas);
  }
  if (valid === 0) {
    reasons.push(
      reason(
        TIDE.AllMetricsFailed,
        `no metric could be read${failed.length ? ` (${failed.join(', ')})` : ''}: replicas stay ${cur}`,
        { failed },
      ),
    );
    return { desiredReplicas: cur, reasons, state };
  }
  if (failed.length > 0 && best < cur) {
    reasons.push(
      reason(
        TIDE.MetricErrorHold,
        `${failed.join(', ')} failed and the other metrics would scale down to ${best}: replicas stay ${cur}`,
        { failed, proposed: best },
      ),
    );
    return { desiredReplicas: cur, metricReplicas: best, reasons, state };
  }

  const out = filled
    ? normalizeWithBehavior(best, input, filled, reasons)
    : normalizeLegacy(best, input, reasons);
  return {
    desiredReplicas: out.desired,
    metricReplicas: best,
    reasons,
    state: recordEvent(out.state, filled, cur, out.desired, now),
  };
}

function recordEvent(
  state: HpaState,
  filled: ReturnType<typeof fillBehavior> | undefined,
  from: number,
  to: number,
  now: number,
): HpaState {
  // Kubernetes stores scale events only when behavior is set; only policies read them.
  if (!filled || from === to) return state;
  const ev = { time: now, change: Math.abs(to - from) };
  const up = keepRecent(state.scaleUpEvents, MAX_PERIOD_SECONDS, now);
  const down = keepRecent(state.scaleDownEvents, MAX_PERIOD_SECONDS, now);
  return to > from
    ? { ...state, scaleUpEvents: [...up, ev], scaleDownEvents: down }
    : { ...state, scaleUpEvents: up, scaleDownEvents: [...down, ev] };
}

function normalizeLegacy(
  desired: number,
  input: HpaInput,
  reasons: Reason[],
): { desired: number; state: HpaState } {
  const { currentReplicas: cur, minReplicas: min, maxReplicas: max, now, state } = input;
  const window = DEFAULT_DOWNSCALE_STABILIZATION_SECONDS;
  // stabilizeRecommendation: samples not older than the window count (Go: !Before(cutoff)).
  const cutoff = now - window * 1000;
  const recent = state.recommendations.filter((r) => r.time >= cutoff);
  let stabilized = desired;
  let heldBy: TimedRecommendation | undefined;
  for (const r of recent) if (r.replicas > stabilized) stabilized = r.replicas;
  // The hold lasts until the *latest* sample at that level leaves the window.
  if (stabilized > desired) heldBy = recent.findLast((r) => r.replicas === stabilized);
  if (heldBy) {
    reasons.push(
      reason(
        TIDE.ScaleDownStabilized,
        `recommendation ${desired}, but ${heldBy.replicas} was recommended within the last ${window} s: holding ${stabilized} until ${formatInstant(heldBy.time + window * 1000)}`,
        { recommendation: desired, stabilized, window, until: heldBy.time + window * 1000 },
      ),
    );
  }
  const next: HpaState = {
    ...state,
    recommendations: withRecommendation(recent, cutoff, now, desired, true),
  };
  // convertDesiredReplicasWithRules: guard against bogus spikes.
  const upLimit = Math.max(2 * cur, 4);
  const maxAllowed = Math.min(max, upLimit);
  if (stabilized < min) {
    reasons.push(
      reason(
        TIDE.CappedByMin,
        `recommendation ${stabilized} is below the minimum ${min} → ${min}`,
        { min },
      ),
    );
    return { desired: min, state: next };
  }
  if (stabilized > maxAllowed) {
    if (maxAllowed === max)
      reasons.push(
        reason(
          TIDE.CappedByMax,
          `recommendation ${stabilized} exceeds maxReplicaCount ${max} → ${max}`,
          { max },
        ),
      );
    else
      reasons.push(
        reason(
          TIDE.ScaleUpLimited,
          `recommendation ${stabilized}, scale-up capped at max(2 × ${cur}, 4) = ${upLimit} per round`,
          { limit: upLimit },
        ),
      );
    return { desired: maxAllowed, state: next };
  }
  return { desired: stabilized, state: next };
}
