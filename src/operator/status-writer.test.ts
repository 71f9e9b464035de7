import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { KubeClient } from '../targets/kubernetes/kube-client.js';
import { StatusWriter } from './status-writer.js';

function fakeClient() {
  const calls: { path: string; body: unknown }[] = [];
  const client = {
    patch: (path: string, body: unknown) => {
      calls.push({ path, body });
      return Promise.resolve({});
    },
  } as unknown as KubeClient;
  return { client, calls };
}

const obj = (status?: unknown) => ({
  kind: 'ScaledObject',
  metadata: { name: 'so', namespace: 'ns' },
  ...(status ? { status } : {}),
});

test('status is written through /status only when it changes, whatever the key order', async () => {
  const { client, calls } = fakeClient();
  const w = new StatusWriter(client, pino({ level: 'silent' }));
  w.write(obj(), { a: 1, b: [1, 2] });
  await w.flush();
  w.write(obj(), { b: [1, 2], a: 1 });
  await w.flush();
  assert.equal(calls.length, 1);
  assert.equal(calls[0]?.path, '/apis/keda.sh/v1alpha1/namespaces/ns/scaledobjects/so/status');
  w.write(obj(), { a: 2, b: [1, 2] });
  await w.flush();
  assert.equal(calls.length, 2);
  assert.equal(w.writes, 2);
});

test('a status equal to what the object already carries is not rewritten (operator restart)', async () => {
  const { client, calls } = fakeClient();
  const w = new StatusWriter(client, pino({ level: 'silent' }));
  w.write(obj({ x: 1 }), { x: 1 });
  await w.flush();
  assert.equal(calls.length, 0);
});

test('writes asked while one is in flight coalesce into the newest', async () => {
  const { client, calls } = fakeClient();
  const w = new StatusWriter(client, pino({ level: 'silent' }));
  for (let i = 0; i < 5; i++) w.write(obj(), { n: i });
  await w.flush();
  assert.deepEqual(
    calls.map((c) => c.body),
    [{ status: { n: 0 } }, { status: { n: 4 } }],
  );
});

test('writeKeyed builds the status only when its key changes, and again after a failed write', async () => {
  let fail = false;
  const calls: unknown[] = [];
  const client = {
    patch: (_path: string, body: unknown) => {
      calls.push(body);
      return fail ? Promise.reject(new Error('apiserver down')) : Promise.resolve({});
    },
  } as unknown as KubeClient;
  const w = new StatusWriter(client, pino({ level: 'silent' }));
  let builds = 0;
  const build = (n: number) => () => {
    builds++;
    return { n };
  };
  const settled = w.settledCheck(obj());
  assert.equal(settled(), false, 'nothing asked yet');
  w.writeKeyed(obj(), 'k1', build(1));
  w.writeKeyed(obj(), 'k1', build(1));
  await w.flush();
  assert.equal(builds, 1, 'a repeated key does not build the status again');
  assert.equal(calls.length, 1);
  assert.equal(settled(), true);
  fail = true;
  w.writeKeyed(obj(), 'k2', build(2));
  await w.flush();
  assert.equal(calls.length, 2);
  assert.equal(settled(), false, 'a failed write is not settled (quiet rounds wait for it)');
  fail = false;
  w.writeKeyed(obj(), 'k2', build(2));
  await w.flush();
  assert.equal(builds, 3, 'after a failed write the same key builds again');
  assert.deepEqual(calls.at(-1), { status: { n: 2 } }, 'and the write is retried');
  w.write(obj(), { n: 9 });
  w.writeKeyed(obj(), 'k2', build(2));
  await w.flush();
  assert.deepEqual(calls.at(-1), { status: { n: 2 } }, 'a plain write in between forgets the key');
});
