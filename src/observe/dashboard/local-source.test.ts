import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ObjectStatus } from '../../scheduler/status.js';
import { DecisionLog } from '../decision-log.js';
import { LocalDashboardSource } from './local-source.js';
import type { DecisionRecord, ObjectRef } from './source.js';

const logDir = mkdtempSync(join(tmpdir(), 'tide-dash-src-'));
after(() => rmSync(logDir, { recursive: true, force: true }));

const so: ObjectStatus = {
  kind: 'ScaledObject',
  namespace: 'default',
  name: 'so',
  target: 'Deployment default/worker',
  triggers: [],
  runningReplicas: 1,
};
const record: DecisionRecord = {
  at: '2026-01-01T00:00:00.000Z',
  current: 0,
  decided: 1,
  isActive: true,
  triggers: [{ index: 0, type: 'redis', value: 4, target: 5 }],
  reasons: [],
};

test('local source: records flow to subscribers, objects carry conditions, logs come from the workload folder only', async () => {
  const decisionLog = new DecisionLog();
  const source = new LocalDashboardSource({ status: () => [so], decisionLog, logDir });
  const ref: ObjectRef = { kind: 'ScaledObject', namespace: 'default', name: 'so' };
  const seen: DecisionRecord[] = [];
  const off = source.subscribe((r, rec) => {
    assert.deepEqual(r, ref);
    seen.push(rec);
  });
  const round = { ...ref, record, readings: [], durationMs: 1 };
  decisionLog.record(round);
  source.observe(round);
  off();
  source.observe(round);
  assert.equal(seen.length, 1, 'unsubscribed listeners get nothing');
  assert.deepEqual(source.records(ref, 10), [record]);
  assert.deepEqual(source.objects()[0]?.conditions, {
    ready: true,
    active: true,
    paused: false,
    fallback: false,
  });

  mkdirSync(join(logDir, 'default', 'worker'), { recursive: true });
  writeFileSync(join(logDir, 'default', 'worker', 'worker-abc.log'), 'hello\n');
  writeFileSync(join(logDir, 'default', 'stray.log'), 'not a replica\n');
  assert.deepEqual(
    (await source.logs(ref)).map((l) => [l.replica, l.lines]),
    [['worker-abc', ['hello']]],
  );
  assert.deepEqual(await source.logs({ ...ref, name: 'unknown' }), []);
});
