import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MongoClient, MongoServerError } from 'mongodb';
import { startFerret, type FerretServer } from '../../support/peers.js';

let server: FerretServer;
let client: MongoClient;

before(async () => {
  server = await startFerret();
  client = new MongoClient(server.url, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
});
after(async () => {
  await client?.close();
  await server?.stop();
});

test('the FerretDB peer stores documents and counts them with a filter', async () => {
  const col = client.db('peers').collection(`jobs_${process.pid}_${Date.now()}`);
  await col.insertMany([
    { state: 'waiting', n: 1 },
    { state: 'waiting', n: 2 },
    { state: 'done', n: 3 },
  ]);
  assert.equal(await col.countDocuments({ state: 'waiting' }), 2);
  assert.equal(await col.countDocuments({ n: { $gte: 2 } }), 2);
  assert.equal(await col.countDocuments({}), 3);
});

// The mongodb scaler's watch() must fall back to polling on this server: FerretDB v1 answers
// a change stream with NotImplemented instead of hanging.
test('the FerretDB peer refuses change streams with NotImplemented', async () => {
  const col = client.db('peers').collection(`watch_${process.pid}_${Date.now()}`);
  await col.insertOne({ state: 'waiting' });
  const stream = col.watch();
  try {
    await assert.rejects(
      stream.next(),
      (e: unknown) => e instanceof MongoServerError && e.code === 238,
    );
  } finally {
    await stream.close();
  }
});
