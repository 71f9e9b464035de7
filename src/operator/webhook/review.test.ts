import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admittedKind, readReview, respond } from './review.js';

const review = (request: unknown) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request,
});
const so = { group: 'keda.sh', version: 'v1alpha1', kind: 'ScaledObject' };

test('reads the request of an admission.k8s.io/v1 AdmissionReview', () => {
  const r = readReview(review({ uid: 'u1', kind: so, operation: 'CREATE', object: {} }));
  assert.ok(r.ok);
  assert.equal(r.request.uid, 'u1');
  assert.equal(admittedKind(r.request), 'ScaledObject');
});

const bad: [string, unknown, RegExp][] = [
  ['not a review', { kind: 'Pod' }, /expected an AdmissionReview/],
  ['v1beta1', { ...review({}), apiVersion: 'admission.k8s.io/v1beta1' }, /admission\.k8s\.io\/v1/],
  ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /no request/],
];
for (const [name, body, want] of bad)
  test(`refuses a body that is ${name}`, () => {
    const r = readReview(body);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, want);
  });

test('kinds outside keda.sh are not validated', () => {
  const r = readReview(review({ uid: 'u', kind: { ...so, group: 'apps' }, operation: 'CREATE' }));
  assert.ok(r.ok);
  assert.equal(admittedKind(r.request), undefined);
});

test('a refusal is 403 Forbidden with every field path in the message and as causes', () => {
  const res = respond('u2', {
    errors: [
      {
        path: 'spec.minReplicaCount',
        message: 'MinReplicaCount=5 must be less than MaxReplicaCount=2',
      },
      {
        path: 'spec.triggers[0].metadata.listLength',
        message: 'must be a positive number, got "ten"',
      },
    ],
    warnings: [{ path: 'spec.pollingInterval', message: 'is not relevant' }],
  });
  assert.equal(res.response.uid, 'u2');
  assert.equal(res.response.allowed, false);
  assert.equal(res.response.status?.code, 403);
  assert.equal(
    res.response.status?.message,
    'spec.minReplicaCount: MinReplicaCount=5 must be less than MaxReplicaCount=2; spec.triggers[0].metadata.listLength: must be a positive number, got "ten"',
  );
  assert.deepEqual(
    res.response.status?.details?.causes.map((c) => c.field),
    ['spec.minReplicaCount', 'spec.triggers[0].metadata.listLength'],
  );
  assert.deepEqual(res.response.warnings, ['spec.pollingInterval: is not relevant']);
});

test('an allowed object carries its warnings and no status', () => {
  const res = respond('u3', { errors: [], warnings: [{ path: '', message: 'note' }] });
  assert.equal(res.response.allowed, true);
  assert.equal(res.response.status, undefined);
  assert.deepEqual(res.response.warnings, ['note']);
  assert.equal(respond('u4', { errors: [], warnings: [] }).response.warnings, undefined);
});
