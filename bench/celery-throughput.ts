/**
 * Celery throughput, TS vs Python Celery 5.2, on one private Redis in the same run:
 *   - worker: no-op task, N messages (default 10,000) pushed in one go, time until all done;
 *     TS worker vs Python `-P solo` and `-P prefork -c 2` (test/celery-peer), early and late
 *     acks, with and without a result backend, each timed by the same procedure;
 *   - producer: N sendTask (awaited one by one, and 1,000 in flight) vs Python's send_task loop;
 *   - memory (RSS) of an idle and a loaded worker, TS vs Python solo.
 * Run once:  npx tsx bench/celery-throughput.ts [N]
 *   BENCH_PAIRED_ONLY=1: only the alternating TS / Python solo pairs; BENCH_TS_ONLY=1: pairs + TS rows
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeTask, Producer } from '../src/celery/index.js';
import {
  PEER_DIR,
  PY,
  REPO_ROOT,
  requirePythonCelery,
  startPythonWorker,
  startRedis,
  stopChild,
  type Child,
  type PrivateRedis,
} from '../test/integration/celery/support.js';

const N = Number(process.argv[2] ?? 10_000);
const TS_CONCURRENCY = process.env.BENCH_TS_CONCURRENCY ?? '100';
const TS_PREFETCH = process.env.BENCH_TS_PREFETCH ?? '400';
const TS_RUNS = Number(process.env.BENCH_TS_RUNS ?? 3);

function rssKb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function noops(): string[] {
  return Array.from({ length: N }, () =>
    JSON.stringify(encodeTask({ task: 'tasks.noop', queue: 'celery' })),
  );
}

async function pushNoops(redis: PrivateRedis, msgs: string[]): Promise<void> {
  for (let i = 0; i < msgs.length; i += 2000)
    await redis.client.lpush('celery', ...msgs.slice(i, i + 2000));
}

/** Times N no-ops through an already started worker; samples its RSS meanwhile. */
async function drain(
  redis: PrivateRedis,
  pid: number | undefined,
): Promise<{ secs: number; peakKb: number }> {
  let peakKb = 0;
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, rssKb(pid))), 50);
  const msgs = noops();
  // The clock starts before the push: the worker may begin while later chunks are still sent.
  const t0 = performance.now();
  await pushNoops(redis, msgs);
  for (;;) {
    if (Number(await redis.client.get('peer:done')) >= N) break;
    if (performance.now() - t0 > 600_000) throw new Error('timeout draining');
    await new Promise((r) => setTimeout(r, 10));
  }
  const secs = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  return { secs, peakKb };
}

async function startTs(
  redis: PrivateRedis,
  env: Record<string, string>,
): Promise<Child & { pid: number | undefined }> {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      resolve(REPO_ROOT, 'src/celery/worker-main.ts'),
      resolve(REPO_ROOT, 'bench/celery-noop-tasks.ts'),
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        CELERY_BROKER_URL: redis.url,
        CELERY_LOGLEVEL: 'warning',
        CELERY_CONCURRENCY: TS_CONCURRENCY,
        CELERY_PREFETCH: TS_PREFETCH,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string>((r) => proc.once('exit', (c, s) => r(c ?? s ?? -1)));
  while (!out.includes(' ready: queues=')) {
    if (proc.exitCode !== null) throw new Error(`ts worker died: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    pid: proc.pid,
    output: () => out,
    exited,
    kill: (sig = 'SIGTERM') => void proc.kill(sig),
  };
}

interface Row {
  worker: string;
  backend: boolean;
  acksLate: boolean;
  secs: number;
  perSec: number;
  idleMb?: number;
  peakMb?: number;
}

/**
 * The headline ratio under the same load: TS and Python solo (no backend, early ack) run
 * alternately, each pair back to back, on identical messages. The machine is shared, so a
 * ratio between runs minutes apart mostly measures the neighbours.
 */
async function paired(redis: PrivateRedis, pairs: number): Promise<void> {
  const ratios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    await redis.client.flushdb();
    const w = await startTs(redis, { CELERY_RESULT_BACKEND: '', CELERY_ACKS_LATE: '0' });
    const ts = await drain(redis, w.pid);
    await stopChild(w);
    await redis.client.flushdb();
    const py = await startPythonWorker(redis, {
      node: `bench-pair${i}@localhost`,
      env: { COUNT_DONE: '1', DONE_KEY: 'peer:done', RESULT_BACKEND: '' },
    });
    await redis.client.del('peer:done');
    const pr = await drain(redis, py.proc.pid);
    await stopChild(py);
    ratios.push(pr.secs / ts.secs);
    console.log(
      `pair ${i + 1}: TS ${(N / ts.secs).toFixed(0)} tasks/s, Python solo ${(N / pr.secs).toFixed(0)} tasks/s, ratio ${(pr.secs / ts.secs).toFixed(1)}x`,
    );
  }
  ratios.sort((a, b) => a - b);
  console.log(
    `paired median ratio TS / Python solo (no backend, early ack): ${ratios[Math.floor(ratios.length / 2)]?.toFixed(1)}x`,
  );
}

async function main(): Promise<void> {
  requirePythonCelery();
  const redis = await startRedis();
  const rows: Row[] = [];
  try {
    await paired(redis, Number(process.env.BENCH_PAIRS ?? 3));
    if (process.env.BENCH_PAIRED_ONLY === '1') return;
    // TS worker matrix: TS runs are short (seconds) and the machine is shared, so take the
    // median of TS_RUNS runs; every run is printed.
    for (const backend of [false, true]) {
      for (const acksLate of [false, true]) {
        const runs: { secs: number; idle: number; peakKb: number }[] = [];
        for (let i = 0; i < TS_RUNS; i++) {
          await redis.client.flushdb();
          const w = await startTs(redis, {
            CELERY_RESULT_BACKEND: backend ? redis.url : '',
            CELERY_ACKS_LATE: acksLate ? '1' : '0',
          });
          await new Promise((r) => setTimeout(r, 500));
          const idle = rssKb(w.pid);
          const { secs, peakKb } = await drain(redis, w.pid);
          await stopChild(w);
          const results = backend ? (await redis.client.keys('celery-task-meta-*')).length : 0;
          runs.push({ secs, idle, peakKb });
          console.log(
            `  TS backend=${+backend} acks_late=${+acksLate} run${i + 1}: ${secs.toFixed(2)}s ${(N / secs).toFixed(0)} tasks/s results=${results} rss idle ${(idle / 1024).toFixed(1)} MB peak ${(peakKb / 1024).toFixed(1)} MB`,
          );
        }
        runs.sort((a, b) => a.secs - b.secs);
        const med = runs[Math.floor(runs.length / 2)] as {
          secs: number;
          idle: number;
          peakKb: number;
        };
        rows.push({
          worker: `TS (c=${TS_CONCURRENCY})`,
          backend,
          acksLate,
          secs: med.secs,
          perSec: N / med.secs,
          idleMb: med.idle / 1024,
          peakMb: Math.max(...runs.map((r) => r.peakKb)) / 1024,
        });
      }
    }
    if (process.env.BENCH_TS_ONLY === '1') return;
    // Python memory (solo): idle and loaded, same drain procedure.
    await redis.client.flushdb();
    const pyw = await startPythonWorker(redis, {
      node: 'bench-mem@localhost',
      env: { COUNT_DONE: '1', DONE_KEY: 'peer:done', RESULT_BACKEND: '' },
    });
    await redis.client.del('peer:done');
    const pyIdle = rssKb(pyw.proc.pid);
    const pyRun = await drain(redis, pyw.proc.pid);
    await stopChild(pyw);
    console.log(
      `Python solo (memory run): ${pyRun.secs.toFixed(2)}s rss idle ${(pyIdle / 1024).toFixed(1)} MB peak ${(pyRun.peakKb / 1024).toFixed(1)} MB`,
    );
    // Python matrix: the peer's worker, timed by the same drain as the TS rows.
    for (const pool of ['solo', 'prefork'] as const) {
      for (const backend of [false, true]) {
        for (const acksLate of [false, true]) {
          await redis.client.flushdb();
          const w = await startPythonWorker(redis, {
            node: `bench-${pool}-${+backend}${+acksLate}@localhost`,
            pool,
            env: {
              COUNT_DONE: '1',
              DONE_KEY: 'peer:done',
              RESULT_BACKEND: backend ? redis.url : '',
              ACKS_LATE: acksLate ? '1' : '0',
            },
          });
          await redis.client.del('peer:done');
          const { secs } = await drain(redis, w.proc.pid);
          await stopChild(w);
          const results = backend ? (await redis.client.keys('celery-task-meta-*')).length : 0;
          console.log(
            `  Python ${pool} backend=${+backend} acks_late=${+acksLate}: ${secs.toFixed(2)}s ${(N / secs).toFixed(0)} tasks/s results=${results}`,
          );
          rows.push({
            worker: pool === 'solo' ? 'Python solo' : 'Python prefork -c 2',
            backend,
            acksLate,
            secs,
            perSec: N / secs,
          });
        }
      }
    }
    const solo = rows.find((x) => x.worker === 'Python solo' && !x.backend && !x.acksLate);
    rows.find((x) => x.worker === 'Python solo')!.idleMb = pyIdle / 1024;
    rows.find((x) => x.worker === 'Python solo')!.peakMb = pyRun.peakKb / 1024;

    // Producer throughput.
    await redis.client.flushdb();
    const producer = new Producer({ broker: redis.url });
    let t0 = performance.now();
    for (let i = 0; i < N; i++) await producer.sendTask('tasks.noop');
    const seqSecs = (performance.now() - t0) / 1000;
    await redis.client.flushdb();
    t0 = performance.now();
    for (let i = 0; i < N; i += 1000)
      await Promise.all(
        Array.from({ length: Math.min(1000, N - i) }, () => producer.sendTask('tasks.noop')),
      );
    const parSecs = (performance.now() - t0) / 1000;
    await producer.close();
    await redis.client.flushdb();
    const pr = spawnSync(PY, ['peer_ctl.py', 'send', '--task', 'tasks.noop', '-n', String(N)], {
      cwd: PEER_DIR,
      env: { ...process.env, BROKER_URL: redis.url, RESULT_BACKEND: '' },
      encoding: 'utf8',
    });
    const pyProd = /in ([\d.]+) s/.exec(pr.stdout);
    const pySecs = pyProd ? Number(pyProd[1]) : NaN;

    console.log(
      `\nWorker throughput, no-op, N=${N} (ratio vs Python solo, no backend, early ack = ${solo?.perSec.toFixed(0)}/s)`,
    );
    console.log(
      '| worker | result backend | acks | seconds | tasks/s | x Python solo | RSS idle MB | RSS peak MB |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const x of rows) {
      const same = rows.find(
        (y) => y.worker === 'Python solo' && y.backend === x.backend && y.acksLate === x.acksLate,
      );
      console.log(
        `| ${x.worker} | ${x.backend ? 'redis' : 'none'} | ${x.acksLate ? 'late' : 'early'} | ${x.secs.toFixed(2)} | ${x.perSec.toFixed(0)} | ${same ? (x.perSec / same.perSec).toFixed(1) : '-'} | ${x.idleMb?.toFixed(1) ?? '-'} | ${x.peakMb?.toFixed(1) ?? '-'} |`,
      );
    }
    console.log(
      `\nProducer, ${N} sends: TS awaited one by one ${seqSecs.toFixed(2)}s (${(N / seqSecs).toFixed(0)}/s); TS 1,000 in flight ${parSecs.toFixed(2)}s (${(N / parSecs).toFixed(0)}/s); Python send_task loop ${pySecs.toFixed(2)}s (${(N / pySecs).toFixed(0)}/s)`,
    );
    writeFileSync(
      '/tmp/celery-bench.json',
      JSON.stringify({ N, rows, producer: { seqSecs, parSecs, pySecs } }, null, 2),
    );
  } finally {
    await redis.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
