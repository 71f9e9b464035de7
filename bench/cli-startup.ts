/**
 * How fast `tide` starts and how small a Celery worker replica is, as the npm package runs them
 * (the compiled dist/, `npm run build` first), beside bare Node and Python Celery in the same
 * run (not a test):
 *   - whole-process wall time, several runs interleaved: `node -e 0`, `tide --version`,
 *     `tide validate examples/celery-redis`, and the same two through tsx (bin/tide.js, how a
 *     clone runs its sources) for reference;
 *   - RSS of an idle worker (`tide celery worker --app <a .mjs tasks file>`) beside Python
 *     Celery's `-P solo` worker (test/celery-peer), both on a private Redis: right after each
 *     says it is ready, and once they have idled (V8 gives back its start-up heap after ~20 s).
 * Goals (issue 15): --version <= 2x bare Node; validate <= 300 ms on a quiet machine; an idle
 * worker <= 60 MB.
 *   npm run build && npx tsx bench/cli-startup.ts [runs=10] [idle seconds=30]
 *   BENCH_BEFORE_DIST=<another dist/> adds its --version and validate rows (e.g. an older build)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PY,
  REPO_ROOT,
  requirePythonCelery,
  startPythonWorker,
  startRedis,
  stopChild,
} from '../test/integration/celery/support.js';

const RUNS = Number(process.argv[2] ?? 10);
const IDLE_S = Number(process.argv[3] ?? 30);
const dist = join(REPO_ROOT, 'dist/cli/main.js');
const example = join(REPO_ROOT, 'examples/celery-redis');

interface Case {
  name: string;
  argv: string[];
  /** When it must print this to count (a crash is not fast). */
  expect?: RegExp;
}

function cases(): Case[] {
  const node = process.execPath;
  const tsxTide = [node, join(REPO_ROOT, 'bin/tide.js')];
  const list: Case[] = [
    { name: 'node -e 0 (bare Node)', argv: [node, '-e', '0'] },
    { name: 'tide --version', argv: [node, dist, '--version'], expect: /^\d+\.\d+\.\d+/ },
    {
      name: 'tide validate examples/celery-redis',
      argv: [node, dist, 'validate', example],
      expect: /^valid: 3 file/,
    },
    { name: 'through tsx: tide --version', argv: [...tsxTide, '--version'] },
    { name: 'through tsx: tide validate', argv: [...tsxTide, 'validate', example] },
  ];
  const before = process.env.BENCH_BEFORE_DIST;
  if (before) {
    const main = join(before, 'cli/main.js');
    list.push(
      { name: 'before: tide --version', argv: [node, main, '--version'] },
      { name: 'before: tide validate', argv: [node, main, 'validate', example] },
    );
  }
  return list;
}

/** Wall milliseconds of one whole process; throws when it fails. */
function timeOnce(c: Case): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c.argv[0]!, c.argv.slice(1), { encoding: 'utf8', cwd: REPO_ROOT });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 || (c.expect && !c.expect.test(r.stdout)))
    throw new Error(`${c.name} failed (exit ${r.status}): ${r.stdout}${r.stderr}`);
  return ms;
}

/** Peak RSS in MB of one run, through GNU time when it is installed. */
function peakMb(c: Case): number | undefined {
  if (!existsSync('/usr/bin/time')) return undefined;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...c.argv], { encoding: 'utf8' });
  const kb = Number(r.stderr.trim().split('\n').pop());
  return Number.isFinite(kb) ? kb / 1024 : undefined;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function rssMb(pid: number | undefined): number {
  const m = pid ? /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8')) : null;
  return m ? Number(m[1]) / 1024 : NaN;
}

async function startups(): Promise<void> {
  const list = cases();
  const times = new Map<string, number[]>(list.map((c) => [c.name, []]));
  for (const c of list) timeOnce(c); // warm the file cache once
  for (let i = 0; i < RUNS; i++) for (const c of list) times.get(c.name)!.push(timeOnce(c));
  const bare = median(times.get(list[0]!.name)!);
  console.log(`\nWhole-process start, ${RUNS} runs each, interleaved (median / min wall ms)`);
  console.log('| command | median ms | min ms | x bare Node | peak RSS MB |');
  console.log('|---|---|---|---|---|');
  for (const c of list) {
    const t = times.get(c.name)!;
    const rss = peakMb(c);
    console.log(
      `| ${c.name} | ${median(t).toFixed(0)} | ${Math.min(...t).toFixed(0)} | ${(median(t) / bare).toFixed(2)} | ${rss?.toFixed(1) ?? '-'} |`,
    );
  }
}

async function workers(): Promise<void> {
  requirePythonCelery();
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'tide-bench-startup-'));
  try {
    writeFileSync(
      join(dir, 'tasks.mjs'),
      "export const tasks = { 'tasks.noop': async () => null };\n",
    );
    const proc = spawn(
      process.execPath,
      [dist, 'celery', 'worker', '--app', 'tasks.mjs', '--concurrency', '1'],
      { cwd: dir, env: { ...process.env, CELERY_BROKER_URL: redis.url }, stdio: 'pipe' },
    );
    let out = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const py = await startPythonWorker(redis, { node: 'bench-startup@localhost' });
    const deadline = Date.now() + 30_000;
    while (!out.includes(' ready: queues=')) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`worker: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const ready = { ts: rssMb(proc.pid), py: rssMb(py.proc.pid) };
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const idle = { ts: rssMb(proc.pid), py: rssMb(py.proc.pid) };
    console.log(`\nIdle Celery worker RSS (MB), same Redis, same run`);
    console.log(`| worker | when ready | after ${IDLE_S} s idle |`);
    console.log('|---|---|---|');
    console.log(
      `| tide celery worker (compiled, .mjs tasks, concurrency 1) | ${ready.ts.toFixed(1)} | ${idle.ts.toFixed(1)} |`,
    );
    console.log(
      `| Python Celery 5.2 -P solo (${PY}) | ${ready.py.toFixed(1)} | ${idle.py.toFixed(1)} |`,
    );
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
    await stopChild(py);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await redis.stop();
  }
}

async function main(): Promise<void> {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run npm run build first`);
  console.log(
    `Node ${process.version}; load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  await startups();
  await workers();
  console.log(
    `\nload average at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
