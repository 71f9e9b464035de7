/**
 * The operator on a real API server (etcd, kube-apiserver, controller-manager, scheduler,
 * KWOK): tide's CRDs admit every KEDA field unpruned, and ScaledObjects with a Redis trigger
 * scale a Deployment 0 -> N -> 0 through /scale, while an invalid one gets Ready=False.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { KubeClient, loadKubeConfig } from '../../../src/targets/kubernetes/kube-client.js';
import { Operator } from '../../../src/operator/operator.js';
import { WatchedInformer } from '../../../src/operator/informer.js';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startKubeCluster, type KubeCluster } from '../../support/peers.js';
import { freePort } from '../../support/ports.js';
import { startRedis, type RedisServer } from '../../support/redis-server.js';
import { waitFor } from '../../support/wait-for.js';
import {
  applyFile,
  createNamespace,
  deployment,
  installCrds,
  serviceAccountClient,
} from './support.js';

const NS = 'tide-op';
const KEDA = '/apis/keda.sh/v1alpha1';
let cluster: KubeCluster | undefined;
let redisServer: RedisServer | undefined;
let redis: Redis;
let client: KubeClient;
let operator: Operator | undefined;

before(async () => {
  cluster = await startKubeCluster({ stages: 'fast' });
  redisServer = await startRedis();
  redis = new Redis(redisServer.port, '127.0.0.1');
  client = new KubeClient(loadKubeConfig(cluster.kubeconfig), { qps: 200, burst: 400 });
  await installCrds(client);
  await createNamespace(client, NS);
});

after(async () => {
  await operator?.stop();
  redis?.disconnect();
  await redisServer?.stop();
  await cluster?.stop();
});

interface Obj {
  metadata: { name: string; namespace?: string };
  spec: unknown;
  status?: {
    conditions?: { type: string; status: string; reason: string; message: string }[];
  } & Record<string, unknown>;
}

const fullScaledObject = {
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'every-field', namespace: NS },
  spec: {
    scaleTargetRef: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'nothing',
      envSourceContainerName: 'worker',
    },
    pollingInterval: 15,
    cooldownPeriod: 120,
    initialCooldownPeriod: 30,
    idleReplicaCount: 0,
    minReplicaCount: 1,
    maxReplicaCount: 20,
    fallback: { failureThreshold: 3, replicas: 4, behavior: 'currentReplicasIfHigher' },
    advanced: {
      restoreToOriginalReplicaCount: true,
      horizontalPodAutoscalerConfig: {
        name: 'custom-hpa',
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
            tolerance: '0.05',
          },
          scaleDown: {
            stabilizationWindowSeconds: 300,
            selectPolicy: 'Min',
            policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }],
          },
        },
      },
      scalingModifiers: {
        formula: 'a + b',
        target: '5',
        activationTarget: '1',
        metricType: 'AverageValue',
      },
    },
    triggers: [
      {
        type: 'redis',
        name: 'a',
        metadata: { address: 'redis:6379', listName: 'jobs', listLength: '5' },
        authenticationRef: { name: 'redis-auth', kind: 'TriggerAuthentication' },
        metricType: 'AverageValue',
        useCachedMetrics: true,
      },
      {
        type: 'cron',
        name: 'b',
        metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '3' },
      },
    ],
  },
};

const fullScaledJob = {
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledJob',
  metadata: { name: 'every-field', namespace: NS },
  spec: {
    jobTargetRef: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 2,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 60,
      template: {
        metadata: { labels: { app: 'job' } },
        spec: {
          restartPolicy: 'Never',
          // Fields tide does not read must survive too (jobTargetRef is a whole JobSpec).
          volumes: [{ name: 'scratch', emptyDir: {} }],
          containers: [
            {
              name: 'job',
              image: 'busybox',
              command: ['sh', '-c'],
              args: ['echo hi'],
              ports: [{ containerPort: 8080 }],
              resources: { requests: { cpu: '100m' } },
              env: [{ name: 'A', value: 'b' }],
            },
          ],
        },
      },
    },
    pollingInterval: 10,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 2,
    envSourceContainerName: 'job',
    minReplicaCount: 0,
    maxReplicaCount: 10,
    rolloutStrategy: 'gradual',
    rollout: { strategy: 'gradual', propagationPolicy: 'foreground' },
    scalingStrategy: {
      strategy: 'custom',
      customScalingQueueLengthDeduction: 1,
      customScalingRunningJobPercentage: '0.5',
      pendingPodConditions: ['Ready', 'PodScheduled'],
      multipleScalersCalculation: 'sum',
    },
    triggers: [
      {
        type: 'redis',
        name: 'q',
        metadata: { address: 'redis:6379', listName: 'jobs', listLength: '1' },
      },
    ],
  },
};

const authSpec = {
  secretTargetRef: [{ parameter: 'password', name: 'redis-secret', key: 'password' }],
  configMapTargetRef: [{ parameter: 'host', name: 'redis-config', key: 'host' }],
  env: [{ parameter: 'username', name: 'REDIS_USER', containerName: 'worker' }],
  podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::1:role/x', identityOwner: 'keda' },
  hashiCorpVault: {
    address: 'https://vault:8200',
    authentication: 'token',
    credential: { token: 'x' },
    secrets: [{ parameter: 'p', path: 'secret/data/x', key: 'k' }],
  },
  azureKeyVault: {
    vaultUri: 'https://v.vault.azure.net',
    secrets: [{ parameter: 'p', name: 'n' }],
  },
  gcpSecretManager: { secrets: [{ parameter: 'p', id: 'i' }] },
  awsSecretManager: { secrets: [{ parameter: 'p', name: 'n' }] },
  boundServiceAccountToken: [{ parameter: 'token', serviceAccountName: 'sa' }],
  oauth2: {
    type: 'clientCredentials',
    clientId: 'c',
    tokenUrl: 'https://t/token',
    scopes: ['a', 'b'],
  },
  filePath: 'creds.json',
};

const crdCases = [
  {
    name: 'a ScaledObject using every field',
    path: `${KEDA}/namespaces/${NS}/scaledobjects`,
    body: fullScaledObject,
  },
  {
    name: 'a ScaledJob using every field',
    path: `${KEDA}/namespaces/${NS}/scaledjobs`,
    body: fullScaledJob,
  },
  {
    name: 'a TriggerAuthentication using every field',
    path: `${KEDA}/namespaces/${NS}/triggerauthentications`,
    body: {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: { name: 'every-field', namespace: NS },
      spec: authSpec,
    },
  },
  {
    name: 'a ClusterTriggerAuthentication using every field',
    path: `${KEDA}/clustertriggerauthentications`,
    body: {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ClusterTriggerAuthentication',
      metadata: { name: 'every-field' },
      spec: authSpec,
    },
  },
];

for (const c of crdCases) {
  test(`the CRDs store ${c.name} and give it back unpruned`, async () => {
    await client.post(c.path, c.body);
    const back = await client.get<Obj>(`${c.path}/every-field`);
    assert.deepEqual(back.spec, c.body.spec);
  });
}

test("the informer's cache drops managedFields and kubectl's last-applied annotation, and keeps every other field", async () => {
  const applied = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: {
      name: 'cache-trim',
      namespace: NS,
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"ScaledObject","spec":{}}',
        'autoscaling.keda.sh/paused': 'false',
      },
    },
    spec: { scaleTargetRef: { name: 'nothing' }, triggers: fullScaledObject.spec.triggers },
  };
  await client.post(`${KEDA}/namespaces/${NS}/scaledobjects`, applied);
  const status = {
    conditions: [{ type: 'Ready', status: 'True', reason: 'ScaledObjectReady', message: 'ok' }],
    triggersTypes: 'redis,cron',
  };
  await client.patch(
    `${KEDA}/namespaces/${NS}/scaledobjects/cache-trim/status`,
    { status },
    'merge',
  );
  const seen: Obj[] = [];
  const informer = new WatchedInformer<Obj & KubernetesObject>({
    client,
    path: `${KEDA}/namespaces/${NS}/scaledobjects`,
    logger: pino({ level: 'silent' }),
    onChange: (_t, o) => seen.push(o),
  });
  await informer.start();
  try {
    const cached = await waitFor(
      () => {
        const o = informer.get('cache-trim', NS);
        return o?.status?.triggersTypes ? o : undefined;
      },
      { timeoutMs: 10_000, what: 'the ScaledObject in the cache with its status' },
    );
    const server = await client.get<Obj & KubernetesObject>(
      `${KEDA}/namespaces/${NS}/scaledobjects/cache-trim`,
    );
    assert.ok(server.metadata?.managedFields?.length, 'the API server sends managedFields');
    assert.equal(cached.metadata?.managedFields, undefined);
    assert.deepEqual(cached.metadata?.annotations, { 'autoscaling.keda.sh/paused': 'false' });
    assert.deepEqual(cached.spec, server.spec);
    assert.deepEqual(cached.status, server.status);
    assert.equal(cached.metadata?.uid, server.metadata?.uid);
    assert.ok(seen.includes(cached), 'handlers get the cached object itself');
  } finally {
    await informer.stop();
    await client.delete(`${KEDA}/namespaces/${NS}/scaledobjects/cache-trim`);
  }
});

test("the CRDs reject minReplicaCount above maxReplicaCount with KEDA's message", async () => {
  const bad = structuredClone(fullScaledObject);
  bad.metadata.name = 'min-above-max';
  bad.spec.minReplicaCount = 30;
  await assert.rejects(
    client.post(`${KEDA}/namespaces/${NS}/scaledobjects`, bad),
    /minReplicaCount must be less than or equal to maxReplicaCount/,
  );
});

function scaledObject(name: string, target: string, listName: string, listLength: string) {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, namespace: NS },
    spec: {
      scaleTargetRef: { name: target },
      pollingInterval: 1,
      cooldownPeriod: 2,
      maxReplicaCount: 10,
      triggers: [
        {
          type: 'redis',
          metadata: { address: `127.0.0.1:${redisServer!.port}`, listName, listLength },
        },
      ],
    },
  };
}

const replicas = async (name: string) =>
  // autoscaling/v1 Scale omits replicas when it is 0.
  (
    await client.get<{ spec: { replicas?: number } }>(
      `/apis/apps/v1/namespaces/${NS}/deployments/${name}/scale`,
    )
  ).spec.replicas ?? 0;

const condition = async (so: string, type: string) =>
  (await client.get<Obj>(`${KEDA}/namespaces/${NS}/scaledobjects/${so}`)).status?.conditions?.find(
    (c) => c.type === type,
  );

test('the operator scales a Deployment 0 -> N on a Redis list and back to 0 after the cooldown; an invalid ScaledObject gets Ready=False and the valid one keeps scaling', async () => {
  const list = `tide-op-${process.pid}`;
  await client.post(`/apis/apps/v1/namespaces/${NS}/deployments`, deployment(NS, 'worker', 0));
  await client.post(`/apis/apps/v1/namespaces/${NS}/deployments`, deployment(NS, 'other', 0));
  await client.post(
    `${KEDA}/namespaces/${NS}/scaledobjects`,
    scaledObject('worker-so', 'worker', list, '2'),
  );
  // Invalid: listLength is not a number (the API server admits it: metadata is map[string]string).
  await client.post(
    `${KEDA}/namespaces/${NS}/scaledobjects`,
    scaledObject('broken-so', 'other', `${list}-b`, 'ten'),
  );

  operator = new Operator({ client, logger: pino({ level: 'warn' }), namespaces: [NS] });
  await operator.start();
  await waitFor(() => operator!.ready, {
    timeoutMs: 30_000,
    what: 'the operator informers to sync',
  });

  const ready = await waitFor(
    async () => {
      const c = await condition('worker-so', 'Ready');
      return c?.status === 'True' ? c : undefined;
    },
    { timeoutMs: 30_000, what: 'worker-so Ready=True' },
  );
  assert.equal(ready.reason, 'ScaledObjectReady');
  const broken = await waitFor(
    async () => {
      const c = await condition('broken-so', 'Ready');
      return c?.status === 'False' ? c : undefined;
    },
    { timeoutMs: 30_000, what: 'broken-so Ready=False' },
  );
  assert.equal(broken.reason, 'ScaledObjectCheckFailed');
  assert.match(broken.message, /spec\.triggers\[0\]\.metadata\.listLength/);
  assert.equal(await replicas('worker'), 0);

  // 7 items at 2 per replica: ceil(7/2) = 4 replicas.
  await redis.rpush(list, ...Array.from({ length: 7 }, (_, i) => `job-${i}`));
  const t0 = Date.now();
  await waitFor(async () => (await replicas('worker')) === 4, {
    timeoutMs: 20_000,
    what: 'worker to scale to 4',
  });
  const reactionMs = Date.now() - t0;
  const status = (await client.get<Obj>(`${KEDA}/namespaces/${NS}/scaledobjects/worker-so`))
    .status!;
  assert.equal(status['originalReplicaCount'], 0);
  assert.equal(status['scaleTargetKind'], 'apps/v1.Deployment');
  assert.deepEqual(status['externalMetricNames'], [`s0-redis-${list}`]);
  assert.equal(typeof status['lastActiveTime'], 'string');
  assert.equal((await condition('worker-so', 'Active'))?.status, 'True');
  assert.ok(reactionMs < 10_000, `reaction took ${reactionMs} ms`);

  await redis.del(list);
  await waitFor(async () => (await replicas('worker')) === 0, {
    timeoutMs: 20_000,
    what: 'worker back to 0 after the cooldown',
  });
  assert.equal((await condition('worker-so', 'Active'))?.status, 'False');

  // The broken object never touched its target.
  assert.equal(await replicas('other'), 0);
  // Status is written on change only: a quiet second does not add writes.
  await waitFor(
    async () => (await condition('worker-so', 'Active'))?.reason === 'ScalerNotActive',
    { timeoutMs: 10_000, what: 'cooldown over' },
  );
  const writes = operator.statusWrites;
  const rounds = Date.now();
  await waitFor(() => Date.now() - rounds > 2_500, { timeoutMs: 5_000, what: 'a few idle rounds' });
  assert.equal(operator.statusWrites, writes);

  // Fixing the broken object makes it Ready and it scales.
  await client.patch(`${KEDA}/namespaces/${NS}/scaledobjects/broken-so`, {
    spec: {
      triggers: [
        {
          type: 'redis',
          metadata: {
            address: `127.0.0.1:${redisServer!.port}`,
            listName: `${list}-b`,
            listLength: '1',
          },
        },
      ],
    },
  });
  await redis.rpush(`${list}-b`, 'a', 'b');
  await waitFor(async () => (await replicas('other')) === 2, {
    timeoutMs: 20_000,
    what: 'other to scale to 2 once fixed',
  });
  assert.equal((await condition('broken-so', 'Ready'))?.status, 'True');
});

test('deleting a ScaledObject with restoreToOriginalReplicaCount puts the original replicas back and releases the finalizer; scaling emits KEDA events', async () => {
  assert.ok(operator, 'the previous test started the operator');
  await client.post(`/apis/apps/v1/namespaces/${NS}/deployments`, deployment(NS, 'restore', 2));
  const so = scaledObject('restore-so', 'restore', `tide-restore-${process.pid}`, '1');
  (so.spec as Record<string, unknown>)['advanced'] = { restoreToOriginalReplicaCount: true };
  await client.post(`${KEDA}/namespaces/${NS}/scaledobjects`, so);
  // An empty list and minReplicaCount 0: the first round scales to 0 (initialCooldownPeriod 0).
  await waitFor(async () => (await replicas('restore')) === 0, {
    timeoutMs: 20_000,
    what: 'restore to scale to 0',
  });
  const path = `${KEDA}/namespaces/${NS}/scaledobjects/restore-so`;
  const before = await client.get<Obj & { metadata: { finalizers?: string[] } }>(path);
  assert.deepEqual(before.metadata.finalizers, ['finalizer.keda.sh']);
  assert.equal(before.status?.['originalReplicaCount'], 2);

  await client.delete(path);
  await waitFor(async () => (await client.find(path)) === undefined, {
    timeoutMs: 20_000,
    what: 'restore-so to be gone',
  });
  assert.equal(await replicas('restore'), 2);

  const events = await client.get<{
    items: { reason: string; involvedObject: { name: string } }[];
  }>(`/api/v1/namespaces/${NS}/events`);
  const reasons = (name: string) =>
    new Set(events.items.filter((e) => e.involvedObject.name === name).map((e) => e.reason));
  assert.ok(reasons('worker-so').has('KEDAScaleTargetActivated'), 'activation event');
  assert.ok(reasons('worker-so').has('KEDAScaleTargetDeactivated'), 'deactivation event');
  assert.ok(reasons('broken-so').has('ScaledObjectCheckFailed'), 'check-failed event');
  assert.ok(reasons('restore-so').has('ScaledObjectDeleted'), 'deleted event');
});

test('`tide operator` serves /healthz, /readyz, /metrics and the dashboard, scales in its namespace, and exits 0 on SIGTERM', async () => {
  const ns = 'tide-cli';
  await createNamespace(client, ns);
  const port = await freePort();
  const dashboardPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      'bin/tide.js',
      'operator',
      '--kubeconfig',
      cluster!.kubeconfig,
      '--namespaces',
      ns,
      '--health-port',
      String(port),
      '--qps',
      '50',
      '--dashboard-port',
      String(dashboardPort),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const get = async (p: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${p}`);
      return { status: res.status, text: await res.text() };
    };
    await waitFor(async () => (await get('/readyz')).status === 200, {
      timeoutMs: 30_000,
      what: `tide operator /readyz (output: ${out})`,
    });
    assert.equal((await get('/healthz')).status, 200);
    const list = `tide-cli-${process.pid}`;
    await client.post(
      `/apis/apps/v1/namespaces/${ns}/deployments`,
      deployment(ns, 'cli-worker', 0),
    );
    const so = scaledObject('cli-so', 'cli-worker', list, '1');
    so.metadata.namespace = ns;
    await client.post(`${KEDA}/namespaces/${ns}/scaledobjects`, so);
    await redis.rpush(list, 'a', 'b', 'c');
    const scaleOf = async () =>
      (
        await client.get<{ spec: { replicas?: number } }>(
          `/apis/apps/v1/namespaces/${ns}/deployments/cli-worker/scale`,
        )
      ).spec.replicas ?? 0;
    await waitFor(async () => (await scaleOf()) === 3, {
      timeoutMs: 20_000,
      what: 'cli-worker to scale to 3',
    });
    const metrics = (await get('/metrics')).text;
    assert.match(metrics, /^tide_operator_api_requests_total [1-9]\d*$/m);
    assert.match(metrics, /^tide_operator_scaled_objects 1$/m);
    // The same keda_* metrics and decision log as `tide up`, fed by every round.
    assert.match(
      metrics,
      /^keda_scaler_metrics_value\{[^}]*scaledObject="cli-so"[^}]*\} 3$/m,
      'the list length as the scaler read it',
    );
    assert.match(metrics, /^keda_scaler_active\{[^}]*scaledObject="cli-so"[^}]*\} 1$/m);
    const decisions = JSON.parse(
      (await get(`/decisions?kind=ScaledObject&namespace=${ns}&name=cli-so`)).text,
    ) as { records: { decided: number }[]; known: string[] };
    assert.equal(decisions.records.at(-1)?.decided, 3);
    assert.ok(decisions.known.includes(`ScaledObject ${ns}/cli-so`));
    assert.equal((await get('/decisions?kind=Pod&name=x')).status, 400);
    const explain = spawnSync(
      process.execPath,
      ['bin/tide.js', 'explain', 'so/cli-so', '-n', ns, '--operator', `http://127.0.0.1:${port}`],
      { encoding: 'utf8' },
    );
    assert.equal(explain.status, 0, explain.stderr);
    assert.match(explain.stdout, /cli-so/);
    assert.match(explain.stdout, /\b3\b/, 'the paragraph gives the 3 replicas');
    const unknown = spawnSync(
      process.execPath,
      ['bin/tide.js', 'explain', 'so/nothing', '-n', ns, '--operator', `http://127.0.0.1:${port}`],
      { encoding: 'utf8' },
    );
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no decision recorded for ScaledObject tide-cli\/nothing/);
    // The dashboard, as `tide up` serves it: the object, its conditions and its rounds; no logs panel.
    const snapshot = (await (
      await fetch(`http://127.0.0.1:${dashboardPort}/api/snapshot`)
    ).json()) as {
      objects: { key: string; desiredReplicas?: number; hasLogs: boolean }[];
      records: Record<string, { decided: number }[]>;
    };
    const card = snapshot.objects.find((o) => o.key === `ScaledObject/${ns}/cli-so`);
    assert.ok(card, `the dashboard lists cli-so: ${JSON.stringify(snapshot.objects)}`);
    assert.equal(card.hasLogs, false, 'no replica logs in Kubernetes mode');
    assert.equal(snapshot.records[card.key]?.at(-1)?.decided, 3);
    const page = await fetch(`http://127.0.0.1:${dashboardPort}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    assert.match(unknown.stderr, /ScaledObject tide-cli\/cli-so/, 'names the objects it knows');
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, out);
});

test("the operator runs as deploy/operator/rbac.yaml's ServiceAccount: it scales, writes status and events, and cannot list Secrets", async () => {
  await applyFile(client, 'deploy/operator/namespace.yaml');
  await applyFile(client, 'deploy/operator/rbac.yaml');
  const sa = await serviceAccountClient(client, 'tide-system', 'tide-operator');
  await assert.rejects(sa.get('/api/v1/secrets'), /403/);
  await assert.rejects(sa.post(`/api/v1/namespaces/${NS}/pods`, {}), /403/);

  const ns = 'tide-rbac';
  await createNamespace(client, ns);
  await client.post(`/apis/apps/v1/namespaces/${ns}/deployments`, deployment(ns, 'rbac-worker', 0));
  const list = `tide-rbac-${process.pid}`;
  const so = scaledObject('rbac-so', 'rbac-worker', list, '1');
  so.metadata.namespace = ns;
  await client.post(`${KEDA}/namespaces/${ns}/scaledobjects`, so);
  const restricted = new Operator({
    client: sa,
    logger: pino({ level: 'warn' }),
    namespaces: [ns],
    clusterObjectNamespace: 'tide-system',
  });
  await restricted.start();
  try {
    await redis.rpush(list, 'a', 'b');
    const scaleOf = async () =>
      (
        await client.get<{ spec: { replicas?: number } }>(
          `/apis/apps/v1/namespaces/${ns}/deployments/rbac-worker/scale`,
        )
      ).spec.replicas ?? 0;
    await waitFor(async () => (await scaleOf()) === 2, {
      timeoutMs: 20_000,
      what: 'rbac-worker to scale to 2 as the ServiceAccount',
    });
    const back = await client.get<Obj & { metadata: { finalizers?: string[] } }>(
      `${KEDA}/namespaces/${ns}/scaledobjects/rbac-so`,
    );
    assert.deepEqual(back.metadata.finalizers, ['finalizer.keda.sh']);
    assert.equal(back.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    const events = await client.get<{ items: { reason: string }[] }>(
      `/api/v1/namespaces/${ns}/events`,
    );
    assert.ok(events.items.some((e) => e.reason === 'KEDAScaleTargetActivated'));
  } finally {
    await restricted.stop();
  }
});

test('a ScaledObject whose Secret changed is rebuilt on resync (unchanged objects are skipped), and reads with the new password', async () => {
  const ns = 'tide-op-rotate';
  const first = 'so-pass-1';
  const next = 'so-pass-2';
  const server = await startRedis(['--requirepass', first]);
  const admin = new Redis({ port: server.port, host: '127.0.0.1', password: first });
  admin.on('error', () => undefined);
  const list = `so-rotate-${process.pid}`;
  await createNamespace(client, ns);
  await client.post(`/api/v1/namespaces/${ns}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'redis-auth', namespace: ns },
    stringData: { password: first },
  });
  await client.post(`${KEDA}/namespaces/${ns}/triggerauthentications`, {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'TriggerAuthentication',
    metadata: { name: 'redis-auth', namespace: ns },
    spec: { secretTargetRef: [{ parameter: 'password', name: 'redis-auth', key: 'password' }] },
  });
  await client.post(`/apis/apps/v1/namespaces/${ns}/deployments`, deployment(ns, 'rotated', 0));
  await client.post(`${KEDA}/namespaces/${ns}/scaledobjects`, {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'rotated', namespace: ns },
    spec: {
      scaleTargetRef: { name: 'rotated' },
      pollingInterval: 1,
      cooldownPeriod: 2,
      maxReplicaCount: 10,
      triggers: [
        {
          type: 'redis',
          metadata: { address: `127.0.0.1:${server.port}`, listName: list, listLength: '1' },
          authenticationRef: { name: 'redis-auth' },
        },
      ],
    },
  });
  const scale = async () =>
    (
      await client.get<{ spec: { replicas?: number } }>(
        `/apis/apps/v1/namespaces/${ns}/deployments/rotated/scale`,
      )
    ).spec.replicas ?? 0;
  const rotating = new Operator({
    client,
    logger: pino({ level: 'error' }),
    namespaces: [ns],
    resyncMs: 1_000,
  });
  try {
    await rotating.start();
    await waitFor(async () => (await scale()) === 0 && rotating.running.length === 1, {
      timeoutMs: 30_000,
      what: 'the rotated ScaledObject to run',
    });
    await admin.rpush(list, 'a');
    await waitFor(async () => (await scale()) === 1, {
      timeoutMs: 20_000,
      what: 'one replica with the first password',
    });
    // The password changes on the server; connections authenticated before are closed, as a
    // rotation does. The trigger now fails: its scaler is rebuilt from the Secret it read.
    await admin.config('SET', 'requirepass', next);
    await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await admin.rpush(list, 'b', 'c');
    // Several resyncs pass while the Secret still holds the old password: nothing changes.
    const wait = Date.now();
    await waitFor(() => Date.now() - wait > 3_000, { timeoutMs: 5_000, what: 'three resyncs' });
    assert.equal(await scale(), 1, 'no read with the old password, so no scale-out');
    await client.patch(`/api/v1/namespaces/${ns}/secrets/redis-auth`, {
      stringData: { password: next },
    });
    await waitFor(async () => (await scale()) === 3, {
      timeoutMs: 20_000,
      what: 'three replicas once the resync read the new Secret',
    });
  } finally {
    await rotating.stop();
    admin.disconnect();
    await server.stop();
  }
});
