import assert from 'node:assert/strict';
import { test } from 'node:test';
import { read, spec0, T0 } from '../engine/test-fixtures.js';
import {
  deploymentDoc,
  load,
  scaledJobDoc,
  scaledObjectDoc,
  secretDoc,
} from '../manifests/test-manifests.js';
import type { ScalerReading } from '../scheduler/trigger-readings.js';
import {
  parseExposition,
  samples,
  valueOf,
} from '../../test/integration/observe/prometheus-text.js';
import { makeSo } from '../engine/test-fixtures.js';
import { soRound } from './explain-fixtures.js';
import { scalerLabel, TideMetrics } from './metrics.js';
import type { RoundObservation } from './types.js';

const KEDA_SCALER_LABELS = [
  'metric',
  'namespace',
  'scaledObject',
  'scaler',
  'triggerIndex',
  'type',
];

function reading(p: Partial<ScalerReading> = {}): ScalerReading {
  return {
    index: 0,
    type: 'redis',
    specs: [spec0],
    metrics: [{ name: spec0.name, value: 27 }],
    isActive: true,
    latencyMs: 12,
    ...p,
  };
}

function soObservation(readings: ScalerReading[], name = 'worker-so'): RoundObservation {
  const { record } = soRound({
    so: makeSo(),
    specs: [[spec0]],
    readings: [read(27)],
    currentReplicas: 1,
    now: T0,
  });
  return { kind: 'ScaledObject', namespace: 'default', name, record, readings, durationMs: 40 };
}

async function scrape(m: TideMetrics) {
  return parseExposition(await m.metrics());
}

test('per-scaler metrics carry KEDA names and exactly KEDA’s label set', async () => {
  const m = new TideMetrics();
  m.observeRound(soObservation([reading()]));
  const all = await scrape(m);
  const labels = {
    namespace: 'default',
    metric: 's0-redis-q',
    scaledObject: 'worker-so',
    scaler: 'redisScaler',
    triggerIndex: '0',
    type: 'scaledobject',
  };
  assert.equal(valueOf(all, 'keda_scaler_metrics_value', labels), 27);
  assert.equal(valueOf(all, 'keda_scaler_metrics_latency_seconds', labels), 0.012);
  assert.equal(valueOf(all, 'keda_scaler_active', labels), 1);
  assert.equal(valueOf(all, 'keda_scaler_detail_errors_total', labels), 0);
  for (const name of [
    'keda_scaler_metrics_value',
    'keda_scaler_metrics_latency_seconds',
    'keda_scaler_active',
    'keda_scaler_detail_errors_total',
  ]) {
    for (const s of samples(all, name))
      assert.deepEqual(Object.keys(s.labels).sort(), KEDA_SCALER_LABELS);
  }
  assert.equal(valueOf(all, 'keda_scaled_object_paused', { scaledObject: 'worker-so' }), 0);
  assert.equal(valueOf(all, 'keda_scaled_object_errors_total', { scaledObject: 'worker-so' }), 0);
  assert.equal(valueOf(all, 'tide_replicas_desired', { scaled_object: 'worker-so' }), 3);
  assert.equal(valueOf(all, 'tide_round_duration_seconds_count', { type: 'scaledobject' }), 1);
  for (const s of samples(all, 'tide_round_duration_seconds_count'))
    assert.deepEqual(Object.keys(s.labels), ['type'], 'one histogram per kind, not per object');
});

test('a failing trigger counts a scaler error and an object error, and is not active', async () => {
  const m = new TideMetrics();
  const failing = reading({
    error: 'connect ECONNREFUSED',
    metrics: undefined,
    isActive: undefined,
  });
  m.observeRound(soObservation([failing]));
  m.observeRound(soObservation([failing]));
  const all = await scrape(m);
  assert.equal(valueOf(all, 'keda_scaler_detail_errors_total', { metric: 's0-redis-q' }), 2);
  assert.equal(valueOf(all, 'keda_scaled_object_errors_total', { scaledObject: 'worker-so' }), 2);
  assert.equal(valueOf(all, 'keda_scaler_active', { metric: 's0-redis-q' }), 0);
  assert.equal(samples(all, 'keda_scaler_metrics_value').length, 0, 'no value when none was read');
});

test('a trigger never built (source down from the start) is labelled s<index>-<type>, never ""', async () => {
  const m = new TideMetrics();
  m.observeRound(
    soObservation([
      reading({ specs: [], error: 'cannot connect', metrics: undefined, isActive: undefined }),
    ]),
  );
  const text = await m.metrics();
  assert.doesNotMatch(text, /metric=""/);
  assert.equal(
    valueOf(parseExposition(text), 'keda_scaler_detail_errors_total', { metric: 's0-redis' }),
    1,
  );
});

test('a series of an earlier shape stays with its numbers; one that goes on keeps counting', async () => {
  const m = new TideMetrics();
  const down = reading({
    specs: [],
    error: 'cannot connect',
    metrics: undefined,
    isActive: undefined,
  });
  m.observeRound(soObservation([down]));
  m.observeRound(soObservation([reading()]));
  m.observeRound(soObservation([reading({ error: 'timeout', metrics: undefined })]));
  m.observeRound(soObservation([reading({ metrics: [{ name: spec0.name, value: 4 }] })]));
  const all = await scrape(m);
  // The never-built trigger's series (s0-redis) stays at its one error, as a prom-client
  // counter would; the built one counts its own error and carries on from it.
  assert.equal(valueOf(all, 'keda_scaler_detail_errors_total', { metric: 's0-redis' }), 1);
  assert.equal(valueOf(all, 'keda_scaler_detail_errors_total', { metric: 's0-redis-q' }), 1);
  assert.equal(valueOf(all, 'keda_scaled_object_errors_total', { scaledObject: 'worker-so' }), 2);
  assert.equal(valueOf(all, 'keda_scaler_metrics_value', { metric: 's0-redis-q' }), 4);
  assert.equal(samples(all, 'keda_scaler_active').length, 2);
  assert.equal(samples(all, 'keda_scaled_object_paused').length, 1, 'one series per object');
});

test('ScaledJobs use type="scaledjob", scaledJob error labels and count started jobs', async () => {
  const m = new TideMetrics();
  const obs = (decided: number, error?: string): RoundObservation => ({
    kind: 'ScaledJob',
    namespace: 'media',
    name: 'transcode',
    record: { at: '', current: 0, decided, isActive: true, triggers: [], reasons: [] },
    readings: [reading(error ? { error, metrics: undefined } : {})],
    durationMs: 5,
  });
  m.observeRound(obs(3));
  m.observeRound(obs(2, 'timeout'));
  const all = await scrape(m);
  assert.equal(
    valueOf(all, 'keda_scaler_metrics_value', { scaledObject: 'transcode', type: 'scaledjob' }),
    27,
  );
  assert.equal(
    valueOf(all, 'tide_jobs_started_total', { namespace: 'media', scaled_job: 'transcode' }),
    5,
  );
  assert.equal(valueOf(all, 'keda_scaled_job_errors_total', { scaledJob: 'transcode' }), 1);
  assert.equal(samples(all, 'tide_replicas_desired').length, 0);
});

test('registered totals count resources per namespace and triggers per type; removed objects lose their series', async () => {
  const m = new TideMetrics();
  const two = load(
    deploymentDoc('worker'),
    scaledObjectDoc({}, { name: 'worker-so' }),
    scaledJobDoc({}, { name: 'sj', namespace: 'media' }),
  );
  assert.deepEqual(two.errors, []);
  m.setRegistered(two.set);
  m.observeRound(soObservation([reading()]));
  let all = await scrape(m);
  assert.equal(
    valueOf(all, 'keda_resource_registered_total', { type: 'scaled_object', namespace: 'default' }),
    1,
  );
  assert.equal(
    valueOf(all, 'keda_resource_registered_total', { type: 'scaled_job', namespace: 'media' }),
    1,
  );
  assert.equal(valueOf(all, 'keda_trigger_registered_total', { type: 'redis' }), 2);

  m.setRegistered(load(deploymentDoc('worker')).set);
  all = await scrape(m);
  assert.equal(samples(all, 'keda_resource_registered_total').length, 0);
  assert.equal(samples(all, 'keda_scaler_metrics_value', { scaledObject: 'worker-so' }).length, 0);
  assert.equal(samples(all, 'tide_replicas_desired', { scaled_object: 'worker-so' }).length, 0);
});

test('no secret reaches the exposition, wherever the manifests hold one', async () => {
  const m = new TideMetrics();
  const set = load(
    secretDoc('redis-auth', { password: 'hunter2-secret' }),
    deploymentDoc('worker', {
      env: [{ name: 'REDIS_PASSWORD', value: 'hunter2-secret' }],
    }),
    {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: { name: 'redis-ta' },
      spec: { secretTargetRef: [{ parameter: 'password', name: 'redis-auth', key: 'password' }] },
    },
    scaledObjectDoc({
      triggers: [
        {
          type: 'redis',
          metadata: { address: 'localhost:6379', listName: 'jobs' },
          authenticationRef: { name: 'redis-ta' },
        },
      ],
    }),
  );
  assert.deepEqual(set.errors, []);
  m.setRegistered(set.set);
  m.observeRound(soObservation([reading()], 'so'));
  const text = await m.metrics();
  assert.ok(text.includes('trigger_authentication'), 'the TriggerAuthentication is counted');
  assert.equal(text.includes('hunter2'), false);
});

test('running replicas and jobs are read from the status at scrape time', async () => {
  let running = 2;
  const m = new TideMetrics({
    status: () => [
      {
        kind: 'ScaledObject',
        namespace: 'default',
        name: 'w',
        triggers: [],
        runningReplicas: running,
      },
      {
        kind: 'ScaledJob',
        namespace: 'default',
        name: 'j',
        triggers: [],
        jobs: [
          { name: 'j-1', state: 'Running', attempts: 1 },
          { name: 'j-2', state: 'Succeeded', attempts: 1 },
        ],
      },
    ],
  });
  assert.equal(valueOf(await scrape(m), 'tide_replicas_running', { scaled_object: 'w' }), 2);
  running = 5;
  const all = await scrape(m);
  assert.equal(valueOf(all, 'tide_replicas_running', { scaled_object: 'w' }), 5);
  assert.equal(valueOf(all, 'tide_jobs_running', { scaled_job: 'j' }), 1);
});

const scalerCases = [
  { name: 'a redis trigger is redisScaler, like KEDA', type: 'redis', want: 'redisScaler' },
  { name: 'dashes become camel case', type: 'redis-streams', want: 'redisStreamsScaler' },
  { name: 'a named trigger uses its name', type: 'redis', trigger: 'backlog', want: 'backlog' },
];
for (const c of scalerCases) {
  test(`scaler label: ${c.name}`, () => assert.equal(scalerLabel(c.type, c.trigger), c.want));
}

test("metrics() writes prom-client's exposition text byte for byte", async () => {
  const m = new TideMetrics({
    status: () =>
      [{ kind: 'ScaledObject', namespace: 'default', name: 'a', runningReplicas: 2 }] as never,
  });
  m.observeRound(soObservation([reading()], 'a'));
  m.observeRound(soObservation([reading({ error: 'down' })], 'b'));
  assert.equal(await m.metrics(), await m.registry.metrics());
});
