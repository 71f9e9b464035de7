/** Converts scaler readings into the engine's per-trigger inputs and status rows. */
import type { MetricSpec, TriggerReading } from '../engine/index.js';
import type { TriggerStatus } from '../local/status-model.js';
import type { ScalerReading } from './trigger-readings.js';

export function engineInputs(readings: readonly ScalerReading[]): {
  specs: (readonly MetricSpec[] | undefined)[];
  readings: TriggerReading[];
} {
  return {
    specs: readings.map((r) => (r.specs.length ? r.specs : undefined)),
    readings: readings.map((r) =>
      r.error !== undefined || !r.metrics
        ? { ok: false as const, error: r.error ?? 'no metrics' }
        : { ok: true as const, metrics: r.metrics, isActive: r.isActive ?? false },
    ),
  };
}

export function triggerStatuses(readings: readonly ScalerReading[]): TriggerStatus[] {
  return readings.map((r) => {
    const spec = r.specs[0];
    const value = r.metrics?.reduce((a, m) => a + m.value, 0);
    return {
      index: r.index,
      type: r.type,
      ...(r.name ? { name: r.name } : {}),
      ...(spec ? { metricName: spec.name, target: spec.target, targetType: spec.targetType } : {}),
      ...(value !== undefined ? { value } : {}),
      ...(r.isActive !== undefined ? { active: r.isActive } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
    };
  });
}
