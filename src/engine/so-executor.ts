/**
 * KEDA's scale executor for a ScaledObject (`executor/scale_scaledobjects.go` RequestScale),
 * without the I/O: given whether the triggers are active this round, what the target goes to
 * before the HPA part runs, and what the Ready and Active conditions say. One named step per
 * branch of KEDA's switch; each says why it exists.
 */
import { intern } from '../intern.js';
import type { EffectiveScaledObject } from '../manifests/defaults.js';
import type { ScaledObject } from '../manifests/types.js';
import type { PauseState } from './pause.js';
import { KEDA, num, reason, TIDE, type Reason } from './reasons.js';
import type { evaluateTriggers } from './so-triggers.js';
import { formatInstant } from './time.js';
import type { Condition } from './types.js';

export const cond = (status: Condition['status'], r: string, message: string): Condition => ({
  status,
  reason: r,
  // Kept per object until the next change (see intern.ts).
  message: intern(message),
});

export const READY = cond(
  'True',
  KEDA.ScaledObjectReady,
  'ScaledObject is defined correctly and is ready for scaling',
);

/** This round's trigger evaluation (`evaluateTriggers`), as the executor reads it. */
export type TriggerEvaluation = ReturnType<typeof evaluateTriggers>;

/** What a round knows before the executor runs; the steps push their reasons and events here. */
export interface Round {
  readonly spec: ScaledObject['spec'];
  readonly eff: EffectiveScaledObject;
  readonly pause: PauseState;
  /** Current replicas (`spec.replicas` of the target). */
  readonly cur: number;
  readonly now: number;
  /** `metadata.creationTimestamp`, or when tide first saw the object. */
  readonly createdAt: number;
  readonly lastActiveTime: number | undefined;
  readonly reasons: Reason[];
  readonly events: Reason[];
}

/** The executor's answer: replicas before the HPA part, and whether the HPA part runs. */
export interface ExecutorOutcome {
  readonly replicas: number;
  readonly runHpa: boolean;
  readonly lastActiveTime: number | undefined;
  readonly ready: Condition;
  readonly active: Condition;
}

/**
 * KEDA `getIdleOrMinimumReplicaCount`: what an inactive target goes to after cooldown,
 * `idleReplicaCount` when set, else `minReplicaCount` (0 when unset).
 */
export function scaleInReplicas(
  spec: Pick<ScaledObject['spec'], 'idleReplicaCount' | 'minReplicaCount'>,
): number {
  return spec.idleReplicaCount ?? spec.minReplicaCount ?? 0;
}

/** RequestScale for a round whose triggers (or force-activation) are active. */
export function scaleActive(r: Round, t: TriggerEvaluation): ExecutorOutcome {
  const { cur } = r;
  const { minReplicaCount: min, idleReplicaCount: idle } = r.eff;
  const active = cond(
    'True',
    KEDA.ScalerActive,
    r.pause.forceActivation
      ? 'Scaling is performed because activation is being forced by annotation'
      : 'Scaling is performed because triggers are active',
  );
  const keep = {
    replicas: cur,
    runHpa: true,
    lastActiveTime: r.lastActiveTime,
    ready: READY,
    active,
  };
  // 0 → 1 (or idle → min) is KEDA's own step; the HPA never scales from zero.
  if ((idle !== undefined && cur < min) || cur === 0) return activateFromZero(r, t, keep);
  // Some triggers fail: lastActiveTime is deliberately not refreshed, so a partly broken
  // object still cools down if the working triggers go quiet.
  if (t.isError) {
    r.reasons.push(
      reason(
        KEDA.PartialTriggerError,
        'active, but some triggers failed: lastActiveTime not refreshed',
      ),
    );
    return {
      ...keep,
      ready: cond(
        'Unknown',
        KEDA.PartialTriggerError,
        'Some triggers defined in ScaledObject are not working correctly',
      ),
    };
  }
  // Active and healthy: the cooldown clock restarts; the HPA part sizes the target.
  return { ...keep, lastActiveTime: r.now };
}

function activateFromZero(r: Round, t: TriggerEvaluation, keep: ExecutorOutcome): ExecutorOutcome {
  const { cur } = r;
  // paused-scale-out blocks 0→1 as it blocks HPA scale-up (KEDA's selectPolicy: Disabled).
  if (r.pause.pausedScaleOut) {
    r.reasons.push(
      reason(
        TIDE.ScaleOutPaused,
        `active, but paused-scale-out blocks scaling ${r.eff.scaleTarget} up from ${cur}`,
      ),
    );
    return { ...keep, runHpa: false };
  }
  const min = r.eff.minReplicaCount;
  const replicas = min > 0 ? min : 1;
  const by = t.triggers.filter((x) => x.active).flatMap((x) => x.values.map((v) => v.name));
  const cause =
    by.length > 0 ? by.join(';') : r.pause.forceActivation ? 'force-activation' : 'fallback';
  const msg = `Scaled ${r.eff.scaleTarget} from ${cur} to ${replicas}, triggered by ${cause}`;
  r.reasons.push(reason(KEDA.ScaleTargetActivated, msg, { from: cur, to: replicas }));
  r.events.push(reason(KEDA.ScaleTargetActivated, msg));
  return { ...keep, replicas, lastActiveTime: r.now };
}

/** RequestScale for a round whose triggers are not active. */
export function scaleInactive(r: Round, t: TriggerEvaluation): ExecutorOutcome {
  const { cur, spec } = r;
  const { minReplicaCount: min, idleReplicaCount: idle } = r.eff;
  const keep: ExecutorOutcome = {
    replicas: cur,
    runHpa: true,
    lastActiveTime: r.lastActiveTime,
    ready: READY,
    active: cond(
      'False',
      KEDA.ScalerNotActive,
      'Scaling is not performed because triggers are not active',
    ),
  };
  const fb = spec.fallback;
  if (t.isError && fb && fb.replicas !== 0) {
    // Leave it to the HPA part, which applies the fallback once past the threshold.
    r.reasons.push(
      reason(
        KEDA.ScalerNotActive,
        'not active with failing triggers and a fallback: no activation change',
      ),
    );
    return keep;
  }
  if (t.isError && !fb) {
    // An error is not "no work": KEDA never scales down on it, and the HPA part may only hold.
    r.reasons.push(
      reason(
        KEDA.TriggerError,
        `triggers failed and there is no fallback: never scaling down on an error, replicas stay ${cur}`,
      ),
    );
    return {
      ...keep,
      runHpa: cur > 0,
      ready: cond(
        'False',
        KEDA.TriggerError,
        'Triggers defined in ScaledObject are not working correctly',
      ),
    };
  }
  // Above idle (or above 0 with no minimum): the cooldown decides when to scale in.
  if ((idle !== undefined && cur > idle) || (cur > 0 && min === 0)) return coolDown(r, keep);
  // Below the minimum without an idle count: raised at once, no cooldown applies upwards.
  if (idle === undefined && cur < min) {
    r.reasons.push(
      reason(TIDE.RaisedToMin, `${cur} replicas are below minReplicaCount ${min}: raised at once`),
    );
    return { ...keep, replicas: min };
  }
  return keep;
}

/**
 * KEDA's cooldown: `initialCooldownPeriod` from creation until the first activity, then
 * `cooldownPeriod` from `lastActiveTime`; past it the target goes to idle or minimum.
 */
function coolDown(r: Round, keep: ExecutorOutcome): ExecutorOutcome {
  const { cur, now, lastActiveTime } = r;
  const { cooldownPeriod: cooldown, initialCooldownPeriod: initialCooldown } = r.eff;
  const to = scaleInReplicas(r.spec);
  const since = lastActiveTime ?? r.createdAt;
  const wait = lastActiveTime === undefined ? initialCooldown : cooldown;
  const until = since + wait * 1000;
  // paused-scale-in blocks →0 / →idle as it blocks HPA scale-down.
  if (r.pause.pausedScaleIn) {
    r.reasons.push(
      reason(TIDE.ScaleInPaused, `not active, but paused-scale-in blocks scaling to ${to}`),
    );
    return keep;
  }
  if (until < now) {
    const msg = `Deactivated ${r.eff.scaleTarget} from ${cur} to ${to}`;
    const what =
      lastActiveTime === undefined
        ? `initialCooldownPeriod ${initialCooldown} s after creation`
        : `cooldownPeriod ${cooldown} s after last activity at ${formatInstant(since)}`;
    r.reasons.push(
      reason(KEDA.ScaleTargetDeactivated, `${msg}: ${what} passed`, {
        from: cur,
        to,
        since,
        cooldown: wait,
      }),
    );
    r.events.push(reason(KEDA.ScaleTargetDeactivated, msg));
    // Deactivation is the executor's alone: the HPA part must not size the target back up.
    return { ...keep, replicas: to, runHpa: false };
  }
  const which = lastActiveTime === undefined ? 'initialCooldownPeriod' : 'cooldownPeriod';
  r.reasons.push(
    reason(
      KEDA.ScalerCooldown,
      `not active; ${which} ${wait} s holds until ${formatInstant(until)} (${num((until - now) / 1000)} s left) before scaling to ${to}`,
      { until },
    ),
  );
  return {
    ...keep,
    active: cond(
      'False',
      KEDA.ScalerCooldown,
      'Scaler cooling down because triggers are not active',
    ),
  };
}
