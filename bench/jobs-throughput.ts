/**
 * How fast a ScaledJob turns a backlog into started jobs (not a test).
 *   node --import tsx bench/jobs-throughput.ts [items=1000]
 * Starts FerretDB, runs one ScaledJob (mongodb trigger, queryValue 1, pollingInterval 1,
 * maxReplicaCount = items, no per-round cap) in tide's LocalRuntime, inserts `items` waiting
 * documents and times, from the moment the insert returned, the first and the last job start
 * (the OS confirmed the spawn). Each job runs `true`: the measure is starting, not working.
 *
 * Baselines, side by side:
 * - serial (measured): the same number of jobs started one after another on tide's job runner,
 *   each waiting for the previous one's spawn confirmation, as KEDA's loop creates Jobs one
 *   API call after another (the first-start delay of tide's run is added for the poll);
 * - the machine's floor (measured): the same number of `true` processes spawned back to back
 *   by a bare `node` (no application heap) and by `dash` (a few hundred KB). A fork copies the
 *   parent's page tables and write-protects its pages, so its cost grows with the parent's
 *   resident memory: tide's RSS during its run is printed beside;
 * - KEDA's client rate limit (computed): KEDA creates each Job with its own API request through
 *   client-go's token bucket, QPS 20 and burst 30 by default (operator flags --kube-api-qps /
 *   --kube-api-burst), so n creates take max(0, n − 30) / 20 s after the poll that sees the
 *   backlog; pod scheduling and container start come on top and are not counted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { MongoClient } from 'mongodb';
import { ManifestSource } from '../src/local/manifest-source.js';
import { LocalRuntime } from '../src/local/runtime.js';
import { JobRunner } from '../src/targets/local/job-runner.js';
import { startFerret } from '../test/support/peers.js';
import { waitFor } from '../test/support/wait-for.js';

const N = Number(process.argv[2] ?? 1000);
const KEDA_QPS = 20;
const KEDA_BURST = 30;

const manifest = (url: string) => `
apiVersion: v1
kind: Secret
metadata: { name: bench-mongo }
stringData: { connect: '${url}' }
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: { name: bench-mongo }
spec:
  secretTargetRef: [{ parameter: connectionString, name: bench-mongo, key: connect }]
---
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata: { name: bench-job }
spec:
  jobTargetRef:
    template:
      spec:
        containers: [{ name: noop, command: ['true'] }]
        restartPolicy: Never
  pollingInterval: 1
  maxReplicaCount: ${N}
  successfulJobsHistoryLimit: ${N}
  triggers:
    - type: mongodb
      metadata:
        dbName: bench
        collection: tasks
        query: '{"type":"mp4","state":"waiting"}'
        queryValue: '1'
      authenticationRef: { name: bench-mongo }
`;

/** Milliseconds for `cmd` to spawn N `true` processes back to back (each waited for its start). */
function floorRun(cmd: string, args: string[]): number {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000 });
  const ms = Number(/(\d+(?:\.\d+)?) ms/.exec(r.stdout)?.[1]);
  if (!Number.isFinite(ms)) throw new Error(`${cmd}: ${r.stderr || r.stdout}`);
  return ms;
}

const NODE_FLOOR = `
const { spawn } = require('node:child_process');
const n = ${N};
let started = 0;
const t0 = performance.now();
const next = () => {
  if (started === n) return console.log((performance.now() - t0).toFixed(1) + ' ms');
  const c = spawn('true', [], { detached: true, stdio: 'ignore' });
  c.once('spawn', () => { started++; next(); });
};
next();`;

const TRUE_BIN = existsSync('/bin/true') ? '/bin/true' : '/usr/bin/true';
const DASH_FLOOR = `t0=$(date +%s%N); i=0; while [ $i -lt ${N} ]; do ${TRUE_BIN} & i=$((i+1)); done; wait; echo $(( ($(date +%s%N) - t0) / 1000000 )) ms`;

async function tideRun(
  url: string,
): Promise<{ first: number; last: number; total: number; rssMiB: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tide-bench-jobs-'));
  writeFileSync(join(dir, 'bench.yaml'), manifest(`${url}bench`));
  const starts: number[] = [];
  // Job 'Started' events reach the logger at debug level; record when each one arrives.
  const logger = pino(
    { level: 'debug', base: undefined },
    {
      write(line: string) {
        if (line.includes('"reason":"Started"')) starts.push(performance.now());
      },
    },
  );
  const runtime = new LocalRuntime({ logDir: join(dir, 'logs'), logger });
  const mongo = await new MongoClient(url).connect();
  try {
    const loaded = await new ManifestSource([join(dir, 'bench.yaml')]).load();
    if (loaded.rejected.length) throw new Error(JSON.stringify(loaded.rejected));
    await runtime.apply(loaded.set);
    const docs = Array.from({ length: N }, (_, i) => ({
      type: 'mp4',
      state: 'waiting',
      createTimeStamp: String(Math.floor(Date.now() / 1000)),
      fileName: `clip ${i}`,
      endTimeStamp: '',
      uuid: `u-${i}`,
    }));
    // Insert out of sight, then rename: all N appear to the trigger at one instant (FerretDB
    // makes a big insertMany visible batch by batch, which polls would see half done).
    const db = mongo.db('bench');
    await db.collection('staging').insertMany(docs);
    const t0 = performance.now();
    await db.renameCollection('staging', 'tasks');
    let rss = 0;
    await waitFor(
      () => {
        rss = Math.max(rss, process.memoryUsage().rss);
        return starts.length >= N;
      },
      { timeoutMs: 300_000, intervalMs: 20, what: `${N} job starts` },
    );
    return {
      first: starts[0]! - t0,
      last: starts[N - 1]! - t0,
      total: starts.length,
      rssMiB: rss / 2 ** 20,
    };
  } finally {
    await runtime.stop();
    await mongo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * KEDA's serial creation on tide's own job runner: one job, wait for its spawn confirmation,
 * the next; same processes, process groups and log files as tide's run.
 */
async function serialRun(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tide-bench-serial-'));
  let started: (() => void) | undefined;
  const runner = new JobRunner({
    objectName: 'ScaledJob bench/serial',
    jobNamePrefix: 'serial',
    template: {
      makeJob: () => ({ command: ['true'], env: {} }),
      restartPolicy: 'Never',
      generation: 1,
    },
    logDir: dir,
    onEvent: (e) => {
      if (e.reason === 'Started') started?.();
    },
  });
  try {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const confirmed = new Promise<void>((r) => (started = r));
      runner.startJobs(1);
      await confirmed;
    }
    return performance.now() - t0;
  } finally {
    await runner.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ferret = await startFerret();
try {
  const tide = await tideRun(ferret.url);
  const serial = await serialRun();
  const nodeFloor = floorRun(process.execPath, ['-e', NODE_FLOOR]);
  const dashFloor = floorRun('dash', ['-c', DASH_FLOOR]);
  const kedaCreate = (Math.max(0, N - KEDA_BURST) / KEDA_QPS) * 1000;
  const spawnPhase = tide.last - tide.first;
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const rate = (ms: number) => `${ms > 0 ? Math.round((N / ms) * 1000) : '∞'} jobs/s`;
  console.log(`${N} waiting items, pollingInterval 1, per-round cap off (2 shared cores)`);
  console.log(
    `                                 items in -> first start  items in -> all started  start rate`,
  );
  console.log(
    `tide (one round, all at once)    ${fmt(tide.first).padEnd(23)}  ${fmt(tide.last).padEnd(23)}  ${rate(spawnPhase)} (${tide.total} starts seen; tide's RSS ${Math.round(tide.rssMiB)} MiB)`,
  );
  console.log(
    `serial, one after another       ${'(poll) + first spawn'.padEnd(23)}  ${`${fmt(tide.first)} + ${fmt(serial)}`.padEnd(23)}  ${rate(serial)}`,
  );
  console.log(
    `floor: bare node, one by one    ${'(poll) + first spawn'.padEnd(23)}  ${`${fmt(tide.first)} + ${fmt(nodeFloor)}`.padEnd(23)}  ${rate(nodeFloor)}`,
  );
  console.log(
    `floor: dash, one by one          ${'(poll) + first spawn'.padEnd(23)}  ${`${fmt(tide.first)} + ${fmt(dashFloor)}`.padEnd(23)}  ${rate(dashFloor)} (the OS's fork and exec)`,
  );
  console.log(
    `KEDA QPS 20 / burst 30, model    ${'(poll) + 1 create'.padEnd(23)}  ${`${fmt(tide.first)} + ${fmt(kedaCreate)}`.padEnd(23)}  ${rate(kedaCreate)} (API creates only, pods not started)`,
  );
} finally {
  await ferret.stop();
}
