/**
 * One ScaledObject round: KEDA's executor (0↔1 / idle↔min, cooldown, lastActiveTime, pause,
 * errors) and then the HPA's 1↔N arithmetic, in one decision. KEDA splits these between its
 * scale loop and a Kubernetes HPA that syncs every 15 s; tide writes replicas itself, so a
 * round that activates a target also sizes it (0 → 1 → 3 in one step, no extra HPA delay).
 */
import { effectiveScaledObject, type EffectiveScaledObject } from '../manifests/defaults.js';
import type { HPABehavior, ScaledObject } from '../manifests/types.js';
import type { CompiledFormula } from './formula.js';
import { computeHpa } from './hpa.js';
import type { HpaMetric } from './hpa-metrics.js';
import { parsePauseAnnotations, type PauseState } from './pause.js';
import { KEDA, num, reason, TIDE, type Reason } from './reasons.js';
import {
  cond,
  READY,
  scaleActive,
  scaleInactive,
  type ExecutorOutcome,
  type Round,
  type TriggerEvaluation,
} from './so-executor.js';
import { evaluateTriggers, type TriggerOutcome } from './so-triggers.js';
import { parseRfc3339 } from './time.js';
import {
  applyWaitPolicy,
  TARGET_WAIT_ANNOTATION,
  type WaitPolicyResult,
  type WaitSignals,
} from './wait-target.js';
import {
  EMPTY_HPA_STATE,
  INITIAL_SCALED_OBJECT_STATE,
  type Condition,
  type MetricSpec,
  type ScaledObjectState,
  type TriggerReading,
} from './types.js';

export { COMPOSITE_METRIC, type TriggerOutcome } from './so-triggers.js';
export { scaleInReplicas } from './so-executor.js';

export interface ScaledObjectInput {
  readonly so: ScaledObject;
  /** Metric specs per trigger index (the scaler's `metricSpecs`). */
  readonly specs: readonly (readonly MetricSpec[] | undefined)[];
  /** This round's reading per trigger index; a missing entry counts as an error. */
  readonly readings: readonly (TriggerReading | undefined)[];
  /** The target's current replica count (`spec.replicas`). */
  readonly currentReplicas: number;
  /** Running ∧ Ready replicas; feeds Value metrics and Value fallback. @default currentReplicas */
  readonly readyReplicas?: number;
  /** ms since epoch. */
  readonly now: number;
  readonly state?: ScaledObjectState;
  /** Overrides `metadata.creationTimestamp` (the simulator's clock starts elsewhere). */
  readonly createdAt?: number;
  /** A precompiled scalingModifiers formula, to skip compiling each round. */
  readonly formula?: CompiledFormula;
  /** In-flight and completed tasks, for the wait-time policy (wait-target.ts). */
  readonly waitSignals?: WaitSignals;
}

export interface ScaledObjectDecision {
  readonly desiredReplicas: number;
  readonly reasons: readonly Reason[];
  readonly state: ScaledObjectState;
  readonly conditions: {
    readonly ready: Condition;
    readonly active: Condition;
    readonly fallback: Condition;
    readonly paused: Condition;
  };
  readonly isActive: boolean;
  /** Per-trigger outcome this round (empty while paused). */
  readonly triggers: readonly TriggerOutcome[];
  /** The metrics the HPA part used, after fallback and scalingModifiers. */
  readonly hpaMetrics: readonly HpaMetric[];
  /** KEDA event reasons to emit this round (activation, deactivation, fallback transitions). */
  readonly events: readonly Reason[];
}

/** KEDA adds `selectPolicy: Disabled` in a paused direction, creating the behavior if needed. */
export function effectiveBehavior(
  behavior: HPABehavior | undefined,
  pause: PauseState,
): HPABehavior | undefined {
  if (!pause.pausedScaleIn && !pause.pausedScaleOut) return behavior;
  const b: HPABehavior = { ...(behavior ?? {}) };
  if (pause.pausedScaleIn) b.scaleDown = { ...(b.scaleDown ?? {}), selectPolicy: 'Disabled' };
  if (pause.pausedScaleOut) b.scaleUp = { ...(b.scaleUp ?? {}), selectPolicy: 'Disabled' };
  return b;
}

/**
 * The spec with KEDA's defaults, once per object: manifests are not changed in place (an edit
 * is a new object), and a controller decides on the same object every round.
 */
const effective = new WeakMap<ScaledObject, EffectiveScaledObject>();
function effectiveOf(so: ScaledObject): EffectiveScaledObject {
  let e = effective.get(so);
  if (!e) effective.set(so, (e = effectiveScaledObject(so)));
  return e;
}

/** Decides one round for a ScaledObject. Pure; hand `state` back next round. */
export function decideScaledObject(input: ScaledObjectInput): ScaledObjectDecision {
  const state = input.state ?? INITIAL_SCALED_OBJECT_STATE;
  const firstSeen = state.firstSeen ?? input.now;
  const reasons: Reason[] = [];
  const events: Reason[] = [];

  const parsed = parsePauseAnnotations(input.so.metadata.annotations, 'ScaledObject');
  // A bad annotation is the user's to fix; guessing whether it meant "paused" could scale a
  // target the user meant to hold, so nothing moves and Ready says why.
  if (!parsed.ok) return heldByInvalidAnnotation(input, state, firstSeen, parsed);
  const pause = parsed.value;
  // KEDA stops the scale loop and deletes the HPA (its memory goes with it).
  if (pause.paused) return pausedDecision(input, state, firstSeen, pause);

  const t = readTriggers(input, state, pause, reasons);
  const heldByWork = workInFlightKeepsActive(input, t, reasons);
  const active = t.active || pause.forceActivation || heldByWork;
  const round: Round = {
    spec: input.so.spec,
    eff: effectiveOf(input.so),
    pause,
    cur: input.currentReplicas,
    now: input.now,
    createdAt: input.createdAt ?? parseRfc3339(input.so.metadata.creationTimestamp) ?? firstSeen,
    lastActiveTime: state.lastActiveTime,
    reasons,
    events,
  };
  const wait = waitPolicy(round, input, state, t);
  const outcome = active ? scaleActive(round, t) : scaleInactive(round, t);
  const hpa = runHpaPart(round, input, state, t, active, outcome, wait);
  if (hpa.desired === round.cur) reasons.push(reason(TIDE.Unchanged, `replicas stay ${round.cur}`));
  const fallback = fallbackCondition(t, state, events);

  const next: ScaledObjectState = {
    firstSeen,
    health: t.health,
    hpa: hpa.state,
    active,
    fallback: t.anyFallback,
    ...(outcome.lastActiveTime !== undefined ? { lastActiveTime: outcome.lastActiveTime } : {}),
    ...(wait.estimate ? { waitEstimate: wait.estimate } : {}),
  };
  return {
    desiredReplicas: hpa.desired,
    reasons,
    // The same state object when nothing in it changed: a controller keeps the state from one
    // round to the next, and a new copy each round (at thousands of objects polled every
    // second) is garbage that lives long enough to reach the old generation.
    state: sameState(state, next) ? state : next,
    conditions: {
      ready: outcome.ready,
      active: outcome.active,
      fallback,
      paused: pausedCondition(pause),
    },
    isActive: active,
    triggers: t.triggers,
    hpaMetrics: t.hpaMetrics,
    events,
  };
}

/** Whether two states hold the same values (the parts shared by reference compared as such). */
function sameState(a: ScaledObjectState, b: ScaledObjectState): boolean {
  if (
    a.firstSeen !== b.firstSeen ||
    a.lastActiveTime !== b.lastActiveTime ||
    a.active !== b.active ||
    a.fallback !== b.fallback ||
    a.hpa !== b.hpa ||
    a.waitEstimate !== b.waitEstimate
  )
    return false;
  const ka = Object.keys(a.health);
  if (ka.length !== Object.keys(b.health).length) return false;
  for (const k of ka) {
    const x = a.health[k]!;
    const y = b.health[k];
    if (!y || x.numberOfFailures !== y.numberOfFailures || x.status !== y.status) return false;
  }
  return true;
}

const NOT_PAUSED = cond('False', KEDA.ScaledObjectUnpaused, 'ScaledObject is not paused');

/** While the loop holds, Active and Fallback keep what they said last round. */
function heldConditions(state: ScaledObjectState): { active: Condition; fallback: Condition } {
  return {
    active: cond(
      state.active === undefined ? 'Unknown' : state.active ? 'True' : 'False',
      state.active ? KEDA.ScalerActive : KEDA.ScalerNotActive,
      'unchanged while paused',
    ),
    fallback: cond(
      state.fallback ? 'True' : 'False',
      state.fallback ? KEDA.FallbackExists : KEDA.NoFallbackFound,
      'unchanged while paused',
    ),
  };
}

function heldByInvalidAnnotation(
  input: ScaledObjectInput,
  state: ScaledObjectState,
  firstSeen: number,
  parsed: { path: string; error: string },
): ScaledObjectDecision {
  const cur = input.currentReplicas;
  return {
    desiredReplicas: cur,
    reasons: [
      reason(TIDE.AnnotationInvalid, `${parsed.path}: ${parsed.error}; replicas stay ${cur}`),
    ],
    state: { ...state, firstSeen },
    conditions: {
      ready: cond('False', KEDA.ScaledObjectCheckFailed, `${parsed.path}: ${parsed.error}`),
      ...heldConditions(state),
      paused: NOT_PAUSED,
    },
    isActive: state.active ?? false,
    triggers: [],
    hpaMetrics: [],
    events: [],
  };
}

function pausedDecision(
  input: ScaledObjectInput,
  state: ScaledObjectState,
  firstSeen: number,
  pause: PauseState,
): ScaledObjectDecision {
  const cur = input.currentReplicas;
  // paused-replicas is applied; `paused` alone leaves the target where it is.
  const desired = pause.pausedReplicas ?? cur;
  return {
    desiredReplicas: desired,
    reasons: [
      reason(
        KEDA.ScaledObjectPaused,
        pause.pausedReplicas !== undefined
          ? `paused at ${desired} replicas (paused-replicas annotation)`
          : `paused: replicas stay ${cur}`,
        { pausedReplicas: pause.pausedReplicas },
      ),
    ],
    state: { ...state, firstSeen, hpa: EMPTY_HPA_STATE },
    conditions: {
      ready: READY,
      ...heldConditions(state),
      paused: cond('True', KEDA.ScaledObjectPaused, 'ScaledObject is paused'),
    },
    isActive: state.active ?? false,
    triggers: [],
    hpaMetrics: [],
    events: [],
  };
}

/** Trigger values, fallback and scalingModifiers (so-triggers.ts), then force-activation. */
function readTriggers(
  input: ScaledObjectInput,
  state: ScaledObjectState,
  pause: PauseState,
  reasons: Reason[],
): TriggerEvaluation {
  const t = evaluateTriggers({
    so: input.so,
    specs: input.specs,
    readings: input.readings,
    currentReplicas: input.currentReplicas,
    readyReplicas: input.readyReplicas ?? input.currentReplicas,
    health: state.health,
    ...(input.formula ? { formula: input.formula } : {}),
  });
  reasons.push(...t.reasons);
  if (pause.forceActivation && !t.active)
    reasons.push(reason(TIDE.ForceActivation, 'force-activation annotation: treated as active'));
  return t;
}

/**
 * With a wait target the pool is sized so that the list stays short, and a right-sized pool
 * takes each task as it arrives: `LLEN` then reads 0 at nearly every round, KEDA's activation
 * says inactive, and after `cooldownPeriod` the pool would go to zero under load (and climb
 * back). Tasks the workers hold are work: while any is in flight the ScaledObject stays active.
 */
function workInFlightKeepsActive(
  input: ScaledObjectInput,
  t: TriggerEvaluation,
  reasons: Reason[],
): boolean {
  const inFlight = input.waitSignals?.inFlight ?? 0;
  if (t.active || !(inFlight > 0)) return false;
  if (input.so.metadata.annotations?.[TARGET_WAIT_ANNOTATION] === undefined) return false;
  reasons.push(
    reason(
      TIDE.WaitTarget,
      `wait target: ${num(inFlight)} task(s) in flight keep the ScaledObject active (the triggers read inactive)`,
    ),
  );
  return true;
}

/**
 * tide's wait-time policy (wait-target.ts): with its annotation, its metric replaces the
 * triggers' in the HPA part and its scale-in window the HPA's default; without, it is inert.
 */
function waitPolicy(
  r: Round,
  input: ScaledObjectInput,
  state: ScaledObjectState,
  t: TriggerEvaluation,
): WaitPolicyResult {
  const first = t.triggers[0];
  const wait = applyWaitPolicy({
    annotations: input.so.metadata.annotations,
    backlog: first && first.error === undefined ? (first.values[0]?.value ?? 0) : undefined,
    signals: input.waitSignals,
    currentReplicas: input.currentReplicas,
    maxReplicas: r.eff.maxReplicaCount,
    pollingIntervalSeconds: r.eff.pollingInterval,
    now: r.now,
    estimate: state.waitEstimate,
    triggerMetrics: t.hpaMetrics,
  });
  r.reasons.push(...wait.reasons);
  return wait;
}

/** The HPA's 1↔N arithmetic on what the executor left, unless the executor owns this round. */
function runHpaPart(
  r: Round,
  input: ScaledObjectInput,
  state: ScaledObjectState,
  t: TriggerEvaluation,
  active: boolean,
  outcome: ExecutorOutcome,
  wait: WaitPolicyResult,
): { desired: number; state: ScaledObjectState['hpa'] } {
  const { replicas } = outcome;
  const idle = r.eff.idleReplicaCount;
  // The idle count is KEDA's, not the HPA's: at idle (and inactive) the HPA part stays out.
  const runHpa = outcome.runHpa && !(idle !== undefined && !active && replicas <= idle);
  if (runHpa && replicas > 0) {
    const h = computeHpa({
      metrics: wait.metrics ?? t.hpaMetrics,
      currentReplicas: replicas,
      readyReplicas: input.readyReplicas ?? input.currentReplicas,
      minReplicas: r.eff.hpaMinReplicas,
      maxReplicas: r.eff.maxReplicaCount,
      behavior: effectiveBehavior(
        wait.behavior(r.spec.advanced?.horizontalPodAutoscalerConfig?.behavior),
        r.pause,
      ),
      now: r.now,
      state: state.hpa,
    });
    r.reasons.push(...h.reasons);
    return { desired: h.desiredReplicas, state: h.state };
  }
  // An HPA never scales a target at 0: only activation (above) brings it back.
  if (replicas === 0 && runHpa)
    r.reasons.push(
      reason(
        TIDE.HPAInert,
        'target has 0 replicas and triggers are not active: the HPA part is inert',
      ),
    );
  return { desired: replicas, state: state.hpa };
}

/**
 * The condition follows health (KEDA's fallbackExceededThreshold); the events follow whether a
 * fallback value was applied, so a fallback that cannot be computed does not flap events.
 */
function fallbackCondition(
  t: TriggerEvaluation,
  state: ScaledObjectState,
  events: Reason[],
): Condition {
  if (t.anyFallback && !state.fallback)
    events.push(reason(KEDA.FallbackActivated, 'fallback activated'));
  if (!t.anyFallback && state.fallback)
    events.push(reason(KEDA.FallbackDeactivated, 'fallback deactivated'));
  return t.fallbackExceeded
    ? cond(
        'True',
        KEDA.FallbackExists,
        'At least one trigger is falling back on this scaled object',
      )
    : cond('False', KEDA.NoFallbackFound, 'No fallbacks are active on this scaled object');
}

/** Paused for one direction only is still reported as Paused, naming the direction. */
function pausedCondition(pause: PauseState): Condition {
  if (!pause.pausedScaleIn && !pause.pausedScaleOut) return NOT_PAUSED;
  const dir =
    pause.pausedScaleIn && pause.pausedScaleOut
      ? 'in and scale-out'
      : pause.pausedScaleIn
        ? 'in'
        : 'out';
  return cond('True', KEDA.ScaledObjectPaused, `ScaledObject is paused for scale-${dir}`);
}
