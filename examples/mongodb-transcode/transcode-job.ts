/**
 * The transcoding Job of the second source document: claims ONE waiting task, transcodes it,
 * marks it `finished` with its `endTimeStamp`, and exits.
 *   --connectStr=<mongodb URL>  --dataBase=<db>  --collection=<collection>   (the container args)
 *   JOB_NAME            this job's name (tide sets it from metadata.name through fieldRef)
 *   TRANSCODE_SECONDS   simulated work when ffmpeg is missing (default 2)
 * Exit 0: transcoded one task, or nothing was left to claim. Non-zero: an error.
 *
 * The claim is atomic on every MongoDB-wire server: the job first inserts `{_id: <task _id>}`
 * into `<collection>_claims`, where `_id` is unique, so exactly one job wins each task; only the
 * winner then flips the task `waiting` -> `running` with findOneAndUpdate. A bare
 * findOneAndUpdate is atomic on MongoDB itself, but FerretDB v1 (the local server) runs it as
 * read-then-write-by-_id (handler/msg_findandmodify.go), so two jobs starting together could
 * both read the same waiting task and both take it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { MongoClient, MongoServerError, type Document, type ObjectId } from 'mongodb';

const { values } = parseArgs({
  options: {
    connectStr: { type: 'string' },
    dataBase: { type: 'string' },
    collection: { type: 'string' },
  },
});
const { connectStr, dataBase, collection } = values;
if (!connectStr || !dataBase || !collection) {
  console.error(
    'usage: transcode-job --connectStr=<mongodb URL> --dataBase=<db> --collection=<name>',
  );
  process.exit(2);
}
const me = process.env.JOB_NAME ?? `job-${process.pid}`;
const FILTER = { type: 'mp4', state: 'waiting' } as const;
/** Enough for a burst of jobs racing for the same first tasks; each lost race skips one task. */
const MAX_CLAIM_TRIES = 200;

const client = new MongoClient(connectStr, { serverSelectionTimeoutMS: 10_000 });

/** Claims one waiting task for this job, or returns undefined when none is left. */
async function claim(): Promise<Document | undefined> {
  const tasks = client.db(dataBase).collection(collection!);
  const claims = client.db(dataBase).collection(`${collection}_claims`);
  const lost: unknown[] = [];
  const filter = (): Document => (lost.length ? { ...FILTER, _id: { $nin: lost } } : FILTER);
  for (let i = 0; i < MAX_CLAIM_TRIES; i++) {
    const candidate = await tasks.findOne(filter(), {
      sort: { createTimeStamp: 1, _id: 1 },
      projection: { _id: 1 },
    });
    if (!candidate) return undefined;
    try {
      await claims.insertOne({ _id: candidate._id, job: me, at: new Date() });
    } catch (e) {
      // E11000: another job claimed this task first; try the next one.
      if (e instanceof MongoServerError && e.code === 11000) {
        lost.push(candidate._id);
        continue;
      }
      throw e;
    }
    const task = await tasks.findOneAndUpdate(
      { _id: candidate._id, state: 'waiting' },
      { $set: { state: 'running', job: me } },
      { returnDocument: 'after' },
    );
    if (task) return task;
    lost.push(candidate._id); // changed by someone else (e.g. by hand) since we read it
  }
  throw new Error(`could not claim a task in ${MAX_CLAIM_TRIES} tries`);
}

function hasFfmpeg(): boolean {
  return spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
}

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr || r.error}`);
}

/** Real work when ffmpeg is there: a 1-second test clip named after the task, transcoded to mp4. */
async function transcode(fileName: string): Promise<string> {
  if (!hasFfmpeg()) {
    const secs = Number(process.env.TRANSCODE_SECONDS ?? 2);
    console.log(`${me}: ffmpeg is not on PATH, simulating ${secs} s of transcoding`);
    await sleep(secs * 1000);
    return 'simulated';
  }
  const dir = mkdtempSync(join(tmpdir(), 'transcode-'));
  try {
    const base = fileName.replace(/[^\w.-]+/g, '_') || 'clip';
    const src = join(dir, `${base}.mkv`);
    const out = join(dir, `${base}.mp4`);
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=duration=1:size=320x240:rate=25', '-c:v', 'ffv1', src]);
    try {
      ffmpeg(['-i', src, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out]);
    } catch {
      ffmpeg(['-i', src, '-c:v', 'mpeg4', out]); // an ffmpeg built without libx264
    }
    return `${base}.mp4, ${statSync(out).size} bytes`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await client.connect();
  const task = await claim();
  if (!task) {
    console.log(`${me}: no waiting task left to claim, nothing to do`);
  } else {
    const fileName = String(task.fileName ?? task._id);
    console.log(`${me}: claimed "${fileName}" (uuid ${String(task.uuid)}), transcoding`);
    const result = await transcode(fileName);
    await client
      .db(dataBase)
      .collection(collection)
      .updateOne(
        { _id: task._id as ObjectId },
        {
          $set: {
            state: 'finished',
            endTimeStamp: String(Math.floor(Date.now() / 1000)),
            output: result,
          },
        },
      );
    console.log(`${me}: finished "${fileName}" (${result})`);
  }
} catch (e) {
  console.error(`${me}: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  await client.close();
}
