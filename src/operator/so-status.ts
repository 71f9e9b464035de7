/**
 * A ScaledObject's `.status` the way KEDA writes it (keda.md §1.13): conditions Ready /
 * Active / Fallback / Paused, `externalMetricNames`, `lastActiveTime`, `health`,
 * `originalReplicaCount`, `scaleTargetKind`, `scaleTargetGVKR`, `triggersTypes`,
 * `authenticationsTypes`. Pure, so the writer can compare and write only on change.
 */
import type { Condition, ScaledObjectDecision } from '../engine/index.js';
import { formatRfc3339 } from '../engine/index.js';
import type { ScaledObject } from '../manifests/types.js';
import type { Gvkr } from '../targets/kubernetes/scale.js';

export interface KedaCondition {
  type: 'Ready' | 'Active' | 'Fallback' | 'Paused';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export interface ScaledObjectStatus {
  scaleTargetKind?: string;
  scaleTargetGVKR?: Gvkr;
  originalReplicaCount?: number;
  lastActiveTime?: string;
  externalMetricNames?: string[];
  health?: Record<string, { numberOfFailures: number; status: string }>;
  triggersTypes?: string;
  authenticationsTypes?: string;
  pausedReplicaCount?: number;
  conditions: KedaCondition[];
}

const c = (type: KedaCondition['type'], x: Condition): KedaCondition => ({
  type,
  status: x.status,
  reason: x.reason,
  message: x.message,
});

/** KEDA's initial conditions: Ready, Active, Fallback Unknown; Paused False. */
export function initialConditions(): KedaCondition[] {
  return [
    { type: 'Ready', status: 'Unknown', reason: '', message: '' },
    { type: 'Active', status: 'Unknown', reason: '', message: '' },
    { type: 'Fallback', status: 'Unknown', reason: '', message: '' },
    { type: 'Paused', status: 'False', reason: '', message: '' },
  ];
}

/** Fields derived from the spec alone. */
export function specStatus(so: ScaledObject): Partial<ScaledObjectStatus> {
  const auths = so.spec.triggers.flatMap((t) =>
    t.authenticationRef ? [t.authenticationRef.name] : [],
  );
  return {
    triggersTypes: so.spec.triggers.map((t) => t.type).join(','),
    ...(auths.length ? { authenticationsTypes: auths.join(',') } : {}),
  };
}

/** Status for an object that fails validation or whose target cannot be scaled. */
export function checkFailedStatus(
  so: ScaledObject | undefined,
  previous: Partial<ScaledObjectStatus> | undefined,
  message: string,
): ScaledObjectStatus {
  const conditions = initialConditions().map((x) =>
    x.type === 'Ready'
      ? { ...x, status: 'False' as const, reason: 'ScaledObjectCheckFailed', message }
      : x,
  );
  return { ...(previous ?? {}), ...(so ? specStatus(so) : {}), conditions };
}

export interface DecisionStatusInput {
  so: ScaledObject;
  decision: ScaledObjectDecision;
  gvkr: Gvkr;
  originalReplicaCount: number;
  metricNames: string[];
}

/**
 * Ready=False because triggers fail: KEDA's message, followed by what failed. KEDA leaves the
 * detail to its HPA's conditions; tide has no HPA, so the ScaledObject is where it shows
 * (for cpu/memory, the HPA's own text, e.g. "missing request for cpu in container ...").
 */
function readyWithErrors(d: ScaledObjectDecision): Condition {
  const r = d.conditions.ready;
  if (r.status !== 'False') return r;
  const errors = [...new Set(d.triggers.flatMap((t) => (t.error ? [t.error] : [])))];
  return errors.length ? { ...r, message: `${r.message}: ${errors.join('; ')}` } : r;
}

/**
 * What `decisionStatus` takes from a round, as one string: equal keys give equal statuses for
 * the same object, target and original replica count (the writer's `writeKeyed`).
 */
export function decisionStatusKey(d: ScaledObjectDecision, metricNames: readonly string[]): string {
  const parts: (string | number)[] = [d.state.lastActiveTime ?? '', metricNames.join(',')];
  for (const [k, h] of Object.entries(d.state.health)) parts.push(k, h.numberOfFailures, h.status);
  const { ready, active, fallback, paused } = d.conditions;
  for (const x of [ready, active, fallback, paused]) parts.push(x.status, x.reason, x.message);
  if (ready.status === 'False') for (const t of d.triggers) if (t.error) parts.push(t.error);
  return parts.join('\u0000');
}

/** Status after a round. */
export function decisionStatus(i: DecisionStatusInput): ScaledObjectStatus {
  const { decision: d, gvkr } = i;
  const st = d.state;
  const health = Object.fromEntries(
    Object.entries(st.health).map(([k, h]) => [
      k,
      { numberOfFailures: h.numberOfFailures, status: h.status },
    ]),
  );
  const pausedReplicas = i.so.metadata.annotations['autoscaling.keda.sh/paused-replicas'];
  return {
    scaleTargetKind: `${gvkr.group ? `${gvkr.group}/` : ''}${gvkr.version}.${gvkr.kind}`,
    scaleTargetGVKR: gvkr,
    originalReplicaCount: i.originalReplicaCount,
    ...(st.lastActiveTime !== undefined
      ? { lastActiveTime: formatRfc3339(st.lastActiveTime) }
      : {}),
    ...(i.metricNames.length ? { externalMetricNames: i.metricNames } : {}),
    ...(Object.keys(health).length ? { health } : {}),
    ...specStatus(i.so),
    ...(pausedReplicas !== undefined && /^-?\d+$/.test(pausedReplicas.trim())
      ? { pausedReplicaCount: Number(pausedReplicas) }
      : {}),
    conditions: [
      c('Ready', readyWithErrors(d)),
      c('Active', d.conditions.active),
      c('Fallback', d.conditions.fallback),
      c('Paused', d.conditions.paused),
    ],
  };
}
