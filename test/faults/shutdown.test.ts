/**
 * Stopping `tide up` loses nothing: SIGTERM while tasks outlast the grace, Ctrl-C as a terminal
 * sends it (SIGINT to the foreground process group, delivered twice as npm/npx forward it), and
 * SIGKILL of tide itself with busy replicas, then a new `tide up`. Each task is counted.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { pidAlive, startTideUp, type TideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';
import {
  count,
  scenarioDir,
  sendTasks,
  settle,
  startBroker,
  reportRow,
  writeApp,
  type Broker,
} from './support.js';

let broker: Broker;
before(async () => (broker = await startBroker()));
after(async () => await broker?.close());

async function replicaPids(tide: TideUp): Promise<number[]> {
  const o = await tide.object('ScaledObject', 'fault-so');
  return (o?.replicas ?? []).flatMap((r) => (r.state === 'Running' && r.pid ? [r.pid] : []));
}

function exited(tide: TideUp): Promise<number | null> {
  const c = tide.child;
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve(c.exitCode);
  return new Promise((r) => c.once('exit', (code) => r(code)));
}

test('SIGTERM to tide up while tasks outlast the grace: every task is back on the queue when it exits, and the next tide up finishes each once', async (t) => {
  await broker.client.flushdb();
  const prefix = 'sigterm-long';
  const { dir, cleanup } = scenarioDir();
  const file = writeApp(dir, broker, prefix, {
    acksLate: true,
    graceSeconds: 3,
    minReplicas: 3,
    maxReplicas: 3,
  });
  let tide = await startTideUp(dir, ['--plain', file]);
  try {
    await waitFor(async () => (await replicaPids(tide)).length === 3, {
      timeoutMs: 30_000,
      what: '3 workers running',
    });
    await sendTasks(broker, 0, 5, 8_000);
    await waitFor(async () => (await count(broker, prefix, 5)).unacked === 3, {
      timeoutMs: 20_000,
      what: '3 tasks running',
    });
    const stoppedAt = Date.now();
    assert.equal(await tide.stop(), 0, tide.output());
    const tookMs = Date.now() - stoppedAt;
    const c = await count(broker, prefix, 5);
    assert.deepEqual(
      { unacked: c.unacked, waiting: c.waiting, done: c.done },
      { unacked: 0, waiting: 5, done: 0 },
      `nothing stranded, all 5 back on the queue: ${JSON.stringify(c)}`,
    );
    assert.ok(tookMs < 3_000, `the workers handed back before the 3 s grace ended (${tookMs} ms)`);
    tide = await startTideUp(dir, ['--plain', file]);
    const end = await settle(broker, prefix, 5, 60_000);
    reportRow(t, 'SIGTERM to tide up, tasks longer than the grace, then tide up again', end);
    assert.deepEqual(
      { lost: end.lost, finishedTwice: end.finishedTwice },
      { lost: 0, finishedTwice: 0 },
      JSON.stringify(end),
    );
  } finally {
    await tide.stop();
    cleanup();
  }
});

test('Ctrl-C (SIGINT to the process group, twice as npx forwards it): running tasks shorter than the grace finish, nothing is stranded', async (t) => {
  await broker.client.flushdb();
  const prefix = 'ctrl-c';
  const { dir, cleanup } = scenarioDir();
  const file = writeApp(dir, broker, prefix, {
    acksLate: true,
    graceSeconds: 10,
    minReplicas: 2,
    maxReplicas: 2,
  });
  let tide = await startTideUp(dir, ['--plain', file], {}, { detached: true });
  try {
    await waitFor(async () => (await replicaPids(tide)).length === 2, {
      timeoutMs: 30_000,
      what: '2 workers running',
    });
    await sendTasks(broker, 0, 6, 2_000);
    await waitFor(async () => (await count(broker, prefix, 6)).unacked === 2, {
      timeoutMs: 20_000,
      what: '2 tasks running',
    });
    const pgid = tide.child.pid as number;
    process.kill(-pgid, 'SIGINT');
    await new Promise((r) => setTimeout(r, 30));
    process.kill(-pgid, 'SIGINT');
    assert.equal(await exited(tide), 0, tide.output());
    const c = await count(broker, prefix, 6);
    assert.equal(c.unacked, 0, `nothing left unacked: ${JSON.stringify(c)}`);
    assert.equal(c.done, 2, 'the 2 running tasks finished within the grace');
    assert.equal(c.waiting, 4, 'the 4 not started wait on the queue');
    assert.equal(c.finishedTwice, 0);
    assert.doesNotMatch(tide.output(), /killing|SIGKILL/i, 'no replica was killed');
    tide = await startTideUp(dir, ['--plain', file]);
    const end = await settle(broker, prefix, 6, 60_000);
    reportRow(t, 'Ctrl-C (SIGINT to the group, twice), then tide up again', end);
    assert.deepEqual(
      { lost: end.lost, finishedTwice: end.finishedTwice },
      { lost: 0, finishedTwice: 0 },
    );
  } finally {
    await tide.stop();
    cleanup();
  }
});

test('SIGKILL of tide up with 6 busy replicas: the orphans hand their tasks back and stop, the next tide up finishes every task once', async (t) => {
  await broker.client.flushdb();
  const prefix = 'tide-killed';
  const { dir, cleanup } = scenarioDir();
  const file = writeApp(dir, broker, prefix, {
    acksLate: true,
    graceSeconds: 4,
    minReplicas: 6,
    maxReplicas: 6,
  });
  let tide = await startTideUp(dir, ['--plain', file]);
  try {
    await waitFor(async () => (await replicaPids(tide)).length === 6, {
      timeoutMs: 40_000,
      what: '6 workers running',
    });
    const pids = await replicaPids(tide);
    await sendTasks(broker, 0, 12, 6_000);
    await waitFor(async () => (await count(broker, prefix, 12)).unacked === 6, {
      timeoutMs: 20_000,
      what: '6 tasks running',
    });
    tide.child.kill('SIGKILL');
    await exited(tide);
    // Without their supervisor the workers stop by themselves within their grace.
    await waitFor(() => pids.every((p) => !pidAlive(p)), {
      timeoutMs: 10_000,
      what: 'the orphaned workers to stop',
    });
    const c = await count(broker, prefix, 12);
    assert.equal(c.unacked, 0, `nothing stranded after the orphans stopped: ${JSON.stringify(c)}`);
    tide = await startTideUp(dir, ['--plain', file]);
    const end = await settle(broker, prefix, 12, 90_000);
    reportRow(t, 'SIGKILL tide up with 6 busy replicas, then tide up again', end);
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

test('replicas of any program left running by a SIGKILLed tide are stopped by the next tide up in the folder', async () => {
  const { dir, cleanup } = scenarioDir();
  const file = `${dir}/sleepers.yaml`;
  writeFileSync(
    file,
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: sleeper }',
      'spec:',
      '  replicas: 2',
      '  selector: { matchLabels: { app: sleeper } }',
      '  template:',
      '    metadata: { labels: { app: sleeper } }',
      '    spec:',
      '      terminationGracePeriodSeconds: 2',
      "      containers: [{ name: s, image: unused, command: ['sleep', '300'] }]",
      '',
    ].join('\n'),
  );
  let tide = await startTideUp(dir, ['--plain', file]);
  try {
    const pids = await waitFor(
      async () => {
        const d = (await tide.status()).objects.find((o) => o.name === 'sleeper');
        const p = (d?.replicas ?? []).flatMap((r) => (r.pid ? [r.pid] : []));
        return p.length === 2 ? p : undefined;
      },
      { timeoutMs: 20_000, what: '2 sleepers running' },
    );
    // tide records its process groups shortly after each start.
    await waitFor(
      () =>
        (JSON.parse(readFileSync(`${dir}/.tide/groups.json`, 'utf8')) as unknown[]).length === 2,
      { timeoutMs: 5_000, what: 'both sleepers in the ledger' },
    );
    tide.child.kill('SIGKILL');
    await exited(tide);
    assert.ok(pids.every(pidAlive), 'a plain program keeps running without its supervisor');
    tide = await startTideUp(dir, ['--plain', file]);
    await waitFor(() => pids.every((p) => !pidAlive(p)), {
      timeoutMs: 10_000,
      what: 'the orphaned sleepers stopped by the new tide up',
    });
    assert.match(
      tide.output(),
      /stopping 2 replica\(s\)\/job\(s\) left running by a tide that died/,
    );
  } finally {
    await tide.stop();
    cleanup();
  }
});
