import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poolKey, SharedConnectionPool } from './pool.js';

test('concurrent acquires of one key open once and share the client', async () => {
  const pool = new SharedConnectionPool();
  let opens = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const open = async () => {
    opens += 1;
    await gate;
    return { id: opens };
  };
  const a = pool.acquire('k', open, async () => {});
  const b = pool.acquire('k', open, async () => {});
  release();
  const [ca, cb] = await Promise.all([a, b]);
  assert.equal(opens, 1);
  assert.equal(pool.opened, 1);
  assert.equal(ca.client, cb.client);
});

test('closes the client only when the last borrower releases, and release is idempotent', async () => {
  const pool = new SharedConnectionPool();
  const closed: string[] = [];
  const a = await pool.acquire(
    'k',
    async () => 'c1',
    async (c) => void closed.push(c),
  );
  const b = await pool.acquire(
    'k',
    async () => 'c2',
    async (c) => void closed.push(c),
  );
  await a.release();
  await a.release();
  assert.deepEqual(closed, []);
  await b.release();
  assert.deepEqual(closed, ['c1']);
  const c = await pool.acquire(
    'k',
    async () => 'c3',
    async () => {},
  );
  assert.equal(c.client, 'c3');
  assert.equal(pool.opened, 2);
});

test('a failed open rejects every waiter and the next acquire opens again', async () => {
  const pool = new SharedConnectionPool();
  await assert.rejects(
    pool.acquire(
      'k',
      async () => Promise.reject(new Error('down')),
      async () => {},
    ),
    /down/,
  );
  assert.equal(pool.opened, 0, 'a failed open is not counted');
  const ok = await pool.acquire(
    'k',
    async () => 'up',
    async () => {},
  );
  assert.equal(ok.client, 'up');
  assert.equal(pool.opened, 1);
});

test('pool keys are hashes that never contain the password', () => {
  const k = poolKey('redis', '127.0.0.1:6379', 'user', 's3cr3t-password');
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.ok(!k.includes('s3cr3t'));
  assert.notEqual(k, poolKey('redis', '127.0.0.1:6379', 'user', 'other'));
  assert.equal(k, poolKey('redis', '127.0.0.1:6379', 'user', 's3cr3t-password'));
});
