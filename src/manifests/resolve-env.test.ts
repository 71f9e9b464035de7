import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { isSecret, reveal } from '../secret.js';
import type { MaybeSecret } from '../secret.js';
import { expandEnvValue, resolveContainerEnv } from './resolve-env.js';
import { configMapDoc, load, secretDoc } from './test-manifests.js';
import type { Container } from './types.js';

const set = load(
  secretDoc('redis-password', { credentials: 'foobared', user: 'app' }),
  configMapDoc('settings', { REDIS_HOST: 'cm-host:6379', LIST: 'celery' }),
).set;

function plain(env: Record<string, MaybeSecret>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, reveal(v)]));
}

test('envFrom comes first, with its prefix, and env entries override it', () => {
  const c: Container = {
    name: 'm',
    envFrom: [
      { configMapRef: { name: 'settings' } },
      { prefix: 'S_', secretRef: { name: 'redis-password' } },
    ],
    env: [{ name: 'LIST', value: 'override' }],
  };
  const r = resolveContainerEnv(c, 'default', set);
  assert.deepEqual(r.issues, []);
  assert.deepEqual(plain(r.env), {
    REDIS_HOST: 'cm-host:6379',
    LIST: 'override',
    S_credentials: 'foobared',
    S_user: 'app',
  });
  assert.ok(isSecret(r.env['S_credentials']), 'values from a Secret stay Secrets');
  assert.equal(typeof r.env['REDIS_HOST'], 'string');
});

test('secretKeyRef gives a Secret that prints [redacted]', () => {
  const c: Container = {
    name: 'm',
    env: [
      {
        name: 'REDIS_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'redis-password', key: 'credentials' } },
      },
    ],
  };
  const r = resolveContainerEnv(c, 'default', set);
  const v = r.env['REDIS_PASSWORD'];
  assert.ok(isSecret(v));
  assert.equal(v.reveal(), 'foobared');
  assert.equal(String(v), '[redacted]');
  assert.ok(!inspect(r.env).includes('foobared'));
  assert.ok(!JSON.stringify(r.env).includes('foobared'));
});

test('configMapKeyRef reads the ConfigMap key', () => {
  const c: Container = {
    name: 'm',
    env: [{ name: 'H', valueFrom: { configMapKeyRef: { name: 'settings', key: 'REDIS_HOST' } } }],
  };
  assert.deepEqual(resolveContainerEnv(c, 'default', set).env, { H: 'cm-host:6379' });
});

const missingCases: { name: string; container: Container; issues: string[] }[] = [
  {
    name: 'a missing Secret key names the reference',
    container: {
      name: 'm',
      env: [
        { name: 'A', value: 'x' },
        { name: 'P', valueFrom: { secretKeyRef: { name: 'redis-password', key: 'nope' } } },
      ],
    },
    issues: ['env[1].valueFrom.secretKeyRef: Secret default/redis-password has no key "nope"'],
  },
  {
    name: 'a missing Secret names the reference',
    container: {
      name: 'm',
      env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'ghost', key: 'k' } } }],
    },
    issues: ['env[0].valueFrom.secretKeyRef: Secret default/ghost not found'],
  },
  {
    name: 'a missing ConfigMap key names the reference',
    container: {
      name: 'm',
      env: [{ name: 'P', valueFrom: { configMapKeyRef: { name: 'settings', key: 'nope' } } }],
    },
    issues: ['env[0].valueFrom.configMapKeyRef: ConfigMap default/settings has no key "nope"'],
  },
  {
    name: 'a missing envFrom source is an error unless optional',
    container: {
      name: 'm',
      envFrom: [
        { secretRef: { name: 'ghost' } },
        { configMapRef: { name: 'ghost', optional: true } },
      ],
    },
    issues: ['envFrom[0].secretRef: Secret default/ghost not found'],
  },
  {
    name: 'an optional missing secretKeyRef leaves the variable unset without an issue',
    container: {
      name: 'm',
      env: [
        { name: 'P', valueFrom: { secretKeyRef: { name: 'ghost', key: 'k', optional: true } } },
      ],
    },
    issues: [],
  },
  {
    name: 'a Secret in another namespace is not found',
    container: {
      name: 'm',
      env: [
        { name: 'P', valueFrom: { secretKeyRef: { name: 'redis-password', key: 'credentials' } } },
      ],
    },
    issues: ['env[0].valueFrom.secretKeyRef: Secret other/redis-password not found'],
  },
];
for (const c of missingCases) {
  test(c.name, () => {
    const ns = c.name.includes('another namespace') ? 'other' : 'default';
    const r = resolveContainerEnv(c.container, ns, set);
    assert.deepEqual(
      r.issues.map((i) => `${i.path}: ${i.message}`),
      c.issues,
    );
    assert.ok(r.issues.every((i) => i.severity === 'error'));
  });
}

test('fieldRef metadata.name and metadata.namespace use the pod name and namespace', () => {
  const c: Container = {
    name: 'm',
    env: [
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ],
  };
  assert.deepEqual(resolveContainerEnv(c, 'default', set, { podName: 'worker-1' }).env, {
    POD: 'worker-1',
    NS: 'default',
  });
});

test('forScaler skips fieldRef and resourceFieldRef, as KEDA does', () => {
  const c: Container = {
    name: 'm',
    env: [
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
    ],
  };
  assert.deepEqual(resolveContainerEnv(c, 'default', set, { forScaler: true }), {
    env: {},
    issues: [],
  });
  const local = resolveContainerEnv(c, 'default', set);
  assert.deepEqual(
    local.issues.map((i) => `${i.severity} ${i.path}`),
    ['error env[0].valueFrom.fieldRef.fieldPath', 'warning env[1].valueFrom.resourceFieldRef'],
  );
});

const expandCases: { name: string; input: string; out: string }[] = [
  { name: 'replaces a defined $(VAR)', input: 'redis://$(HOST)/0', out: 'redis://h:1/0' },
  { name: 'leaves an undefined $(VAR) as written', input: '$(NOPE)-x', out: '$(NOPE)-x' },
  {
    name: 'turns $$ into $ and does not expand $$(VAR)',
    input: 'a$$b $$(HOST)',
    out: 'a$b $(HOST)',
  },
  { name: 'keeps a lone $ and an unclosed $(', input: 'cost $5 $(HOST', out: 'cost $5 $(HOST' },
  { name: 'keeps a trailing $', input: 'end$', out: 'end$' },
];
for (const c of expandCases) {
  test(`$(VAR) expansion ${c.name}`, () => {
    assert.equal(expandEnvValue(c.input, { HOST: 'h:1' }), c.out);
  });
}

test('a value expanded from a Secret variable is a Secret', () => {
  const c: Container = {
    name: 'm',
    env: [
      { name: 'PASS', valueFrom: { secretKeyRef: { name: 'redis-password', key: 'credentials' } } },
      { name: 'URL', value: 'redis://:$(PASS)@h:6379' },
      { name: 'LATER', value: '$(DEFINED_AFTER)' },
      { name: 'DEFINED_AFTER', value: 'x' },
    ],
  };
  const r = resolveContainerEnv(c, 'default', set);
  const url = r.env['URL'];
  assert.ok(isSecret(url));
  assert.equal(url.reveal(), 'redis://:foobared@h:6379');
  assert.equal(r.env['LATER'], '$(DEFINED_AFTER)', 'only variables defined earlier expand');
});
