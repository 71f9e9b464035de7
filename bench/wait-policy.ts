/**
 * The wait-time policy end to end (a benchmark, not a test): replays an arrival trace
 * (examples/traces/celery-redis-{arrivals,burst}.csv) with the real TypeScript Celery producer
 * into `tide up` running tide's Celery workers, for three ScaledObjects: the document's as
 * written (examples/celery-redis), `listLength: 2` (examples/wait-time/list-length-2) and
 * `target-wait-seconds: 10` (examples/wait-time/target-wait-10). Each run gets a copy of the
 * folder in a temp dir, a private Redis on a free port and its own queue name.
 *
 * Measured, in the document's seconds (real seconds / time scale):
 * - replica-seconds from the worker processes' own lifetimes (each appends its start, from
 *   node's own start time, and its exit to a file: bench/wait-policy-tasks.ts), from the first
 *   arrival until the pool is back at zero with every task done, or the trace's end;
 * - each task's wait: its start (recorded by the task) minus its send time (stamped by the
 *   producer in the task's args: Celery messages carry none), nearest-rank p95 and max as
 *   `tide simulate --compare` computes them (unserved tasks count their wait until the end);
 * - tasks done by the end, and lost (neither done, waiting nor held);
 * - for each trace, the first rounds of the replica timeline (tide's status).
 * Beside each row: `tide simulate --compare`'s figures for the same manifests and trace, and
 * "as run": the model of what actually ran, the time-scaled manifests on the time-scaled trace
 * with the replicas' start-up measured in the run (the trace header `replicaStartSeconds`),
 * converted back to the document's seconds.
 *
 *   npx tsx bench/wait-policy.ts [--time-scale 0.2] [--tasks 5|1-9] [--trace arrivals|burst|both]
 *     [--policy <part of the folder name>]
 *
 * --time-scale s (default 0.2): each second of the document lasts s real seconds: arrival gaps and task durations are multiplied by s, and so are
 *   pollingInterval (15), cooldownPeriod (200), the HPA's scale-down stabilization (300 s,
 *   written into `behavior` for the two KEDA sizings), the HPA's scale-up period (15 s, same)
 *   and the wait target (10 s), rounded to whole seconds where KEDA wants integers (the
 *   values run are printed). Not scaled: process start-up, the wait-time policy's 15 s
 *   smoothing half-life, the worker registry's refresh, Redis round trips. At 1 it runs the
 *   manifests exactly as written (15 minutes per trace and policy).
 * --tasks 5 (default): every task works 5 s, as the simulation's queue model (consumeRate 0.2);
 *   1-9: 1 to 9 s as the document's worker (the same pseudo-random sequence for every policy).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { validate } from '../src/api.js';
import { Producer } from '../src/celery/index.js';
import { parseTrace, simulateQueue, type Trace } from '../src/simulate/index.js';
import { waitStats, type WaitStats } from '../src/simulate/queue.js';
import { editManifests, firstContainer, setEnv } from '../test/support/manifest-edit.js';
import { startRedis } from '../test/support/redis-server.js';
import { repoRoot, startTideUp, type TideUp } from '../test/support/tide-process.js';

const { values: opt } = parseArgs({
  options: {
    'time-scale': { type: 'string', default: '0.2' },
    tasks: { type: 'string', default: '5' },
    trace: { type: 'string', default: 'both' },
    policy: { type: 'string' },
  },
});
const scale = Number(opt['time-scale']);
if (!(scale > 0 && scale <= 1))
  throw new Error(`--time-scale: expected 0 < s <= 1, got ${opt['time-scale']}`);
const taskSpec = opt.tasks ?? '5';
if (!['5', '1-9'].includes(taskSpec))
  throw new Error(`--tasks: expected 5 or 1-9, got ${taskSpec}`);
const traces = (opt.trace === 'both' ? ['arrivals', 'burst'] : [opt.trace ?? 'arrivals']).map(
  (t) => {
    if (!['arrivals', 'burst'].includes(t))
      throw new Error(`--trace: expected arrivals, burst or both, got ${t}`);
    return { name: t, file: resolve(repoRoot, `examples/traces/celery-redis-${t}.csv`) };
  },
);

const POLICIES = [
  { label: 'the document (`listLength: 10`)', dir: 'examples/celery-redis' },
  { label: '`listLength: 2`', dir: 'examples/wait-time/list-length-2' },
  { label: '`target-wait-seconds: 10`', dir: 'examples/wait-time/target-wait-10' },
] as const;

/** Seconds of the document as whole real seconds (KEDA's integer fields), at least `min`. */
const whole = (s: number, min = 1) => Math.max(min, Math.round(s * scale));

/** Task `seq`'s work in document seconds: 5, or 1..9 from a fixed pseudo-random sequence. */
function workSeconds(seq: number): number {
  if (taskSpec === '5') return 5;
  // A 32-bit integer hash of seq (same durations for every policy and run).
  let h = (seq + 1) * 0x9e3779b1;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return 1 + (((h ^ (h >>> 16)) >>> 0) % 9);
}

interface Applied {
  pollingInterval: number;
  cooldownPeriod: number;
  scaleDownWindow?: number;
  scaleUpPeriod?: number;
  targetWait?: number;
}

/**
 * Copies the example folder into `dir` and points it at the private Redis, the queue and the
 * bench's task; scales the ScaledObject's times. Returns what it set.
 */
function prepare(
  src: string,
  dir: string,
  port: number,
  queue: string,
  lifetimes: string,
): Applied {
  cpSync(resolve(repoRoot, src), dir, { recursive: true });
  const applied: Applied = { pollingInterval: 0, cooldownPeriod: 0 };
  const file = (f: string) => join(dir, f);
  editManifests(file('consumer.yaml'), file('consumer.yaml'), (dep) => {
    const c = firstContainer(dep);
    c.command = [
      'tide',
      'celery',
      'worker',
      '--app',
      resolve(repoRoot, 'bench/wait-policy-tasks.ts'),
    ];
    c.args = (c.args as string[]).map((a, i, all) => (all[i - 1] === '--queues' ? queue : a));
    setEnv(c, 'REDIS_HOST', `127.0.0.1:${port}`);
    setEnv(c, 'REDIS_LIST', queue);
    setEnv(c, 'BENCH_PREFIX', queue);
    setEnv(c, 'BENCH_LIFETIMES', lifetimes);
  });
  editManifests(file('scaledobject.yaml'), file('scaledobject.yaml'), (so) => {
    const spec = so.spec as {
      pollingInterval?: number;
      cooldownPeriod?: number;
      triggers: { metadata: Record<string, string> }[];
      advanced?: unknown;
    };
    spec.triggers[0]!.metadata.listName = queue;
    applied.pollingInterval = spec.pollingInterval = whole(spec.pollingInterval ?? 30);
    applied.cooldownPeriod = spec.cooldownPeriod = whole(spec.cooldownPeriod ?? 300, 0);
    const ann = so.metadata?.annotations ?? {};
    const key = 'autoscaling.tide.dev/target-wait-seconds';
    if (ann[key] !== undefined) {
      applied.targetWait = Number(ann[key]) * scale;
      ann[key] = String(applied.targetWait);
    } else if (scale !== 1) {
      // The HPA's defaults, written out and scaled: 300 s scale-down window; scale-up at most
      // 4 pods or 100 % per 15 s, whichever adds more.
      applied.scaleDownWindow = whole(300);
      applied.scaleUpPeriod = whole(15);
      spec.advanced = {
        horizontalPodAutoscalerConfig: {
          behavior: {
            scaleDown: { stabilizationWindowSeconds: applied.scaleDownWindow },
            scaleUp: {
              stabilizationWindowSeconds: 0,
              selectPolicy: 'Max',
              policies: [
                { type: 'Pods', value: 4, periodSeconds: applied.scaleUpPeriod },
                { type: 'Percent', value: 100, periodSeconds: applied.scaleUpPeriod },
              ],
            },
          },
        },
      };
    }
  });
  return applied;
}

async function loadTrace(file: string): Promise<Trace> {
  const parsed = parseTrace(readFileSync(file, 'utf8'), 'csv');
  if (!parsed.ok) throw new Error(`${file}: ${parsed.errors.join('; ')}`);
  return parsed.trace;
}

/**
 * The same trace with every time multiplied by `scale` (and the consume rate divided), and the
 * replicas' start-up measured in the run (real seconds).
 */
function scaledTrace(t: Trace, replicaStartSeconds: number): Trace {
  return {
    header: {
      ...t.header,
      replicaStartSeconds,
      ...(t.header.durationSeconds !== undefined
        ? { durationSeconds: t.header.durationSeconds * scale }
        : {}),
      ...(t.header.consumeRate !== undefined ? { consumeRate: t.header.consumeRate / scale } : {}),
    },
    samples: t.samples.map((s) => ({ ...s, time: s.time * scale })),
  };
}

interface SimFigures {
  replicaSeconds: number;
  wait: WaitStats;
  served: number;
  items: number;
}

async function simulateDir(dir: string, trace: Trace, timeFactor = 1): Promise<SimFigures> {
  const report = await validate([dir], { local: false });
  if (!report.valid) throw new Error(report.errors.map((e) => e.message).join('\n'));
  const q = simulateQueue({ set: report.set, trace }).queues[0]!;
  const w = q.wait;
  const k = 1 / timeFactor;
  return {
    replicaSeconds: q.replicaSeconds * k,
    wait: { mean: w.mean * k, p50: w.p50 * k, p95: w.p95 * k, max: w.max * k },
    served: q.served,
    items: q.items,
  };
}

interface RealFigures extends SimFigures {
  done: number;
  lost: number;
  startedTwice: number;
  /** Document seconds from the first arrival to the end of the measurement. */
  measuredFor: number;
  peak: number;
  /** Median real ms from a worker process's start to its tasks loaded. */
  startupMs: number;
  timeline: { t: number; desired: number; running: number; reason: string }[];
  applied: Applied;
  simScaled: SimFigures;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function runOne(policyDir: string, traceName: string, trace: Trace): Promise<RealFigures> {
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'tide-bench-wait-'));
  const queue = `bench-wait-${traceName}-${process.pid}-${Date.now().toString(36)}`;
  const lifetimes = join(dir, 'lifetimes.log');
  writeFileSync(lifetimes, '');
  const applied = prepare(policyDir, dir, redis.port, queue, lifetimes);
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  const producer = new Producer({ broker: redis.url, defaultQueue: queue });
  let tide: TideUp | undefined;
  try {
    tide = await startTideUp(dir, ['--plain', dir]);
    const t = tide;
    const so = () => t.object('ScaledObject', 'redis-scaledobject');
    const pool = async () => (await so())?.replicas ?? [];
    // The Deployment says `replicas: 1`; the trace starts from an empty pool, as the model does.
    await until(
      async () => (await pool()).length === 0 && (await so())?.lastRoundAt !== undefined,
      60_000 + applied.cooldownPeriod * 1000,
      'the pool at zero before the trace',
    );
    const arrivals = trace.samples
      .filter((s) => (s.arrivals ?? 0) > 0)
      .map((s) => ({ at: s.time, n: s.arrivals! }));
    const total = arrivals.reduce((a, b) => a + b.n, 0);
    const endDoc = trace.header.durationSeconds ?? 900;
    const t0 = Date.now();
    // The replica timeline, from tide's status: one row per round (lastRoundAt).
    const timeline: RealFigures['timeline'] = [];
    let watching = true;
    let lastRound: string | undefined;
    const watcher = (async () => {
      while (watching) {
        const o = await so().catch(() => undefined);
        if (o?.lastRoundAt && o.lastRoundAt !== lastRound && Date.parse(o.lastRoundAt) >= t0) {
          lastRound = o.lastRoundAt;
          timeline.push({
            t: (Date.parse(o.lastRoundAt) - t0) / 1000 / scale,
            desired: o.desiredReplicas ?? 0,
            running: o.runningReplicas ?? 0,
            reason: o.lastReason ?? '',
          });
        }
        await sleep(100);
      }
    })();
    // Each task's send time, stamped in its args too (the task needs none: the wait is
    // computed here from these and the starts the tasks recorded).
    const sentStamps: number[] = [];
    let seq = 0;
    for (const a of arrivals) {
      const due = t0 + a.at * scale * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
      for (let i = 0; i < a.n; i++, seq++) {
        sentStamps.push(Date.now());
        await producer.sendTask(
          'bench.wait',
          [seq, sentStamps[seq], workSeconds(seq) * scale * 1000],
          {},
          { ignoreResult: true },
        );
      }
    }
    // Until every task is done and the pool is back at zero (tide wants none, and every worker
    // process that started has exited), or the trace's end.
    const deadline = t0 + endDoc * scale * 1000;
    const processesLeft = () => {
      const lines = readFileSync(lifetimes, 'utf8').split('\n');
      return (
        lines.filter((l) => l.startsWith('start ')).length -
        lines.filter((l) => l.startsWith('exit ')).length
      );
    };
    while (Date.now() < deadline) {
      const done = await client.hlen(`${queue}:done`);
      if (
        done >= total &&
        (await so())?.desiredReplicas === 0 &&
        (await pool()).length === 0 &&
        processesLeft() === 0
      )
        break;
      await sleep(100);
    }
    const end = Math.min(Date.now(), deadline);
    watching = false;
    await watcher;
    const [started, finished, starts, waiting, unacked] = await Promise.all([
      client.hgetall(`${queue}:started`),
      client.hgetall(`${queue}:done`),
      client.hgetall(`${queue}:starts`),
      client.llen(queue),
      client.hlen('unacked'),
    ]);
    await tide.stop();
    tide = undefined;
    const waits: number[] = [];
    for (let s = 0; s < total; s++) {
      const sent = sentStamps[s]!;
      const st = started[String(s)];
      const startMs = st !== undefined && Number(st) <= end ? Number(st) : end;
      waits.push(Math.max(0, startMs - sent) / 1000 / scale);
    }
    const doneCount = Object.values(finished).filter((v) => Number(v) <= end).length;
    const startedTwice = Object.values(starts).filter((v) => Number(v) >= 2).length;
    // Lifetimes, clipped to [t0, end].
    const live = new Map<string, { start: number; exit?: number }>();
    const startups: number[] = [];
    for (const line of readFileSync(lifetimes, 'utf8').split('\n')) {
      const [what, pod, pid, ms, loaded] = line.split(' ');
      if (!what || !pod || !pid || !ms) continue;
      const key = `${pod}/${pid}`;
      if (what === 'start') {
        live.set(key, { start: Number(ms) });
        if (loaded) startups.push(Number(loaded) - Number(ms));
      } else if (what === 'exit')
        live.set(key, { ...(live.get(key) ?? { start: t0 }), exit: Number(ms) });
    }
    let replicaMs = 0;
    const edges: [number, number][] = [];
    for (const l of live.values()) {
      const a = Math.max(t0, l.start);
      const b = Math.min(end, l.exit ?? end);
      if (b > a) {
        replicaMs += b - a;
        edges.push([a, 1], [b, -1]);
      }
    }
    edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let n = 0;
    let peak = 0;
    for (const [, d] of edges) peak = Math.max(peak, (n += d));
    const startupMs = startups.sort((x, y) => x - y)[Math.floor(startups.length / 2)] ?? 0;
    const simScaled = await simulateDir(dir, scaledTrace(trace, startupMs / 1000), scale);
    return {
      replicaSeconds: replicaMs / 1000 / scale,
      wait: waitStats(waits),
      served: Object.keys(started).length,
      items: total,
      done: doneCount,
      lost: total - Object.keys(finished).length - waiting - unacked,
      startedTwice,
      measuredFor: (end - t0) / 1000 / scale,
      peak,
      startupMs,
      timeline,
      applied,
      simScaled,
    };
  } finally {
    if (tide) await tide.stop();
    await producer.close();
    client.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (n: number, base: number) =>
  n === base ? '' : `${n < base ? '−' : '+'}${Math.abs(((n - base) / base) * 100).toFixed(1)} %`;
const secs = (n: number) => `${Math.round(n)} s`;

console.log(
  `wait-policy bench: time scale ${scale} (a document second lasts ${scale} s), tasks of ${taskSpec} s, ` +
    `tide up with tide's Celery workers (concurrency 1, acks late), private Redis per run; ` +
    `figures in document seconds`,
);
for (const tr of traces) {
  const trace = await loadTrace(tr.file);
  const rows: { label: string; sim: SimFigures; real: RealFigures }[] = [];
  for (const p of POLICIES.filter((x) => !opt.policy || x.dir.includes(opt.policy ?? ''))) {
    const sim = await simulateDir(resolve(repoRoot, p.dir), trace);
    process.stderr.write(`running ${tr.name} / ${p.dir} ...\n`);
    const started = Date.now();
    const real = await runOne(p.dir, tr.name, trace);
    process.stderr.write(`  done in ${Math.round((Date.now() - started) / 1000)} s\n`);
    rows.push({ label: p.label, sim, real });
  }
  const a = rows[0]!.real.applied;
  const w = rows.find((r) => r.real.applied.targetWait !== undefined)?.real.applied;
  console.log(
    `\n### ${tr.name}: examples/traces/celery-redis-${tr.name}.csv (${rows[0]!.real.items} tasks)\n` +
      `run with pollingInterval ${a.pollingInterval} s, cooldownPeriod ${a.cooldownPeriod} s, ` +
      `scale-down window ${a.scaleDownWindow ?? 300} s, scale-up period ${a.scaleUpPeriod ?? 15} s` +
      (w ? `, target wait ${w.targetWait} s` : '') +
      ` (real seconds)\n`,
  );
  console.log(
    '| ScaledObject | replica-s real | vs document | p95 wait | max wait | tasks done/lost | peak | replica-s sim | vs document | p95 sim | max sim | replica-s sim, as run | p95 sim, as run |',
  );
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  const base = rows[0]!;
  for (const r of rows) {
    console.log(
      `| ${r.label} | ${fmt(r.real.replicaSeconds)} | ${pct(r.real.replicaSeconds, base.real.replicaSeconds)} | ` +
        `${secs(r.real.wait.p95)} | ${secs(r.real.wait.max)} | ${r.real.done}/${r.real.lost}` +
        `${r.real.startedTwice ? ` (${r.real.startedTwice} started twice)` : ''} | ${r.real.peak} | ` +
        `${fmt(r.sim.replicaSeconds)} | ${pct(r.sim.replicaSeconds, base.sim.replicaSeconds)} | ` +
        `${secs(r.sim.wait.p95)} | ${secs(r.sim.wait.max)} | ${fmt(r.real.simScaled.replicaSeconds)} | ${secs(r.real.simScaled.wait.p95)} |`,
    );
  }
  for (const r of rows)
    console.log(
      `  ${r.label}: measured until t=${Math.round(r.real.measuredFor)} s; worker start-up (process start to tasks loaded, median) ${(r.real.startupMs / 1000).toFixed(2)} s real = ${Math.round(r.real.startupMs / 1000 / scale)} s of the document; first rounds (t: desired/running): ` +
        r.real.timeline
          .filter((x) => x.desired > 0 || x.running > 0)
          .slice(0, 8)
          .map((x) => `${Math.round(x.t)}: ${x.desired}/${x.running}`)
          .join(', '),
    );
  for (const r of rows) {
    const changes = r.real.timeline.filter(
      (x, i, all) => i === 0 || x.desired !== all[i - 1]!.desired,
    );
    console.log(
      `  ${r.label}: desired replicas over the run (t: n): ${changes.map((x) => `${Math.round(x.t)}: ${x.desired}`).join(', ')}`,
    );
  }
  const wait = rows
    .at(-1)!
    .real.timeline.filter((x) => /wait target/.test(x.reason))
    .slice(0, 3);
  for (const x of wait) console.log(`  t=${Math.round(x.t)} s ${x.reason}`);
}
