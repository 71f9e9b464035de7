import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addToSet, emptySet } from '../../manifests/load.js';
import { parseObject } from '../../manifests/parse-object.js';
import type { ManifestSet, ScaledObject, TideObject } from '../../manifests/types.js';
import { pendingReferences, triggerIndexOf } from './pending-refs.js';

function obj(doc: Record<string, unknown>): TideObject {
  const r = parseObject(doc, { file: 'test' });
  assert.equal(r.status, 'object', JSON.stringify(r.issues));
  return (r as { object: TideObject }).object;
}

const so = obj({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'so', namespace: 'ns' },
  spec: {
    scaleTargetRef: { name: 'web' },
    triggers: [
      { type: 'redis', metadata: { listName: 'q', addressFromEnv: 'REDIS' } },
      {
        type: 'redis',
        metadata: { listName: 'q', address: 'r:6379' },
        authenticationRef: { name: 'auth' },
      },
      { type: 'redis', metadata: { listName: 'q', address: 'r:6379' } },
    ],
  },
}) as ScaledObject;
const web = obj({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'w',
            env: [{ name: 'REDIS', valueFrom: { secretKeyRef: { name: 'env', key: 'k' } } }],
          },
        ],
      },
    },
  },
});
const auth = obj({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'TriggerAuthentication',
  metadata: { name: 'auth', namespace: 'ns' },
  spec: { secretTargetRef: [{ parameter: 'password', name: 'pw', key: 'p' }] },
});
const secret = (name: string) =>
  obj({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'ns' },
    stringData: { k: 'v', p: 'v' },
  });

function setOf(...objects: TideObject[]): ManifestSet {
  const s = emptySet();
  for (const o of [so, ...objects]) addToSet(s, o);
  return s;
}

test('nothing there yet: the target (for *FromEnv) and the TriggerAuthentication are pending', () => {
  assert.deepEqual(Object.fromEntries(pendingReferences(so, setOf(), 'keda')), {
    0: ['Deployment ns/web'],
    1: ['TriggerAuthentication ns/auth'],
  });
});

test('objects that exist but reference missing Secrets: those Secrets are pending', () => {
  assert.deepEqual(Object.fromEntries(pendingReferences(so, setOf(web, auth), 'keda')), {
    0: ['Secret ns/env'],
    1: ['Secret ns/pw'],
  });
});

test('everything there: nothing pending', () => {
  assert.equal(
    pendingReferences(so, setOf(web, auth, secret('env'), secret('pw')), 'keda').size,
    0,
  );
});

test('issue paths name their trigger', () => {
  assert.equal(triggerIndexOf('spec.triggers[12].metadata.x'), 12);
  assert.equal(triggerIndexOf('spec.triggers[0]'), 0);
  assert.equal(triggerIndexOf('spec.minReplicaCount'), undefined);
});
