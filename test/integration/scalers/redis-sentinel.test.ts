/**
 * `redis-sentinel` against a real master and a real `redis-sentinel` started here, both
 * password protected (the master with `password`, the sentinel with `sentinelPassword`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { redisSentinel } from '../../../src/scalers/redis/redis.js';
import type { Scaler, ScalerContext, TriggerInputs } from '../../../src/scalers/core/types.js';
import { Secret } from '../../../src/secret.js';
import { waitFor } from '../../support/wait-for.js';
import { scalerContract } from '../scaler-contract.js';
import {
  freePort,
  startRedis,
  startServer,
  testContext,
  type ServerProcess,
} from './redis-servers.js';

const MASTER_PW = `master-${randomUUID()}`;
const SENTINEL_PW = `sentinel-${randomUUID()}`;
let master: ServerProcess;
let sentinel: ServerProcess;
let confDir: string;
let masterClient: Redis;

function auth(over: Partial<Record<string, string>> = {}): TriggerInputs['authParams'] {
  return {
    password: new Secret(over.password ?? MASTER_PW),
    sentinelPassword: new Secret(over.sentinelPassword ?? SENTINEL_PW),
  };
}

async function build(
  metadata: Record<string, string>,
  authParams = auth(),
  ctx: ScalerContext = testContext(),
): Promise<Scaler> {
  const md = { addresses: `127.0.0.1:${sentinel.port}`, sentinelMaster: 'tidemaster', ...metadata };
  const r = redisSentinel.parse({
    metadata: md,
    authParams,
    resolvedEnv: {},
    triggerIndex: ctx.triggerIndex,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  return redisSentinel.create(r.meta, ctx);
}

before(async () => {
  if (spawnSync('which', ['redis-sentinel']).status !== 0) {
    throw new Error(
      'redis-sentinel is not installed: run `apt-get install redis-sentinel` (scripts/setup.sh --test does it)',
    );
  }
  master = await startRedis(['--requirepass', MASTER_PW, '--masterauth', MASTER_PW]);
  masterClient = new Redis({ host: '127.0.0.1', port: master.port, password: MASTER_PW });
  confDir = mkdtempSync(join(tmpdir(), 'tide-sentinel-'));
  const port = await freePort();
  const conf = join(confDir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${confDir}`,
      `requirepass ${SENTINEL_PW}`,
      `sentinel monitor tidemaster 127.0.0.1 ${master.port} 1`,
      `sentinel auth-pass tidemaster ${MASTER_PW}`,
      'sentinel down-after-milliseconds tidemaster 5000',
      '',
    ].join('\n'),
  );
  sentinel = await startServer('redis-sentinel', [conf], port, 'redis-sentinel');
  await waitFor(
    async () => {
      const c = new Redis({ host: '127.0.0.1', port, password: SENTINEL_PW, lazyConnect: true });
      try {
        await c.connect();
        const addr = (await c.call('SENTINEL', 'get-master-addr-by-name', 'tidemaster')) as
          string[] | null;
        return addr?.[1] === String(master.port);
      } finally {
        c.disconnect();
      }
    },
    { timeoutMs: 15_000, intervalMs: 100, what: 'the sentinel to report the master' },
  );
});

after(async () => {
  masterClient?.disconnect();
  await sentinel?.stop();
  await master?.stop();
  if (confDir) rmSync(confDir, { recursive: true, force: true });
});

describe('redis-sentinel list trigger', () => {
  test('reads the list on the master the sentinel reports', async () => {
    const k = `tide-test:${randomUUID()}`;
    await masterClient.rpush(k, 'a', 'b', 'c');
    const s = await build({ listName: k, activationListLength: '2' });
    assert.deepEqual(await s.getMetricsAndActivity(AbortSignal.timeout(30_000)), {
      metrics: [{ name: `s0-redis-tide-test-${k.slice(10)}`, value: 3 }],
      isActive: true,
    });
    await s.close();
  });

  test('a master name the sentinel does not know fails creation with a ScalerError', async () => {
    await assert.rejects(build({ listName: 'l', sentinelMaster: 'nosuchmaster' }), (e: unknown) => {
      assert.ok(e instanceof Error && e.name === 'ScalerError', String(e));
      assert.match(e.message, /Redis master "nosuchmaster" via sentinels 127\.0\.0\.1:\d+/);
      return true;
    });
  });
});

scalerContract('redis-sentinel', () => ({
  secrets: [MASTER_PW, SENTINEL_PW, 'wrong-master-pw', 'wrong-sentinel-pw'],
  working: (i) => build({ listName: `tide-test:${randomUUID()}` }, auth(), testContext(i)),
  down: async () => build({ addresses: `127.0.0.1:${await freePort()}`, listName: 'l' }),
  badCredentials: () => build({ listName: 'l' }, auth({ password: 'wrong-master-pw' })),
}));

test('a wrong sentinelPassword gives a ScalerError without the password', async () => {
  await assert.rejects(
    build({ listName: 'l' }, auth({ sentinelPassword: 'wrong-sentinel-pw' })),
    (e: unknown) => {
      assert.ok(e instanceof Error && e.name === 'ScalerError');
      assert.ok(!e.message.includes('wrong-sentinel-pw'), e.message);
      return true;
    },
  );
});
