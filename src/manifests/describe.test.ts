import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { describeResolvedTriggers } from './describe.js';
import { deploymentDoc, load, scaledObjectDoc, secretDoc } from './test-manifests.js';

test('describes each trigger with its parsed metadata, secrets redacted', () => {
  const r = load(
    secretDoc('redis-password', { credentials: 'sup3r-s3cret' }),
    deploymentDoc('worker', {
      env: [
        { name: 'REDIS_HOST', value: 'h:6379' },
        {
          name: 'REDIS_PASSWORD',
          valueFrom: { secretKeyRef: { name: 'redis-password', key: 'credentials' } },
        },
      ],
    }),
    scaledObjectDoc({
      triggers: [
        {
          type: 'redis',
          metadata: {
            addressFromEnv: 'REDIS_HOST',
            passwordFromEnv: 'REDIS_PASSWORD',
            listName: 'celery',
            listLength: '10',
          },
        },
        { type: 'nope', metadata: {} },
      ],
    }),
  );
  const out = describeResolvedTriggers(r.set);
  assert.equal(out.length, 2);
  assert.equal(out[0]?.object, 'ScaledObject default/so');
  assert.equal(out[0]?.type, 'redis');
  assert.deepEqual(out[0]?.issues, []);
  const printed = `${JSON.stringify(out)}\n${inspect(out, { depth: 10 })}`;
  assert.ok(printed.includes('[redacted]'), 'the password prints as [redacted]');
  assert.ok(printed.includes('celery'));
  assert.ok(!printed.includes('sup3r-s3cret'), 'the secret value never prints');
  assert.equal(out[1]?.metadata, undefined);
  assert.deepEqual(
    out[1]?.issues.map((i) => i.path),
    ['spec.triggers[1].type'],
  );
});
