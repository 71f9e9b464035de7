import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { ScalerError } from '../../errors.js';
import { SharedConnectionPool } from '../core/pool.js';
import { parseStat } from './process-stats.js';
import { cpu, memory, pickContainer, requestOf } from './resource.js';
import type { PodsReading, PodView, TriggerInputs } from '../core/types.js';

function inputs(
  metadata: Record<string, string>,
  metricType?: TriggerInputs['metricType'],
): TriggerInputs {
  return {
    metadata,
    authParams: {},
    resolvedEnv: {},
    triggerIndex: 0,
    ...(metricType ? { metricType } : {}),
  };
}

const cases: { name: string; def: typeof cpu; input: TriggerInputs; want: RegExp | object }[] = [
  {
    name: 'cpu Utilization takes an integer percent',
    def: cpu,
    input: inputs({ value: '60' }, 'Utilization'),
    want: { mode: 'Utilization', target: 60 },
  },
  {
    name: 'cpu AverageValue takes millicores',
    def: cpu,
    input: inputs({ value: '250m' }, 'AverageValue'),
    want: { mode: 'AverageValue', target: 0.25 },
  },
  {
    name: 'memory AverageValue takes a binary quantity',
    def: memory,
    input: inputs({ value: '128Mi' }, 'AverageValue'),
    want: { mode: 'AverageValue', target: 128 * 2 ** 20 },
  },
  {
    name: 'no metricType is rejected',
    def: cpu,
    input: inputs({ value: '60' }),
    want: /^metricType: cpu triggers need metricType Utilization or AverageValue, got none$/,
  },
  {
    name: 'metricType Value is rejected',
    def: memory,
    input: inputs({ value: '60' }, 'Value'),
    want: /got "Value"/,
  },
  {
    name: 'the removed metadata.type is rejected',
    def: cpu,
    input: inputs({ value: '60', type: 'Utilization' }, 'Utilization'),
    want: /metadata\.type: the 'type' setting is DEPRECATED and is removed in v2\.18/,
  },
  {
    name: 'Utilization must be an integer',
    def: cpu,
    input: inputs({ value: '50.5' }, 'Utilization'),
    want: /metadata\.value: must be a positive integer percent/,
  },
  {
    name: 'AverageValue must be a quantity',
    def: memory,
    input: inputs({ value: 'lots' }, 'AverageValue'),
    want: /metadata\.value: must be a positive quantity/,
  },
];
for (const c of cases) {
  test(c.name, () => {
    const r = c.def.parse(c.input);
    if (c.want instanceof RegExp) {
      assert.ok(!r.ok);
      assert.ok(
        r.issues.some((i) => (c.want as RegExp).test(`${i.path}: ${i.message}`)),
        JSON.stringify(r.issues),
      );
    } else {
      if (!r.ok) return assert.fail(JSON.stringify(r.issues));
      assert.deepEqual(r.meta, c.want);
    }
  });
}

test('with neither Pods (tide operator) nor local replicas, creation fails with a clear ScalerError', async () => {
  const r = cpu.parse(inputs({ value: '60' }, 'Utilization'));
  assert.ok(r.ok);
  const ctx = {
    triggerIndex: 0,
    triggerRef: 'ScaledObject default/so trigger 0 (cpu)',
    logger: pino({ level: 'silent' }),
    pool: new SharedConnectionPool(),
    metricType: 'Utilization' as const,
    now: Date.now,
  };
  await assert.rejects(cpu.create(r.meta, ctx), (e: unknown) => {
    assert.ok(e instanceof ScalerError);
    assert.match(e.message, /target's Pods \(tide operator\) or its replica processes \(tide up\)/);
    return true;
  });
});

test('in Kubernetes mode the value is the utilization of the Pods the HPA counts, with their count', async () => {
  const r = cpu.parse(inputs({ value: '50' }, 'Utilization'));
  assert.ok(r.ok);
  const pod = (name: string): PodView => ({
    name,
    phase: 'Running',
    deleted: false,
    startTime: 0,
    ready: { status: 'True', lastTransitionTime: 0 },
    containers: [{ name: 'app', requests: { cpu: '500m' } }],
  });
  const usage = (name: string, cpu: string) => ({
    name,
    timestamp: Date.now(),
    windowMs: 10_000,
    containers: [{ name: 'app', usage: { cpu } }],
  });
  let reading: PodsReading = {
    currentReplicas: 2,
    pods: [pod('a'), pod('b')],
    metrics: [usage('a', '400m'), usage('b', '300m')],
    now: Date.now(),
  };
  const scaler = await cpu.create(r.meta, {
    triggerIndex: 0,
    triggerRef: 'ScaledObject default/so trigger 0 (cpu)',
    logger: pino({ level: 'silent' }),
    pool: new SharedConnectionPool(),
    metricType: 'Utilization',
    now: Date.now,
    podMetrics: { read: async () => reading },
  });
  const m = await scaler.getMetricsAndActivity(new AbortController().signal);
  assert.deepEqual(m, { metrics: [{ name: 's0-cpu', value: 70, pods: 2 }], isActive: true });
  reading = { ...reading, pods: [pod('a'), { ...pod('b'), containers: [{ name: 'app' }] }] };
  await assert.rejects(scaler.getMetricsAndActivity(new AbortController().signal), (e: unknown) => {
    assert.ok(e instanceof ScalerError);
    assert.equal(
      e.message,
      'ScaledObject default/so trigger 0 (cpu): failed to get cpu utilization: missing request for cpu in container app of Pod b',
    );
    return true;
  });
  await scaler.close();
});

test('the container: the first runs; a named other one does not run locally', () => {
  const cs = [
    { name: 'app', requests: { cpu: '500m' } },
    { name: 'sidecar', limits: { memory: '1Gi' } },
  ];
  assert.equal(pickContainer(cs, undefined), cs[0]);
  assert.match(pickContainer(cs, 'sidecar') as string, /does not run in local mode/);
  assert.match(pickContainer(cs, 'nope') as string, /not in the pod template/);
  assert.equal(requestOf(cs[0]!, 'cpu'), 0.5);
  assert.equal(requestOf(cs[1]!, 'memory'), 2 ** 30, 'a limit alone counts as the request');
  assert.equal(requestOf(cs[0]!, 'memory'), undefined);
});

test('parseStat reads past a command name holding spaces and parentheses', () => {
  // Fields 3..24: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice threads itreal starttime vsize rss.
  const rest = 'S 1 4242 4242 0 0 0 0 0 0 0 100 50 7 3 0 0 0 0 12345 0 900';
  const s = parseStat(`4243 (a (weird) name) ${rest}`);
  assert.deepEqual(s, { pgrp: 4242, ticks: 160, startTicks: 12345, rssPages: 900 });
});
