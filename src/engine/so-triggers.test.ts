import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide, fail, makeSo } from './test-fixtures.js';

test('a failing trigger that was never built is named in the reasons, never as "()"', () => {
  // No metric spec: its scaler could not be built (the source was down from the start).
  const d = decide({
    so: makeSo(),
    specs: [undefined],
    readings: [fail('cannot connect')],
    currentReplicas: 2,
  });
  const messages = d.reasons.map((r) => r.message);
  assert.equal(d.desiredReplicas, 2, 'replicas are held');
  assert.ok(messages.includes('trigger 0 (redis) failed: cannot connect'), messages.join('\n'));
  assert.ok(messages.includes('no metric could be read: replicas stay 2'), messages.join('\n'));
  assert.ok(!messages.some((m) => m.includes('()')), messages.join('\n'));
});
