/**
 * KEDA's pause and force-activation annotations, and tide's job-cap annotations, parsed exactly
 * once so the manifest validator and the engine agree. Booleans follow Go `strconv.ParseBool`
 * and KEDA's rule that an unparsable value counts as TRUE (`NeedToBePausedByAnnotation`).
 */

export const ANNOTATIONS = {
  paused: 'autoscaling.keda.sh/paused',
  pausedReplicas: 'autoscaling.keda.sh/paused-replicas',
  pausedScaleIn: 'autoscaling.keda.sh/paused-scale-in',
  pausedScaleOut: 'autoscaling.keda.sh/paused-scale-out',
  forceActivation: 'autoscaling.keda.sh/force-activation',
  maxJobsPerRound: 'autoscaling.tide.dev/max-jobs-per-round',
  maxRunningJobs: 'autoscaling.tide.dev/max-running-jobs',
} as const;

/** What the pause annotations say. */
export interface PauseState {
  /** `paused` true, or `paused-replicas` present: the scale loop holds. */
  readonly paused: boolean;
  /** `paused-replicas`: the count the target is set to while paused. */
  readonly pausedReplicas?: number;
  /** Blocks →0/→idle and HPA scale-down (ScaledObject only). */
  readonly pausedScaleIn: boolean;
  /** Blocks 0→1/idle→min and HPA scale-up (ScaledObject only). */
  readonly pausedScaleOut: boolean;
  /** Treated as active regardless of triggers (ScaledObject only). */
  readonly forceActivation: boolean;
}

export type AnnotationResult<T> =
  { ok: true; value: T } | { ok: false; error: string; path: string };

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go strconv.ParseBool, or undefined for anything else. */
export function parseGoBool(v: string): boolean | undefined {
  if (GO_TRUE.has(v)) return true;
  if (GO_FALSE.has(v)) return false;
  return undefined;
}

/** KEDA's reading of a boolean annotation: absent ⇒ false, unparsable ⇒ true. */
function flag(annotations: Readonly<Record<string, string>>, key: string): boolean {
  const v = annotations[key];
  if (v === undefined) return false;
  return parseGoBool(v) ?? true;
}

/** Go strconv.ParseInt(v, 10, 32). */
export function parseInt32(v: string): number | undefined {
  if (!/^[+-]?\d+$/.test(v)) return undefined;
  const n = Number(v);
  if (n < -2147483648 || n > 2147483647) return undefined;
  return n;
}

/**
 * Parses the pause annotations of a ScaledObject (all five) or a ScaledJob (`paused` only;
 * KEDA ignores the others there). `paused-replicas` must be an int32 (and not negative: a
 * replica count); its presence pauses even when `paused` says "false".
 */
export function parsePauseAnnotations(
  annotations: Readonly<Record<string, string>>,
  kind: 'ScaledObject' | 'ScaledJob' = 'ScaledObject',
): AnnotationResult<PauseState> {
  if (kind === 'ScaledJob') {
    return {
      ok: true,
      value: {
        paused: flag(annotations, ANNOTATIONS.paused),
        pausedScaleIn: false,
        pausedScaleOut: false,
        forceActivation: false,
      },
    };
  }
  const raw = annotations[ANNOTATIONS.pausedReplicas];
  let pausedReplicas: number | undefined;
  if (raw !== undefined) {
    pausedReplicas = parseInt32(raw);
    if (pausedReplicas === undefined || pausedReplicas < 0) {
      return {
        ok: false,
        path: `metadata.annotations["${ANNOTATIONS.pausedReplicas}"]`,
        error: `must be a non-negative integer (int32), got "${raw}"`,
      };
    }
  }
  const value: PauseState = {
    paused: pausedReplicas !== undefined || flag(annotations, ANNOTATIONS.paused),
    pausedScaleIn: flag(annotations, ANNOTATIONS.pausedScaleIn),
    pausedScaleOut: flag(annotations, ANNOTATIONS.pausedScaleOut),
    forceActivation: flag(annotations, ANNOTATIONS.forceActivation),
    ...(pausedReplicas !== undefined ? { pausedReplicas } : {}),
  };
  return { ok: true, value };
}

/** tide's ScaledJob concurrency caps (the ack-keda "per batch and in total" control). */
export interface JobCaps {
  /** At most this many Jobs created in one round. */
  readonly maxPerRound?: number;
  /** Never more than this many unfinished (running + pending) Jobs. */
  readonly maxRunning?: number;
}

/**
 * Parses `autoscaling.tide.dev/max-jobs-per-round` and `.../max-running-jobs`: positive integers
 * (int32). This is the one place the rule lives (manifest validation, the engine, the simulator and
 * the schedulers all read the caps through it). 0 is refused rather than read as "no jobs": a
 * ScaledJob that must not start Jobs is paused with KEDA's `autoscaling.keda.sh/paused`.
 */
export function parseJobCapAnnotations(
  annotations: Readonly<Record<string, string>>,
): AnnotationResult<JobCaps> {
  const caps: { maxPerRound?: number; maxRunning?: number } = {};
  for (const [field, key] of [
    ['maxPerRound', ANNOTATIONS.maxJobsPerRound],
    ['maxRunning', ANNOTATIONS.maxRunningJobs],
  ] as const) {
    const raw = annotations[key];
    if (raw === undefined) continue;
    const n = parseInt32(raw.trim());
    if (n === undefined || n < 1)
      return {
        ok: false,
        path: `metadata.annotations["${key}"]`,
        error: `must be a positive integer, got "${raw}"`,
      };
    caps[field] = n;
  }
  return { ok: true, value: caps };
}
