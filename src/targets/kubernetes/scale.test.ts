import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubeApiError, type KubeClient } from './kube-client.js';
import { KubeScaleTarget, resolveGvkr, scalePath } from './scale.js';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ns', name: 'web' };
const gvkr = { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments' };

function fakeClient(fail = false) {
  const patches: { path: string; body: unknown }[] = [];
  const client = {
    patch: (path: string, body: { spec: { replicas: number } }) => {
      patches.push({ path, body });
      return fail
        ? Promise.reject(new KubeApiError(404, 'NotFound', 'not found'))
        : Promise.resolve({ spec: { replicas: body.spec.replicas } });
    },
    get: () => Promise.resolve({ spec: {} }),
    find: (path: string) =>
      Promise.resolve(
        path === '/apis/example.com/v1'
          ? {
              resources: [
                { name: 'widgets', kind: 'Widget' },
                { name: 'widgets/scale', kind: 'Scale' },
              ],
            }
          : path === '/apis/example.com/v2'
            ? { resources: [{ name: 'gadgets', kind: 'Gadget' }] }
            : undefined,
      ),
  } as unknown as KubeClient;
  return { client, patches };
}

test('scaleTo writes spec.replicas through /scale once per change and reads 0 when Scale omits replicas', async () => {
  const { client, patches } = fakeClient();
  const t = new KubeScaleTarget({ client, ref, gvkr, initial: { spec: {} }, refreshMs: 60_000 });
  assert.equal(t.currentReplicas(), 0);
  t.scaleTo(3, 'queue grew');
  t.scaleTo(3, 'again');
  await t.settled();
  assert.deepEqual(patches, [
    { path: '/apis/apps/v1/namespaces/ns/deployments/web/scale', body: { spec: { replicas: 3 } } },
  ]);
  assert.equal(t.currentReplicas(), 3);
  await t.stop();
});

test('a failed write is reported and forgotten, so the next decision writes again', async () => {
  const { client, patches } = fakeClient(true);
  const errors: string[] = [];
  const t = new KubeScaleTarget({
    client,
    ref,
    gvkr,
    initial: { spec: { replicas: 1 } },
    refreshMs: 60_000,
    onError: (m) => errors.push(m),
  });
  t.scaleTo(2);
  await t.settled();
  assert.equal(t.currentReplicas(), 1);
  assert.deepEqual(errors, ["Deployment ns/web: Target resource doesn't exist"]);
  t.scaleTo(2);
  await t.settled();
  assert.equal(patches.length, 2);
  await t.stop();
});

const cases = [
  {
    name: 'a Deployment without discovery',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    want: 'deployments',
  },
  {
    name: 'a custom resource with /scale through discovery',
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    want: 'widgets',
  },
  {
    name: 'a custom resource without /scale',
    apiVersion: 'example.com/v2',
    kind: 'Gadget',
    error: /doesn't expose \/scale subresource/,
  },
  {
    name: 'an unknown kind',
    apiVersion: 'example.com/v3',
    kind: 'Nope',
    error: /Target resource doesn't exist/,
  },
];
for (const c of cases) {
  test(`resolveGvkr: ${c.name}`, async () => {
    const { client } = fakeClient();
    const r = { ...ref, apiVersion: c.apiVersion, kind: c.kind };
    if (c.error) await assert.rejects(resolveGvkr(client, r), c.error);
    else assert.equal((await resolveGvkr(client, r)).resource, c.want);
  });
}

test('scalePath builds core and group paths', () => {
  assert.equal(
    scalePath(
      {
        group: '',
        version: 'v1',
        kind: 'ReplicationController',
        resource: 'replicationcontrollers',
      },
      'a',
      'b',
    ),
    '/api/v1/namespaces/a/replicationcontrollers/b/scale',
  );
});

test('on subscribing, /scale is read again only when the watch holds a newer resourceVersion', async () => {
  for (const [watched, reads] of [
    ['5', 0],
    ['6', 1],
    ['', 1],
  ] as const) {
    let gets = 0;
    const client = {
      get: () => {
        gets++;
        return Promise.resolve({ metadata: { resourceVersion: '6' }, spec: { replicas: 4 } });
      },
    } as unknown as KubeClient;
    const t = new KubeScaleTarget({
      client,
      ref,
      gvkr,
      initial: { metadata: { resourceVersion: '5' }, spec: { replicas: 2 } },
      refreshMs: 60_000,
      changes: async (onChange) => {
        onChange(watched);
        return () => undefined;
      },
    });
    // The answers are resolved promises: one macrotask turn runs every continuation.
    await new Promise((r) => setImmediate(r));
    assert.equal(gets, reads, `watch at "${watched}"`);
    assert.equal(t.currentReplicas(), reads ? 4 : 2);
    await t.stop();
  }
});
