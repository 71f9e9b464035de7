/**
 * One ScaledObject round: KEDA's executor (0↔1 / idle↔min, cooldown, lastActiveTime, pause,
 * errors) and then the HPA's 1↔N arithmetic, in one decision. KEDA splits these between its
 * scale loop and a Kubernetes HPA that syncs every 15 s; tide writes replicas itself, so a
 * round that activates a target also sizes it (0 → 1 → 3 in one step, no extra HPA delay).
 */
import { hpaMinReplicas, maxReplicas, minReplicas } from '../manifests/defaults.js';
import type { HPABehavior, ScaledObject } from '../manifests/types.js';
import type { CompiledFormula } from './formula.js';
import { computeHpa } from './hpa.js';
import type { HpaMetric } from './hpa-metrics.js';
import { parsePauseAnnotations, type PauseState } from './pause.js';
import { KEDA, num, reason, TIDE, type Reason } from './reasons.js';
import { evaluateTriggers, type TriggerOutcome } from './so-triggers.js';
import { formatInstant, parseRfc3339 } from './time.js';
import { applyWaitPolicy, type WaitSignals } from './wait-target.js';
import {
  EMPTY_HPA_STATE,
  INITIAL_SCALED_OBJECT_STATE,
  type Condition,
  type MetricSpec,
  type ScaledObjectState,
  type TriggerReading,
} from './types.js';

export { COMPOSITE_METRIC, type TriggerOutcome } from './so-triggers.js';

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

const cond = (status: Condition['status'], r: string, message: string): Condition => ({
  status,
  reason: r,
  message,
});
const READY = cond(
  'True',
  KEDA.ScaledObjectReady,
  'ScaledObject is defined correctly and is ready for scaling',
);

function targetName(so: ScaledObject): string {
  return `${so.spec.scaleTargetRef.kind ?? 'Deployment'} ${so.metadata.namespace}/${so.spec.scaleTargetRef.name}`;
}

/**
 * KEDA getIdleOrMinimumReplicaCount: what an inactive target goes to after cooldown,
 * `idleReplicaCount` when set, else `minReplicaCount` (0 when unset).
 */
export function scaleInReplicas(
  spec: Pick<ScaledObject['spec'], 'idleReplicaCount' | 'minReplicaCount'>,
): number {
  return spec.idleReplicaCount ?? spec.minReplicaCount ?? 0;
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

/** Decides one round for a ScaledObject. Pure; hand `state` back next round. */
export function decideScaledObject(input: ScaledObjectInput): ScaledObjectDecision {
  const { so, now } = input;
  const spec = so.spec;
  const state = input.state ?? INITIAL_SCALED_OBJECT_STATE;
  const cur = input.currentReplicas;
  const ready = input.readyReplicas ?? cur;
  const firstSeen = state.firstSeen ?? now;
  const reasons: Reason[] = [];
  const events: Reason[] = [];
  const notPaused = cond('False', KEDA.ScaledObjectUnpaused, 'ScaledObject is not paused');
  const prevActive = cond(
    state.active === undefined ? 'Unknown' : state.active ? 'True' : 'False',
    state.active ? KEDA.ScalerActive : KEDA.ScalerNotActive,
    'unchanged while paused',
  );
  const prevFallback = cond(
    state.fallback ? 'True' : 'False',
    state.fallback ? KEDA.FallbackExists : KEDA.NoFallbackFound,
    'unchanged while paused',
  );

  const parsed = parsePauseAnnotations(so.metadata.annotations, 'ScaledObject');
  if (!parsed.ok) {
    reasons.push(
      reason(TIDE.AnnotationInvalid, `${parsed.path}: ${parsed.error}; replicas stay ${cur}`),
    );
    return {
      desiredReplicas: cur,
      reasons,
      state: { ...state, firstSeen },
      conditions: {
        ready: cond('False', KEDA.ScaledObjectCheckFailed, `${parsed.path}: ${parsed.error}`),
        active: prevActive,
        fallback: prevFallback,
        paused: notPaused,
      },
      isActive: state.active ?? false,
      triggers: [],
      hpaMetrics: [],
      events,
    };
  }
  const pause = parsed.value;
  if (pause.paused) {
    // KEDA stops the loop and deletes the HPA (its memory goes with it); paused-replicas is applied.
    const desired = pause.pausedReplicas ?? cur;
    reasons.push(
      reason(
        KEDA.ScaledObjectPaused,
        pause.pausedReplicas !== undefined
          ? `paused at ${desired} replicas (paused-replicas annotation)`
          : `paused: replicas stay ${cur}`,
        {
          pausedReplicas: pause.pausedReplicas,
        },
      ),
    );
    return {
      desiredReplicas: desired,
      reasons,
      state: { ...state, firstSeen, hpa: EMPTY_HPA_STATE },
      conditions: {
        ready: READY,
        active: prevActive,
        fallback: prevFallback,
        paused: cond('True', KEDA.ScaledObjectPaused, 'ScaledObject is paused'),
      },
      isActive: state.active ?? false,
      triggers: [],
      hpaMetrics: [],
      events,
    };
  }

  const min = minReplicas(so);
  const max = maxReplicas(so);
  const idle = spec.idleReplicaCount;
  const cooldown = spec.cooldownPeriod ?? 300;
  const initialCooldown = spec.initialCooldownPeriod ?? 0;
  const createdAt = input.createdAt ?? parseRfc3339(so.metadata.creationTimestamp) ?? firstSeen;

  const t = evaluateTriggers({
    so,
    specs: input.specs,
    readings: input.readings,
    currentReplicas: cur,
    readyReplicas: ready,
    health: state.health,
    ...(input.formula ? { formula: input.formula } : {}),
  });
  reasons.push(...t.reasons);
  // tide's wait-time policy (wait-target.ts): its metric replaces the triggers' in the HPA part.
  const first = t.triggers[0];
  const wait = applyWaitPolicy({
    annotations: so.metadata.annotations,
    backlog: first && first.error === undefined ? (first.values[0]?.value ?? 0) : undefined,
    signals: input.waitSignals,
    currentReplicas: cur,
    maxReplicas: max,
    pollingIntervalSeconds: spec.pollingInterval ?? 30,
    now,
    estimate: state.waitEstimate,
  });
  reasons.push(...wait.reasons);
  let active = t.active;
  if (pause.forceActivation && !active)
    reasons.push(reason(TIDE.ForceActivation, 'force-activation annotation: treated as active'));
  active ||= pause.forceActivation;

  let readyCond = READY;
  let activeCond: Condition;
  let lastActiveTime = state.lastActiveTime;
  let replicas = cur;
  let runHpa = true;

  if (active) {
    activeCond = cond(
      'True',
      KEDA.ScalerActive,
      pause.forceActivation
        ? 'Scaling is performed because activation is being forced by annotation'
        : 'Scaling is performed because triggers are active',
    );
    if ((idle !== undefined && cur < min) || cur === 0) {
      // Scale from zero / idle.
      if (pause.pausedScaleOut) {
        reasons.push(
          reason(
            TIDE.ScaleOutPaused,
            `active, but paused-scale-out blocks scaling ${targetName(so)} up from ${cur}`,
          ),
        );
        runHpa = false;
      } else {
        replicas = min > 0 ? min : 1;
        lastActiveTime = now;
        const by = t.triggers.filter((x) => x.active).flatMap((x) => x.values.map((v) => v.name));
        const msg = `Scaled ${targetName(so)} from ${cur} to ${replicas}, triggered by ${by.length > 0 ? by.join(';') : pause.forceActivation ? 'force-activation' : 'fallback'}`;
        reasons.push(reason(KEDA.ScaleTargetActivated, msg, { from: cur, to: replicas }));
        events.push(reason(KEDA.ScaleTargetActivated, msg));
      }
    } else if (t.isError) {
      // Some triggers fail: lastActiveTime is deliberately not refreshed.
      readyCond = cond(
        'Unknown',
        KEDA.PartialTriggerError,
        'Some triggers defined in ScaledObject are not working correctly',
      );
      reasons.push(
        reason(
          KEDA.PartialTriggerError,
          'active, but some triggers failed: lastActiveTime not refreshed',
        ),
      );
    } else {
      lastActiveTime = now;
    }
  } else {
    activeCond = cond(
      'False',
      KEDA.ScalerNotActive,
      'Scaling is not performed because triggers are not active',
    );
    const fb = spec.fallback;
    if (t.isError && fb && fb.replicas !== 0) {
      // Leave it to the HPA part, which applies the fallback once past the threshold.
      reasons.push(
        reason(
          KEDA.ScalerNotActive,
          'not active with failing triggers and a fallback: no activation change',
        ),
      );
    } else if (t.isError && !fb) {
      readyCond = cond(
        'False',
        KEDA.TriggerError,
        'Triggers defined in ScaledObject are not working correctly',
      );
      reasons.push(
        reason(
          KEDA.TriggerError,
          `triggers failed and there is no fallback: never scaling down on an error, replicas stay ${cur}`,
        ),
      );
      runHpa = cur > 0;
    } else if ((idle !== undefined && cur > idle) || (cur > 0 && min === 0)) {
      const to = scaleInReplicas(spec);
      const since = lastActiveTime ?? createdAt;
      const wait = lastActiveTime === undefined ? initialCooldown : cooldown;
      const until = since + wait * 1000;
      if (pause.pausedScaleIn) {
        reasons.push(
          reason(TIDE.ScaleInPaused, `not active, but paused-scale-in blocks scaling to ${to}`),
        );
      } else if (until < now) {
        replicas = to;
        runHpa = false;
        const msg = `Deactivated ${targetName(so)} from ${cur} to ${to}`;
        const what =
          lastActiveTime === undefined
            ? `initialCooldownPeriod ${initialCooldown} s after creation`
            : `cooldownPeriod ${cooldown} s after last activity at ${formatInstant(since)}`;
        reasons.push(
          reason(KEDA.ScaleTargetDeactivated, `${msg}: ${what} passed`, {
            from: cur,
            to,
            since,
            cooldown: wait,
          }),
        );
        events.push(reason(KEDA.ScaleTargetDeactivated, msg));
      } else {
        activeCond = cond(
          'False',
          KEDA.ScalerCooldown,
          'Scaler cooling down because triggers are not active',
        );
        const which = lastActiveTime === undefined ? 'initialCooldownPeriod' : 'cooldownPeriod';
        reasons.push(
          reason(
            KEDA.ScalerCooldown,
            `not active; ${which} ${wait} s holds until ${formatInstant(until)} (${num((until - now) / 1000)} s left) before scaling to ${to}`,
            { until },
          ),
        );
      }
    } else if (idle === undefined && cur < min) {
      replicas = min;
      reasons.push(
        reason(
          TIDE.RaisedToMin,
          `${cur} replicas are below minReplicaCount ${min}: raised at once`,
        ),
      );
    }
  }

  // The idle count is KEDA's, not the HPA's: at idle (and inactive) the HPA part stays out.
  if (idle !== undefined && !active && replicas <= idle) runHpa = false;

  let desired = replicas;
  let hpaState = state.hpa;
  if (runHpa && replicas > 0) {
    const h = computeHpa({
      metrics: wait.metrics ?? t.hpaMetrics,
      currentReplicas: replicas,
      readyReplicas: ready,
      minReplicas: hpaMinReplicas(so),
      maxReplicas: max,
      behavior: effectiveBehavior(
        wait.behavior(spec.advanced?.horizontalPodAutoscalerConfig?.behavior),
        pause,
      ),
      now,
      state: state.hpa,
    });
    reasons.push(...h.reasons);
    desired = h.desiredReplicas;
    hpaState = h.state;
  } else if (replicas === 0 && runHpa) {
    reasons.push(
      reason(
        TIDE.HPAInert,
        'target has 0 replicas and triggers are not active: the HPA part is inert',
      ),
    );
  }
  if (desired === cur) reasons.push(reason(TIDE.Unchanged, `replicas stay ${cur}`));

  // The condition follows health (KEDA's fallbackExceededThreshold); the events follow whether a
  // fallback value was applied, so a fallback that cannot be computed does not flap events.
  const fallbackCond = t.fallbackExceeded
    ? cond(
        'True',
        KEDA.FallbackExists,
        'At least one trigger is falling back on this scaled object',
      )
    : cond('False', KEDA.NoFallbackFound, 'No fallbacks are active on this scaled object');
  if (t.anyFallback && !state.fallback)
    events.push(reason(KEDA.FallbackActivated, 'fallback activated'));
  if (!t.anyFallback && state.fallback)
    events.push(reason(KEDA.FallbackDeactivated, 'fallback deactivated'));
  const pausedCond =
    pause.pausedScaleIn || pause.pausedScaleOut
      ? cond(
          'True',
          KEDA.ScaledObjectPaused,
          `ScaledObject is paused for scale-${pause.pausedScaleIn && pause.pausedScaleOut ? 'in and scale-out' : pause.pausedScaleIn ? 'in' : 'out'}`,
        )
      : notPaused;

  return {
    desiredReplicas: desired,
    reasons,
    state: {
      firstSeen,
      health: t.health,
      hpa: hpaState,
      active,
      fallback: t.anyFallback,
      ...(lastActiveTime !== undefined ? { lastActiveTime } : {}),
      ...(wait.estimate ? { waitEstimate: wait.estimate } : {}),
    },
    conditions: {
      ready: readyCond,
      active: activeCond,
      fallback: fallbackCond,
      paused: pausedCond,
    },
    isActive: active,
    triggers: t.triggers,
    hpaMetrics: t.hpaMetrics,
    events,
  };
}
