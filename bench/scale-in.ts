/**
 * Busy-aware scale-in against Kubernetes' ReplicaSet ranking (not ready first, then the newest),
 * on the same run (not a test): a pool of real TS Celery workers on a private Redis runs tasks
 * of 1-9 s (the first source document's worker) arriving steadily for about half the pool; after
 * a warm-up at full size it shrinks from POOL to KEEP replicas. At each shrink both rankings are computed from the same replicas and the workers'
 * own registry, and the count of busy replicas each would remove is recorded: each is a task
 * interrupted (with acks late it is handed back and runs again; with early acks it is lost).
 * The pool then shrinks busy-aware and grows back for the next trial.
 *   npx tsx bench/scale-in.ts [trials=12] [pool=8] [keep=4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Producer } from '../src/celery/index.js';
import { runningByPod } from '../src/celery/registry.js';
import {
  byBusyAwareRank,
  byReplicaSetRank,
  ProcessPool,
} from '../src/targets/local/process-pool.js';
import { startRedis, stopChild } from '../test/integration/celery/support.js';
import { repoRoot } from '../test/support/tide-process.js';

void stopChild;
const trials = Number(process.argv[2] ?? 12);
const POOL = Number(process.argv[3] ?? 8);
const KEEP = Number(process.argv[4] ?? 4);

const redis = await startRedis();
const logDir = mkdtempSync(join(tmpdir(), 'tide-bench-scale-in-'));
const pool = new ProcessPool({
  objectName: 'Deployment default/bench-worker',
  podNamePrefix: 'bench-worker',
  logDir,
  makeReplica: (name) => ({
    command: [
      process.execPath,
      '--import',
      'tsx',
      resolve(repoRoot, 'src/celery/worker-main.ts'),
      resolve(repoRoot, 'test/faults/fixtures/count-tasks.ts'),
    ],
    cwd: repoRoot,
    env: {
      HOSTNAME: name,
      CELERY_BROKER_URL: redis.url,
      CELERY_RESULT_BACKEND: 'none',
      CELERY_ACKS_LATE: '1',
      CELERY_CONCURRENCY: '1',
      CELERY_PREFETCH: '0',
      CELERY_LOGLEVEL: 'warning',
      FAULT_PREFIX: 'bench',
    },
    terminationGracePeriodSeconds: 30,
  }),
});
const producer = new Producer({ broker: redis.url });
const until = async (cond: () => boolean | Promise<boolean>, what: string) => {
  const deadline = Date.now() + 60_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
const running = () => pool.status().replicas.filter((r) => r.state === 'Running');

let seq = 0;
let newestFirst = 0;
let busyAware = 0;
let busyTotal = 0;
const rows: string[] = [];
// Steady arrivals for about half the pool: mean task 5 s, so POOL / 2 / 5 tasks per second.
let producing = true;
const arrivals = (async () => {
  while (producing) {
    await producer.sendTask('fault.count', [seq++, (1 + Math.floor(Math.random() * 9)) * 1000]);
    await new Promise((r) => setTimeout(r, (-Math.log(1 - Math.random()) * 1000 * 10) / POOL));
  }
})();
try {
  for (let trial = 1; trial <= trials; trial++) {
    pool.scaleTo(POOL);
    await until(
      () => running().length === POOL && pool.status().replicas.length === POOL,
      'the pool at full size',
    );
    // Long enough for new replicas to take their share, so busy ones are spread over ages.
    await new Promise((r) => setTimeout(r, 12_000 + Math.random() * 4_000));
    const busy = await runningByPod(redis.client);
    const replicas = pool
      .status()
      .replicas.map((r, i) => ({ name: r.name, state: r.state, seq: i }));
    const victims = (cmp: (a: (typeof replicas)[0], b: (typeof replicas)[0]) => number) =>
      [...replicas].sort(cmp).slice(0, POOL - KEEP);
    const busyOf = (vs: typeof replicas) => vs.filter((v) => (busy.get(v.name) ?? 0) > 0).length;
    const a = busyOf(victims(byReplicaSetRank));
    const b = busyOf(victims(byBusyAwareRank(busy)));
    const nBusy = [...busy.values()].filter((n) => n > 0).length;
    newestFirst += a;
    busyAware += b;
    busyTotal += nBusy;
    rows.push(`| ${trial} | ${nBusy} of ${POOL} | ${a} | ${b} |`);
    pool.scaleTo(KEEP, 'bench', { busy });
    await until(() => pool.status().replicas.length === KEEP, 'the pool shrunk');
  }
} finally {
  producing = false;
  await arrivals;
  await producer.close();
  await pool.stop();
  await redis.stop();
  rmSync(logDir, { recursive: true, force: true });
}

console.log(
  `\nscale-in ${POOL} -> ${KEEP}, ${trials} trials, tasks of 1-9 s arriving for about half the pool`,
);
console.log(
  '| trial | busy replicas | busy removed, newest first (ReplicaSet) | busy removed, busy-aware (tide) |',
);
console.log('|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`| all | ${busyTotal} | **${newestFirst}** | **${busyAware}** |`);
console.log(
  `\ninterrupted tasks: newest first ${newestFirst}, busy-aware ${busyAware} (same replicas, same moment, same registry)`,
);
