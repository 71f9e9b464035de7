/**
 * Shared fixtures for the ScaledObject unit tests (not a test file itself: no node imports, so it
 * stays inside the engine's purity rule).
 */
import type { ScaledObject, ScaledObjectSpec } from '../manifests/types.js';
import { decideScaledObject, type ScaledObjectInput } from './scaled-object.js';
import {
  INITIAL_SCALED_OBJECT_STATE,
  type MetricSpec,
  type ScaledObjectState,
  type TriggerReading,
} from './types.js';

export const T0 = 1_700_000_000_000;
export const S = 1000;

export function makeSo(
  spec: Partial<ScaledObjectSpec> = {},
  annotations: Record<string, string> = {},
): ScaledObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'worker-so', namespace: 'default', labels: {}, annotations },
    source: { file: 'test.yaml' },
    spec: {
      scaleTargetRef: { name: 'worker' },
      triggers: [{ type: 'redis', metadata: { listName: 'q', listLength: '10' } }],
      ...spec,
    },
  };
}
export const spec0: MetricSpec = { name: 's0-redis-q', targetType: 'AverageValue', target: 10 };
export const spec1: MetricSpec = { name: 's1-redis-r', targetType: 'AverageValue', target: 10 };
export const read = (value: number, activation = 0, name = 's0-redis-q'): TriggerReading => ({
  ok: true,
  metrics: [{ name, value }],
  isActive: value > activation,
});
export const fail = (error = 'connection refused'): TriggerReading => ({ ok: false, error });

export function decide(p: Partial<ScaledObjectInput> & { so: ScaledObject }) {
  return decideScaledObject({
    specs: [[spec0], [spec1]],
    readings: [read(0)],
    currentReplicas: 0,
    now: T0,
    createdAt: T0 - 3600 * S,
    ...p,
  });
}
export const st = (s: Partial<ScaledObjectState>): ScaledObjectState => ({
  ...INITIAL_SCALED_OBJECT_STATE,
  ...s,
});
