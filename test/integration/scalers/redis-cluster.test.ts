/**
 * `redis-cluster` against a real three-master Redis Cluster started here (redis-server
 * --cluster-enabled yes on free ports, joined with `redis-cli --cluster create`), password
 * protected so the contract's bad-credentials case is real.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { SharedConnectionPool } from '../../../src/scalers/core/pool.js';
import { redisCluster } from '../../../src/scalers/redis/redis.js';
import type { Scaler, ScalerContext, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { waitFor } from '../../support/wait-for.js';
import { scalerContract } from '../scaler-contract.js';
import {
  freePort,
  redisCli,
  startRedis,
  testContext,
  type ServerProcess,
} from './redis-servers.js';

const PASSWORD = `cluster-${randomUUID()}`;
const nodes: ServerProcess[] = [];
let seeds: string;
let writer: Cluster;

async function build(
  metadata: Record<string, string>,
  authParams: TriggerInputs['authParams'] = { password: new Secret(PASSWORD) },
  ctx: ScalerContext = testContext(),
): Promise<Scaler> {
  const r = redisCluster.parse({
    metadata: { addresses: seeds, ...metadata },
    authParams,
    resolvedEnv: {},
    triggerIndex: ctx.triggerIndex,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return redisCluster.create(r.meta, ctx);
}

before(async () => {
  for (let i = 0; i < 3; i++) {
    const busPort = await freePort();
    nodes.push(
      await startRedis([
        '--cluster-enabled',
        'yes',
        '--cluster-port',
        String(busPort),
        '--cluster-node-timeout',
        '5000',
        '--requirepass',
        PASSWORD,
        '--masterauth',
        PASSWORD,
      ]),
    );
  }
  seeds = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  redisCli([
    '-a',
    PASSWORD,
    '--no-auth-warning',
    '--cluster',
    'create',
    ...nodes.map((n) => `127.0.0.1:${n.port}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ]);
  await waitFor(
    async () => {
      for (const n of nodes) {
        const c = new Redis({
          host: '127.0.0.1',
          port: n.port,
          password: PASSWORD,
          lazyConnect: true,
        });
        try {
          await c.connect();
          const info = (await c.call('CLUSTER', 'INFO')) as string;
          if (!info.includes('cluster_state:ok')) return false;
        } finally {
          c.disconnect();
        }
      }
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: 'cluster_state:ok on every node' },
  );
  writer = new Cluster(
    nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    { redisOptions: { password: PASSWORD } },
  );
});

after(async () => {
  writer?.disconnect();
  for (const n of nodes) await n.stop();
});

describe('redis-cluster list trigger', () => {
  test('reads lists on every master through the seed addresses', async () => {
    // One key per master: random keys until each node owns one (KEYSLOT + the slot map).
    await writer.ping();
    const byOwner = new Map<string, string>();
    for (let tries = 0; byOwner.size < nodes.length && tries < 1000; tries++) {
      const k = `tide-test:${randomUUID()}`;
      const slot = Number(await writer.cluster('KEYSLOT', k));
      const owner = writer.slots[slot]?.[0];
      if (owner && !byOwner.has(owner)) byOwner.set(owner, k);
    }
    const keys = [...byOwner.values()];
    assert.equal(keys.length, 3, 'a key on each of the three masters');
    for (const [i, k] of keys.entries())
      await writer.rpush(k, ...Array.from({ length: i + 1 }, (_, j) => `j${j}`));
    const pool = new SharedConnectionPool();
    for (const [i, k] of keys.entries()) {
      const s = await build({ listName: k }, undefined, testContext(i, pool));
      const r = await s.getMetricsAndActivity(AbortSignal.timeout(30_000));
      assert.deepEqual(r, {
        metrics: [{ name: `s${i}-redis-tide-test-${k.slice(10)}`, value: i + 1 }],
        isActive: true,
      });
      await s.close();
    }
    for (const k of keys) await writer.del(k);
  });

  test('one seed is enough to find the other masters', async () => {
    const k = `tide-test:${randomUUID()}`;
    await writer.rpush(k, 'a', 'b');
    const s = await build({ addresses: `127.0.0.1:${nodes[2]?.port}`, listName: k });
    assert.equal((await s.getMetricsAndActivity(AbortSignal.timeout(30_000))).metrics[0]?.value, 2);
    await s.close();
  });
});

scalerContract('redis-cluster', () => ({
  secrets: [PASSWORD, 'wrong-cluster-pw'],
  working: (i) => build({ listName: `tide-test:${randomUUID()}` }, undefined, testContext(i)),
  down: async () => build({ addresses: `127.0.0.1:${await freePort()}`, listName: 'l' }),
  badCredentials: () => build({ listName: 'l' }, { password: new Secret('wrong-cluster-pw') }),
}));
