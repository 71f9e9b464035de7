/**
 * Scale-in loses nothing: replicas removed while their acks-late tasks cannot finish in the
 * grace hand them back before the SIGKILL, and a shrinking pool removes idle replicas first.
 * Every task is counted: sent, done, lost, finished twice, stranded.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { liveWorkers } from '../../src/celery/registry.js';
import { startTideUp, type TideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';
import {
  appYaml,
  count,
  scenarioDir,
  sendTasks,
  settle,
  startBroker,
  reportRow,
  writeApp,
  type AppOptions,
  type Broker,
} from './support.js';

let broker: Broker;
before(async () => (broker = await startBroker()));
after(async () => await broker?.close());

async function runningReplicas(tide: TideUp): Promise<number> {
  const o = await tide.object('ScaledObject', 'fault-so');
  return o?.replicas?.filter((r) => r.state === 'Running').length ?? 0;
}

async function allReplicas(tide: TideUp): Promise<number> {
  return (await tide.object('ScaledObject', 'fault-so'))?.replicas?.length ?? 0;
}

const shrinkCases = [
  {
    name: 'acks-late tasks outlast the grace: each removed worker hands its task back before SIGKILL, every task finishes once',
    row: 'scale-in 4 → 1, acks-late tasks longer than the grace',
    taskMs: 7_000,
    graceSeconds: 3,
    /** The 3 interrupted tasks run again, on the survivor. */
    startedTwice: 3,
  },
  {
    name: 'tasks shorter than the grace: the removed workers finish them, none runs twice',
    row: 'scale-in 4 → 1, tasks shorter than the grace',
    taskMs: 1_500,
    graceSeconds: 6,
    startedTwice: 0,
  },
];

for (const k of shrinkCases) {
  test(`scale-in 4 -> 1 while all 4 are busy, ${k.name}`, async (t) => {
    await broker.client.flushdb();
    const prefix = `scale-in-${k.taskMs}`;
    const { dir, cleanup } = scenarioDir();
    const app: AppOptions = {
      acksLate: true,
      graceSeconds: k.graceSeconds,
      minReplicas: 4,
      maxReplicas: 4,
    };
    const file = writeApp(dir, broker, prefix, app);
    const tide = await startTideUp(dir, ['--plain', file]);
    try {
      await waitFor(async () => (await runningReplicas(tide)) === 4, {
        timeoutMs: 30_000,
        what: '4 workers running',
      });
      await sendTasks(broker, 0, 4, k.taskMs);
      await waitFor(async () => (await count(broker, prefix, 4)).unacked === 4, {
        timeoutMs: 20_000,
        what: 'the 4 tasks running, one per worker',
      });
      const shrinkAt = Date.now();
      writeFileSync(file, appYaml(broker, prefix, { ...app, minReplicas: 1, maxReplicas: 1 }));
      // The removed replicas are gone within their grace, and what they held is not stranded:
      // only the survivor may hold a message (its own running task).
      await waitFor(async () => (await allReplicas(tide)) === 1, {
        timeoutMs: 20_000,
        what: 'the 3 removed replicas gone',
      });
      const goneAfterMs = Date.now() - shrinkAt;
      const c = await count(broker, prefix, 4);
      assert.ok(c.unacked <= 1, `at most the survivor's task unacked, got ${JSON.stringify(c)}`);
      assert.equal(c.waiting + c.unacked, 4 - c.done, 'every unfinished task is queued or held');
      const end = await settle(broker, prefix, 4, 60_000);
      reportRow(t, k.row, end);
      assert.deepEqual(
        { lost: end.lost, finishedTwice: end.finishedTwice, unacked: end.unacked },
        { lost: 0, finishedTwice: 0, unacked: 0 },
        JSON.stringify(end),
      );
      assert.equal(end.startedTwice, k.startedTwice, JSON.stringify(end));
      assert.ok(
        goneAfterMs < k.graceSeconds * 1000 + 10_000,
        `removed within grace + reload, took ${goneAfterMs} ms`,
      );
    } finally {
      await tide.stop();
      cleanup();
    }
  });
}

test('a shrinking pool removes idle replicas first: 4 -> 2 with 2 busy interrupts no task', async (t) => {
  await broker.client.flushdb();
  const prefix = 'scale-in-busy';
  const { dir, cleanup } = scenarioDir();
  const app: AppOptions = { acksLate: true, graceSeconds: 3, minReplicas: 4, maxReplicas: 4 };
  const file = writeApp(dir, broker, prefix, app);
  const tide = await startTideUp(dir, ['--plain', file]);
  try {
    await waitFor(async () => (await runningReplicas(tide)) === 4, {
      timeoutMs: 30_000,
      what: '4 workers running',
    });
    await sendTasks(broker, 0, 2, 6_000);
    // The workers' own records say which two are busy.
    await waitFor(
      async () => (await liveWorkers(broker.client)).filter((w) => w.running > 0).length === 2,
      { timeoutMs: 20_000, what: 'two workers busy in the registry' },
    );
    const busy = (await liveWorkers(broker.client)).filter((w) => w.running > 0).map((w) => w.pod);
    writeFileSync(file, appYaml(broker, prefix, { ...app, minReplicas: 2, maxReplicas: 2 }));
    await waitFor(async () => (await allReplicas(tide)) === 2, {
      timeoutMs: 15_000,
      what: 'two replicas left',
    });
    const left = (await tide.object('ScaledObject', 'fault-so'))?.replicas?.map((r) => r.name);
    assert.deepEqual(left?.sort(), busy.sort(), 'the busy replicas are the ones kept');
    const end = await settle(broker, prefix, 2, 30_000);
    reportRow(t, 'scale-in 4 → 2 with 2 busy (busy-aware)', end);
    assert.deepEqual(
      { lost: end.lost, finishedTwice: end.finishedTwice, startedTwice: end.startedTwice },
      { lost: 0, finishedTwice: 0, startedTwice: 0 },
      JSON.stringify(end),
    );
  } finally {
    await tide.stop();
    cleanup();
  }
});
