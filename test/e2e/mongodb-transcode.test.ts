/**
 * The second source document end to end: `tide up` on examples/mongodb-transcode against a
 * real MongoDB-wire server (FerretDB). 5 waiting tasks start exactly 5 jobs in one round, every
 * task ends `finished`, and with successfulJobsHistoryLimit 0 no finished job (nor its log) is
 * left. Two more ScaledJobs in the same `tide up`: tide's per-round and total job caps over 20
 * tasks, and a job that always fails (backoffLimit 1) kept in failed history up to its limit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { insertTasks } from '../../examples/mongodb-transcode/insert-tasks.js';
import type { JobStatus, ObjectStatus } from '../../src/scheduler/status.js';
import { startFerret, type FerretServer } from '../support/peers.js';
import { repoRoot, startTideUp, type TideUp } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';

const exampleDir = join(repoRoot, 'examples/mongodb-transcode');
const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
let ferret: FerretServer;
let mongo: MongoClient;
let dir: string;
let tide: TideUp;

/** Everything seen of one ScaledJob across status polls: jobs by name, rounds by time. */
interface Seen {
  jobs: Map<string, JobStatus>;
  rounds: Map<string, number>;
  maxUnfinished: number;
  last?: ObjectStatus;
}
const seen = new Map<string, Seen>();

/** Reads `tide status` once and records every ScaledJob's jobs and last round. */
async function observe(): Promise<void> {
  for (const o of (await tide.status()).objects) {
    if (o.kind !== 'ScaledJob') continue;
    let s = seen.get(o.name);
    if (!s) seen.set(o.name, (s = { jobs: new Map(), rounds: new Map(), maxUnfinished: 0 }));
    s.last = o;
    for (const j of o.jobs ?? []) s.jobs.set(j.name, j);
    if (o.lastRoundAt) s.rounds.set(o.lastRoundAt, o.jobsCreated ?? 0);
    const unfinished = (o.jobs ?? []).filter((j) => j.state === 'Pending' || j.state === 'Running');
    s.maxUnfinished = Math.max(s.maxUnfinished, unfinished.length);
  }
}
const of = (name: string): Seen => {
  const s = seen.get(name);
  assert.ok(s, `ScaledJob ${name} is in tide status`);
  return s;
};

/** Waits for `cond`, observing the status at every check. */
function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 120_000) {
  return waitFor(
    async () => {
      await observe();
      return cond();
    },
    { timeoutMs, intervalMs: 100, what },
  );
}

/** Jobs grouped by the round that started them: a round starts all its jobs in one call. */
function startGroups(jobs: JobStatus[]): number[] {
  const times = jobs.map((j) => Date.parse(j.startTime ?? '')).sort((a, b) => a - b);
  const groups: number[] = [];
  let prev = -Infinity;
  for (const t of times) {
    if (t - prev > 250) groups.push(1);
    else groups[groups.length - 1]! += 1;
    prev = t;
  }
  return groups;
}

/** Most jobs unfinished at once, from their start and completion times. */
function maxOverlap(jobs: JobStatus[]): number {
  let best = 0;
  for (const j of jobs) {
    const t = Date.parse(j.startTime ?? '');
    const alive = jobs.filter(
      (k) =>
        Date.parse(k.startTime ?? '') <= t &&
        (!k.completionTime || Date.parse(k.completionTime) > t),
    ).length;
    best = Math.max(best, alive);
  }
  return best;
}

const tasks = (coll: string) => mongo.db('test').collection(coll);
const countState = (coll: string, state: string) => tasks(coll).countDocuments({ state });

const extraJobs = (url: string) => `
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata:
  name: capped-job
  annotations:
    autoscaling.tide.dev/max-jobs-per-round: "4"
    autoscaling.tide.dev/max-running-jobs: "6"
spec:
  jobTargetRef:
    template:
      spec:
        containers:
          - name: transcode
            workingDir: ${JSON.stringify(exampleDir)}
            command: ['node', '--import', 'tsx', 'transcode-job.ts']
            args: ['--connectStr=${url}', '--dataBase=test', '--collection=capped_collection']
            env:
              - { name: TRANSCODE_SECONDS, value: '1' }
              - name: JOB_NAME
                valueFrom: { fieldRef: { fieldPath: metadata.name } }
        restartPolicy: Never
    backoffLimit: 1
  pollingInterval: 1
  maxReplicaCount: 10
  successfulJobsHistoryLimit: 100
  triggers:
    - type: mongodb
      metadata:
        dbName: test
        collection: capped_collection
        query: '{"type":"mp4","state":"waiting"}'
        queryValue: '1'
      authenticationRef: { name: mongodb-trigger }
---
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata:
  name: failing-job
spec:
  jobTargetRef:
    template:
      spec:
        containers:
          - name: fail
            command: ['sh', '-c', 'echo "transcoder crashed on purpose" >&2; exit 1']
        restartPolicy: Never
    backoffLimit: 1
  pollingInterval: 1
  maxReplicaCount: 3
  failedJobsHistoryLimit: 2
  triggers:
    - type: mongodb
      metadata:
        dbName: test
        collection: failing_collection
        query: '{"type":"mp4","state":"waiting"}'
        queryValue: '1'
      authenticationRef: { name: mongodb-trigger }
`;

before(async () => {
  ferret = await startFerret();
  const url = `${ferret.url}test`;
  mongo = await new MongoClient(url).connect();
  dir = mkdtempSync(join(tmpdir(), 'tide-e2e-mongo-'));
  const auth = readFileSync(join(exampleDir, 'auth.yaml'), 'utf8');
  assert.ok(auth.includes('mongodb://127.0.0.1:27017/test'), 'the example Secret as documented');
  writeFileSync(join(dir, 'auth.yaml'), auth.replace('mongodb://127.0.0.1:27017/test', url));
  const sj = readFileSync(join(exampleDir, 'scaledjob.yaml'), 'utf8');
  const command = "command: ['node', '--import', 'tsx', 'transcode-job.ts']";
  for (const s of [command, 'pollingInterval: 15', 'env:\n'])
    assert.ok(sj.includes(s), `example scaledjob.yaml has ${JSON.stringify(s)}`);
  writeFileSync(
    join(dir, 'scaledjob.yaml'),
    sj
      // Run from the temp folder, the job program and tsx are found through workingDir.
      .replace(command, `workingDir: ${JSON.stringify(exampleDir)}\n            ${command}`)
      .replace('pollingInterval: 15', 'pollingInterval: 1')
      .replace('env:\n', "env:\n              - { name: TRANSCODE_SECONDS, value: '0.5' }\n"),
  );
  writeFileSync(join(dir, 'more.yaml'), extraJobs(url));
  tide = await startTideUp(dir, ['auth.yaml', 'scaledjob.yaml', 'more.yaml', '--plain']);
});

after(async () => {
  const code = await tide?.stop();
  if (code !== 0) console.error(`tide up exited ${code}:\n${tide?.output().slice(-4000)}`);
  await mongo?.close();
  await ferret?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('5 waiting tasks start exactly 5 jobs in one round, all end finished, and no finished job is left', async () => {
  await until('the first round of mongodb-job', () => of('mongodb-job').rounds.size > 0, 30_000);
  await insertTasks(`${ferret.url}test`, 'test', 'test_collection', 5);
  await until(
    'all 5 tasks finished',
    async () => (await countState('test_collection', 'finished')) === 5,
  );
  await until('no job of mongodb-job listed', () => of('mongodb-job').last?.jobs?.length === 0);
  // Two more rounds with nothing waiting must start nothing more.
  const roundsNow = of('mongodb-job').rounds.size;
  await until('two more rounds', () => of('mongodb-job').rounds.size >= roundsNow + 2, 30_000);

  const s = of('mongodb-job');
  const jobs = [...s.jobs.values()];
  assert.equal(jobs.length, 5, `exactly 5 jobs: ${jobs.map((j) => j.name).join(', ')}`);
  assert.deepEqual(startGroups(jobs), [5], 'all 5 started in one round');
  const started = [...s.rounds.values()].filter((n) => n > 0);
  assert.ok(
    started.every((n) => n === 5),
    `every round seen that started jobs started 5: ${started.join(', ')}`,
  );
  assert.equal(s.last?.jobs?.length, 0, 'successfulJobsHistoryLimit 0 keeps no finished job');
  const docs = await tasks('test_collection').find().toArray();
  assert.equal(docs.length, 5);
  for (const d of docs) {
    assert.equal(d.state, 'finished', `${d.fileName} finished`);
    assert.match(String(d.endTimeStamp), /^\d{10}$/, 'endTimeStamp is unix seconds');
    // With ffmpeg on PATH the job really transcodes a generated clip; without it, it simulates.
    if (hasFfmpeg)
      assert.match(String(d.output), /\.mp4, [1-9]\d* bytes$/, `${d.fileName} transcoded`);
    else assert.equal(d.output, 'simulated');
  }
  const byJob = new Set(docs.map((d) => String(d.job)));
  assert.deepEqual([...byJob].sort(), jobs.map((j) => j.name).sort(), 'one task per job');
  const logDir = join(dir, '.tide/logs/default/mongodb-job');
  const logs = existsSync(logDir) ? readdirSync(logDir).filter((f) => f.endsWith('.log')) : [];
  assert.deepEqual(logs, [], 'cleaned-up jobs leave no log file');
});

test('with max-jobs-per-round 4 and max-running-jobs 6, 20 tasks start at most 4 jobs a round and 6 at once', async () => {
  await insertTasks(`${ferret.url}test`, 'test', 'capped_collection', 20);
  await until(
    'all 20 capped tasks finished',
    async () => (await countState('capped_collection', 'finished')) === 20,
    240_000,
  );
  await until('every capped job finished', () =>
    (of('capped-job').last?.jobs ?? []).every((j) => j.state === 'Succeeded'),
  );
  const s = of('capped-job');
  const jobs = [...s.jobs.values()];
  const groups = startGroups(jobs);
  assert.ok(
    groups.every((n) => n <= 4),
    `per-round starts ${groups.join(', ')} are at most 4`,
  );
  assert.ok(groups.includes(4), `the per-round cap was reached: ${groups.join(', ')}`);
  assert.ok(groups.length >= 5, `20 tasks need at least 5 rounds, got ${groups.length}`);
  for (const [at, n] of s.rounds) assert.ok(n <= 4, `round at ${at} started ${n} jobs`);
  assert.ok(s.maxUnfinished <= 6, `at most 6 unfinished jobs seen, got ${s.maxUnfinished}`);
  assert.ok(maxOverlap(jobs) <= 6, `at most 6 jobs ran at once, got ${maxOverlap(jobs)}`);
  const docs = await tasks('capped_collection').find().toArray();
  const byJob = docs.map((d) => String(d.job));
  assert.equal(new Set(byJob).size, 20, 'every task was taken by a different job');
  for (const name of byJob) assert.ok(s.jobs.has(name), `${name} is a capped-job job`);
});

test('a job that always fails is retried backoffLimit times, then kept in failed history up to the limit', async () => {
  await insertTasks(`${ferret.url}test`, 'test', 'failing_collection', 3);
  const failed = () => [...of('failing-job').jobs.values()].filter((j) => j.state === 'Failed');
  await until('3 jobs failed', () => failed().length >= 3, 120_000);
  for (const j of failed()) {
    assert.equal(j.attempts, 2, `${j.name}: backoffLimit 1 with Never = 2 attempts`);
    assert.equal(j.reason, 'BackoffLimitExceeded', j.name);
    assert.equal(j.exitCode, 1, j.name);
  }
  const listedFailed = () =>
    (of('failing-job').last?.jobs ?? []).filter((j) => j.state === 'Failed');
  await until('failed history trimmed to 2', () => listedFailed().length === 2, 30_000);
  const listed = listedFailed();
  const gone = failed().filter((j) => !listed.some((l) => l.name === j.name));
  assert.ok(gone.length >= 1, 'a failed job beyond the limit was removed');
  const kept = Math.min(...listed.map((j) => Date.parse(j.completionTime ?? '')));
  for (const j of gone)
    assert.ok(Date.parse(j.completionTime ?? '') <= kept, `${j.name} removed as one of the oldest`);
  const logDir = join(dir, '.tide/logs/default/failing-job');
  // The record goes first, then its log file: wait for the file.
  await until("the removed jobs' logs deleted", () =>
    gone.every((j) => !existsSync(join(logDir, `${j.name}.log`))),
  );
  for (const j of listed)
    assert.ok(existsSync(join(logDir, `${j.name}.log`)), `${j.name} keeps its log`);
  assert.equal(await countState('failing_collection', 'waiting'), 3, 'no task was taken');
});
