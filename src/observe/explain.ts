/**
 * `tide explain`'s sentence: why an object has the replicas (or started the jobs) it has, built
 * from one decision record. The engine's reason messages already carry the arithmetic
 * ("value 27, target 10 per replica, 1 replica → ceil(2.7) = 3"); this picks the telling ones,
 * keeps the engine's order (triggers, activation, HPA arithmetic, holds and caps), rephrases
 * the stabilization holds, and shortens timestamps to the time of day.
 */
import { KEDA, num, TIDE, type Reason, type ReasonCode } from '../engine/reasons.js';
import { refName, type DecisionRecord, type ObjectRef } from './types.js';

export interface Explanation {
  readonly object: ObjectRef;
  /** When the explained decision was made. */
  readonly at: string;
  /** Replicas before the decision (ScaledObject) or unfinished jobs (ScaledJob). */
  readonly current: number;
  /** Desired replicas (ScaledObject) or jobs started (ScaledJob). */
  readonly decided: number;
  /** Start of the run of identical decisions that ends with this one (ring/file bounded). */
  readonly since?: string;
  /** e.g. "3 replicas (up from 1): s0-redis-jobs: value 27, target 10 per replica … = 3". */
  readonly sentence: string;
  /** The sentence prefixed with the object and the time: what the CLI prints. */
  readonly paragraph: string;
  /** The codes behind the sentence, in order. */
  readonly codes: readonly ReasonCode[];
}

/** Reasons worth a clause for a ScaledObject; the rest (Unchanged, ScalerActive…) repeat the headline. */
const SO_TELLING = new Set<ReasonCode>([
  TIDE.AnnotationInvalid,
  KEDA.ScaledObjectPaused,
  TIDE.MetricClamped,
  TIDE.FallbackMetric,
  TIDE.CompositeMetric,
  TIDE.FormulaError,
  TIDE.WaitTarget,
  TIDE.MetricReplicas,
  TIDE.ToleranceHeld,
  TIDE.ForceActivation,
  KEDA.ScaleTargetActivated,
  KEDA.PartialTriggerError,
  KEDA.ScalerNotActive,
  KEDA.TriggerError,
  KEDA.ScaleTargetDeactivated,
  KEDA.ScalerCooldown,
  TIDE.ScaleInPaused,
  TIDE.ScaleOutPaused,
  TIDE.RaisedToMin,
  TIDE.HPAInert,
  TIDE.AllMetricsFailed,
  TIDE.MetricErrorHold,
  TIDE.ScaleUpStabilized,
  TIDE.ScaleDownStabilized,
  TIDE.ScaleUpLimited,
  TIDE.ScaleDownLimited,
  TIDE.ScaleUpDisabled,
  TIDE.ScaleDownDisabled,
  TIDE.CappedByMax,
  TIDE.CappedByMin,
]);

const SJ_TELLING = new Set<ReasonCode>([
  TIDE.AnnotationInvalid,
  KEDA.ScaledJobPaused,
  TIDE.JobQueue,
  TIDE.JobsBelowMin,
  TIDE.JobStrategy,
  TIDE.JobsPerRoundCap,
  TIDE.RunningJobsCap,
]);

/** Reasons that already show trigger values; without one, the sentence lists the triggers itself. */
const VALUE_CODES = new Set<ReasonCode>([
  TIDE.MetricReplicas,
  TIDE.ToleranceHeld,
  TIDE.CompositeMetric,
  TIDE.FallbackMetric,
  TIDE.JobQueue,
]);

const RFC3339 = /(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z/g;

/** `12:04:10Z` on the reference day (UTC), the full date otherwise. */
export function clock(instant: string | number, refIso: string): string {
  const iso = typeof instant === 'number' ? new Date(instant).toISOString() : instant;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  if (!m) return iso;
  return m[1] === refIso.slice(0, 10) ? `${m[2]}Z` : `${m[1]} ${m[2]}Z`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const numberAt = (d: Readonly<Record<string, unknown>> | undefined, k: string) =>
  typeof d?.[k] === 'number' ? d[k] : undefined;

function phrase(r: Reason, refIso: string): string {
  const short = (s: string) => s.replace(RFC3339, (all) => clock(all, refIso));
  const rec = numberAt(r.data, 'recommendation');
  const held = numberAt(r.data, 'stabilized');
  const until = numberAt(r.data, 'until');
  const window =
    numberAt(r.data, 'window') ?? Number(/(?:last|\() ?(\d+(?:\.\d+)?) s/.exec(r.message)?.[1]);
  if (
    (r.code === TIDE.ScaleDownStabilized || r.code === TIDE.ScaleUpStabilized) &&
    rec !== undefined &&
    held !== undefined &&
    until !== undefined &&
    Number.isFinite(window)
  ) {
    const dir = r.code === TIDE.ScaleDownStabilized ? 'down' : 'up';
    // Simulated clocks count seconds from 0; only real instants become a time of day.
    const when = until > 1e11 ? clock(until, refIso) : `${num(until / 1000)} s`;
    return `scale-${dir} to ${rec} held at ${held} by the ${num(window)} s stabilization window until ${when}`;
  }
  return short(r.message);
}

function triggerClauses(record: DecisionRecord, perJob: boolean): string[] {
  return record.triggers.map((t) => {
    const label = t.metricName ?? `trigger ${t.index} (${t.name ?? t.type})`;
    if (t.error !== undefined) return `${label} failed: ${t.error}`;
    const per = t.targetType === 'AverageValue' ? (perJob ? ' per job' : ' per replica') : '';
    const target = t.target !== undefined ? `, target ${num(t.target)}${per}` : '';
    const value = t.value !== undefined ? `value ${num(t.value)}` : 'no value';
    return `${label}: ${value}${target}, ${t.active ? 'active' : 'not active'}`;
  });
}

function headline(ref: ObjectRef, r: DecisionRecord, steadySince: string | undefined): string {
  if (ref.kind === 'ScaledJob') {
    const started = r.decided > 0 ? `started ${plural(r.decided, 'job')}` : 'started no job';
    return `${started} (${r.current} unfinished before this round)`;
  }
  const change =
    r.decided > r.current
      ? ` (up from ${r.current})`
      : r.decided < r.current
        ? ` (down from ${r.current})`
        : steadySince
          ? ` (steady since ${clock(steadySince, r.at)})`
          : '';
  return `${plural(r.decided, 'replica')}${change}`;
}

/**
 * Explains the last of `records` (oldest first, one object). The earlier records only date
 * how long the outcome has held. Undefined when there is no record.
 */
export function explainDecision(
  ref: ObjectRef,
  records: readonly DecisionRecord[],
): Explanation | undefined {
  const r = records.at(-1);
  if (!r) return undefined;
  let first = records.length - 1;
  while (
    first > 0 &&
    records[first - 1]!.decided === r.decided &&
    records[first - 1]!.current === r.current
  )
    first--;
  const since = first < records.length - 1 ? records[first]!.at : undefined;

  const telling = ref.kind === 'ScaledJob' ? SJ_TELLING : SO_TELLING;
  // With one trigger, a ScaledJob's aggregate queue line only repeats that trigger's queue.
  const picked = r.reasons.filter(
    (x) =>
      telling.has(x.code) &&
      !(x.code === TIDE.JobQueue && r.triggers.length <= 1 && x.data?.maxScale !== undefined),
  );
  if (ref.kind === 'ScaledJob' && !r.isActive && r.decided === 0)
    picked.push(...r.reasons.filter((x) => x.code === TIDE.NoJobs));
  const clauses: string[] = [];
  const paused = picked.some(
    (x) => x.code === KEDA.ScaledObjectPaused || x.code === KEDA.ScaledJobPaused,
  );
  if (!paused && !picked.some((x) => VALUE_CODES.has(x.code)))
    clauses.push(...triggerClauses(r, ref.kind === 'ScaledJob'));
  for (const x of picked) {
    const c = phrase(x, r.at);
    if (!clauses.includes(c)) clauses.push(c);
  }
  const head = headline(ref, r, since);
  const sentence = clauses.length ? `${head}: ${clauses.join('; ')}.` : `${head}.`;
  return {
    object: ref,
    at: r.at,
    current: r.current,
    decided: r.decided,
    ...(since ? { since } : {}),
    sentence,
    paragraph: `${refName(ref)} at ${clock(r.at, r.at)}: ${sentence}`,
    codes: picked.map((x) => x.code),
  };
}
