/**
 * Reaction times of `tide up` (not a test): from the first item pushed to a Redis list to the
 * first worker process running, and from the list empty + cooldownPeriod to the last worker
 * gone, at pollingInterval 1 and 15, with push wake-ups (Redis keyspace notifications, the
 * default) and with polling only (a Redis that denies CONFIG, so tide cannot enable them).
 *   npx tsx bench/reaction.ts [runs=20] [intervals=1,15] [modes=push,poll]
 * Prints p50 and max per configuration. KEDA's figures for the same settings are derived
 * from its design: activation waits for the next poll (uniform in [0, pollingInterval]), and
 * scale-to-zero happens at the first poll after cooldownPeriod.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { editManifests, firstContainer, setEnv } from '../test/support/manifest-edit.js';
import { startRedis } from '../test/support/redis-server.js';
import { repoRoot, startTideUp } from '../test/support/tide-process.js';

const runs = Number(process.argv[2] ?? 20);
const intervals = (process.argv[3] ?? '1,15').split(',').map(Number);
const modes = (process.argv[4] ?? 'push,poll').split(',') as ('push' | 'poll')[];
const COOLDOWN = 2;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function until(
  cond: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return performance.now();
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const mode of modes) {
  for (const interval of intervals) {
    const redisServer = await startRedis(
      mode === 'poll' ? ['--rename-command', 'CONFIG', '""'] : [],
    );
    const redis = new Redis(redisServer.port, '127.0.0.1');
    const dir = mkdtempSync(join(tmpdir(), 'tide-bench-reaction-'));
    editManifests(
      join(repoRoot, 'examples/redis-list/worker.yaml'),
      join(dir, 'worker.yaml'),
      (doc) => {
        if (doc.kind === 'Deployment') {
          const c = firstContainer(doc);
          setEnv(c, 'REDIS_HOST', `127.0.0.1:${redisServer.port}`);
          setEnv(c, 'WORK_MS', '0');
          c.workingDir = join(repoRoot, 'examples/redis-list');
        }
        if (doc.kind === 'ScaledObject')
          Object.assign(doc.spec!, { pollingInterval: interval, cooldownPeriod: COOLDOWN });
      },
    );
    const tide = await startTideUp(dir, ['worker.yaml']);
    const so = async () => (await tide.object('ScaledObject', 'list-worker'))!;
    await until(
      async () => (await so()).runningReplicas === 0 && !(await so()).replicas?.length,
      60_000,
      'zero replicas',
    );
    const up: number[] = [];
    const down: number[] = [];
    process.stdout.write(`${mode} pollingInterval ${interval}: `);
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await redis.lpush('jobs', `item-${i}`);
      const t1 = await until(
        async () => (await so()).replicas?.some((r) => r.state === 'Running') ?? false,
        interval * 1000 + 30_000,
        'a running worker',
      );
      up.push(t1 - t0);
      const tEmpty = await until(
        async () => (await redis.llen('jobs')) === 0,
        30_000,
        'the list to drain',
      );
      const t2 = await until(
        async () => ((await so()).replicas?.length ?? 0) === 0,
        interval * 1000 + COOLDOWN * 1000 + 60_000,
        'no worker',
      );
      down.push(t2 - tEmpty - COOLDOWN * 1000);
      process.stdout.write('.');
    }
    const f = (xs: number[]) =>
      `p50 ${(pct(xs, 50) / 1000).toFixed(2)} s, max ${(Math.max(...xs) / 1000).toFixed(2)} s`;
    console.log(
      `\n  first item -> first worker running: ${f(up)}   (KEDA: next poll, p50 ≈ ${(interval / 2).toFixed(1)} s, max ${interval} s, + pod start)`,
    );
    console.log(
      `  list empty + cooldown -> last worker gone: ${f(down)}   (KEDA: first poll after cooldown, up to ${interval} s, + grace)`,
    );
    await tide.stop();
    redis.disconnect();
    await redisServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
