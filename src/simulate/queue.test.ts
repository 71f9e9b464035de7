import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ScaledObject } from '../manifests/types.js';
import { renderHtml } from './html.js';
import { arrivalsFrom, QueueSim, waitStats } from './queue.js';
import { simulateQueue, SimulationError } from './simulate.js';
import { parseTrace } from './trace.js';

test('one replica, then two: waits and replica-seconds as computed by hand', () => {
  // 4 items at t=0, 1 item/s per replica. 1 replica for 2 s takes items 0 (t=0) and 1 (t=1);
  // at t=2 a second replica joins and both take items 2 and 3 at t=2.
  const q = new QueueSim([{ time: 0, count: 4 }], 1);
  q.setReplicas(1);
  q.advanceTo(2);
  assert.equal(q.waiting(), 2, 'two items still in the list at t=2');
  q.setReplicas(2);
  assert.deepEqual(q.result(10), {
    replicaSeconds: 1 * 2 + 2 * 8,
    items: 4,
    served: 4,
    unserved: 0,
    // waits 0, 1, 2, 2
    wait: { mean: 1.25, p50: 1, p95: 2, max: 2 },
  });
});

test('a replica removed at scale-in finishes its item; items nobody takes are unserved with their wait so far', () => {
  // 2 items at t=0, 2 s each; both replicas start one at once, then scale to zero at t=1.
  const q = new QueueSim(
    [
      { time: 0, count: 2 },
      { time: 3, count: 1 },
    ],
    0.5,
  );
  q.setReplicas(2);
  q.advanceTo(1);
  assert.equal(q.waiting(), 0);
  q.setReplicas(0);
  q.advanceTo(4);
  assert.equal(q.waiting(), 1, 'the item of t=3 waits: no replica runs');
  assert.deepEqual(q.result(5), {
    // Both run until their items end at t=2 (a warm shutdown still costs): 2 × 2 s.
    replicaSeconds: 4,
    items: 3,
    served: 2,
    unserved: 1,
    wait: { mean: 0.667, p50: 0, p95: 2, max: 2 },
  });
});

test('in flight, completed and busy seconds: what the workers report to the wait-time policy', () => {
  // 3 items at t=0, 4 s each, 2 replicas: two run 0-4, the third 4-8.
  const q = new QueueSim([{ time: 0, count: 3 }], 0.25);
  q.setReplicas(2);
  q.advanceTo(5);
  assert.equal(q.inFlight(), 1);
  assert.equal(q.completed(), 2);
  assert.equal(q.busySeconds(), 4 + 4 + 1);
  q.advanceTo(9);
  assert.deepEqual([q.inFlight(), q.completed(), q.busySeconds()], [0, 3, 12]);
});

test('nearest-rank percentiles', () => {
  assert.deepEqual(waitStats([]), { mean: 0, p50: 0, p95: 0, max: 0 });
  const w = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.deepEqual(waitStats(w), { mean: 50.5, p50: 50, p95: 95, max: 100 });
});

test('arrivals come from the arrivals column, else from the rises of the value', () => {
  assert.deepEqual(
    arrivalsFrom([
      { time: 0, value: 0 },
      { time: 5, value: 5 },
      { time: 10, value: 3 },
      { time: 15, value: 6 },
    ]),
    [
      { time: 5, count: 5 },
      { time: 15, count: 3 },
    ],
  );
  assert.deepEqual(
    arrivalsFrom([
      { time: 0, value: 9, arrivals: 2 },
      { time: 5, arrivals: 0 },
      { time: 7, arrivals: 4 },
    ]),
    [
      { time: 0, count: 2 },
      { time: 7, count: 4 },
    ],
  );
});

const so = (pollingInterval: number, listLength: string): ScaledObject => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'q', namespace: 'default', labels: {}, annotations: {} },
  source: { file: 'q.yaml' },
  spec: {
    scaleTargetRef: { name: 'w' },
    pollingInterval,
    cooldownPeriod: 0,
    maxReplicaCount: 10,
    triggers: [{ type: 'redis', metadata: { listName: 'q', listLength } }],
  },
});

test('closed loop: the scaler reads the simulated queue, replicas drain it, figures by hand', () => {
  const parsed = parseTrace(
    '# consumeRate: 1\n# durationSeconds: 40\ntime,object,arrivals\n0,q,20\n',
    'csv',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('\n'));
  const run = (listLength: string) =>
    simulateQueue({
      set: { scaledObjects: [so(10, listLength)], scaledJobs: [] },
      trace: parsed.trace,
    });
  // listLength 5: 20 waiting → 4 replicas at t=0; each takes one item a second, so items start
  // at 0,1,2,3,4 (four at a time): waits 0..4, mean 2. At t=10 the list is empty: back to 0
  // (cooldown 0). Replica-seconds 4 × 10.
  const a = run('5');
  assert.deepEqual(
    a.steps.map((s) => [s.time, s.triggers[0]?.value, s.desiredReplicas]),
    [
      [0, 20, 4],
      [10, 0, 0],
      [20, 0, 0],
      [30, 0, 0],
      [40, 0, 0],
    ],
  );
  assert.deepEqual(a.queues, [
    {
      object: 'ScaledObject default/q',
      duration: 40,
      replicaSeconds: 40,
      items: 20,
      served: 20,
      unserved: 0,
      wait: { mean: 2, p50: 2, p95: 4, max: 4 },
    },
  ]);
  // listLength 10: 2 replicas: items start at 0..9 two at a time, waits 0..9, mean 4.5.
  const b = run('10');
  assert.deepEqual(b.queues[0]?.wait, { mean: 4.5, p50: 4, p95: 9, max: 9 });
  assert.equal(b.queues[0]?.replicaSeconds, 20);
});

test('the queue model names the missing consume rate', () => {
  const parsed = parseTrace('time,arrivals\n0,3\n', 'csv');
  assert.ok(parsed.ok);
  assert.throws(
    () =>
      simulateQueue({ set: { scaledObjects: [so(10, '5')], scaledJobs: [] }, trace: parsed.trace }),
    (e: unknown) => e instanceof SimulationError && /--consume-rate <n>/.test(e.message),
  );
});

test('the HTML page is self-contained and carries the compare figures', () => {
  const parsed = parseTrace(
    '# consumeRate: 1\n# durationSeconds: 20\ntime,arrivals\n0,20\n',
    'csv',
  );
  assert.ok(parsed.ok);
  const r = simulateQueue({
    set: { scaledObjects: [so(10, '5')], scaledJobs: [] },
    trace: parsed.trace,
  });
  const html = renderHtml([{ label: 'a.yaml</script>', ...r }]);
  assert.ok(!/<script[^>]+src=|<link[^>]+href=/.test(html), 'no external script or style');
  assert.match(html, /uPlot/);
  assert.match(html, /TideChart\.create/);
  assert.match(
    html,
    /<td>a\.yaml&lt;\/script&gt;<\/td><td>ScaledObject default\/q<\/td><td>40<\/td>/,
  );
  assert.ok(!html.includes('a.yaml</script>'), 'labels are escaped');
});

/** The document's ScaledObject (examples/celery-redis), optionally with tide annotations. */
const documentSo = (annotations: Record<string, string> = {}): ScaledObject => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'redis-scaledobject', namespace: 'default', labels: {}, annotations },
  source: { file: 'scaledobject.yaml' },
  spec: {
    scaleTargetRef: { name: 'celery-worker' },
    pollingInterval: 15,
    cooldownPeriod: 200,
    maxReplicaCount: 10,
    triggers: [{ type: 'redis', metadata: { listName: 'celery', listLength: '10' } }],
  },
});

function traceFile(name: string) {
  const text = readFileSync(new URL(`../../examples/traces/${name}`, import.meta.url), 'utf8');
  const parsed = parseTrace(text, 'csv');
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('\n'));
  return parsed.trace;
}

const runOn = (trace: string, so: ScaledObject) =>
  simulateQueue({ set: { scaledObjects: [so], scaledJobs: [] }, trace: traceFile(trace) });

test('the wait-time policy: ≥ 25 % fewer replica-seconds than the document at a p95 wait no worse', () => {
  const doc = runOn('celery-redis-arrivals.csv', documentSo()).queues[0]!;
  const wait = runOn(
    'celery-redis-arrivals.csv',
    documentSo({ 'autoscaling.tide.dev/target-wait-seconds': '10' }),
  ).queues[0]!;
  assert.equal(doc.replicaSeconds, 2490, 'the document as the issue measured it');
  assert.equal(wait.served, 300);
  assert.ok(wait.wait.p95 <= doc.wait.p95, `p95 ${wait.wait.p95} s vs ${doc.wait.p95} s`);
  assert.ok(wait.wait.p95 <= 10, `the target holds: p95 ${wait.wait.p95} s`);
  assert.ok(
    wait.replicaSeconds <= 0.75 * doc.replicaSeconds,
    `${wait.replicaSeconds} vs ${doc.replicaSeconds} replica-seconds`,
  );
});

test('the burst trace: the first measured round asks for the whole pool at once', () => {
  const steps = runOn(
    'celery-redis-burst.csv',
    documentSo({ 'autoscaling.tide.dev/target-wait-seconds': '10' }),
  ).steps.map((s) => s.desiredReplicas);
  const doc = runOn('celery-redis-burst.csv', documentSo()).steps.map((s) => s.desiredReplicas);
  // t=0 activates (no measurement yet: listLength sizes it), t=15 measures and goes to max.
  assert.deepEqual(steps.slice(0, 3), [1, 10, 10]);
  // Without behavior the HPA caps a scale-up at max(2 × current, 4): 1 → 4 → 8 → 10.
  assert.deepEqual(doc.slice(0, 4), [1, 4, 8, 10]);
});

test('a replica takes replicaStartSeconds to start: it costs from the decision, takes its first item after, and stops at once if removed while starting', () => {
  // 2 items at t=0, 1 s each, start-up 3 s. One replica from t=0 takes item 0 at 3, item 1 at 4.
  const q = new QueueSim([{ time: 0, count: 2 }], 1, 3);
  q.setReplicas(1);
  q.advanceTo(2);
  assert.equal(q.waiting(), 2, 'nothing taken while the replica starts');
  // A second replica at t=2 would start at 5; removed at t=4 while starting, it costs 2 s only,
  // and the busy first replica stays.
  q.setReplicas(2);
  q.advanceTo(4);
  q.setReplicas(1);
  const r = q.result(6);
  // Waits 3 and 4: the replica kept is the started one (keeping the starting one: 5).
  assert.deepEqual(r.wait, { mean: 3.5, p50: 3, p95: 4, max: 4 });
  assert.equal(r.replicaSeconds, 6 + 2);
});

test('the trace header replicaStartSeconds reaches the queue model', () => {
  const run = (startLine: string) => {
    const parsed = parseTrace(
      `# consumeRate: 1\n${startLine}# durationSeconds: 20\ntime,arrivals\n0,1\n`,
      'csv',
    );
    assert.ok(parsed.ok);
    return simulateQueue({
      set: { scaledObjects: [so(5, '1')], scaledJobs: [] },
      trace: parsed.trace,
    }).queues[0]!;
  };
  assert.equal(run('').wait.max, 0, 'no start-up: the replica of round 0 takes the item at once');
  assert.equal(run('# replicaStartSeconds: 2\n').wait.max, 2);
});
