/**
 * A worker killed with SIGKILL mid-task (an OOM kill, a node lost): with acks late its task comes
 * back within the worker registry's TTL (3 s here), not kombu's one-hour visibility timeout, and
 * runs once more elsewhere; with early acks Celery promises at most once, so exactly the task it
 * was running is lost and nothing else.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signalGroup } from '../../src/targets/local/child.js';
import { startTideUp, type TideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';
import {
  count,
  scenarioDir,
  sendTasks,
  settle,
  startBroker,
  reportRow,
  type Broker,
  writeApp,
} from './support.js';

let broker: Broker;
before(async () => (broker = await startBroker()));
after(async () => await broker?.close());

async function running(tide: TideUp): Promise<{ name: string; pid: number }[]> {
  const o = await tide.object('ScaledObject', 'fault-so');
  return (o?.replicas ?? []).flatMap((r) =>
    r.state === 'Running' && r.pid ? [{ name: r.name, pid: r.pid }] : [],
  );
}

/** Which task numbers a replica has started (from the task's own records). */
async function startedOn(prefix: string, replica: string): Promise<number[]> {
  const started = await broker.client.hgetall(`${prefix}:started`);
  return Object.entries(started)
    .filter(([, who]) => who === replica)
    .map(([run]) => Number(run.split(':')[0]));
}

for (const acksLate of [true, false]) {
  const mode = acksLate ? 'acks late' : 'early acks';
  test(`a worker SIGKILLed mid-task (${mode}): ${acksLate ? 'its task comes back within the TTL and finishes once' : 'exactly its running task is lost, as Celery promises'}`, async (t) => {
    await broker.client.flushdb();
    const prefix = `worker-kill-${acksLate ? 'late' : 'early'}`;
    const { dir, cleanup } = scenarioDir();
    const file = writeApp(dir, broker, prefix, {
      acksLate,
      graceSeconds: 5,
      minReplicas: 3,
      maxReplicas: 3,
      livenessTtl: 3,
    });
    const tide = await startTideUp(dir, ['--plain', file]);
    try {
      await waitFor(async () => (await running(tide)).length === 3, {
        timeoutMs: 30_000,
        what: '3 workers running',
      });
      await sendTasks(broker, 0, 6, 4_000);
      await waitFor(async () => (await count(broker, prefix, 6)).unacked === 3 || !acksLate, {
        timeoutMs: 20_000,
        what: '3 tasks running',
      });
      const victim = await waitFor(
        async () => {
          for (const r of await running(tide)) {
            const seqs = await startedOn(prefix, r.name);
            if (seqs.length === 1) return { ...r, seq: seqs[0] as number };
          }
          return undefined;
        },
        { timeoutMs: 20_000, what: 'a worker running a task' },
      );
      const killedAt = Date.now();
      signalGroup(victim.pid, 'SIGKILL');
      if (acksLate) {
        // Another worker gives it back once the victim's record expires, and it runs again.
        await waitFor(
          async () =>
            Object.keys(await broker.client.hgetall(`${prefix}:started`)).filter((k) =>
              k.startsWith(`${victim.seq}:`),
            ).length === 2,
          { timeoutMs: 15_000, what: `task ${victim.seq} started again` },
        );
        const backAfterMs = Date.now() - killedAt;
        assert.ok(
          backAfterMs < 15_000,
          `back in ${backAfterMs} ms, not after the visibility timeout`,
        );
      }
      const end = await settle(broker, prefix, 6, 60_000, acksLate ? 6 : 5);
      reportRow(t, `worker SIGKILLed mid-task, ${mode}`, end);
      assert.deepEqual(
        { lost: end.lost, finishedTwice: end.finishedTwice, unacked: end.unacked },
        { lost: acksLate ? 0 : 1, finishedTwice: 0, unacked: 0 },
        JSON.stringify(end),
      );
      if (!acksLate) {
        const done = await broker.client.hgetall(`${prefix}:done`);
        assert.ok(
          !Object.keys(done).some((k) => k.startsWith(`${victim.seq}:`)),
          'the lost task is the one the killed worker ran',
        );
      }
    } finally {
      await tide.stop();
      cleanup();
    }
  });
}
