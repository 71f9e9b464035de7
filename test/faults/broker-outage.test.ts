/**
 * Broker outages lose nothing: Redis crashes (SIGKILL) under load and comes back with its data
 * (AOF) after 10 s and after 2 minutes, and once while the pool scales from zero. Tasks,
 * acks and the workers' own writes wait for the connection; tide keeps the replicas it has
 * (a source that is down never scales a workload to zero); each worker reports the outage
 * once when it starts and once when it ends.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTideUp, type TideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';
import {
  count,
  replicaLogs,
  scenarioDir,
  sendTasks,
  reportRow,
  settle,
  startBroker,
  writeApp,
  type AppOptions,
  type Broker,
} from './support.js';

let broker: Broker;
before(async () => (broker = await startBroker()));
after(async () => await broker?.close());

async function replicas(tide: TideUp): Promise<number> {
  return (await tide.object('ScaledObject', 'fault-so'))?.runningReplicas ?? 0;
}

const app: AppOptions = {
  acksLate: true,
  graceSeconds: 5,
  minReplicas: 0,
  maxReplicas: 3,
  livenessTtl: 5,
  cooldownSeconds: 5,
};

for (const outageSeconds of [10, 120]) {
  test(`Redis down ${outageSeconds} s under load: every task finishes once, replicas are held, each worker reports the outage once`, async (t) => {
    await broker.client.flushdb();
    const prefix = `outage-${outageSeconds}`;
    const sent = 30;
    const { dir, cleanup } = scenarioDir();
    const file = writeApp(dir, broker, prefix, app);
    const tide = await startTideUp(dir, ['--plain', file]);
    try {
      await sendTasks(broker, 0, sent, 1_500);
      await waitFor(
        async () => (await replicas(tide)) === 3 && (await count(broker, prefix, sent)).done >= 3,
        {
          timeoutMs: 40_000,
          what: '3 workers busy',
        },
      );
      await broker.kill();
      // Watch the whole outage: tide must hold the replicas it has.
      const until = Date.now() + outageSeconds * 1000;
      let least = Infinity;
      while (Date.now() < until) {
        least = Math.min(least, await replicas(tide));
        await new Promise((r) => setTimeout(r, 1000));
      }
      assert.equal(least, 3, 'replicas held while the source was down');
      await broker.start();
      const end = await settle(broker, prefix, sent, 90_000);
      reportRow(t, `Redis killed under load, back after ${outageSeconds} s`, end);
      assert.deepEqual(
        {
          lost: end.lost,
          finishedTwice: end.finishedTwice,
          unacked: end.unacked,
          waiting: end.waiting,
        },
        { lost: 0, finishedTwice: 0, unacked: 0, waiting: 0 },
        JSON.stringify(end),
      );
      const logs = replicaLogs(dir);
      const lostLines = logs.match(/lost the connection to the broker/g)?.length ?? 0;
      const backLines = logs.match(/the broker is back after/g)?.length ?? 0;
      assert.equal(lostLines, 3, `one "lost" line per worker:\n${logs}`);
      assert.equal(backLines, 3, 'one "back" line per worker');
      assert.doesNotMatch(logs + tide.output(), /Unhandled error event/);
    } finally {
      await tide.stop();
      cleanup();
    }
  });
}

test('Redis restarted while the pool scales from zero: every task finishes once', async (t) => {
  await broker.client.flushdb();
  const prefix = 'outage-from-zero';
  const sent = 8;
  const { dir, cleanup } = scenarioDir();
  const file = writeApp(dir, broker, prefix, app);
  const tide = await startTideUp(dir, ['--plain', file]);
  try {
    await waitFor(async () => (await tide.object('ScaledObject', 'fault-so'))?.lastRoundAt, {
      timeoutMs: 20_000,
      what: 'the first round at zero replicas',
    });
    await sendTasks(broker, 0, sent, 1_000);
    await waitFor(async () => (await replicas(tide)) > 0, {
      timeoutMs: 20_000,
      what: 'the pool scaling from zero',
    });
    await broker.kill();
    await new Promise((r) => setTimeout(r, 3_000)); // the outage itself: 3 s of a dead broker
    await broker.start();
    const end = await settle(broker, prefix, sent, 60_000);
    reportRow(t, 'Redis killed while the pool scales from zero, back after 3 s', end);
    assert.deepEqual(
      { lost: end.lost, finishedTwice: end.finishedTwice, unacked: end.unacked },
      { lost: 0, finishedTwice: 0, unacked: 0 },
      JSON.stringify(end),
    );
  } finally {
    await tide.stop();
    cleanup();
  }
});
