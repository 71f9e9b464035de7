import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ScaledJob, ScaledObject } from '../manifests/types.js';
import { KEDA, TIDE } from '../engine/reasons.js';
import { simulate, SimulationError, type SimStep } from './simulate.js';
import { renderSvg } from './svg.js';
import { parseTrace, type Trace } from './trace.js';

const celerySo: ScaledObject = {
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'redis-scaledobject', namespace: 'default', labels: {}, annotations: {} },
  source: { file: 'examples/celery-redis/scaledobject.yaml' },
  spec: {
    scaleTargetRef: { name: 'celery-worker' },
    pollingInterval: 15,
    cooldownPeriod: 200,
    maxReplicaCount: 10,
    triggers: [
      {
        type: 'redis',
        metadata: {
          addressFromEnv: 'REDIS_HOST',
          passwordFromEnv: 'REDIS_PASSWORD',
          enableTLS: 'true',
          listName: 'celery',
          listLength: '10',
        },
      },
    ],
  },
};

function load(path: string): Trace {
  const r = parseTrace(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'), 'csv');
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  return r.trace;
}

test('the celery-redis trace scales 0 → up step by step to ≤ 10 → back to 0 only after cooldownPeriod 200 s from the last active poll', () => {
  const steps = simulate({
    set: { scaledObjects: [celerySo], scaledJobs: [] },
    trace: load('examples/traces/celery-redis.csv'),
  });
  const replicas = steps.map((s) => s.desiredReplicas ?? -1);
  assert.equal(steps[0]?.time, 0);
  assert.equal(replicas[0], 0, 'starts at zero with an empty list');
  assert.ok(
    steps.every((s, i) => i === 0 || s.time - (steps[i - 1]?.time ?? 0) === 15),
    'polls every 15 s',
  );
  const peak = Math.max(...replicas);
  assert.ok(peak >= 3 && peak <= 10, `peak ${peak}`);
  // Rises step by step: a run of increasing counts from the first activation to the peak.
  const firstUp = replicas.findIndex((r) => r > 0);
  const peakAt = replicas.indexOf(peak);
  const rise = replicas.slice(firstUp, peakAt + 1);
  assert.ok(rise.length >= 3, `rise ${rise.join(',')}`);
  for (let i = 1; i < rise.length; i++)
    assert.ok((rise[i] ?? 0) >= (rise[i - 1] ?? 0), `rise ${rise.join(',')}`);
  // Back to zero exactly at the first poll more than 200 s after the last active poll.
  const lastActive = steps.filter((s) => s.isActive).at(-1);
  assert.ok(lastActive);
  const zeroAt = steps.findIndex((s, i) => i > peakAt && s.desiredReplicas === 0);
  const zero = steps[zeroAt];
  assert.ok(zero, 'returns to zero');
  assert.equal(
    zero.time,
    lastActive.time + 210,
    `last active ${lastActive.time}, zero at ${zero.time}`,
  );
  assert.ok(zero.reasons.some((r) => r.code === KEDA.ScaleTargetDeactivated));
  // Never zero between activation and that poll; during the cooldown the reason says so.
  assert.ok(replicas.slice(firstUp, zeroAt).every((r) => r > 0));
  assert.ok(
    steps.some(
      (s) =>
        s.time > lastActive.time &&
        s.time < zero.time &&
        s.reasons.some((r) => r.code === KEDA.ScalerCooldown),
    ),
  );
  assert.ok(
    replicas.slice(zeroAt).every((r) => r === 0),
    'stays at zero',
  );
});

const so1 = (name: string, interval = 10): ScaledObject => ({
  ...celerySo,
  metadata: { ...celerySo.metadata, name },
  spec: { ...celerySo.spec, pollingInterval: interval, cooldownPeriod: 30 },
});

test('trace values are held until the next sample of the same trigger', () => {
  const r = parseTrace('time,value\n0,0\n5,35\n40,0\n', 'csv');
  assert.ok(r.ok);
  const steps = simulate({ set: { scaledObjects: [so1('a')], scaledJobs: [] }, trace: r.trace });
  assert.deepEqual(
    steps.map((s) => [s.time, s.triggers[0]?.value]),
    [
      [0, 0],
      [10, 35],
      [20, 35],
      [30, 35],
      [40, 0],
    ],
  );
  assert.deepEqual(
    steps.map((s) => s.desiredReplicas),
    [0, 4, 4, 4, 4],
  );
});

test('an active-only sample keeps the last value and forces activity', () => {
  const r = parseTrace('time,value,active\n0,0,\n10,,true\n', 'csv');
  assert.ok(r.ok);
  const steps = simulate({ set: { scaledObjects: [so1('a')], scaledJobs: [] }, trace: r.trace });
  assert.deepEqual(
    steps.map((s) => [s.isActive, s.desiredReplicas]),
    [
      [false, 0],
      [true, 1],
    ],
  );
});

test('a trace error sample keeps replicas and reports TriggerError', () => {
  const r = parseTrace('time,object,trigger,value,error\n0,a,0,30,\n10,a,0,,redis down\n', 'csv');
  assert.ok(r.ok);
  const steps = simulate({ set: { scaledObjects: [so1('a')], scaledJobs: [] }, trace: r.trace });
  assert.equal(steps[1]?.desiredReplicas, steps[0]?.desiredReplicas);
  assert.ok(steps[1]?.reasons.some((x) => x.code === KEDA.TriggerError));
});

const transcode: ScaledJob = {
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledJob',
  metadata: {
    name: 'transcode',
    namespace: 'default',
    labels: {},
    annotations: { 'autoscaling.tide.dev/max-jobs-per-round': '3' },
  },
  source: { file: 'sj.yaml' },
  spec: {
    jobTargetRef: { template: { spec: { containers: [{ name: 'c' }] } } },
    pollingInterval: 15,
    maxReplicaCount: 5,
    triggers: [{ type: 'mongodb', metadata: { queryValue: '1' } }],
  },
};

test('ScaledJob simulation models jobs that run for jobDurationSeconds, with the per-round cap', () => {
  const r = parseTrace(
    '# jobDurationSeconds: 20\ntime,object,value\n0,transcode,5\n45,transcode,0\n',
    'csv',
  );
  assert.ok(r.ok);
  const steps = simulate({ set: { scaledObjects: [], scaledJobs: [transcode] }, trace: r.trace });
  assert.deepEqual(
    steps.map((s) => [s.time, s.runningJobs, s.jobsToCreate]),
    [
      [0, 0, 3],
      [15, 3, 2],
      [30, 2, 3],
      [45, 3, 0],
    ],
  );
  assert.ok(steps[0]?.reasons.some((x) => x.code === TIDE.JobsPerRoundCap));
});

test('a trace naming an unknown object fails with its line', () => {
  const r = parseTrace('time,object,value\n0,nope,1\n', 'csv');
  assert.ok(r.ok);
  assert.throws(
    () => simulate({ set: { scaledObjects: [so1('a')], scaledJobs: [] }, trace: r.trace }),
    (e: unknown) =>
      e instanceof SimulationError &&
      /line 2: field object: no ScaledObject or ScaledJob named "nope"/.test(e.message),
  );
});

test('a trace naming an unknown trigger fails with its line', () => {
  const r = parseTrace('time,trigger,value\n0,celery,1\n', 'csv');
  assert.ok(r.ok);
  assert.throws(
    () => simulate({ set: { scaledObjects: [so1('a')], scaledJobs: [] }, trace: r.trace }),
    /line 2: field trigger: ScaledObject default\/a has no trigger "celery"/,
  );
});

const bad: { name: string; text: string; format: 'csv' | 'json'; error: RegExp }[] = [
  {
    name: 'a non-numeric value names line and field',
    text: 'time,value\n0,1\n5,ten\n',
    format: 'csv',
    error: /line 3: field value: expected a number, got "ten"/,
  },
  {
    name: 'a missing time names line and field',
    text: 'time,value\n,1\n',
    format: 'csv',
    error: /line 2: field time: missing/,
  },
  {
    name: 'times going backwards are rejected',
    text: 'time,value\n10,1\n5,1\n',
    format: 'csv',
    error: /line 3: field time: 5 is before/,
  },
  {
    name: 'an unknown column is rejected',
    text: 'time,valu\n0,1\n',
    format: 'csv',
    error: /line 1: unknown column "valu"/,
  },
  {
    name: 'a bad active flag is rejected',
    text: 'time,value,active\n0,1,yes\n',
    format: 'csv',
    error: /line 2: field active: expected true or false/,
  },
  {
    name: 'a row with neither value, activity nor error is rejected',
    text: 'time,value\n0,\n',
    format: 'csv',
    error: /line 2: needs a value, an active flag, an error or arrivals/,
  },
  {
    name: 'a bad header number is rejected',
    text: '# jobDurationSeconds: soon\ntime,value\n0,1\n',
    format: 'csv',
    error: /line 1: header jobDurationSeconds/,
  },
  {
    name: 'JSON samples must be an array',
    text: '{"samples": 3}',
    format: 'json',
    error: /samples: expected an array/,
  },
  {
    name: 'JSON sample fields are checked',
    text: '[{"time": 0, "value": "x"}]',
    format: 'json',
    error: /sample 1: field value: expected a number/,
  },
  { name: 'invalid JSON is reported', text: '{', format: 'json', error: /^JSON:/ },
];
for (const c of bad) {
  test(`parseTrace: ${c.name}`, () => {
    const r = parseTrace(c.text, c.format);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.errors.join('\n'), c.error);
  });
}

test('parseTrace reads ISO times relative to the first one', () => {
  const r = parseTrace(
    JSON.stringify({
      jobDurationSeconds: 30,
      samples: [
        { time: '2026-01-01T00:00:00Z', value: 1 },
        { time: '2026-01-01T00:01:00Z', value: 2, active: true },
      ],
    }),
    'json',
  );
  assert.ok(r.ok);
  assert.deepEqual(
    r.trace.samples.map((s) => s.time),
    [0, 60],
  );
  assert.equal(r.trace.header.jobDurationSeconds, 30);
  assert.equal(r.trace.header.start, Date.UTC(2026, 0, 1));
});

test('renderSvg draws axes, a legend and three series', () => {
  const steps: SimStep[] = simulate({
    set: { scaledObjects: [celerySo], scaledJobs: [] },
    trace: load('examples/traces/celery-redis.csv'),
  });
  const svg = renderSvg(steps);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 3);
  assert.match(svg, /time \(s\)/);
  assert.match(svg, /target 10 × replicas/);
  assert.match(svg, /replicas \(right axis\)/);
  assert.match(svg, /<\/svg>\n$/);
});
