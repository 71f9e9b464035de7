import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSecret, reveal } from '../secret.js';
import type { MaybeSecret } from '../secret.js';
import { resolveTriggerInputs } from './resolve-auth.js';
import {
  configMapDoc,
  deploymentDoc,
  load,
  scaledJobDoc,
  scaledObjectDoc,
  secretDoc,
} from './test-manifests.js';

type Doc = Record<string, unknown>;
const ta = (name: string, spec: Doc, kind = 'TriggerAuthentication', namespace?: string): Doc => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  spec,
});
const plain = (m: Record<string, MaybeSecret>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, reveal(v)]));

const worker = deploymentDoc(
  'worker',
  {
    name: 'main',
    env: [
      { name: 'REDIS_HOST', value: 'main-host:6379' },
      { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
    ],
  },
  {
    template: {
      spec: {
        containers: [
          {
            name: 'main',
            env: [
              { name: 'REDIS_HOST', value: 'main-host:6379' },
              {
                name: 'REDIS_PASSWORD',
                valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } },
              },
            ],
          },
          {
            name: 'sidecar',
            env: [
              { name: 'REDIS_HOST', value: 'sidecar-host:6379' },
              { name: 'TOKEN', value: 'side-token' },
            ],
          },
        ],
      },
    },
  },
);
const common = [
  worker,
  secretDoc('creds', { password: 'pw-from-secret', user: 'secret-user' }),
  configMapDoc('cfg', { user: 'cm-user', db: 'cm-db' }),
];

function resolve(trigger: Doc, extra: Doc[] = [], spec: Doc = {}) {
  const r = load(
    ...common,
    ...extra,
    scaledObjectDoc({
      ...spec,
      triggers: [{ type: 'redis', metadata: { listName: 'l' }, ...trigger }],
    }),
  );
  assert.deepEqual(r.errors, []);
  const so = r.set.scaledObjects[0];
  assert.ok(so);
  return resolveTriggerInputs(so, 0, r.set);
}

test('resolvedEnv is the first container of the scale target, secrets kept as Secret', () => {
  const { inputs, issues } = resolve({});
  assert.deepEqual(issues, []);
  assert.deepEqual(plain(inputs.resolvedEnv), {
    REDIS_HOST: 'main-host:6379',
    REDIS_PASSWORD: 'pw-from-secret',
  });
  assert.ok(isSecret(inputs.resolvedEnv['REDIS_PASSWORD']));
  assert.deepEqual(inputs.metadata, { listName: 'l' });
  assert.equal(inputs.triggerIndex, 0);
});

test('envSourceContainerName picks another container', () => {
  const { inputs } = resolve({}, [], {
    scaleTargetRef: { name: 'worker', envSourceContainerName: 'sidecar' },
  });
  assert.deepEqual(plain(inputs.resolvedEnv), {
    REDIS_HOST: 'sidecar-host:6379',
    TOKEN: 'side-token',
  });
});

test('an envSourceContainerName that does not exist is an error', () => {
  const { issues } = resolve({}, [], {
    scaleTargetRef: { name: 'worker', envSourceContainerName: 'nope' },
  });
  assert.deepEqual(
    issues.map((i) => `${i.severity} ${i.path}: ${i.message}`),
    [
      'error spec.scaleTargetRef.envSourceContainerName: container "nope" not found in Deployment default/worker',
    ],
  );
});

test('auth params follow KEDA order: env, then configMapTargetRef, then secretTargetRef overwrite', () => {
  const auth = ta('auth', {
    env: [
      { parameter: 'user', name: 'REDIS_HOST' },
      { parameter: 'host', name: 'REDIS_HOST' },
      { parameter: 'token', name: 'TOKEN', containerName: 'sidecar' },
      { parameter: 'missing', name: 'NOPE' },
    ],
    configMapTargetRef: [
      { parameter: 'user', name: 'cfg', key: 'user' },
      { parameter: 'db', name: 'cfg', key: 'db' },
    ],
    secretTargetRef: [
      { parameter: 'user', name: 'creds', key: 'user' },
      { parameter: 'password', name: 'creds', key: 'password' },
    ],
  });
  const { inputs, issues } = resolve({ authenticationRef: { name: 'auth' } }, [auth]);
  assert.deepEqual(issues, []);
  assert.deepEqual(plain(inputs.authParams), {
    user: 'secret-user',
    host: 'main-host:6379',
    token: 'side-token',
    missing: '',
    db: 'cm-db',
    password: 'pw-from-secret',
  });
  assert.ok(isSecret(inputs.authParams['password']));
  assert.ok(isSecret(inputs.authParams['user']), 'a parameter from a Secret is a Secret');
  assert.equal(inputs.authParams['db'], 'cm-db');
});

test('a missing TriggerAuthentication is a warning and leaves auth params empty', () => {
  const { inputs, issues } = resolve({ authenticationRef: { name: 'ghost' } });
  assert.deepEqual(inputs.authParams, {});
  assert.deepEqual(
    issues.map((i) => `${i.severity} ${i.path}: ${i.message}`),
    [
      'warning spec.triggers[0].authenticationRef: TriggerAuthentication default/ghost not found: KEDA builds the scaler with no authentication parameters',
    ],
  );
});

test('a TriggerAuthentication in another namespace is not used', () => {
  const { issues } = resolve({ authenticationRef: { name: 'auth' } }, [
    ta('auth', {}, 'TriggerAuthentication', 'other'),
  ]);
  assert.equal(issues[0]?.severity, 'warning');
});

test('a missing Secret key in secretTargetRef warns, never showing a value, and gives ""', () => {
  const auth = ta('auth', {
    secretTargetRef: [{ parameter: 'password', name: 'creds', key: 'nope' }],
  });
  const { inputs, issues } = resolve({ authenticationRef: { name: 'auth' } }, [auth]);
  assert.equal(reveal(inputs.authParams['password'] ?? 'x'), '');
  assert.deepEqual(
    issues.map((i) => i.message),
    [
      'TriggerAuthentication default/auth: Secret default/creds has no key "nope"; parameter "password" is empty',
    ],
  );
  assert.ok(
    !issues
      .map((i) => i.message)
      .join()
      .includes('pw-from-secret'),
  );
});

test('a ClusterTriggerAuthentication reads Secrets from the cluster object namespace (keda)', () => {
  const cta = ta(
    'cluster-auth',
    { secretTargetRef: [{ parameter: 'password', name: 'keda-creds', key: 'p' }] },
    'ClusterTriggerAuthentication',
  );
  const kedaSecret = {
    ...secretDoc('keda-creds', { p: 'from-keda-ns' }),
    metadata: { name: 'keda-creds', namespace: 'keda' },
  };
  const { inputs, issues } = resolve(
    { authenticationRef: { name: 'cluster-auth', kind: 'ClusterTriggerAuthentication' } },
    [cta, kedaSecret],
  );
  assert.deepEqual(issues, []);
  assert.equal(reveal(inputs.authParams['password'] ?? ''), 'from-keda-ns');
});

test('pod identity and secret managers warn that local mode does not support them', () => {
  const auth = ta('auth', {
    podIdentity: { provider: 'aws', roleArn: 'arn:x' },
    hashiCorpVault: { address: 'http://vault' },
  });
  const { issues } = resolve({ authenticationRef: { name: 'auth' } }, [auth]);
  assert.deepEqual(
    issues.map((i) => `${i.severity} ${i.message}`),
    [
      'warning TriggerAuthentication default/auth: spec.podIdentity (provider aws) is not supported in local mode; no identity is used',
      'warning TriggerAuthentication default/auth: spec.hashiCorpVault is not supported in local mode; its parameters are not set',
    ],
  );
});

test('a ScaledJob resolves env from its job template', () => {
  const sj = scaledJobDoc({
    jobTargetRef: {
      template: {
        spec: {
          containers: [
            {
              name: 'job',
              env: [
                { name: 'CONN', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
              ],
            },
          ],
        },
      },
    },
  });
  const r = load(...common, sj);
  const job = r.set.scaledJobs[0];
  assert.ok(job);
  const { inputs, issues } = resolveTriggerInputs(job, 0, r.set);
  assert.deepEqual(issues, []);
  assert.deepEqual(plain(inputs.resolvedEnv), { CONN: 'pw-from-secret' });
});

test('metricType is passed through to the inputs', () => {
  const { inputs } = resolve({ metricType: 'Value' });
  assert.equal(inputs.metricType, 'Value');
});

test('triggers of a ScaledObject with a scalingModifiers formula are marked usedByScalingModifiers', () => {
  const { inputs } = resolve({ name: 'a' }, [], {
    advanced: { scalingModifiers: { formula: 'a', target: '1' } },
  });
  assert.equal(inputs.usedByScalingModifiers, true);
  assert.equal(resolve({}).inputs.usedByScalingModifiers, undefined);
});
