/**
 * HPA `behavior` (Kubernetes `normalizeDesiredReplicasWithBehaviors`): defaults, stabilization
 * windows (scale-up takes the lowest recommendation in its window, scale-down the highest) and
 * Pods/Percent policies limiting the change per `periodSeconds`, chosen by `selectPolicy`.
 */
import type { HPABehavior, HPAScalingPolicy } from '../manifests/types.js';
import { DEFAULT_TOLERANCE } from './hpa-metrics.js';
import { reason, TIDE, type Reason } from './reasons.js';
import { formatInstant } from './time.js';
import type { HpaState, ScaleEvent, TimedRecommendation } from './types.js';

/** `--horizontal-pod-autoscaler-downscale-stabilization`. */
export const DEFAULT_DOWNSCALE_STABILIZATION_SECONDS = 300;

/** The part of an HPA sync that normalization reads. */
export interface NormalizeInput {
  readonly currentReplicas: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly now: number;
  readonly state: HpaState;
}

/** A scaling direction's rules with every default filled in (`autoscaling/v2` defaults.go). */
export interface FilledRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: 'Max' | 'Min' | 'Disabled';
  readonly policies: readonly HPAScalingPolicy[];
  readonly tolerance: number;
}

/** Fills a set `behavior` as Kubernetes does; `maybeInitScaleDownStabilizationWindow` gives 300 s. */
export function fillBehavior(b: HPABehavior): { scaleUp: FilledRules; scaleDown: FilledRules } {
  return {
    scaleUp: {
      stabilizationWindowSeconds: b.scaleUp?.stabilizationWindowSeconds ?? 0,
      selectPolicy: b.scaleUp?.selectPolicy ?? 'Max',
      policies: b.scaleUp?.policies ?? [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
      tolerance: b.scaleUp?.tolerance ?? DEFAULT_TOLERANCE,
    },
    scaleDown: {
      stabilizationWindowSeconds:
        b.scaleDown?.stabilizationWindowSeconds ?? DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
      selectPolicy: b.scaleDown?.selectPolicy ?? 'Max',
      policies: b.scaleDown?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      tolerance: b.scaleDown?.tolerance ?? DEFAULT_TOLERANCE,
    },
  };
}

/** Sum of changes strictly after `now − period` (Go `timestamp.After(cutoff)`). */
function changeInPeriod(events: readonly ScaleEvent[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let sum = 0;
  for (const e of events) if (e.time > cutoff) sum += e.change;
  return sum;
}

/** calculateScaleUpLimitWithScalingRules. */
export function scaleUpLimit(
  current: number,
  state: HpaState,
  rules: FilledRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const p of rules.policies) {
    const start =
      current -
      changeInPeriod(state.scaleUpEvents, p.periodSeconds, now) +
      changeInPeriod(state.scaleDownEvents, p.periodSeconds, now);
    // Percent rounds up so a small target can always grow.
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = rules.selectPolicy === 'Min' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors. */
export function scaleDownLimit(
  current: number,
  state: HpaState,
  rules: FilledRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const p of rules.policies) {
    const start =
      current -
      changeInPeriod(state.scaleUpEvents, p.periodSeconds, now) +
      changeInPeriod(state.scaleDownEvents, p.periodSeconds, now);
    // Go's int32(float64) truncates: 72 × 0.9 = 64.8 → 64.
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = rules.selectPolicy === 'Min' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

export function keepRecent<T extends { time: number }>(
  items: readonly T[],
  windowSeconds: number,
  now: number,
): T[] {
  const cutoff = now - windowSeconds * 1000;
  return items.filter((r) => r.time > cutoff);
}

/**
 * The recommendation history after this round's `replicas`: the entries still inside the
 * window (`time > cutoff`, or `>= cutoff` with `inclusive`), each replica count once at its
 * latest time, then this one. Stabilization only asks whether a count was recommended inside
 * a window (the min or max over it) and, for its message, the latest time of that count, so
 * an older entry with the same count never changes a decision. Kept in full, the history held
 * one entry per round (300 at pollingInterval 1 with the default 300 s window), copied every
 * round of every active object.
 */
export function withRecommendation(
  history: readonly TimedRecommendation[],
  cutoff: number,
  now: number,
  replicas: number,
  inclusive = false,
): TimedRecommendation[] {
  const out = history.filter(
    (r) => r.replicas !== replicas && (inclusive ? r.time >= cutoff : r.time > cutoff),
  );
  out.push({ time: now, replicas });
  return out;
}

/** Stabilizes and rate-limits a recommendation; returns the count and the new history. */
export function normalizeWithBehavior(
  desired: number,
  input: NormalizeInput,
  f: ReturnType<typeof fillBehavior>,
  reasons: Reason[],
): { desired: number; state: HpaState } {
  const { currentReplicas: cur, minReplicas: min, maxReplicas: max, now, state } = input;
  const upCut = now - f.scaleUp.stabilizationWindowSeconds * 1000;
  const downCut = now - f.scaleDown.stabilizationWindowSeconds * 1000;
  let upRec = desired;
  let downRec = desired;
  for (const r of state.recommendations) {
    if (r.time > upCut && r.replicas < upRec) upRec = r.replicas;
    if (r.time > downCut && r.replicas > downRec) downRec = r.replicas;
  }
  // For the message: the latest sample at the limiting level (the hold lasts until it expires).
  const upBy =
    upRec < desired
      ? state.recommendations.findLast((r) => r.time > upCut && r.replicas === upRec)
      : undefined;
  const downBy =
    downRec > desired
      ? state.recommendations.findLast((r) => r.time > downCut && r.replicas === downRec)
      : undefined;
  let rec = cur;
  if (rec < upRec) rec = upRec;
  if (rec > downRec) rec = downRec;
  if (rec < desired && upBy) {
    const until = upBy.time + f.scaleUp.stabilizationWindowSeconds * 1000;
    reasons.push(
      reason(
        TIDE.ScaleUpStabilized,
        `recommendation ${desired}, but ${upRec} was recommended within the scale-up window (${f.scaleUp.stabilizationWindowSeconds} s): ${rec} until ${formatInstant(until)}`,
        {
          recommendation: desired,
          stabilized: rec,
          until,
        },
      ),
    );
  } else if (rec > desired && downBy) {
    const until = downBy.time + f.scaleDown.stabilizationWindowSeconds * 1000;
    reasons.push(
      reason(
        TIDE.ScaleDownStabilized,
        `recommendation ${desired}, but ${downRec} was recommended within the scale-down window (${f.scaleDown.stabilizationWindowSeconds} s): holding ${rec} until ${formatInstant(until)}`,
        { recommendation: desired, stabilized: rec, until },
      ),
    );
  }
  const keep = Math.max(
    f.scaleUp.stabilizationWindowSeconds,
    f.scaleDown.stabilizationWindowSeconds,
  );
  const next: HpaState = {
    ...state,
    recommendations: withRecommendation(state.recommendations, now - keep * 1000, now, desired),
  };

  if (rec > cur) {
    let limit = scaleUpLimit(cur, state, f.scaleUp, now);
    if (limit < cur) limit = cur;
    const maxAllowed = Math.min(max, limit);
    if (rec > maxAllowed) {
      if (f.scaleUp.selectPolicy === 'Disabled')
        reasons.push(
          reason(
            TIDE.ScaleUpDisabled,
            `scale-up to ${rec} is disabled (selectPolicy Disabled): stays ${cur}`,
          ),
        );
      else if (maxAllowed === max && limit >= max)
        reasons.push(
          reason(
            TIDE.CappedByMax,
            `recommendation ${rec} exceeds maxReplicaCount ${max} → ${max}`,
            { max },
          ),
        );
      else
        reasons.push(
          reason(
            TIDE.ScaleUpLimited,
            `recommendation ${rec}, scale-up policies (selectPolicy ${f.scaleUp.selectPolicy}) allow ${maxAllowed} now`,
            { limit },
          ),
        );
      return { desired: maxAllowed, state: next };
    }
  } else if (rec < cur) {
    let limit = scaleDownLimit(cur, state, f.scaleDown, now);
    if (limit > cur) limit = cur;
    const minAllowed = Math.max(min, limit);
    if (rec < minAllowed) {
      if (f.scaleDown.selectPolicy === 'Disabled')
        reasons.push(
          reason(
            TIDE.ScaleDownDisabled,
            `scale-down to ${rec} is disabled (selectPolicy Disabled): stays ${cur}`,
          ),
        );
      else if (minAllowed === min && limit <= min)
        reasons.push(
          reason(TIDE.CappedByMin, `recommendation ${rec} is below the minimum ${min} → ${min}`, {
            min,
          }),
        );
      else
        reasons.push(
          reason(
            TIDE.ScaleDownLimited,
            `recommendation ${rec}, scale-down policies (selectPolicy ${f.scaleDown.selectPolicy}) allow ${minAllowed} now`,
            { limit },
          ),
        );
      return { desired: minAllowed, state: next };
    }
  }
  return { desired: rec, state: next };
}
