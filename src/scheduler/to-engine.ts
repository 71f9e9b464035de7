/** Converts scaler readings into the engine's per-trigger inputs and status rows. */
import type { MetricSpec, TriggerReading } from '../engine/index.js';
import type { TriggerStatus } from './status.js';
import { metricName } from '../scalers/core/metric-name.js';
import type { PushState } from '../scalers/core/types.js';
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

/** Status rows; `pushNow` gives the live push state (else the one of the last read). */
export function triggerStatuses(
  readings: readonly ScalerReading[],
  pushNow?: (index: number) => PushState | undefined,
): TriggerStatus[] {
  return readings.map((r) => {
    const spec = r.specs[0];
    const push = pushNow?.(r.index) ?? r.push;
    const value = r.metrics?.reduce((a, m) => a + m.value, 0);
    return {
      index: r.index,
      type: r.type,
      ...(r.name ? { name: r.name } : {}),
      ...(spec
        ? { metricName: spec.name, target: spec.target, targetType: spec.targetType }
        : { metricName: fallbackMetricName(r) }),
      ...(value !== undefined ? { value } : {}),
      ...(r.isActive !== undefined ? { active: r.isActive } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.failingSince !== undefined
        ? {
            failingSince: new Date(r.failingSince).toISOString(),
            failedRounds: r.failedRounds ?? 1,
          }
        : {}),
      ...(push?.mode === 'polling only' ? { push: 'polling only', pushReason: push.reason } : {}),
      ...(push?.mode === 'push' ? { push: 'on' } : {}),
    };
  });
}

/**
 * The name for a trigger whose scaler was never built (its source was down from the start), so
 * no label and no status is ever empty: `s<index>-<type>`, KEDA's form without the source part.
 */
export function fallbackMetricName(r: Pick<ScalerReading, 'index' | 'type'>): string {
  return metricName(r.index, r.type);
}
