import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeClient } from '../targets/kubernetes/kube-client.js';
import { KubeApiError, requestKind } from '../targets/kubernetes/kube-client.js';
import { parsePath, replicaPaths, scaleOf } from './replica-paths.js';

const worker = { group: 'bench.tide.dev', version: 'v1', kind: 'Worker', resource: 'workers' };

function crdClient(answer: unknown): { client: KubeClient; paths: string[] } {
  const paths: string[] = [];
  const client = {
    find: (path: string) => {
      paths.push(path);
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  } as unknown as KubeClient;
  return { client, paths };
}

test('built-in workloads keep replicas in .spec/.status.replicas without asking the API', async () => {
  const { client, paths } = crdClient(undefined);
  const p = await replicaPaths(client, {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    resource: 'deployments',
  });
  assert.deepEqual(p, { spec: ['spec', 'replicas'], status: ['status', 'replicas'] });
  assert.deepEqual(paths, []);
});

test("a custom kind's replica paths come from its CRD's scale subresource, for the served version", async () => {
  const { client, paths } = crdClient({
    spec: {
      versions: [
        { name: 'v1alpha1', subresources: { scale: { specReplicasPath: '.spec.old' } } },
        {
          name: 'v1',
          subresources: {
            scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.count' },
          },
        },
      ],
    },
  });
  assert.deepEqual(await replicaPaths(client, worker), {
    spec: ['spec', 'size'],
    status: ['status', 'count'],
  });
  assert.deepEqual(paths, [
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/workers.bench.tide.dev',
  ]);
});

test('unknown replica paths (CRD forbidden, missing, or without scale) leave the caller to read /scale', async () => {
  const forbidden = crdClient(new KubeApiError(403, 'Forbidden', 'forbidden'));
  assert.equal(await replicaPaths(forbidden.client, worker), undefined);
  assert.equal(await replicaPaths(crdClient(undefined).client, worker), undefined);
  assert.equal(
    await replicaPaths(crdClient({ spec: { versions: [{ name: 'v1' }] } }).client, worker),
    undefined,
  );
  // A core kind that is not a built-in workload has no CRD.
  assert.equal(
    await replicaPaths(crdClient(undefined).client, {
      group: '',
      version: 'v1',
      kind: 'Pod',
      resource: 'pods',
    }),
    undefined,
  );
});

test('parsePath takes plain dotted paths only', () => {
  assert.deepEqual(parsePath('.spec.replicas'), ['spec', 'replicas']);
  assert.equal(parsePath('spec.replicas'), undefined);
  assert.equal(parsePath('.spec.items[0].replicas'), undefined);
  assert.equal(parsePath(undefined), undefined);
});

test('scaleOf answers as /scale would: the parent resourceVersion, 0 replicas left out', () => {
  const paths = { spec: ['spec', 'replicas'], status: ['status', 'replicas'] };
  assert.deepEqual(
    scaleOf(
      {
        metadata: { resourceVersion: '42' },
        spec: { replicas: 3 },
        status: { replicas: 2 },
      } as never,
      paths,
    ),
    { metadata: { resourceVersion: '42' }, spec: { replicas: 3 }, status: { replicas: 2 } },
  );
  assert.deepEqual(
    scaleOf({ metadata: { resourceVersion: '7' }, spec: { replicas: 0 } } as never, paths),
    { metadata: { resourceVersion: '7' }, spec: {}, status: {} },
  );
  // A non-number (a string, a missing parent) reads as unset.
  assert.deepEqual(scaleOf({ spec: { replicas: '3' } } as never, paths).spec, {});
});

test('requestKind names verb and resource without names or namespaces', () => {
  assert.equal(
    requestKind('GET', '/apis/bench.tide.dev/v1/namespaces/b/workers/w1/scale'),
    'GET workers/scale',
  );
  assert.equal(
    requestKind('GET', '/apis/keda.sh/v1alpha1/namespaces/b/scaledobjects?limit=500'),
    'LIST scaledobjects',
  );
  assert.equal(
    requestKind('GET', '/apis/apps/v1/namespaces/b/deployments?watch=1&resourceVersion=3'),
    'WATCH deployments',
  );
  assert.equal(
    requestKind('PATCH', '/apis/keda.sh/v1alpha1/namespaces/b/scaledobjects/so1/status'),
    'PATCH scaledobjects/status',
  );
  assert.equal(requestKind('POST', '/api/v1/namespaces/b/events'), 'POST events');
  assert.equal(requestKind('GET', '/api/v1/namespaces/b'), 'GET namespaces');
  assert.equal(requestKind('GET', '/apis/keda.sh/v1alpha1/scaledobjects'), 'LIST scaledobjects');
});
