/**
 * The second source document's story in one command, from the repository root:
 *   node --import tsx examples/mongodb-transcode/story.ts
 * Starts FerretDB on 127.0.0.1:27017 unless something already answers there, runs
 * `tide up examples/mongodb-transcode`, inserts 5 waiting tasks, and checks each step: 5 jobs
 * start in one round, every task ends `finished`, no finished job is left listed (history
 * limit 0). Exits 0 when every step held. The document's pollingInterval is 15 s, so a run
 * takes about half a minute.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { queryControl } from '../../src/local/control.js';
import { stateDir } from '../../src/local/state-dir.js';
import type { JobStatus, TideStatus } from '../../src/scheduler/status.js';
import { insertTasks } from './insert-tasks.js';

const root = resolve(import.meta.dirname, '../..');
const URL = 'mongodb://127.0.0.1:27017/test';
const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];
let mongo: MongoClient | undefined;

const say = (s: string) => console.log(`\n== ${s}`);
const answers = (port: number) =>
  new Promise<boolean>((ok) => {
    const s = connect(port, '127.0.0.1', () => (s.destroy(), ok(true)));
    s.once('error', () => ok(false));
  });

/** Polls `cond` every 250 ms until it holds or `seconds` pass. */
async function until(what: string, seconds: number, cond: () => Promise<boolean>) {
  const end = Date.now() + seconds * 1000;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > end) throw new Error(`gave up after ${seconds} s waiting for ${what}`);
    await sleep(250);
  }
}

function startFerretDb(): void {
  const path = spawnSync(join(root, 'scripts/peers.sh'), ['path', 'ferretdb'], {
    encoding: 'utf8',
  }).stdout.trim();
  if (spawnSync('test', ['-x', path]).status !== 0) {
    say('building FerretDB (scripts/peers.sh build ferretdb)');
    spawnSync(join(root, 'scripts/peers.sh'), ['build', 'ferretdb'], { stdio: 'inherit' });
  }
  const dir = mkdtempSync(join(tmpdir(), 'tide-story-ferret-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${dir}/`,
    `--state-dir=${dir}`,
    '--listen-addr=127.0.0.1:27017',
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=error',
  ];
  children.push(spawn(path, args, { stdio: 'inherit' }));
}

async function story(): Promise<void> {
  if (await answers(27017)) say('a MongoDB-wire server already answers on 127.0.0.1:27017');
  else {
    say('starting FerretDB on 127.0.0.1:27017');
    startFerretDb();
    await until('FerretDB', 20, () => answers(27017));
  }
  mongo = await new MongoClient(URL, { serverSelectionTimeoutMS: 10_000 }).connect();
  const tasks = mongo.db('test').collection('test_collection');
  const before = await tasks.countDocuments({ type: 'mp4', state: 'waiting' });
  if (before > 0) console.log(`note: ${before} task(s) were already waiting; they count too`);

  say('tide up examples/mongodb-transcode');
  const tide = spawn(
    process.execPath,
    ['bin/tide.js', 'up', 'examples/mongodb-transcode', '--plain'],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  children.push(tide);
  let status: TideStatus | undefined;
  const sj = async () => {
    status = (await queryControl(stateDir(root).controlSocket, '/status')) as TideStatus;
    return status.objects.find((o) => o.kind === 'ScaledJob' && o.name === 'mongodb-job');
  };
  await until('tide up to answer and poll once', 30, async () => !!(await sj())?.lastRoundAt);

  say('inserting 5 waiting tasks');
  const mine = await insertTasks(URL, 'test', 'test_collection', 5);
  const uuids = mine.map((t) => t.uuid);
  const seen = new Map<string, JobStatus>();
  const rounds = new Map<string, number>();
  const observe = async () => {
    const o = await sj();
    for (const j of o?.jobs ?? []) seen.set(j.name, j);
    if (o?.lastRoundAt) rounds.set(o.lastRoundAt, o.jobsCreated ?? 0);
    return o;
  };
  await until('every task finished', 120, async () => {
    await observe();
    return (await tasks.countDocuments({ uuid: { $in: uuids }, state: 'finished' })) === 5;
  });
  await until(
    'the finished jobs to be cleaned up',
    60,
    async () => (await observe())?.jobs?.length === 0,
  );

  const started = [...rounds.values()].filter((n) => n > 0);
  const checks: [string, boolean][] = [
    [
      `jobs started per round: ${started.join(', ')} (want 5 in one round)`,
      started.join() === String(5 + before),
    ],
    [`${seen.size} job(s) ran: ${[...seen.keys()].join(', ')}`, seen.size === 5 + before],
    [
      'every task is finished with an endTimeStamp',
      (await tasks.countDocuments({
        uuid: { $in: uuids },
        state: 'finished',
        endTimeStamp: { $ne: '' },
      })) === 5,
    ],
    [
      'no finished job is left listed (successfulJobsHistoryLimit 0)',
      (await observe())?.jobs?.length === 0,
    ],
  ];
  say('the story, step by step');
  for (const [what, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  for (const d of await tasks.find({ uuid: { $in: uuids } }).toArray())
    console.log(
      `     ${String(d.fileName)}: ${String(d.state)} by ${String(d.job)} at ${String(d.endTimeStamp)}`,
    );
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
}

try {
  await story();
} catch (e) {
  console.error(`story: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  await mongo?.close(); // before its server goes
  for (const c of children.reverse()) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const done = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await done;
  }
  for (const f of cleanups) f();
}
