/**
 * The decision log on disk: JSONL files in a temp folder, rotated by size, read back per
 * object and per time by `tide explain`'s fallback path.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecisionLog, readDecisionFiles } from '../../../src/observe/decision-log.js';
import { RotatingJsonl } from '../../../src/observe/jsonl.js';
import type { DecisionRecord, RoundObservation } from '../../../src/observe/types.js';

const root = mkdtempSync(join(tmpdir(), 'tide-decisions-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${++n}`);

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

test('rotation keeps at most `files` files of at most `maxBytes`, newest lines last and none lost in between', () => {
  const dir = fresh();
  const w = new RotatingJsonl({ dir, maxBytes: 1000, files: 3 });
  for (let i = 0; i < 100; i++) w.append({ i, pad: 'x'.repeat(60) });
  w.close();
  const files = readdirSync(dir).sort();
  assert.deepEqual(files, ['decisions.1.jsonl', 'decisions.2.jsonl', 'decisions.jsonl']);
  for (const f of files) assert.ok(statSync(join(dir, f)).size <= 1000, `${f} within 1000 bytes`);
  const kept = ['decisions.2.jsonl', 'decisions.1.jsonl', 'decisions.jsonl'].flatMap((f) =>
    lines(join(dir, f)).map((l) => (JSON.parse(l) as { i: number }).i),
  );
  assert.equal(kept.at(-1), 99, 'the newest line is last in the current file');
  // About 80 bytes a line: 12 fit in 1000, so two full older files plus the current one.
  assert.ok(
    kept.length < 100 && kept.length >= 25,
    `some lines rotated away (kept ${kept.length})`,
  );
  assert.deepEqual(
    kept,
    Array.from({ length: kept.length }, (_, k) => 100 - kept.length + k),
    'the kept lines are contiguous',
  );
});

test('a new writer continues the existing file and rotates it by its real size', () => {
  const dir = fresh();
  const first = new RotatingJsonl({ dir, maxBytes: 500, files: 2 });
  for (let i = 0; i < 4; i++) first.append({ i, pad: 'y'.repeat(80) });
  first.close();
  assert.equal(lines(join(dir, 'decisions.jsonl')).length, 4);
  const second = new RotatingJsonl({ dir, maxBytes: 500, files: 2 });
  for (let i = 4; i < 8; i++) second.append({ i, pad: 'y'.repeat(80) });
  second.close();
  const older = lines(join(dir, 'decisions.1.jsonl'));
  assert.equal(
    (JSON.parse(older[0]!) as { i: number }).i,
    0,
    'the earlier run was rotated, not overwritten',
  );
  assert.ok(statSync(join(dir, 'decisions.jsonl')).size <= 500);
});

function observation(name: string, at: string, decided: number): RoundObservation {
  const record: DecisionRecord = {
    at,
    current: 1,
    decided,
    isActive: true,
    triggers: [
      { index: 0, type: 'redis', metricName: 's0-redis-jobs', value: decided * 10, target: 10 },
    ],
    reasons: [{ code: 'TideMetricReplicas', message: `value ${decided * 10}` }],
  };
  return { kind: 'ScaledObject', namespace: 'default', name, record, readings: [], durationMs: 1 };
}

test('decisions read back from the files per object, at a time, with the other objects named', () => {
  const dir = fresh();
  const log = new DecisionLog({ dir });
  for (let s = 0; s < 10; s++) {
    log.record(observation('a', `2026-11-23T12:00:0${s}.000Z`, s));
    log.record(observation('b', `2026-11-23T12:00:0${s}.500Z`, 100 + s));
  }
  log.close();
  const all = readDecisionFiles(dir, { kind: 'ScaledObject', namespace: 'default', name: 'a' });
  assert.deepEqual(
    all.records.map((r) => r.decided),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.equal(all.oldest, '2026-11-23T12:00:00.000Z');
  assert.deepEqual(all.known, ['ScaledObject default/a', 'ScaledObject default/b']);
  const at = readDecisionFiles(
    dir,
    { kind: 'ScaledObject', namespace: 'default', name: 'a' },
    { at: Date.parse('2026-11-23T12:00:04.200Z'), limit: 3 },
  );
  assert.deepEqual(
    at.records.map((r) => r.decided),
    [2, 3, 4],
  );
  assert.equal('kind' in at.records[0]!, false, 'records come back without the object fields');
});

test('a torn last line (tide killed mid-write) is skipped, not fatal', () => {
  const dir = fresh();
  const log = new DecisionLog({ dir });
  log.record(observation('a', '2026-11-23T12:00:00.000Z', 3));
  log.close();
  appendFileSync(join(dir, 'decisions.jsonl'), '{"kind":"ScaledObject","namespace":"default","na');
  const r = readDecisionFiles(dir, { kind: 'ScaledObject', namespace: 'default', name: 'a' });
  assert.deepEqual(
    r.records.map((x) => x.decided),
    [3],
  );
});

test('the in-memory ring per object is bounded and answers the time asked for', () => {
  const log = new DecisionLog({ ringSize: 5 });
  for (let s = 0; s < 9; s++) log.record(observation('a', `2026-11-23T12:00:0${s}.000Z`, s));
  const ref = { kind: 'ScaledObject' as const, namespace: 'default', name: 'a' };
  const now = log.query(ref);
  assert.deepEqual(
    now.records.map((r) => r.decided),
    [4, 5, 6, 7, 8],
  );
  assert.equal(now.oldest, '2026-11-23T12:00:04.000Z');
  const then = log.query(ref, { at: Date.parse('2026-11-23T12:00:06.000Z') });
  assert.equal(then.records.at(-1)?.decided, 6);
  assert.deepEqual(log.query({ ...ref, name: 'zz' }).records, []);
});

test('many objects share one memory budget: rings shrink to an equal share, not below the minimum', () => {
  const log = new DecisionLog({ ringSize: 50, maxRecords: 100, minRingSize: 10 });
  const ref = (name: string) => ({ kind: 'ScaledObject' as const, namespace: 'default', name });
  const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, s)).toISOString();
  for (let s = 0; s < 40; s++) log.record(observation('a', at(s), s));
  assert.equal(log.query(ref('a'), { limit: 1000 }).records.length, 40, 'alone: up to ringSize');
  log.record(observation('b', at(0), 0));
  log.record(observation('c', at(0), 0));
  log.record(observation('d', at(0), 0));
  assert.equal(log.capacityOf(ref('a')), 25, '100 records over 4 objects');
  log.record(observation('a', at(40), 40));
  const a = log.query(ref('a'), { limit: 1000 }).records;
  assert.equal(a.length, 25, 'a shrank to its share at its next record');
  assert.equal(a.at(-1)?.decided, 40, 'keeping the newest');
  for (let i = 0; i < 20; i++) log.record(observation(`o${i}`, at(0), 0));
  assert.equal(log.capacityOf(ref('a')), 10, 'never below minRingSize');
});
