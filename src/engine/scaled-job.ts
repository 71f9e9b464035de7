/**
 * One ScaledJob round (KEDA `checkScalers` → `getScaledJobState` → `RequestJobScale`,
 * `pkg/scaling/scaledjob/metrics.go`, `executor/scale_jobs.go`): per-trigger queue arithmetic,
 * multipleScalersCalculation, the four strategies, then tide's per-round and total caps.
 */
import { intern } from '../intern.js';
import { jobMaxReplicaCount, jobMinReplicaCount } from '../manifests/defaults.js';
import type { ScaledJob } from '../manifests/types.js';
import { parsePauseAnnotations, type JobCaps } from './pause.js';
import { effectiveMaxScale, scalingStrategy, strategyText } from './job-strategies.js';
import { KEDA, num, reason, TIDE, type Reason } from './reasons.js';
import {
  INITIAL_SCALED_JOB_STATE,
  type Condition,
  type MetricSpec,
  type ScaledJobState,
  type TriggerReading,
} from './types.js';

export {
  effectiveMaxScale,
  scalingStrategy,
  type ScalingStrategy,
  type StrategyName,
} from './job-strategies.js';
export {
  isJobPending,
  rolloutStrategy,
  selectJobsForRollout,
  selectJobsToDelete,
  type JobPods,
  type FinishedJob,
  type RolloutJob,
} from './jobs.js';

/**
 * KEDA getTargetAverageValue: the mean of a trigger's AverageValue targets, a spec of another
 * type counting 0; 0 without specs.
 */
export function targetAverageValue(specs: readonly MetricSpec[]): number {
  if (specs.length === 0) return 0;
  const sum = specs.reduce((a, s) => a + (s.targetType === 'AverageValue' ? s.target : 0), 0);
  return sum / specs.length;
}

export interface ScaledJobInput {
  readonly sj: ScaledJob;
  /** Metric specs per trigger index (targets are AverageValue per job). */
  readonly specs: readonly (readonly MetricSpec[] | undefined)[];
  readonly readings: readonly (TriggerReading | undefined)[];
  /** Unfinished Jobs of this ScaledJob (KEDA's "running" includes pending ones). */
  readonly runningJobs: number;
  /** Of `runningJobs`, those whose pods have not started (see `isJobPending`). */
  readonly pendingJobs: number;
  readonly now: number;
  readonly state?: ScaledJobState;
  readonly caps?: JobCaps;
}

export interface ScaledJobDecision {
  readonly jobsToCreate: number;
  readonly reasons: readonly Reason[];
  readonly isActive: boolean;
  readonly state: ScaledJobState;
  readonly conditions: {
    readonly ready: Condition;
    readonly active: Condition;
    readonly paused: Condition;
  };
  /** Combined queue length and max scale (for status and the dashboard). */
  readonly queueLength: number;
  readonly maxScale: number;
  readonly events: readonly Reason[];
}

interface ScalerMetrics {
  queueLength: number;
  maxValue: number;
  isActive: boolean;
}

const cond = (status: Condition['status'], r: string, message: string): Condition => ({
  status,
  reason: r,
  // Kept per object until the next change (see intern.ts).
  message: intern(message),
});

/**
 * KEDA `getScalingDecision`: below `minReplicaCount` running Jobs, the Jobs that reach it
 * (the queue is ignored that round); else the scaling strategy's [effective max scale,
 * scaleTo], with `running − minReplicaCount` running Jobs.
 */
export function scalingDecision(
  sj: Pick<ScaledJob, 'spec'>,
  running: number,
  scaleTo: number,
  maxScale: number,
  pending: number,
): { effective: number; scaleTo: number; reason: Reason } {
  const minRC = jobMinReplicaCount(sj);
  if (running < minRC) {
    const n = minRC - running;
    return {
      effective: n,
      scaleTo: n,
      reason: reason(
        TIDE.JobsBelowMin,
        `${running} running < minReplicaCount ${minRC}: ${n} to reach the minimum (queue ignored this round)`,
      ),
    };
  }
  const maxRC = jobMaxReplicaCount(sj);
  const { used, asked, custom } = scalingStrategy(sj.spec.scalingStrategy);
  const above = running - minRC;
  const [effective, to] = effectiveMaxScale(used, maxScale, above, pending, maxRC, scaleTo, custom);
  return {
    effective,
    scaleTo: to,
    reason: reason(
      TIDE.JobStrategy,
      strategyText(used, asked, maxScale, above, pending, maxRC, effective, to, custom),
      { strategy: used, effective, scaleTo: to },
    ),
  };
}

/** Decides how many Jobs to create this round. Pure. */
export function decideScaledJob(input: ScaledJobInput): ScaledJobDecision {
  const { sj, now } = input;
  const state = input.state ?? INITIAL_SCALED_JOB_STATE;
  const pause = parsePauseAnnotations(sj.metadata.annotations, 'ScaledJob');
  // KEDA stops the loop of a paused ScaledJob: no Jobs, conditions held.
  if (pause.ok && pause.value.paused) return pausedDecision(state);

  const reasons: Reason[] = [];
  const events: Reason[] = [];
  const maxRC = jobMaxReplicaCount(sj);
  const { scalers, isError } = readScalers(input, maxRC, reasons);
  const combined = combineScalers(sj, scalers, maxRC, reasons);

  const running = input.runningJobs;
  const decision = scalingDecision(
    sj,
    running,
    combined.scaleTo,
    combined.maxScale,
    input.pendingJobs,
  );
  reasons.push(decision.reason);
  const effective = Math.max(decision.effective, 0);
  const { isActive } = combined;
  const jobs = isActive && effective > 0 ? capJobs(input, decision.scaleTo, effective, reasons) : 0;

  if (jobs > 0) {
    reasons.push(reason(KEDA.JobsCreated, `Created ${jobs} jobs`, { jobs }));
    events.push(reason(KEDA.JobsCreated, `Created ${jobs} jobs`));
  } else {
    reasons.push(
      reason(
        TIDE.NoJobs,
        isActive ? `no jobs to create (effective ${effective})` : 'not active: no jobs to create',
      ),
    );
  }
  if (isActive !== (state.active ?? false))
    events.push(
      reason(
        isActive ? KEDA.ScaledJobActive : KEDA.ScaledJobInactive,
        isActive ? 'ScaledJob is active' : 'ScaledJob is inactive',
      ),
    );

  return {
    jobsToCreate: jobs,
    reasons,
    isActive,
    state: {
      active: isActive,
      // lastActiveTime marks the last round that created Jobs (KEDA's "last scaled").
      ...(jobs > 0
        ? { lastActiveTime: now }
        : state.lastActiveTime !== undefined
          ? { lastActiveTime: state.lastActiveTime }
          : {}),
    },
    conditions: jobConditions(isError, isActive),
    queueLength: combined.queueLength,
    maxScale: combined.maxScale,
    events,
  };
}

const READY = cond(
  'True',
  KEDA.ScaledJobReady,
  'ScaledJob is defined correctly and is ready to scaling',
);

function pausedDecision(state: ScaledJobState): ScaledJobDecision {
  return {
    jobsToCreate: 0,
    reasons: [reason(KEDA.ScaledJobPaused, 'paused: no Jobs are created')],
    isActive: state.active ?? false,
    state,
    conditions: {
      ready: READY,
      // Active keeps what it said last round: a pause is not a change of activity.
      active: cond(
        state.active ? 'True' : 'False',
        state.active ? KEDA.ScalerActive : KEDA.ScalerNotActive,
        'unchanged while paused',
      ),
      paused: cond('True', KEDA.ScaledJobPaused, 'ScaledJob is paused'),
    },
    queueLength: 0,
    maxScale: 0,
    events: [],
  };
}

/**
 * KEDA `getScaledJobState`'s per-trigger half: each trigger's queue (the values of its first
 * metric) and its queue / target-per-job, capped at maxReplicaCount. A failed trigger is left
 * out and marks the round as an error.
 */
function readScalers(
  input: ScaledJobInput,
  maxRC: number,
  reasons: Reason[],
): { scalers: ScalerMetrics[]; isError: boolean } {
  let isError = false;
  const scalers: ScalerMetrics[] = [];
  input.sj.spec.triggers.forEach((trigger, i) => {
    const r = input.readings[i] ?? { ok: false as const, error: 'no reading this round' };
    const specs = input.specs[i] ?? [];
    const label = `trigger ${i} (${trigger.name ?? trigger.type})`;
    if (!r.ok) {
      isError = true;
      reasons.push(reason(TIDE.JobQueue, `${label} failed: ${r.error}`));
      return;
    }
    const first = specs[0]?.name;
    const queueLength = r.metrics
      .filter((m) => first === undefined || m.name === first)
      .reduce((a, m) => a + m.value, 0);
    const target = targetAverageValue(specs);
    const maxValue = target !== 0 ? Math.min(queueLength / target, maxRC) : 0;
    scalers.push({ queueLength, maxValue, isActive: r.isActive });
    reasons.push(
      reason(
        TIDE.JobQueue,
        `${label}: queue ${num(queueLength)}, target ${num(target)} per job → ${num(maxValue)}${r.isActive ? '' : ' (not active)'}`,
        { queueLength, target, maxValue, isActive: r.isActive },
      ),
    );
  });
  return { scalers, isError };
}

/**
 * KEDA `getScaledJobState`'s combining half: `multipleScalersCalculation` over the active
 * scalers only, then scaleTo = ceil(queue) and maxScale = ceil(min(maxValue, maxRC)).
 */
function combineScalers(
  sj: ScaledJob,
  scalers: readonly ScalerMetrics[],
  maxRC: number,
  reasons: Reason[],
): { queueLength: number; maxScale: number; scaleTo: number; isActive: boolean } {
  const calc = sj.spec.scalingStrategy?.multipleScalersCalculation ?? 'max';
  let queueLength = 0;
  let maxValue = 0;
  let isActive = scalers.some((s) => s.isActive);
  const act = scalers.filter((s) => s.isActive);
  switch (calc) {
    case 'min':
      // A zero queue is replaced by any later one, as KEDA's loop does.
      for (const s of act)
        if (queueLength === 0 || s.queueLength < queueLength)
          [queueLength, maxValue] = [s.queueLength, s.maxValue];
      break;
    case 'avg':
      if (act.length > 0) {
        queueLength = act.reduce((a, s) => a + s.queueLength, 0) / act.length;
        maxValue = act.reduce((a, s) => a + s.maxValue, 0) / act.length;
      }
      break;
    case 'sum':
      for (const s of act)
        [queueLength, maxValue] = [queueLength + s.queueLength, maxValue + s.maxValue];
      break;
    case 'max':
      for (const s of act)
        if (s.queueLength > queueLength) [queueLength, maxValue] = [s.queueLength, s.maxValue];
      // Only an active scaler with a queue makes the ScaledJob active under `max`.
      isActive = queueLength > 0;
      break;
  }
  // A minimum of Jobs is work to keep running whatever the queue says.
  if (jobMinReplicaCount(sj) > 0) isActive = true;
  const scaleTo = Math.ceil(queueLength);
  const maxScale = Math.ceil(Math.min(maxValue, maxRC));
  reasons.push(
    reason(
      TIDE.JobQueue,
      `${calc} over ${act.length} active scaler(s): queue ${num(queueLength)} → scaleTo ${scaleTo}, maxScale ceil(min(${num(maxValue)}, ${maxRC})) = ${maxScale}`,
      { queueLength, maxScale, maxReplicaCount: maxRC },
    ),
  );
  return { queueLength, maxScale, scaleTo, isActive };
}

/** KEDA's min(scaleTo, effective), then tide's per-round and total caps (annotations). */
function capJobs(
  input: ScaledJobInput,
  scaleTo: number,
  effective: number,
  reasons: Reason[],
): number {
  let jobs = Math.min(scaleTo, effective);
  if (jobs <= 0) return jobs; // no Jobs this round; the caller reports why
  reasons.push(
    reason(TIDE.JobStrategy, `create min(scaleTo ${scaleTo}, effective ${effective}) = ${jobs}`),
  );
  const caps = input.caps ?? {};
  const running = input.runningJobs;
  if (caps.maxPerRound !== undefined && jobs > caps.maxPerRound) {
    reasons.push(
      reason(
        TIDE.JobsPerRoundCap,
        `${jobs} jobs capped at ${caps.maxPerRound} per round (autoscaling.tide.dev/max-jobs-per-round)`,
        { cap: caps.maxPerRound },
      ),
    );
    jobs = caps.maxPerRound;
  }
  if (caps.maxRunning !== undefined && running + jobs > caps.maxRunning) {
    const room = Math.max(0, caps.maxRunning - running);
    reasons.push(
      reason(
        TIDE.RunningJobsCap,
        `${running} unfinished + ${jobs} new would exceed ${caps.maxRunning} (autoscaling.tide.dev/max-running-jobs) → ${room}`,
        { cap: caps.maxRunning },
      ),
    );
    jobs = room;
  }
  return jobs;
}

/** Ready reports trigger errors (partial when the object is still active); Active follows it. */
function jobConditions(isError: boolean, isActive: boolean): ScaledJobDecision['conditions'] {
  const ready = isError
    ? isActive
      ? cond(
          'Unknown',
          KEDA.PartialTriggerError,
          'Some triggers defined in ScaledJob are not working correctly',
        )
      : cond('False', KEDA.TriggerError, 'Triggers defined in ScaledJob are not working correctly')
    : READY;
  return {
    ready,
    active: isActive
      ? cond('True', KEDA.ScalerActive, 'Scaling is performed because triggers are active')
      : cond(
          'False',
          KEDA.ScalerNotActive,
          'Scaling is not performed because triggers are not active',
        ),
    paused: cond('False', 'ScaledJobUnpaused', 'ScaledJob is not paused'),
  };
}
