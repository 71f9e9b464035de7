/**
 * A ScaledJob's `.status` the way KEDA writes it (keda.md §2.8): conditions Ready / Active /
 * Paused, `lastActiveTime`, `triggersTypes`, `authenticationsTypes`. Pure, so the writer can
 * compare and write only on change.
 */
import type { ScaledJobDecision } from '../engine/index.js';
import { formatRfc3339 } from '../engine/index.js';
import type { ScaledJob } from '../manifests/types.js';

export interface ScaledJobCondition {
  type: 'Ready' | 'Active' | 'Paused';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export interface ScaledJobStatus {
  lastActiveTime?: string;
  triggersTypes?: string;
  authenticationsTypes?: string;
  conditions: ScaledJobCondition[];
}

function specStatus(sj: ScaledJob): Partial<ScaledJobStatus> {
  const auths = sj.spec.triggers.flatMap((t) =>
    t.authenticationRef ? [t.authenticationRef.name] : [],
  );
  return {
    triggersTypes: sj.spec.triggers.map((t) => t.type).join(','),
    ...(auths.length ? { authenticationsTypes: auths.join(',') } : {}),
  };
}

/** Status of a ScaledJob that fails validation: Ready=False `ScaledJobCheckFailed`. */
export function sjCheckFailedStatus(
  sj: ScaledJob | undefined,
  previous: Partial<ScaledJobStatus> | undefined,
  message: string,
): ScaledJobStatus {
  return {
    ...(previous ?? {}),
    ...(sj ? specStatus(sj) : {}),
    conditions: [
      { type: 'Ready', status: 'False', reason: 'ScaledJobCheckFailed', message },
      { type: 'Active', status: 'Unknown', reason: '', message: '' },
      { type: 'Paused', status: 'False', reason: '', message: '' },
    ],
  };
}

/** What `sjDecisionStatus` takes from a round, as one string (the writer's `writeKeyed`). */
export function sjDecisionStatusKey(d: ScaledJobDecision): string {
  const { ready, active, paused } = d.conditions;
  const parts: (string | number)[] = [d.state.lastActiveTime ?? ''];
  for (const x of [ready, active, paused]) parts.push(x.status, x.reason, x.message);
  return parts.join('\u0000');
}

/** Status after a round. */
export function sjDecisionStatus(sj: ScaledJob, d: ScaledJobDecision): ScaledJobStatus {
  const last = d.state.lastActiveTime;
  return {
    ...(last !== undefined ? { lastActiveTime: formatRfc3339(last) } : {}),
    ...specStatus(sj),
    conditions: [
      { type: 'Ready', ...d.conditions.ready },
      { type: 'Active', ...d.conditions.active },
      { type: 'Paused', ...d.conditions.paused },
    ],
  };
}
