/**
 * Metric specs and activation thresholds for simulated triggers, read from trigger metadata
 * without building a scaler (a simulation opens no connection). The table names each KEDA
 * trigger's target and activation keys with KEDA's defaults; callers with the real scaler
 * registry can pass exact specs instead (`simulate({ specsFor })`).
 */
import type { Trigger } from '../manifests/types.js';
import type { MetricSpec } from '../engine/types.js';

/** [target key, default target, activation key]. */
const KEYS: Record<string, [string, number | undefined, string]> = {
  redis: ['listLength', 5, 'activationListLength'],
  'redis-cluster': ['listLength', 5, 'activationListLength'],
  'redis-sentinel': ['listLength', 5, 'activationListLength'],
  'redis-streams': ['pendingEntriesCount', 5, 'activationLagCount'],
  celery: ['listLength', 5, 'activationListLength'],
  mongodb: ['queryValue', undefined, 'activationQueryValue'],
  postgresql: ['targetQueryValue', undefined, 'activationTargetQueryValue'],
  mysql: ['queryValue', undefined, 'activationQueryValue'],
  rabbitmq: ['value', 20, 'activationValue'],
  kafka: ['lagThreshold', 10, 'activationLagThreshold'],
  'nats-jetstream': ['lagThreshold', 10, 'activationLagThreshold'],
  prometheus: ['threshold', undefined, 'activationThreshold'],
  'metrics-api': ['targetValue', undefined, 'activationTargetValue'],
  cron: ['desiredReplicas', undefined, ''],
  cpu: ['value', undefined, ''],
  memory: ['value', undefined, ''],
};

export type SpecResult =
  { ok: true; spec: MetricSpec; activation: number } | { ok: false; error: string };

/** The spec a simulated trigger gets: name `s<index>-<type>`, target from its metadata. */
export function simulatedSpec(trigger: Trigger, index: number): SpecResult {
  const keys = KEYS[trigger.type];
  const resource = trigger.type === 'cpu' || trigger.type === 'memory';
  const targetType = resource ? 'Utilization' : (trigger.metricType ?? 'AverageValue');
  let target: number | undefined;
  let activation = 0;
  if (keys) {
    const [tk, def, ak] = keys;
    const raw = trigger.metadata[tk];
    target = raw !== undefined ? Number(raw) : def;
    if (raw !== undefined && !Number.isFinite(target))
      return {
        ok: false,
        error: `trigger ${index} (${trigger.type}): metadata.${tk} "${raw}" is not a number`,
      };
    if (ak && trigger.metadata[ak] !== undefined) activation = Number(trigger.metadata[ak]);
  } else {
    // Unknown type: the first target-like key, and any activation* key.
    const key = [
      'targetValue',
      'value',
      'threshold',
      'queueLength',
      'listLength',
      'queryValue',
    ].find((k) => trigger.metadata[k] !== undefined);
    target = key ? Number(trigger.metadata[key]) : undefined;
    const ak = Object.keys(trigger.metadata).find((k) => k.startsWith('activation'));
    if (ak) activation = Number(trigger.metadata[ak]);
  }
  if (target === undefined || !Number.isFinite(target) || target <= 0) {
    return {
      ok: false,
      error: `trigger ${index} (${trigger.type}): cannot tell its target from metadata; pass specsFor to simulate()`,
    };
  }
  if (!Number.isFinite(activation)) activation = 0;
  return { ok: true, spec: { name: `s${index}-${trigger.type}`, targetType, target }, activation };
}
