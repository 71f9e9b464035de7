/**
 * The two source documents' manifests, as published, load and validate (document 2's `//`
 * remarks are kept verbatim in verbatim/job.yaml, which must fail with line numbers).
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  checkLocalTargets,
  describeResolvedTriggers,
  jobMaxReplicaCount,
  loadManifests,
  pollingIntervalSeconds,
  validateSet,
  withoutInvalidFiles,
} from '../../../src/manifests/index.js';

const dir = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/manifests/${name}`, import.meta.url));
const messages = (list: readonly { message: string }[]) => list.map((e) => e.message);

test('document 1 (Celery workers on a Redis list) loads, validates and resolves the password from the Secret', async () => {
  const r = await loadManifests([dir('celery-redis')]);
  assert.deepEqual(messages(r.errors), []);
  assert.deepEqual(messages(r.warnings), []);
  assert.equal(r.files.length, 3);
  const so = r.set.scaledObjects[0];
  assert.ok(so);
  assert.equal(so.metadata.name, 'redis-scaledobject');
  assert.deepEqual(
    [so.spec.pollingInterval, so.spec.cooldownPeriod, so.spec.maxReplicaCount],
    [15, 200, 10],
  );
  assert.deepEqual(so.spec.triggers[0]?.metadata, {
    addressFromEnv: 'REDIS_HOST',
    passwordFromEnv: 'REDIS_PASSWORD',
    enableTLS: 'true',
    listName: 'celery',
    listLength: '10',
  });
  assert.equal(r.set.secrets[0]?.data['credentials'], 'foobared');

  const v = validateSet(r.set);
  assert.deepEqual(messages(v.errors), []);
  assert.deepEqual(messages(v.warnings), []);
  assert.deepEqual(messages(checkLocalTargets(r.set).errors), []);

  const [trigger] = describeResolvedTriggers(r.set);
  assert.deepEqual(trigger?.issues, []);
  const meta = trigger?.metadata as { listName: string; listLength: number };
  assert.equal(meta.listName, 'celery');
  assert.equal(meta.listLength, 10);
  const printed = inspect(trigger, { depth: 10 }) + JSON.stringify(trigger);
  assert.ok(!printed.includes('foobared'), 'the password never prints');
});

test('document 2 (MongoDB transcoding ScaledJob) loads, validates and resolves the connection string', async () => {
  const r = await loadManifests([dir('mongodb-transcode')]);
  assert.deepEqual(messages(r.errors), []);
  const sj = r.set.scaledJobs[0];
  assert.ok(sj);
  assert.equal(pollingIntervalSeconds(sj), 15);
  assert.equal(jobMaxReplicaCount(sj), 5);
  assert.deepEqual(
    [
      sj.spec.successfulJobsHistoryLimit,
      sj.spec.failedJobsHistoryLimit,
      sj.spec.jobTargetRef.backoffLimit,
    ],
    [0, 10, 1],
  );
  assert.equal(sj.spec.jobTargetRef.template.spec.restartPolicy, 'Never');
  assert.equal(sj.spec.triggers[0]?.metadata['query'], '{"type":"mp4","state":"waiting"}');

  const v = validateSet(r.set);
  assert.deepEqual(messages(v.errors), []);
  assert.deepEqual(messages(v.warnings), []);
  const [trigger] = describeResolvedTriggers(r.set);
  assert.deepEqual(trigger?.issues, []);
  assert.equal((trigger?.metadata as { dbName: string }).dbName, 'test');
  assert.ok(
    !JSON.stringify(trigger).includes('test_password'),
    'the connection string never prints',
  );
});

test('document 2 as published, with // remarks, is rejected with every line at once and applies nothing', async () => {
  const r = await loadManifests([dir('verbatim')]);
  assert.equal(r.set.scaledJobs.length, 0);
  assert.equal(r.errors.length, 1);
  const issues = r.errors[0]?.issues ?? [];
  assert.deepEqual(
    issues.map((i) => i.line),
    [7, 29],
  );
  assert.ok(issues.every((i) => i.message.includes('YAML comments start with "#", not "//"')));
  assert.match(r.errors[0]?.message ?? '', /verbatim\/job\.yaml:7:5: invalid YAML: /);
});

test('an invalid file does not stop the others in the same directory from loading', async () => {
  const r = await loadManifests([
    fileURLToPath(new URL('../../fixtures/manifests', import.meta.url)),
  ]);
  assert.equal(r.files.length, 6);
  assert.equal(r.errors.length, 1);
  assert.equal(r.set.scaledObjects.length, 1);
  assert.equal(r.set.scaledJobs.length, 1);
  assert.deepEqual(messages(validateSet(r.set).errors), []);
});

test('a path that does not exist is an error naming it', async () => {
  const r = await loadManifests([dir('no-such-dir')]);
  assert.match(r.errors[0]?.message ?? '', /no-such-dir: cannot read: no such file or directory$/);
});

test('withoutInvalidFiles drops every object of a file that failed validation, keeping the rest', async () => {
  const r = await loadManifests([dir('celery-redis'), dir('mongodb-transcode')]);
  const so = r.set.scaledObjects[0];
  assert.ok(so);
  // Make the ScaledObject's file invalid for validateSet (min above max).
  so.spec.minReplicaCount = 20;
  const v = validateSet(r.set);
  assert.equal(v.errors.length, 1);
  const kept = withoutInvalidFiles(r.set, v.errors);
  assert.equal(kept.scaledObjects.length, 0);
  assert.equal(kept.deployments.length, 1, 'objects of other files stay');
  assert.equal(kept.scaledJobs.length, 1);
});
