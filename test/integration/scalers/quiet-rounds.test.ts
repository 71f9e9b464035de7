/**
 * Quiet rounds (src/scheduler/controller.ts): a ScaledObject idle at zero whose readings
 * repeat is not decided again, but every round is still recorded; anything that could change
 * the decision (a reading, the target's replicas, a status not yet written) brings the engine
 * back. Against the shared Redis at 127.0.0.1:6379.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadManifestsFromString } from '../../../src/manifests/load.js';
import type { RoundObservation } from '../../../src/observe/types.js';
import { SharedConnectionPool } from '../../../src/scalers/core/pool.js';
import { ScaledObjectController } from '../../../src/scheduler/scaled-object-controller.js';
import { countingTarget } from '../../support/counting-target.js';
import { waitFor } from '../../support/wait-for.js';

const DB = 11;
let redis: Redis;
const lists: string[] = [];

before(async () => {
  redis = new Redis({ host: '127.0.0.1', port: 6379, db: DB, lazyConnect: true });
  await redis.connect();
});
after(async () => {
  if (lists.length) await redis?.del(...lists);
  redis?.disconnect();
});

function setup(settled: () => boolean = () => true) {
  const list = `tide-quiet-${randomUUID().slice(0, 8)}`;
  lists.push(list);
  const loaded = loadManifestsFromString(
    `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: quiet }
spec:
  scaleTargetRef: { name: worker }
  pollingInterval: 30
  triggers:
    - type: redis
      metadata: { address: '127.0.0.1:6379', databaseIndex: '${DB}', listName: '${list}', listLength: '5' }
`,
    'quiet.yaml',
  );
  assert.deepEqual(loaded.errors, []);
  const t = Object.assign(countingTarget(), { decisions: 0 });
  const { target } = t;
  const rounds: RoundObservation[] = [];
  const controller = new ScaledObjectController({
    so: loaded.set.scaledObjects[0]!,
    set: loaded.set,
    target,
    pool: new SharedConnectionPool(),
    logger: pino({ level: 'silent' }),
    initialReplicas: 0,
    onRecord: (r) => rounds.push(r),
    onDecision: () => t.decisions++,
    settled,
  });
  /** Runs `n` more rounds now (pollingInterval 30 would not come round in a test). */
  const runRounds = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const before = rounds.length;
      controller.wake();
      await waitFor(() => rounds.length > before, { timeoutMs: 10_000, what: 'a round' });
    }
  };
  return { list, t, rounds, controller, runRounds };
}

test('idle at zero: rounds after the second are recorded without deciding again', async () => {
  const { list, t, rounds, controller, runRounds } = setup();
  controller.start();
  try {
    await waitFor(() => rounds.length >= 1, { timeoutMs: 10_000, what: 'the first round' });
    await runRounds(5);
    // The first round sets the engine's state up; the second leaves it as it was; then quiet.
    assert.ok(t.decisions <= 2, `decided ${t.decisions} times in ${rounds.length} rounds`);
    assert.ok(t.scaleCalls <= 2);
    const quiet = rounds.slice(2);
    assert.ok(quiet.length >= 4);
    for (const r of quiet) {
      assert.equal(r.record.decided, 0);
      assert.equal(r.record.isActive, false);
      assert.deepEqual(r.record.reasons, rounds[1]!.record.reasons);
    }
    const times = rounds.map((r) => Date.parse(r.record.at));
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! >= times[i - 1]!, 'at moves on');
    assert.equal(controller.status().desiredReplicas, 0);

    // A reading that changes brings the engine back at once.
    const decided = t.decisions;
    await redis.rpush(list, 'a', 'b', 'c');
    await runRounds(1);
    assert.equal(t.decisions, decided + 1);
    assert.equal(rounds.at(-1)!.record.decided, 1);
    assert.equal(t.replicas, 1);
  } finally {
    await controller.stop();
  }
});

test('idle at zero: replicas set behind its back are decided on at the next round', async () => {
  const { t, rounds, controller, runRounds } = setup();
  controller.start();
  try {
    await waitFor(() => rounds.length >= 1, { timeoutMs: 10_000, what: 'the first round' });
    await runRounds(3);
    const decided = t.decisions;
    await runRounds(2);
    assert.equal(t.decisions, decided, 'quiet while nothing changes');
    t.replicas = 2; // someone ran `kubectl scale`
    await runRounds(1);
    assert.equal(t.decisions, decided + 1);
    assert.equal(rounds.at(-1)!.record.current, 2);
  } finally {
    await controller.stop();
  }
});

test('idle at zero: while the status is not written, every round decides (and asks again)', async () => {
  let written = false;
  const { t, rounds, controller, runRounds } = setup(() => written);
  controller.start();
  try {
    await waitFor(() => rounds.length >= 1, { timeoutMs: 10_000, what: 'the first round' });
    await runRounds(4);
    assert.equal(t.decisions, rounds.length, 'one decision per round');
    written = true;
    await runRounds(1);
    const decided = t.decisions;
    await runRounds(3);
    assert.equal(t.decisions, decided, 'quiet once written');
  } finally {
    await controller.stop();
  }
});
