/**
 * Inserts N waiting transcoding tasks shaped as the second source document shows:
 *   {"type":"mp4","state":"waiting","createTimeStamp":"1610332940","fileName":"World and peace",
 *    "endTimeStamp":"","uuid":"..."}
 * Usage: node --import tsx insert-tasks.ts [N=5]
 *   MONGO_URL (default mongodb://127.0.0.1:27017/test), MONGO_DB (default test),
 *   MONGO_COLLECTION (default test_collection)
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';

/** The document's task shape. */
export interface TranscodeTask {
  type: 'mp4';
  state: 'waiting' | 'running' | 'finished';
  createTimeStamp: string;
  fileName: string;
  endTimeStamp: string;
  uuid: string;
}

const TITLES = ['World and peace', 'Ocean tides', 'Night train', 'City lights', 'Mountain air'];

/** `n` waiting tasks; `createTimeStamp` is unix seconds as a string, as in the document. */
export function waitingTasks(n: number, now: Date = new Date()): TranscodeTask[] {
  const ts = String(Math.floor(now.getTime() / 1000));
  return Array.from({ length: n }, (_, i) => ({
    type: 'mp4',
    state: 'waiting',
    createTimeStamp: ts,
    fileName: `${TITLES[i % TITLES.length]} ${i + 1}`,
    endTimeStamp: '',
    uuid: randomUUID(),
  }));
}

/** Inserts `n` waiting tasks into `db.collection` at `url`; returns them. */
export async function insertTasks(
  url: string,
  db: string,
  collection: string,
  n: number,
): Promise<TranscodeTask[]> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  try {
    const tasks = waitingTasks(n);
    // insertMany mutates its input with _id; hand it copies so the returned tasks stay plain.
    await client
      .db(db)
      .collection(collection)
      .insertMany(tasks.map((t) => ({ ...t })));
    return tasks;
  } finally {
    await client.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const n = Number(process.argv[2] ?? 5);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`insert-tasks: N must be a positive whole number, got ${process.argv[2]}`);
    process.exit(2);
  }
  const url = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017/test';
  const db = process.env.MONGO_DB ?? 'test';
  const coll = process.env.MONGO_COLLECTION ?? 'test_collection';
  const tasks = await insertTasks(url, db, coll, n);
  console.log(`inserted ${tasks.length} waiting task(s) into ${db}.${coll}`);
}
