import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineInputs, fallbackMetricName, triggerStatuses } from './to-engine.js';
import type { ScalerReading } from './trigger-readings.js';

const spec = { name: 's0-redis-jobs', targetType: 'AverageValue' as const, target: 5 };
const ok: ScalerReading = {
  index: 0,
  type: 'redis',
  specs: [spec],
  metrics: [{ name: 's0-redis-jobs', value: 12 }],
  isActive: true,
  latencyMs: 1,
};
const failing: ScalerReading = {
  index: 1,
  type: 'postgresql',
  name: 'db',
  specs: [],
  error: 'cannot connect to PostgreSQL at db:5432',
  failingSince: Date.UTC(2026, 0, 1),
  failedRounds: 3,
  push: { mode: 'polling only', reason: 'LISTEN failed' },
  latencyMs: 2,
};

test('engineInputs: a reading with metrics is ok; an error or no metrics is a failed reading', () => {
  const noMetrics: ScalerReading = { index: 2, type: 'cron', specs: [spec], latencyMs: 0 };
  const r = engineInputs([ok, failing, noMetrics]);
  assert.deepEqual(r.readings, [
    { ok: true, metrics: ok.metrics, isActive: true },
    { ok: false, error: 'cannot connect to PostgreSQL at db:5432' },
    { ok: false, error: 'no metrics' },
  ]);
  // A trigger never built has no specs: the engine sees undefined, not an empty list.
  assert.deepEqual(r.specs, [[spec], undefined, [spec]]);
});

test('engineInputs: a reading without isActive counts as not active', () => {
  const r = engineInputs([{ ...ok, isActive: undefined }]);
  assert.deepEqual(r.readings[0], { ok: true, metrics: ok.metrics, isActive: false });
});

test('triggerStatuses: values summed, failures dated, push state shown', () => {
  const [a, b] = triggerStatuses([
    { ...ok, metrics: [...ok.metrics!, { name: 's0-redis-jobs', value: 3 }] },
    failing,
  ]);
  assert.deepEqual(a, {
    index: 0,
    type: 'redis',
    metricName: 's0-redis-jobs',
    target: 5,
    targetType: 'AverageValue',
    value: 15,
    active: true,
  });
  assert.deepEqual(b, {
    index: 1,
    type: 'postgresql',
    name: 'db',
    metricName: 's1-postgresql',
    error: 'cannot connect to PostgreSQL at db:5432',
    failingSince: '2026-01-01T00:00:00.000Z',
    failedRounds: 3,
    push: 'polling only',
    pushReason: 'LISTEN failed',
  });
});

test('triggerStatuses: the live push state wins over the one of the last read', () => {
  const [b] = triggerStatuses([failing], (i) => (i === 1 ? { mode: 'push' } : undefined));
  assert.equal(b?.push, 'on');
  assert.equal(b?.pushReason, undefined);
});

test('fallbackMetricName: s<index>-<type> for a trigger never built', () => {
  assert.equal(fallbackMetricName({ index: 4, type: 'rabbitmq' }), 's4-rabbitmq');
});
