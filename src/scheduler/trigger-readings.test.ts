import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { pino } from 'pino';
import {
  deploymentDoc,
  load,
  scaledObjectDoc,
  secretAuthDoc,
  secretDoc,
} from '../manifests/test-manifests.js';
import type { ConnectionPool, PooledConnection } from '../scalers/core/types.js';
import { duration, TriggerReader } from './trigger-readings.js';

const PASSWORD = 'hunter2-very-secret';

/** A pool whose one "server" can be taken down: no socket, the scaler gets a stand-in client. */
function fakePool() {
  const server = { down: true };
  // An EventEmitter like ioredis's client: the scaler listens for 'ready' and 'close'.
  const client = Object.assign(new EventEmitter(), {
    status: 'ready',
    eval: async () => {
      if (server.down) throw new Error(`connect ECONNREFUSED (AUTH ${PASSWORD})`);
      return 3;
    },
  });
  const pool: ConnectionPool = {
    opened: 0,
    acquire: async <T>(): Promise<PooledConnection<T>> => {
      if (server.down) throw new Error(`connect ECONNREFUSED 127.0.0.1:6399 (AUTH ${PASSWORD})`);
      return { client: client as T, release: async () => undefined };
    },
  };
  return { server, pool };
}

function setup() {
  const { set } = load(
    scaledObjectDoc({
      triggers: [
        {
          type: 'redis',
          metadata: { address: '127.0.0.1:6399', listName: 'q', listLength: '5' },
          authenticationRef: { name: 'auth' },
        },
      ],
    }),
    deploymentDoc('worker'),
    secretDoc('pw', { password: PASSWORD }),
    secretAuthDoc('auth', 'password', 'pw', 'password'),
  );
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (l: string) => void lines.push(JSON.parse(l) as { level: number; msg: string }) },
  );
  const { server, pool } = fakePool();
  let now = 1_000_000;
  const owner = set.scaledObjects[0];
  assert.ok(owner);
  const reader = new TriggerReader({ owner, set, pool, logger, now: () => now, timeoutMs: 1000 });
  return { reader, server, lines, advance: (ms: number) => (now += ms) };
}

const signal = new AbortController().signal;

test('a failing trigger is logged once when it starts failing and once when it recovers', async () => {
  const { reader, server, lines, advance } = setup();
  for (let round = 1; round <= 4; round++) {
    const [r] = await reader.readAll(signal);
    assert.ok(r?.error, 'the reading carries the error');
    assert.equal(r.failedRounds, round);
    advance(15_000);
  }
  assert.equal(lines.length, 1, lines.map((l) => l.msg).join('\n'));
  assert.equal(lines[0]?.level, 40);
  assert.match(
    lines[0]?.msg ?? '',
    /^ScaledObject default\/so trigger 0 \(redis\): cannot connect to Redis at 127\.0\.0\.1:6399: connect ECONNREFUSED .*logged again when it recovers\)$/,
  );

  server.down = false;
  const [ok] = await reader.readAll(signal);
  assert.equal(ok?.error, undefined);
  assert.equal(ok?.failedRounds, undefined);
  assert.equal(lines.length, 2);
  assert.equal(lines[1]?.level, 30);
  assert.equal(
    lines[1]?.msg,
    'ScaledObject default/so trigger 0 (redis): recovered after 1 min (4 rounds failed)',
  );

  await reader.readAll(signal);
  assert.equal(lines.length, 2, 'nothing while it works');
  for (const l of lines) assert.ok(!l.msg.includes(PASSWORD), l.msg);
});

test('a trigger that fails after a good read keeps its metric name; one never built has none yet', async () => {
  const { reader, server } = setup();
  const [first] = await reader.readAll(signal);
  assert.deepEqual(
    first?.specs,
    [],
    'never built: no spec yet (status and metrics fall back to s0-redis)',
  );
  server.down = false;
  await reader.readAll(signal);
  server.down = true;
  const [later] = await reader.readAll(signal);
  assert.ok(later?.error);
  assert.deepEqual(
    later.specs.map((s) => s.name),
    ['s0-redis-q'],
  );
  assert.ok(!later.error.includes(PASSWORD), later.error);
});

const durations = [
  { ms: 4_400, want: '4 s' },
  { ms: 56_000, want: '56 s' },
  { ms: 60_000, want: '1 min' },
  { ms: 185_000, want: '3 min 5 s' },
  { ms: 7_440_000, want: '2 h 4 min' },
];
for (const c of durations)
  test(`a duration of ${c.ms} ms reads ${c.want}`, () => assert.equal(duration(c.ms), c.want));
