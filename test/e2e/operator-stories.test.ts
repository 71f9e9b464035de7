/**
 * Both source documents end to end with `tide operator` (the Operator class, as the CLI runs
 * it) on the test cluster: etcd, kube-apiserver, controller-manager, scheduler and KWOK.
 *
 * 1. examples/celery-redis: the `celery-worker` Deployment, its Secret and the ScaledObject
 *    applied as written, except what a test must change (as test/e2e/celery-redis-story does
 *    locally): REDIS_HOST points at a private Redis started here (TLS is off in the example),
 *    pollingInterval 1 (15) and cooldownPeriod 5 (200). Pushing to the list scales the
 *    Deployment 0 -> N with Running Pods; draining it scales back to 0 after the cooldown.
 * 2. examples/mongodb-transcode: the ScaledJob, TriggerAuthentication and Secret against
 *    FerretDB, the Secret's connection string pointing at it and pollingInterval 1 (15).
 *    5 waiting documents make exactly 5 Jobs; KWOK runs their Pods to success and the Job
 *    controller marks the Jobs Complete; with successfulJobsHistoryLimit 0 none is left.
 *
 * KWOK runs no containers, so nothing would consume the Redis list or claim the documents:
 * the test plays the workers. In story 2 it claims one waiting document per Job Pod that
 * KWOK reports Running (what transcode-job.ts does first when it starts), before KWOK
 * completes that Pod (at least 1 s later), so the trigger sees the backlog shrink exactly as
 * with real jobs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { pino } from 'pino';
import { parseAllDocuments } from 'yaml';
import { insertTasks } from '../../examples/mongodb-transcode/insert-tasks.js';
import { KubeClient, loadKubeConfig } from '../../src/targets/kubernetes/kube-client.js';
import { Operator } from '../../src/operator/operator.js';
import { applyObject, installCrds } from '../integration/operator/support.js';
import { firstContainer, setEnv, type Doc } from '../support/manifest-edit.js';
import {
  startFerret,
  startKubeCluster,
  type FerretServer,
  type KubeCluster,
} from '../support/peers.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { repoRoot } from '../support/tide-process.js';
import { waitFor } from '../support/wait-for.js';

const KEDA = '/apis/keda.sh/v1alpha1';
let cluster: KubeCluster | undefined;
let client: KubeClient;
let operator: Operator | undefined;

const docs = (example: string, file: string): Doc[] =>
  parseAllDocuments(readFileSync(join(repoRoot, 'examples', example, file), 'utf8')).map(
    (d) => d.toJS() as Doc,
  );

before(async () => {
  cluster = await startKubeCluster();
  client = new KubeClient(loadKubeConfig(cluster.kubeconfig), { qps: 100, burst: 200 });
  await installCrds(client);
  operator = new Operator({ client, logger: pino({ level: 'warn' }), resyncMs: 5_000 });
  await operator.start();
});

after(async () => {
  await operator?.stop();
  await cluster?.stop();
});

const readyOf = async (path: string) =>
  (
    await client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(path)
  ).status?.conditions?.find((c) => c.type === 'Ready')?.status;

test('the first source document: pushing to the celery list scales celery-worker 0 -> N with Running Pods, and draining it scales back to 0 after the cooldown', async () => {
  const server: RedisServer = await startRedis();
  const redis = new Redis(server.port, '127.0.0.1');
  try {
    const all = [
      ...docs('celery-redis', 'secret.yaml'),
      ...docs('celery-redis', 'consumer.yaml'),
      ...docs('celery-redis', 'scaledobject.yaml'),
    ];
    for (const d of all) {
      if (d.kind === 'Deployment')
        setEnv(firstContainer(d), 'REDIS_HOST', `127.0.0.1:${server.port}`);
      if (d.kind === 'ScaledObject') {
        assert.equal(d.spec?.pollingInterval, 15, 'the example as documented');
        assert.equal(d.spec?.cooldownPeriod, 200, 'the example as documented');
        Object.assign(d.spec ?? {}, { pollingInterval: 1, cooldownPeriod: 5 });
      }
      await applyObject(client, d);
    }
    const so = `${KEDA}/namespaces/default/scaledobjects/redis-scaledobject`;
    await waitFor(async () => (await readyOf(so)) === 'True', {
      timeoutMs: 30_000,
      what: 'redis-scaledobject Ready=True',
    });
    const deployment = '/apis/apps/v1/namespaces/default/deployments/celery-worker';
    const replicas = async () =>
      (await client.get<{ spec: { replicas?: number } }>(`${deployment}/scale`)).spec.replicas ?? 0;
    // Never active yet: KEDA scales the Deployment's 1 replica to zero at once.
    await waitFor(async () => (await replicas()) === 0, {
      timeoutMs: 30_000,
      what: 'celery-worker at 0 replicas before any task',
    });

    await redis.rpush('celery', ...Array.from({ length: 30 }, (_, i) => `task-${i}`));
    // listLength 10: 30 tasks -> 3 workers, and KWOK makes their Pods Running and Ready.
    await waitFor(
      async () => {
        const d = await client.get<{
          spec: { replicas?: number };
          status?: { readyReplicas?: number };
        }>(deployment);
        return d.spec.replicas === 3 && d.status?.readyReplicas === 3;
      },
      { timeoutMs: 60_000, what: 'celery-worker at 3 ready replicas' },
    );

    const drained = Date.now();
    await redis.del('celery');
    await waitFor(async () => (await replicas()) === 0, {
      timeoutMs: 60_000,
      what: 'celery-worker back to 0 after the cooldown',
    });
    assert.ok(
      Date.now() - drained >= 4_000,
      'not before the cooldown (5 s after the last active poll)',
    );
  } finally {
    redis.disconnect();
    await server.stop();
  }
});

test('the second source document: 5 waiting documents make exactly 5 Jobs, KWOK runs them to success, and no Job is left (history 0)', async () => {
  const ferret: FerretServer = await startFerret();
  const url = `${ferret.url}test`;
  const mongo = await new MongoClient(url).connect();
  const tasks = mongo.db('test').collection('test_collection');
  let playing = true;
  let player: Promise<void> = Promise.resolve();
  try {
    for (const d of [
      ...docs('mongodb-transcode', 'auth.yaml'),
      ...docs('mongodb-transcode', 'scaledjob.yaml'),
    ]) {
      if (d.kind === 'Secret') {
        const data = d.stringData as { connect: string };
        assert.equal(data.connect, 'mongodb://127.0.0.1:27017/test', 'the example as documented');
        data.connect = url;
      }
      if (d.kind === 'ScaledJob') {
        assert.equal(d.spec?.pollingInterval, 15, 'the example as documented');
        d.spec = { ...d.spec, pollingInterval: 1 };
      }
      await applyObject(client, d);
    }
    const sj = `${KEDA}/namespaces/default/scaledjobs/mongodb-job`;
    await waitFor(async () => (await readyOf(sj)) === 'True', {
      timeoutMs: 30_000,
      what: 'mongodb-job Ready=True',
    });

    const jobsSeen = new Set<string>();
    const claimed = new Set<string>();
    const selector = encodeURIComponent('scaledjob.keda.sh/name=mongodb-job');
    // The workers KWOK does not run: each Job Pod, once Running, claims one waiting document.
    player = (async () => {
      while (playing) {
        const jobs = await client.get<{ items: { metadata: { name: string } }[] }>(
          `/apis/batch/v1/namespaces/default/jobs?labelSelector=${selector}`,
        );
        for (const j of jobs.items) jobsSeen.add(j.metadata.name);
        const pods = await client.get<{
          items: { metadata: { name: string }; status?: { phase?: string } }[];
        }>(`/api/v1/namespaces/default/pods?labelSelector=${selector}`);
        for (const p of pods.items) {
          const phase = p.status?.phase;
          if ((phase === 'Running' || phase === 'Succeeded') && !claimed.has(p.metadata.name)) {
            claimed.add(p.metadata.name);
            await tasks.updateOne(
              { type: 'mp4', state: 'waiting' },
              { $set: { state: 'finished', job: p.metadata.name } },
            );
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    await insertTasks(url, 'test', 'test_collection', 5);
    await waitFor(async () => (await tasks.countDocuments({ state: 'finished' })) === 5, {
      timeoutMs: 60_000,
      what: 'all 5 documents finished',
    });
    await waitFor(
      async () =>
        (
          await client.get<{ items: unknown[] }>(
            `/apis/batch/v1/namespaces/default/jobs?labelSelector=${selector}`,
          )
        ).items.length === 0,
      { timeoutMs: 60_000, what: 'no Job of mongodb-job left (successfulJobsHistoryLimit 0)' },
    );
    const created = await waitFor(
      async () => {
        const events = await client.get<{ items: { reason: string; message: string }[] }>(
          `/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent('involvedObject.name=mongodb-job')}`,
        );
        return events.items.filter((e) => e.reason === 'KEDAJobsCreated').map((e) => e.message);
      },
      { timeoutMs: 10_000, what: 'KEDAJobsCreated events of mongodb-job' },
    );
    assert.deepEqual(created, ['Created 5 jobs'], 'exactly 5 Jobs, in one round');
    assert.equal(jobsSeen.size, 5);
  } finally {
    playing = false;
    await player;
    await mongo.close();
    await ferret.stop();
  }
});
