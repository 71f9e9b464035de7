/**
 * Push in both directions with the shared Redis at 127.0.0.1:6379: with pollingInterval 30, a
 * list that fills wakes the pool from zero, and a list that drains starts the cooldown at once
 * and reaches zero when the cooldown ends (the poll loop's alarm), not at the next 30 s poll.
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
const list = `tide-push-cooldown-${randomUUID().slice(0, 8)}`;
let redis: Redis;

before(async () => {
  redis = new Redis({ host: '127.0.0.1', port: 6379, db: DB, lazyConnect: true });
  await redis.connect();
});
after(async () => {
  await redis?.del(list);
  redis?.disconnect();
});

test('a drained list reaches zero at cooldown end, long before the next 30 s poll', async () => {
  const cooldown = 2;
  const yaml = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: push-down }
spec:
  scaleTargetRef: { name: worker }
  pollingInterval: 30
  cooldownPeriod: ${cooldown}
  maxReplicaCount: 5
  triggers:
    - type: redis
      metadata: { address: '127.0.0.1:6379', databaseIndex: '${DB}', listName: '${list}', listLength: '5' }
`;
  const loaded = loadManifestsFromString(yaml, 'push-down.yaml');
  assert.deepEqual(loaded.errors, []);
  let zeroAt = 0;
  const t = countingTarget((n, before) => {
    if (n === 0 && before > 0) zeroAt = Date.now();
  });
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
  });
  controller.start();
  try {
    await waitFor(() => rounds.length >= 1, { timeoutMs: 10_000, what: 'the first round' });
    // The watch subscribes after the first build; an event before that would be missed.
    await waitFor(() => controller.status().triggers[0]?.push === 'on', {
      timeoutMs: 10_000,
      what: 'push wake-ups armed',
    });
    await redis.lpush(list, 'a', 'b', 'c');
    await waitFor(() => t.replicas === 1, {
      timeoutMs: 5_000,
      what: 'woken from zero by the push',
    });
    const drainedAt = Date.now();
    await redis.del(list);
    await waitFor(() => t.replicas === 0, {
      timeoutMs: (cooldown + 4) * 1000,
      what: `zero replicas within cooldown ${cooldown} s of the drain (the next poll is 30 s away)`,
    });
    const took = (zeroAt - drainedAt) / 1000;
    // The cooldown counts from the last active round, which ran before the drain.
    assert.ok(took <= cooldown + 1.5, `zero ${took} s after the drain`);
    assert.ok(took >= cooldown - 1.5, `not before the cooldown: ${took} s`);
    const reasons = rounds.flatMap((r) => r.record.reasons.map((x) => x.code));
    assert.ok(reasons.includes('ScalerCooldown'), 'a round saw the drain and started the cooldown');
    assert.ok(rounds.length <= 6, `a handful of rounds, not a spin: ${rounds.length}`);
  } finally {
    await controller.stop();
  }
});
