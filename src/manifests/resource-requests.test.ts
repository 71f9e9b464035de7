import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseObject } from './parse-object.js';
import type { Container, ScaledObject } from './types.js';
import {
  checkedTargetResource,
  limitRangeDefaults,
  missingRequestIssues,
} from './resource-requests.js';

function scaledObject(triggers: unknown[], ref: Record<string, string> = {}): ScaledObject {
  const r = parseObject(
    {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'so', namespace: 'ns' },
      spec: { scaleTargetRef: { name: 'web', ...ref }, minReplicaCount: 1, triggers },
    },
    { file: 'test' },
  );
  assert.equal(r.status, 'object');
  return (r as { object: ScaledObject }).object;
}

const cpu = (metadata: Record<string, string> = { value: '50' }) => ({
  type: 'cpu',
  metricType: 'Utilization',
  metadata,
});
const c = (
  name: string,
  requests?: Record<string, string>,
  limits?: Record<string, string>,
): Container => ({
  name,
  resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) },
});

const cases: {
  name: string;
  so: ScaledObject;
  containers: Container[];
  defaults?: ('cpu' | 'memory')[];
  want: string[];
}[] = [
  {
    name: 'a request is enough',
    so: scaledObject([cpu()]),
    containers: [c('a', { cpu: '100m' })],
    want: [],
  },
  {
    name: 'a limit is enough (the API server defaults the request to it)',
    so: scaledObject([cpu()]),
    containers: [c('a', undefined, { cpu: '1' })],
    want: [],
  },
  {
    name: 'no request: KEDA’s message, on the trigger',
    so: scaledObject([cpu()]),
    containers: [c('a', { cpu: '100m' }), c('sidecar', { memory: '10Mi' })],
    want: [
      "spec.triggers[0]: the scaledobject has a cpu trigger but the container sidecar doesn't have the cpu request defined",
    ],
  },
  {
    name: 'a request of 0 counts as none',
    so: scaledObject([cpu()]),
    containers: [c('a', { cpu: '0' })],
    want: [
      "spec.triggers[0]: the scaledobject has a cpu trigger but the container a doesn't have the cpu request defined",
    ],
  },
  {
    name: 'containerName: only that container counts',
    so: scaledObject([cpu({ value: '50', containerName: 'a' })]),
    containers: [c('a', { cpu: '1' }), c('b')],
    want: [],
  },
  {
    name: 'a LimitRange default covers every container',
    so: scaledObject([cpu()]),
    containers: [c('a')],
    defaults: ['cpu'],
    want: [],
  },
  {
    name: 'memory is checked on its own',
    so: scaledObject([
      cpu(),
      { type: 'memory', metricType: 'AverageValue', metadata: { value: '64Mi' } },
    ]),
    containers: [c('a', { cpu: '1' })],
    want: [
      "spec.triggers[1]: the scaledobject has a memory trigger but the container a doesn't have the memory request defined",
    ],
  },
];
for (const x of cases)
  test(`cpu/memory requests: ${x.name}`, () => {
    const got = missingRequestIssues(x.so, x.containers, new Set(x.defaults ?? []));
    assert.deepEqual(
      got.map((i) => `${i.path}: ${i.message}`),
      x.want,
    );
  });

test('LimitRange defaults count only for type Container and above 0', () => {
  const got = limitRangeDefaults([
    { spec: { limits: [{ type: 'Pod', default: { cpu: '1' } }] } },
    {
      spec: {
        limits: [{ type: 'Container', defaultRequest: { cpu: '0' }, default: { memory: '1Gi' } }],
      },
    },
  ]);
  assert.deepEqual([...got], ['memory']);
});

test('only apps/v1 Deployments and StatefulSets are read (KEDA skips other kinds)', () => {
  assert.equal(checkedTargetResource(scaledObject([cpu()])), 'deployments');
  assert.equal(
    checkedTargetResource(scaledObject([cpu()], { kind: 'StatefulSet' })),
    'statefulsets',
  );
  assert.equal(
    checkedTargetResource(
      scaledObject([cpu()], { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' }),
    ),
    undefined,
  );
});
