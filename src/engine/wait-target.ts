/**
 * tide's wait-time policy (`autoscaling.tide.dev/target-wait-seconds`): size a pool from how
 * long a task waits instead of a fixed backlog per replica.
 *
 * Each round gives one observation of the source: the backlog (the first trigger's value:
 * items waiting), and, when the workers report them, the tasks in flight, the tasks completed
 * so far and the seconds spent on them. Between two observations:
 *
 * - completions  C = Δcompleted
 * - busy time    = Δ(seconds the workers spent on tasks)
 * - arrivals     A = Δ(backlog + in flight + completed), signed
 *
 * The three parts are read at slightly different moments (the list at once, a worker's record
 * up to 200 ms after it takes or starts a task), so the total can dip for one round and come
 * back the next; a signed change cancels that, where counting only the rises would read every
 * task a worker takes as one more arrival (λ high, and the pool held large after the queue
 * drains). λ is clamped at 0 when it is used.
 *
 * Sums decay with a half-life of `WAIT_HALF_LIFE_SECONDS` (an exponentially weighted moving average, as a ratio of
 * sums, so a round with no completion does not read as "infinitely slow"), and give
 *   μ = completions / busy seconds   (drain rate per replica)
 *   λ = arrivals / elapsed seconds   (arrival rate)
 *
 * Little's law then sizes the pool. In FIFO order the last of B waiting items is taken once
 * the B items up to it are, B / (n·μ) seconds with n replicas (what arrives after it does not
 * delay it), so n ≥ B / (μ·T) keeps it under the target T; and n ≥ λ/μ keeps the backlog
 * from growing:
 *   n = max(λ/μ, B / (μ·T)).
 * Without a measured μ (from zero, or workers that report no completions) the policy is not
 * applied and the trigger's own target sizes the pool. Pure: no clock, no I/O.
 */
import type { HPABehavior } from '../manifests/types.js';
import type { HpaMetric } from './hpa-metrics.js';
import { num, reason, TIDE, type Reason } from './reasons.js';

/** The wait a task should not exceed, seconds (a positive number). */
export const TARGET_WAIT_ANNOTATION = 'autoscaling.tide.dev/target-wait-seconds';
/** Scale-in stabilization window, seconds (≥ 0), instead of the HPA's 300 s. */
export const SCALE_IN_WINDOW_ANNOTATION = 'autoscaling.tide.dev/scale-in-stabilization-seconds';
/**
 * Old evidence counts half after this long. By time, not by round: push wake-ups can run
 * rounds 200 ms apart, and a per-round weight would then forget everything within a second.
 */
export const WAIT_HALF_LIFE_SECONDS = 15;
/**
 * Before μ is measured, the arrival rate of the episode under way (since the source last read
 * idle) projects the backlog, once it has been watched this long: push rounds can be 200 ms
 * apart, and two tasks 200 ms apart are not a rate of 5 a second.
 */
export const EPISODE_MIN_SECONDS = 1;
/**
 * Completions seen before μ is trusted: one task's time is a poor guess of the mean (tasks of
 * 1 to 9 s: the first to finish can be either end), and a plan from it can ask for twice the
 * pool. Until then the backlog-ahead sizing applies.
 */
export const MIN_COMPLETIONS = 3;

export interface WaitAnnotations {
  readonly targetWaitSeconds?: number;
  readonly scaleInWindowSeconds?: number;
}

export type WaitAnnotationsResult =
  | { readonly ok: true; readonly value: WaitAnnotations }
  | { readonly ok: false; readonly path: string; readonly error: string };

function parseSeconds(
  annotations: Readonly<Record<string, string>>,
  key: string,
  positive: boolean,
): number | string | undefined {
  const raw = annotations[key];
  if (raw === undefined) return undefined;
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n) || (positive ? n <= 0 : n < 0))
    return `expected a number of seconds ${positive ? '> 0' : '≥ 0'}, got "${raw}"`;
  return n;
}

/** Reads the two annotations; an invalid one names itself and what it expected. */
export function parseWaitAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
): WaitAnnotationsResult {
  const a = annotations ?? {};
  const wait = parseSeconds(a, TARGET_WAIT_ANNOTATION, true);
  if (typeof wait === 'string')
    return { ok: false, path: `metadata.annotations["${TARGET_WAIT_ANNOTATION}"]`, error: wait };
  const window = parseSeconds(a, SCALE_IN_WINDOW_ANNOTATION, false);
  if (typeof window === 'string')
    return {
      ok: false,
      path: `metadata.annotations["${SCALE_IN_WINDOW_ANNOTATION}"]`,
      error: window,
    };
  return {
    ok: true,
    value: {
      ...(wait !== undefined ? { targetWaitSeconds: wait } : {}),
      ...(window !== undefined ? { scaleInWindowSeconds: window } : {}),
    },
  };
}

/** What the workers report beside the backlog (tide's Celery workers, through the registry). */
export interface WaitSignals {
  /** Tasks taken from the queue and not finished: running, or held by a worker before it starts. */
  readonly inFlight?: number;
  /** Tasks completed so far by the live workers (a counter; only its changes matter). */
  readonly completed?: number;
  /**
   * Replica-seconds the live workers spent running tasks so far (a counter, like `completed`):
   * a worker's slot-seconds divided by its concurrency, so μ is a replica's rate when full.
   */
  readonly busySeconds?: number;
}

/** One round's observation. */
export interface WaitObservation extends WaitSignals {
  /** ms since epoch. */
  readonly at: number;
  /** Items waiting (the first trigger's value). */
  readonly backlog: number;
  /** Replicas that ran since the previous observation (the current count at this round). */
  readonly replicas: number;
}

/** Decayed sums carried between rounds (in `ScaledObjectState`). */
export interface WaitEstimate {
  readonly last: WaitObservation;
  readonly completions: number;
  readonly busySeconds: number;
  readonly arrivals: number;
  readonly elapsedSeconds: number;
  /** Completions seen in all, not decayed (`MIN_COMPLETIONS`); absent in older states: 0. */
  readonly seen?: number;
  /**
   * The episode under way: the first observation since the source last read idle (nothing
   * waiting or in flight), as its time and total. The decayed λ lags a burst that starts after
   * a quiet spell (the quiet seconds weigh in); the episode's own rate does not.
   */
  readonly episode?: { readonly at: number; readonly total: number };
}

/** Every item waiting, in hand or done. */
const totalOf = (o: WaitObservation) => o.backlog + (o.inFlight ?? 0) + (o.completed ?? 0);
const idle = (o: WaitObservation) => o.backlog + (o.inFlight ?? 0) === 0;

function nextEpisode(
  prev: WaitEstimate | undefined,
  obs: WaitObservation,
): WaitEstimate['episode'] {
  if (idle(obs)) return undefined;
  return prev?.episode ?? { at: obs.at, total: totalOf(obs) };
}

/** A counter's growth; a worker that left takes its count with it, which is not negative work. */
function growth(before: number | undefined, after: number | undefined): number | undefined {
  return before === undefined || after === undefined ? undefined : Math.max(0, after - before);
}

/** Folds one observation into the estimate. */
export function observeWait(prev: WaitEstimate | undefined, obs: WaitObservation): WaitEstimate {
  const episode = nextEpisode(prev, obs);
  if (!prev)
    return {
      last: obs,
      completions: 0,
      busySeconds: 0,
      arrivals: 0,
      elapsedSeconds: 0,
      seen: 0,
      ...(episode ? { episode } : {}),
    };
  const p = prev.last;
  const dt = (obs.at - p.at) / 1000;
  if (!(dt > 0)) return { ...withEpisode(prev, episode), last: obs };
  const completions = growth(p.completed, obs.completed) ?? 0;
  // Busy time: the workers' own counter; else the mean of two in-flight snapshots; else every
  // replica counts as busy (an upper bound: μ comes out low and the pool large, the safe side).
  // `obs.replicas` is the count that ran during the interval (decided at the previous round).
  const snapshots =
    p.inFlight !== undefined && obs.inFlight !== undefined
      ? Math.min(obs.replicas, (p.inFlight + obs.inFlight) / 2) * dt
      : obs.replicas * dt;
  const busy =
    obs.completed === undefined ? 0 : (growth(p.busySeconds, obs.busySeconds) ?? snapshots);
  // Every item is waiting, in hand or done: what that total gained arrived in the interval.
  // Signed, so a dip of one round (a worker's record not yet updated) and the rise after it
  // cancel instead of reading as an arrival.
  const arrivals = totalOf(obs) - totalOf(p);
  const keep = 0.5 ** (dt / WAIT_HALF_LIFE_SECONDS);
  return {
    last: obs,
    completions: prev.completions * keep + completions,
    busySeconds: prev.busySeconds * keep + busy,
    arrivals: prev.arrivals * keep + arrivals,
    elapsedSeconds: prev.elapsedSeconds * keep + dt,
    seen: (prev.seen ?? 0) + completions,
    ...(episode ? { episode } : {}),
  };
}

function withEpisode(e: WaitEstimate, episode: WaitEstimate['episode']): WaitEstimate {
  const { episode: _, ...rest } = e;
  return episode ? { ...rest, episode } : rest;
}

/** The backlog expected within one wait target, from the episode's rate; undefined: too early. */
export interface BacklogProjection {
  readonly projected: number;
  readonly episodeRate: number;
  readonly episodeSeconds: number;
  readonly arithmetic: string;
}

/**
 * Before μ is measured the trigger's own target sizes the pool, and a burst then climbs a
 * staircase (each round sizes for the backlog so far while it keeps growing). Sizing that
 * target for the backlog one wait target ahead, B + λ_episode·T, meets the burst in one round
 * once its rate has been watched for `EPISODE_MIN_SECONDS`.
 */
export function projectBacklog(
  estimate: WaitEstimate | undefined,
  targetWaitSeconds: number,
): BacklogProjection | undefined {
  const ep = estimate?.episode;
  if (!estimate || !ep) return undefined;
  const seconds = (estimate.last.at - ep.at) / 1000;
  if (seconds < EPISODE_MIN_SECONDS) return undefined;
  const rate = Math.max(0, (totalOf(estimate.last) - ep.total) / seconds);
  const b = Math.max(0, estimate.last.backlog);
  const projected = b + rate * targetWaitSeconds;
  return {
    projected,
    episodeRate: rate,
    episodeSeconds: seconds,
    arithmetic: `backlog ahead B + λ·T = ${num(b)} + ${num(rate)}×${num(targetWaitSeconds)} = ${num(projected)} (λ over the last ${num(seconds)} s, since the source last read idle)`,
  };
}

/** The replicas the wait target asks for, with the figures behind them. */
export interface WaitPlan {
  /** Unrounded need: max(λ/μ, B/(μ·T)). */
  readonly need: number;
  readonly replicas: number;
  readonly perReplicaRate: number;
  readonly arrivalRate: number;
  readonly backlog: number;
  readonly targetWaitSeconds: number;
  /** The arithmetic, for `tide explain`. */
  readonly arithmetic: string;
}

/** Why there is no plan yet (the trigger's own target applies). */
export type WaitPlanResult =
  { readonly ok: true; readonly plan: WaitPlan } | { readonly ok: false; readonly why: string };

/**
 * The λ/μ term. The goal is the wait, not a utilization below 1: with ⌊λ/μ⌋ replicas the
 * backlog grows by λ − ⌊λ/μ⌋·μ a second, and the B/(μ·T) term adds a replica before the last
 * item would wait longer than T. So the term is rounded down when, from this backlog, the
 * smaller pool would take at least one wait target to reach a backlog that breaches it; the
 * pool then alternates between ⌊λ/μ⌋ and ⌈λ/μ⌉ and costs about λ/μ replicas, not ⌈λ/μ⌉.
 */
function serveTerm(
  serve: number,
  lambda: number,
  mu: number,
  backlog: number,
  targetWaitSeconds: number,
): { value: number; note: string } {
  const lower = Math.floor(serve);
  if (lower < 1 || lower === serve) return { value: serve, note: '' };
  const growth = lambda - lower * mu;
  const room = lower * mu * targetWaitSeconds - backlog;
  const secondsToBreach = room / growth;
  if (!(room > 0) || secondsToBreach < targetWaitSeconds) return { value: serve, note: '' };
  return {
    value: lower,
    note: ` (${num(serve)} rounded down: ${lower} replicas reach a ${num(targetWaitSeconds)} s wait in ${num(secondsToBreach)} s)`,
  };
}

/** Little's law sizing from the estimate; `backlog` is this round's. */
export function planForWait(
  estimate: WaitEstimate | undefined,
  targetWaitSeconds: number,
): WaitPlanResult {
  if (!estimate || estimate.elapsedSeconds === 0)
    return { ok: false, why: 'no measurement yet (first round)' };
  if (estimate.last.completed === undefined)
    return {
      ok: false,
      why: 'the workers report no completions (tide celery workers do, through their registry)',
    };
  if (!(estimate.busySeconds > 0) || !(estimate.completions > 0))
    return { ok: false, why: 'no completed task measured yet' };
  const seen = estimate.seen ?? 0;
  if (seen < MIN_COMPLETIONS)
    return {
      ok: false,
      why: `${num(seen)} of the ${MIN_COMPLETIONS} completed tasks needed to trust the drain rate`,
    };
  const mu = estimate.completions / estimate.busySeconds;
  const lambda = Math.max(0, estimate.arrivals / estimate.elapsedSeconds);
  const b = Math.max(0, estimate.last.backlog);
  const rawServe = lambda / mu;
  const serve = serveTerm(rawServe, lambda, mu, b, targetWaitSeconds);
  const drain = b / (mu * targetWaitSeconds);
  const need = Math.max(serve.value, drain);
  // Milli precision, as the HPA part, so 5.0000001 does not become 6.
  const replicas = Math.ceil(Math.round(need * 1000) / 1000);
  const arithmetic =
    `max(λ/μ, B/(μ·T)) = max(${num(lambda)}/${num(mu)}, ${num(b)}/(${num(mu)}×${num(targetWaitSeconds)}))` +
    ` = max(${num(serve.value)}${serve.note}, ${num(drain)}) = ${num(need)} → ${replicas}` +
    ` (μ = ${num(estimate.completions)} completions / ${num(estimate.busySeconds)} busy replica-s,` +
    ` λ = ${num(estimate.arrivals)} arrivals / ${num(estimate.elapsedSeconds)} s, half-life ${WAIT_HALF_LIFE_SECONDS} s)`;
  return {
    ok: true,
    plan: {
      need,
      replicas,
      perReplicaRate: mu,
      arrivalRate: lambda,
      backlog: b,
      targetWaitSeconds,
      arithmetic,
    },
  };
}

/** The HPA metric that carries the plan: AverageValue 1 per replica, so it proposes ceil(need). */
export const WAIT_TARGET_METRIC = 'tide-wait-target';

export interface WaitPolicyInput {
  readonly annotations: Readonly<Record<string, string>> | undefined;
  /** The first trigger's first value this round; undefined when it failed. */
  readonly backlog: number | undefined;
  readonly signals: WaitSignals | undefined;
  readonly currentReplicas: number;
  readonly maxReplicas: number;
  /**
   * The scale-in window with a wait target when neither the annotation nor `behavior` sets one:
   * one polling interval, long enough to ride out one quiet poll, short next to 300 s.
   */
  readonly pollingIntervalSeconds: number;
  readonly now: number;
  readonly estimate: WaitEstimate | undefined;
  /** The triggers' metrics this round (the first is the backlog), for the projection. */
  readonly triggerMetrics?: readonly HpaMetric[];
}

export interface WaitPolicyResult {
  /** Replaces the triggers' metrics in the HPA part; undefined: the triggers size the pool. */
  readonly metrics?: readonly HpaMetric[];
  /** Rewrites `behavior` (shorter scale-in window, unthrottled scale-up). */
  readonly behavior: (b: HPABehavior | undefined) => HPABehavior | undefined;
  readonly estimate?: WaitEstimate;
  readonly plan?: WaitPlan;
  readonly reasons: readonly Reason[];
}

const unchanged = (b: HPABehavior | undefined) => b;

/**
 * The triggers' metrics with the first (the backlog) read as the projection, when it is a
 * count (AverageValue or Value) and the projection is larger; undefined: nothing changes.
 */
function projectedMetrics(
  metrics: readonly HpaMetric[] | undefined,
  projection: BacklogProjection | undefined,
): { metrics: HpaMetric[]; arithmetic: string } | undefined {
  const first = metrics?.[0];
  // A composite metric (scalingModifiers) is a formula of the triggers, not the backlog.
  if (!metrics || !first || !projection || first.error !== undefined) return undefined;
  if (first.name === 'composite-metric') return undefined;
  if (first.targetType !== 'AverageValue' && first.targetType !== 'Value') return undefined;
  if (!(projection.projected > (first.value ?? 0))) return undefined;
  return {
    metrics: [{ ...first, value: projection.projected }, ...metrics.slice(1)],
    arithmetic: projection.arithmetic,
  };
}

/**
 * One round of the policy for a ScaledObject: observe, plan, and say how the HPA part changes.
 * Without either annotation it changes nothing and keeps no estimate.
 */
export function applyWaitPolicy(input: WaitPolicyInput): WaitPolicyResult {
  const parsed = parseWaitAnnotations(input.annotations);
  if (!parsed.ok)
    return {
      behavior: unchanged,
      reasons: [reason(TIDE.AnnotationInvalid, `${parsed.path}: ${parsed.error}; ignored`)],
    };
  const { targetWaitSeconds, scaleInWindowSeconds } = parsed.value;
  if (targetWaitSeconds === undefined && scaleInWindowSeconds === undefined)
    return { behavior: unchanged, reasons: [] };
  const window =
    scaleInWindowSeconds ??
    (targetWaitSeconds !== undefined ? input.pollingIntervalSeconds : undefined);
  const behavior = (b: HPABehavior | undefined): HPABehavior | undefined => {
    const down = b?.scaleDown?.stabilizationWindowSeconds;
    const out: HPABehavior = { ...(b ?? {}) };
    // A window written in `behavior` wins over the default, the annotation over both.
    const w = scaleInWindowSeconds ?? down ?? window;
    if (w !== undefined) out.scaleDown = { ...(b?.scaleDown ?? {}), stabilizationWindowSeconds: w };
    // The estimate already says how many are needed: reach it in one round unless the user
    // wrote scale-up policies (the HPA default adds at most 4 pods or 100 % per 15 s).
    if (targetWaitSeconds !== undefined && !b?.scaleUp?.policies)
      out.scaleUp = {
        ...(b?.scaleUp ?? {}),
        policies: [{ type: 'Pods', value: Math.max(1, input.maxReplicas), periodSeconds: 15 }],
      };
    return out;
  };
  if (targetWaitSeconds === undefined) return { behavior, reasons: [] };
  if (input.backlog === undefined)
    return {
      behavior,
      ...(input.estimate ? { estimate: input.estimate } : {}),
      reasons: [
        reason(
          TIDE.WaitTarget,
          `wait target ${num(targetWaitSeconds)} s: the first trigger failed this round, its own target applies`,
        ),
      ],
    };
  const estimate = observeWait(input.estimate, {
    at: input.now,
    backlog: input.backlog,
    replicas: input.currentReplicas,
    ...(input.signals?.inFlight !== undefined ? { inFlight: input.signals.inFlight } : {}),
    ...(input.signals?.completed !== undefined ? { completed: input.signals.completed } : {}),
    ...(input.signals?.busySeconds !== undefined ? { busySeconds: input.signals.busySeconds } : {}),
  });
  const p = planForWait(estimate, targetWaitSeconds);
  if (!p.ok) {
    const ahead = projectedMetrics(
      input.triggerMetrics,
      projectBacklog(estimate, targetWaitSeconds),
    );
    return {
      behavior,
      estimate,
      ...(ahead ? { metrics: ahead.metrics } : {}),
      reasons: [
        reason(
          TIDE.WaitTarget,
          ahead
            ? `wait target ${num(targetWaitSeconds)} s: ${p.why}; the trigger's own target applies to the ${ahead.arithmetic}`
            : `wait target ${num(targetWaitSeconds)} s: ${p.why}; the trigger's own target applies`,
        ),
      ],
    };
  }
  return {
    metrics: [
      { name: WAIT_TARGET_METRIC, targetType: 'AverageValue', target: 1, value: p.plan.need },
    ],
    behavior,
    estimate,
    plan: p.plan,
    reasons: [
      reason(TIDE.WaitTarget, `wait target ${num(targetWaitSeconds)} s: ${p.plan.arithmetic}`, {
        need: p.plan.need,
        replicas: p.plan.replicas,
        perReplicaRate: p.plan.perReplicaRate,
        arrivalRate: p.plan.arrivalRate,
        backlog: p.plan.backlog,
        targetWaitSeconds,
      }),
    ],
  };
}
