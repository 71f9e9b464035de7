/**
 * Builds decision records from real engine decisions for the explain and metrics tests (not a
 * test file: the engine decides, these helpers only shape its output like the controllers do).
 */
import { decideScaledJob, type ScaledJobInput } from '../engine/scaled-job.js';
import { decideScaledObject, type ScaledObjectInput } from '../engine/scaled-object.js';
import type { MetricSpec, ScaledObjectState, TriggerReading } from '../engine/types.js';
import type { TriggerStatus } from '../scheduler/status.js';
import type { ScaledJob, ScaledJobSpec } from '../manifests/types.js';
import type { DecisionRecord } from './types.js';

/** The status rows a controller derives from its readings (see scheduler/to-engine.ts). */
export function triggerRows(
  specs: readonly (readonly MetricSpec[] | undefined)[],
  readings: readonly (TriggerReading | undefined)[],
  type = 'redis',
): TriggerStatus[] {
  return readings.map((r, index) => {
    const spec = specs[index]?.[0];
    return {
      index,
      type,
      ...(spec ? { metricName: spec.name, target: spec.target, targetType: spec.targetType } : {}),
      ...(r?.ok ? { value: r.metrics.reduce((a, m) => a + m.value, 0), active: r.isActive } : {}),
      ...(r && !r.ok ? { error: r.error } : {}),
    };
  });
}

/** One ScaledObject round through the engine, as the controller records it. */
export function soRound(input: ScaledObjectInput): {
  record: DecisionRecord;
  state: ScaledObjectState;
} {
  const d = decideScaledObject(input);
  return {
    state: d.state,
    record: {
      at: new Date(input.now).toISOString(),
      current: input.currentReplicas,
      decided: d.desiredReplicas,
      isActive: d.isActive,
      triggers: triggerRows(input.specs, input.readings),
      reasons: [...d.reasons],
    },
  };
}

export function makeSj(
  spec: Partial<ScaledJobSpec> = {},
  annotations: Record<string, string> = {},
): ScaledJob {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledJob',
    metadata: { name: 'transcode', namespace: 'default', labels: {}, annotations },
    source: { file: 'test.yaml' },
    spec: {
      jobTargetRef: { template: { spec: { containers: [{ name: 'c' }] } } },
      triggers: [{ type: 'redis', metadata: {} }],
      ...spec,
    },
  };
}

/** One ScaledJob round through the engine, as the controller records it. */
export function sjRound(input: ScaledJobInput): DecisionRecord {
  const d = decideScaledJob(input);
  return {
    at: new Date(input.now).toISOString(),
    current: input.runningJobs,
    decided: d.jobsToCreate,
    isActive: d.isActive,
    triggers: triggerRows(input.specs, input.readings),
    reasons: [...d.reasons],
  };
}
