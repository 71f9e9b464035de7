/**
 * ScaledJob scaling strategies (KEDA `executor/scale_jobs.go` `ScalingStrategy`): tiny pure
 * functions of (maxScale, running, pending, maxReplicaCount, scaleTo), plus the sentence that
 * explains each result.
 */
import { num } from './reasons.js';

export type StrategyName = 'default' | 'custom' | 'accurate' | 'eager';

/**
 * `GetEffectiveMaxScale(maxScale, running, pending, maxRC, scaleTo)`; `running` already has
 * minReplicaCount subtracted. Returns [effective, scaleTo]. `custom` needs both knobs, else it
 * is `default` (KEDA falls back when the percentage does not parse).
 */
export function effectiveMaxScale(
  strategy: StrategyName,
  maxScale: number,
  running: number,
  pending: number,
  maxRC: number,
  scaleTo: number,
  custom?: { deduction: number; percentage: number },
): [number, number] {
  switch (strategy) {
    case 'custom':
      if (custom)
        return [
          Math.min(maxScale - custom.deduction - Math.trunc(running * custom.percentage), maxRC),
          scaleTo,
        ];
      return [maxScale - running, scaleTo];
    case 'accurate':
      // PR #7417: pending is subtracted in the comparison too.
      return [maxScale + running - pending > maxRC ? maxRC - running : maxScale - pending, scaleTo];
    case 'eager':
      return [Math.min(maxRC - running - pending, maxScale), maxRC];
    case 'default':
      return [maxScale - running, scaleTo];
  }
}

/** The strategy a ScaledJob runs, and the one its manifest asked for (they differ for `custom`). */
export interface ScalingStrategy {
  readonly used: StrategyName;
  readonly asked: StrategyName;
  readonly custom?: { readonly deduction: number; readonly percentage: number };
}

/**
 * KEDA `NewScalingStrategy`: `custom` needs a `customScalingRunningJobPercentage` Go's
 * ParseFloat reads (else it is `default`); a missing deduction counts 0.
 */
export function scalingStrategy(
  s:
    | {
        strategy?: StrategyName;
        customScalingQueueLengthDeduction?: number;
        customScalingRunningJobPercentage?: string;
      }
    | undefined,
): ScalingStrategy {
  const asked = s?.strategy ?? 'default';
  if (asked !== 'custom') return { used: asked, asked };
  const percentage = parseFloatGo(s?.customScalingRunningJobPercentage);
  if (percentage === undefined) return { used: 'default', asked };
  return {
    used: 'custom',
    asked,
    custom: { deduction: s?.customScalingQueueLengthDeduction ?? 0, percentage },
  };
}

/** Go strconv.ParseFloat for the custom percentage; undefined when empty or unparsable. */
export function parseFloatGo(s: string | undefined): number | undefined {
  if (s === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim()))
    return undefined;
  return Number(s);
}

/** The arithmetic of one strategy as a sentence. */
export function strategyText(
  used: StrategyName,
  asked: string,
  maxScale: number,
  running: number,
  pending: number,
  maxRC: number,
  effective: number,
  scaleTo: number,
  custom?: { deduction: number; percentage: number },
): string {
  const note =
    used !== asked
      ? ` (custom without a parsable customScalingRunningJobPercentage falls back to default)`
      : '';
  switch (used) {
    case 'default':
      return `default: maxScale ${maxScale} − running ${running} = ${effective}${note}`;
    case 'custom':
      return `custom: min(${maxScale} − ${custom?.deduction ?? 0} − trunc(${running} × ${num(custom?.percentage ?? 0)}), ${maxRC}) = ${effective}`;
    case 'accurate':
      return maxScale + running - pending > maxRC
        ? `accurate: ${maxScale} + ${running} − ${pending} > ${maxRC} → ${maxRC} − ${running} = ${effective}`
        : `accurate: ${maxScale} + ${running} − ${pending} ≤ ${maxRC} → ${maxScale} − ${pending} = ${effective}`;
    case 'eager':
      return `eager: min(${maxRC} − ${running} − ${pending}, ${maxScale}) = ${effective}, scaleTo ${scaleTo}`;
  }
}
