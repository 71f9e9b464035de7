/**
 * The wait-time policy shrinks a pool within one polling interval of the work thinning out, not
 * after 300 s, and it relies on busy-aware scale-in for that to be safe. Here it runs against
 * real tide workers on a private broker: two waves of tasks of mixed lengths (0.3 to 2.5 s)
 * make the pool rise, shrink while some workers are still busy, rise again and drain to zero.
 * Every task is counted: none lost, none finished twice, none cut and run again (the grace
 * outlasts every task, so a removed busy worker finishes its task before it exits).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';
import {
  count,
  reportRow,
  scenarioDir,
  sendTasks,
  settle,
  startBroker,
  writeApp,
  type Broker,
} from './support.js';

let broker: Broker;
before(async () => (broker = await startBroker()));
after(async () => await broker?.close());

/** 0.3 to 2.5 s, spread over the tasks (the same for every run). */
const taskMs = (seq: number) => 300 + ((seq * 7) % 12) * 200;

test('the wait-time policy scales up and in around busy workers and loses no task', async (t) => {
  await broker.client.flushdb();
  const prefix = 'wait-policy';
  const { dir, cleanup } = scenarioDir();
  const file = writeApp(dir, broker, prefix, {
    acksLate: true,
    graceSeconds: 6,
    minReplicas: 0,
    maxReplicas: 4,
    trigger: 'redis',
    cooldownSeconds: 2,
    annotations: { 'autoscaling.tide.dev/target-wait-seconds': '2' },
    // No `behavior`: the policy's own scale-in window (one polling interval) applies.
    scaleDownWindowSeconds: null,
  });
  const tide = await startTideUp(dir, ['--plain', file]);
  // Watch the pool and the policy's reasons throughout, until the end.
  let watching = true;
  let peak = 0;
  let shrankWhileBusy = false;
  let sizedByWait = false;
  const watch = (async () => {
    let last = 0;
    while (watching) {
      const o = await tide.object('ScaledObject', 'fault-so').catch(() => undefined);
      const n = o?.replicas?.filter((r) => r.state === 'Running').length ?? 0;
      peak = Math.max(peak, n);
      if (o?.lastReason?.includes('max(λ/μ')) sizedByWait = true;
      if (n < last && n > 0) shrankWhileBusy = true;
      last = n;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    const total = 40;
    await sendTasks(broker, 0, 24, taskMs);
    // The first wave thins out (the pool shrinks while some workers still run their tasks),
    // then the second one comes.
    await waitFor(async () => (await count(broker, prefix, 24)).waiting === 0, {
      timeoutMs: 60_000,
      what: 'the first wave taken',
    });
    await waitFor(async () => shrankWhileBusy, {
      timeoutMs: 30_000,
      what: 'the pool shrinking with workers still up',
    });
    await sendTasks(broker, 24, total - 24, taskMs);
    const end = await settle(broker, prefix, total, 90_000);
    reportRow(t, 'wait-time policy (target 2 s), two waves, scale-in around busy workers', end);
    assert.deepEqual(
      {
        lost: end.lost,
        finishedTwice: end.finishedTwice,
        startedTwice: end.startedTwice,
        unacked: end.unacked,
      },
      { lost: 0, finishedTwice: 0, startedTwice: 0, unacked: 0 },
      JSON.stringify(end),
    );
    await waitFor(
      async () => (await tide.object('ScaledObject', 'fault-so'))?.replicas?.length === 0,
      { timeoutMs: 30_000, what: 'the pool back at zero after the cooldown' },
    );
    assert.ok(peak >= 2, `the pool rose above one replica (peak ${peak})`);
    assert.ok(
      sizedByWait,
      'some round was sized by the wait target (its arithmetic in lastReason)',
    );
  } finally {
    watching = false;
    await watch;
    await tide.stop();
    cleanup();
  }
});
