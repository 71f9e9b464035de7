/**
 * ScaledJobs in the operator on a real API server (etcd, kube-apiserver, controller-manager,
 * scheduler, KWOK), run as deploy/operator/rbac.yaml's ServiceAccount: `batch/v1` Jobs from
 * `jobTargetRef`, owned and labelled as KEDA does; the Job controller and KWOK's Pod stages
 * drive them to completion; history cleanup, the per-round and total caps, rollout on a spec
 * change; Secrets and ConfigMaps read through the API (and a changed Secret picked up on resync).
 *
 * Pod timing comes from KWOK's "general" stages, tuned per Pod with annotations on the Job's
 * pod template: `pod-complete.stage.kwok.x-k8s.io/delay` holds a Job Pod Running that long.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { KubeClient, loadKubeConfig } from '../../../src/targets/kubernetes/kube-client.js';
import { Operator } from '../../../src/operator/operator.js';
import { startKubeCluster, type KubeCluster } from '../../support/peers.js';
import { startRedis, type RedisServer } from '../../support/redis-server.js';
import { waitFor } from '../../support/wait-for.js';
import { applyFile, createNamespace, installCrds, serviceAccountClient } from './support.js';

const NS = 'tide-sj';
const KEDA = '/apis/keda.sh/v1alpha1';
const PASSWORD = 'sj-pass-1';
let cluster: KubeCluster | undefined;
let redisServer: RedisServer | undefined;
let redis: Redis;
let client: KubeClient;
let operator: Operator | undefined;
/** Rounds done per ScaledJob (`namespace/name`), from the operator's onRecord. */
const roundsOf = new Map<string, number>();

before(async () => {
  cluster = await startKubeCluster();
  redisServer = await startRedis(['--requirepass', PASSWORD]);
  redis = new Redis({ port: redisServer.port, host: '127.0.0.1', password: PASSWORD });
  // The password rotation test closes this connection; its reconnects may fail meanwhile.
  redis.on('error', () => undefined);
  client = new KubeClient(loadKubeConfig(cluster.kubeconfig), { qps: 200, burst: 400 });
  await installCrds(client);
  await createNamespace(client, NS);
  await applyFile(client, 'deploy/operator/namespace.yaml');
  await applyFile(client, 'deploy/operator/rbac.yaml');
  // Redis' password comes from a Secret through a TriggerAuthentication, its address from a
  // ConfigMap through the Job template's env (addressFromEnv): both read with `get`.
  await client.post(`/api/v1/namespaces/${NS}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'redis-auth', namespace: NS },
    stringData: { password: PASSWORD },
  });
  await client.post(`/api/v1/namespaces/${NS}/configmaps`, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'redis-where', namespace: NS },
    data: { address: `127.0.0.1:${redisServer.port}` },
  });
  await client.post(`${KEDA}/namespaces/${NS}/triggerauthentications`, {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'TriggerAuthentication',
    metadata: { name: 'redis-auth', namespace: NS },
    spec: { secretTargetRef: [{ parameter: 'password', name: 'redis-auth', key: 'password' }] },
  });
  const sa = await serviceAccountClient(client, 'tide-system', 'tide-operator');
  operator = new Operator({
    client: sa,
    logger: pino({ level: 'warn' }),
    namespaces: [NS],
    clusterObjectNamespace: 'tide-system',
    resyncMs: 2_000,
    onRecord: (r) =>
      roundsOf.set(`${r.namespace}/${r.name}`, (roundsOf.get(`${r.namespace}/${r.name}`) ?? 0) + 1),
  });
  await operator.start();
});

after(async () => {
  await operator?.stop();
  redis?.disconnect();
  await redisServer?.stop();
  await cluster?.stop();
});

interface Job {
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
  };
  spec: { template: { metadata?: { labels?: Record<string, string> } } };
  status?: { conditions?: { type: string; status: string }[] };
}

interface SjObject {
  metadata: { name: string; uid: string; generation: number };
  status?: {
    lastActiveTime?: string;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

function scaledJob(
  name: string,
  listName: string,
  o: {
    completeAfter?: string;
    annotations?: Record<string, string>;
    spec?: Record<string, unknown>;
  } = {},
) {
  const delay = o.completeAfter ?? '3s';
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledJob',
    metadata: { name, namespace: NS, annotations: o.annotations ?? {} },
    spec: {
      jobTargetRef: {
        backoffLimit: 1,
        template: {
          metadata: {
            annotations: {
              'pod-ready.stage.kwok.x-k8s.io/delay': '0s',
              'pod-ready.stage.kwok.x-k8s.io/jitter-delay': '0s',
              'pod-complete.stage.kwok.x-k8s.io/delay': delay,
              'pod-complete.stage.kwok.x-k8s.io/jitter-delay': delay,
            },
          },
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                name: 'job',
                image: 'busybox',
                env: [
                  {
                    name: 'REDIS_ADDRESS',
                    valueFrom: { configMapKeyRef: { name: 'redis-where', key: 'address' } },
                  },
                ],
              },
            ],
          },
        },
      },
      pollingInterval: 1,
      maxReplicaCount: 10,
      successfulJobsHistoryLimit: 0,
      failedJobsHistoryLimit: 0,
      triggers: [
        {
          type: 'redis',
          metadata: { addressFromEnv: 'REDIS_ADDRESS', listName, listLength: '1' },
          authenticationRef: { name: 'redis-auth' },
        },
      ],
      ...(o.spec ?? {}),
    },
  };
}

const jobsOf = async (sj: string) =>
  (
    await client.get<{ items: Job[] }>(
      `/apis/batch/v1/namespaces/${NS}/jobs?labelSelector=${encodeURIComponent(`scaledjob.keda.sh/name=${sj}`)}`,
    )
  ).items;

const eventsOf = async (name: string) =>
  (
    await client.get<{ items: { reason: string; message: string; type: string }[] }>(
      `/api/v1/namespaces/${NS}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`,
    )
  ).items;

/** Sum of N over the ScaledJob's `KEDAJobsCreated` "Created N jobs" events. */
const jobsCreated = async (name: string) =>
  (await eventsOf(name))
    .filter((e) => e.reason === 'KEDAJobsCreated')
    .reduce((a, e) => a + Number(/Created (\d+) jobs/.exec(e.message)?.[1] ?? 0), 0);

const getSj = (name: string) => client.get<SjObject>(`${KEDA}/namespaces/${NS}/scaledjobs/${name}`);

test('4 waiting items make exactly 4 Jobs in one round, named, labelled and owned as KEDA does; completed Jobs are deleted (history 0)', async () => {
  const list = `sj-encode-${process.pid}`;
  await client.post(`${KEDA}/namespaces/${NS}/scaledjobs`, scaledJob('encode', list));
  const sj = await waitFor(
    async () => {
      const o = await getSj('encode');
      return o.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
        ? o
        : undefined;
    },
    { timeoutMs: 20_000, what: 'ScaledJob encode to be Ready' },
  );
  await redis.rpush(list, 'a', 'b', 'c', 'd');
  const jobs = await waitFor(
    async () => ((await jobsOf('encode')).length === 4 ? jobsOf('encode') : undefined),
    {
      timeoutMs: 20_000,
      what: '4 Jobs of encode',
    },
  );
  // The Jobs took the items (KWOK runs no container, so the test plays the workers).
  await redis.del(list);
  for (const j of jobs) {
    assert.match(j.metadata.name, /^encode-[a-z0-9]{5}$/);
    assert.equal(j.metadata.labels?.['scaledjob.keda.sh/name'], 'encode');
    assert.equal(
      j.metadata.annotations?.['scaledjob.keda.sh/generation'],
      String(sj.metadata.generation),
    );
    assert.deepEqual(
      j.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
      [['ScaledJob', 'encode', sj.metadata.uid, true]],
    );
    assert.equal(j.spec.template.metadata?.labels?.['scaledjob.keda.sh/name'], 'encode');
  }
  // KWOK completes the Pods after 3 s, the Job controller the Jobs, the operator deletes them.
  await waitFor(async () => (await jobsOf('encode')).length === 0, {
    timeoutMs: 40_000,
    what: 'the completed Jobs of encode to be deleted (successfulJobsHistoryLimit 0)',
  });
  await waitFor(async () => (await jobsCreated('encode')) === 4, {
    timeoutMs: 10_000,
    what: 'KEDAJobsCreated events summing to 4',
  });
  const back = await getSj('encode');
  assert.ok(back.status?.lastActiveTime, 'lastActiveTime is written');
  assert.deepEqual(
    back.status?.conditions?.map((c) => c.type),
    ['Ready', 'Active', 'Paused'],
  );
  assert.equal(await jobsCreated('encode'), 4, 'no Job was created twice');
});

test('the per-round and total caps: 10 items with max-jobs-per-round 2 and max-running-jobs 3 make 2 Jobs, then 1, then none while they run', async () => {
  const list = `sj-capped-${process.pid}`;
  await redis.rpush(list, ...Array.from({ length: 10 }, (_, i) => `t${i}`));
  await client.post(
    `${KEDA}/namespaces/${NS}/scaledjobs`,
    scaledJob('capped', list, {
      completeAfter: '1h',
      annotations: {
        'autoscaling.tide.dev/max-jobs-per-round': '2',
        'autoscaling.tide.dev/max-running-jobs': '3',
      },
    }),
  );
  await waitFor(async () => (await jobsOf('capped')).length === 3, {
    timeoutMs: 20_000,
    what: '3 Jobs of capped',
  });
  // Three more rounds (pollingInterval 1) must not add a Job: wait for their decisions.
  const rounds = () => roundsOf.get(`${NS}/capped`) ?? 0;
  const seen = rounds();
  await waitFor(() => rounds() >= seen + 3, {
    timeoutMs: 15_000,
    what: 'three more rounds of capped',
  });
  assert.equal((await jobsOf('capped')).length, 3);
  const created = (await eventsOf('capped'))
    .filter((e) => e.reason === 'KEDAJobsCreated')
    .map((e) => e.message)
    .sort();
  assert.deepEqual(created, ['Created 1 jobs', 'Created 2 jobs']);
});

test('a spec change deletes the running Jobs of the older generation (default rollout); with rollout gradual they are kept', async () => {
  const before = await jobsOf('capped');
  assert.equal(before.length, 3);
  const path = `${KEDA}/namespaces/${NS}/scaledjobs/capped`;
  await client.patch(path, { spec: { maxReplicaCount: 9 } });
  const generation = (await getSj('capped')).metadata.generation;
  await waitFor(
    async () => {
      const jobs = await jobsOf('capped');
      return (
        jobs.length === 3 &&
        jobs.every(
          (j) => j.metadata.annotations?.['scaledjob.keda.sh/generation'] === String(generation),
        )
      );
    },
    { timeoutMs: 30_000, what: 'the old Jobs replaced by 3 Jobs of the new generation' },
  );
  const reasons = (await eventsOf('capped')).map((e) => e.reason);
  assert.ok(reasons.includes('ScaledJobRolloutCleanupStarted'));
  assert.ok(reasons.includes('ScaledJobRolloutCleanupCompleted'));

  const kept = (await jobsOf('capped')).map((j) => j.metadata.name).sort();
  await client.patch(path, { spec: { maxReplicaCount: 8, rollout: { strategy: 'gradual' } } });
  const next = (await getSj('capped')).metadata.generation;
  assert.notEqual(next, generation);
  // The operator rebuilds the controller for the new generation at once (a watch event);
  // four rounds later (pollingInterval 1) the rebuilt one has decided several times.
  const rounds = () => roundsOf.get(`${NS}/capped`) ?? 0;
  const base = rounds();
  await waitFor(() => rounds() >= base + 4, {
    timeoutMs: 15_000,
    what: 'four rounds after the gradual change',
  });
  assert.deepEqual((await jobsOf('capped')).map((j) => j.metadata.name).sort(), kept);
});

test('an invalid ScaledJob gets Ready=False with the field path, and the others keep running', async () => {
  const bad = scaledJob('bad-sj', 'nothing');
  (bad.spec.triggers[0] as { metadata: Record<string, string> }).metadata.listLength = 'ten';
  await client.post(`${KEDA}/namespaces/${NS}/scaledjobs`, bad);
  const ready = await waitFor(
    async () =>
      (await getSj('bad-sj')).status?.conditions?.find(
        (c) => c.type === 'Ready' && c.status === 'False',
      ),
    { timeoutMs: 20_000, what: 'bad-sj Ready=False' },
  );
  assert.equal(ready.reason, 'ScaledJobCheckFailed');
  assert.match(ready.message, /spec\.triggers\[0\]\.metadata\.listLength/);
  assert.ok(operator?.runningJobs.includes(`${NS}/capped`));
});

test('a changed Secret is read again on resync: the trigger fails with the old password and recovers with the new one', async () => {
  const list = `sj-secret-${process.pid}`;
  await client.post(`${KEDA}/namespaces/${NS}/scaledjobs`, scaledJob('rotated', list));
  await waitFor(
    async () =>
      (await getSj('rotated')).status?.conditions?.find((c) => c.type === 'Ready')?.status ===
      'True',
    { timeoutMs: 20_000, what: 'rotated Ready=True' },
  );
  const next = 'sj-pass-2';
  await redis.config('SET', 'requirepass', next);
  const admin = new Redis({ port: redisServer?.port ?? 0, host: '127.0.0.1', password: next });
  try {
    // Connections authenticated before keep working: close them, as a password rotation does.
    await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await waitFor(
      async () =>
        (await getSj('rotated')).status?.conditions?.find((c) => c.type === 'Ready')?.reason ===
        'TriggerError',
      { timeoutMs: 20_000, what: 'rotated to report TriggerError with the old password' },
    );
    await client.patch(`/api/v1/namespaces/${NS}/secrets/redis-auth`, {
      stringData: { password: next },
    });
    await waitFor(
      async () =>
        (await getSj('rotated')).status?.conditions?.find((c) => c.type === 'Ready')?.status ===
        'True',
      { timeoutMs: 20_000, what: 'rotated Ready=True again with the new Secret' },
    );
    await admin.rpush(list, 'x');
    await waitFor(async () => (await jobsOf('rotated')).length === 1, {
      timeoutMs: 20_000,
      what: 'a Job of rotated after the rotation',
    });
    await admin.del(list);
  } finally {
    await admin.config('SET', 'requirepass', PASSWORD);
    admin.disconnect();
  }
});
