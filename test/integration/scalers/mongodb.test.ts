/**
 * The `mongodb` trigger's I/O. There is no MongoDB server on this machine yet, so only the
 * "source down" path runs here: a closed port must give a ScalerError that keeps the password
 * (which is inside the built URI) out of the message. Reads and the contract suite come with a
 * server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScalerError } from '../../../src/errors.js';
import { mongodb } from '../../../src/scalers/mongodb.js';
import { Secret } from '../../../src/secret.js';
import { freePort, testContext } from './redis-servers.js';

test('a MongoDB that is down fails creation with a ScalerError without the password', async () => {
  const port = await freePort();
  const r = mongodb.parse({
    metadata: {
      host: '127.0.0.1',
      port: String(port),
      username: 'tide',
      dbName: 'app',
      collection: 'jobs',
      query: '{"status":"pending"}',
      queryValue: '5',
    },
    authParams: { password: new Secret('mongo-secret-pw') },
    resolvedEnv: {},
    triggerIndex: 0,
  });
  if (!r.ok) assert.fail(JSON.stringify(r.issues));
  await assert.rejects(mongodb.create(r.meta, testContext()), (e: unknown) => {
    assert.ok(e instanceof ScalerError, String(e));
    assert.match(e.message, /cannot connect to MongoDB database "app"/);
    assert.ok(!e.message.includes('mongo-secret-pw'), e.message);
    return true;
  });
});
