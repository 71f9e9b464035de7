/**
 * Busy-aware scale-in in Kubernetes mode, on a real API server with the ReplicaSet controller
 * and KWOK: before lowering `/scale`, the operator marks the Pods whose workers report running
 * tasks (tide's Celery worker registry on the trigger's Redis) with
 * `controller.kubernetes.io/pod-deletion-cost`, so the ReplicaSet removes the idle Pods.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { publishWorker } from '../../../src/celery/registry.js';
import { KubeClient, loadKubeConfig } from '../../../src/targets/kubernetes/kube-client.js';
import { Operator } from '../../../src/operator/operator.js';
import { POD_DELETION_COST } from '../../../src/targets/kubernetes/deletion-cost.js';
import { startKubeCluster, type KubeCluster } from '../../support/peers.js';
import { startRedis, type RedisServer } from '../../support/redis-server.js';
import { waitFor } from '../../support/wait-for.js';
import { createNamespace, deployment, installCrds } from './support.js';

const NS = 'tide-busy';
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

interface Pod {
  metadata: { name: string; deletionTimestamp?: string; annotations?: Record<string, string> };
  status?: { phase?: string };
}

async function livePods(): Promise<Pod[]> {
  const list = await client.get<{ items: Pod[] }>(
    `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dworker`,
  );
  return list.items.filter((p) => !p.metadata.deletionTimestamp);
}

test('shrinking 4 -> 2 keeps the two Pods whose workers are busy: they are marked with pod-deletion-cost first', async () => {
  const list = 'busy-list';
  await client.post(`/apis/apps/v1/namespaces/${NS}/deployments`, deployment(NS, 'worker', 0));
  await client.post(`/apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects`, {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'worker-so', namespace: NS },
    spec: {
      scaleTargetRef: { name: 'worker' },
      pollingInterval: 1,
      cooldownPeriod: 2,
      maxReplicaCount: 4,
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
        },
      },
      triggers: [
        {
          type: 'redis',
          metadata: { address: `127.0.0.1:${redisServer!.port}`, listName: list, listLength: '1' },
        },
      ],
    },
  });
  operator = new Operator({ client, logger: pino({ level: 'warn' }), namespaces: [NS] });
  await operator.start();
  await redis.rpush(list, 'a', 'b', 'c', 'd');
  const pods = await waitFor(
    async () => {
      const p = await livePods();
      return p.length === 4 && p.every((x) => x.status?.phase === 'Running') ? p : undefined;
    },
    { timeoutMs: 60_000, what: '4 Running pods' },
  );
  // The newest two are the ones a plain ReplicaSet would keep least; make the OLDEST two busy,
  // as their workers would report it.
  const names = pods.map((p) => p.metadata.name);
  const busy = names.slice(0, 2);
  for (const [i, pod] of names.entries()) {
    await publishWorker(
      redis,
      {
        id: `celery@${pod}#${i}`,
        node: `celery@${pod}`,
        pod,
        pid: 100 + i,
        running: busy.includes(pod) ? 1 : 0,
        reserved: 0,
        concurrency: 1,
        queues: [list],
        startedAt: Date.now(),
      },
      120_000,
    );
  }
  await redis.ltrim(list, 0, 1); // 2 items left: 2 replicas wanted
  const left = await waitFor(
    async () => {
      const p = await livePods();
      return p.length === 2 ? p : undefined;
    },
    { timeoutMs: 30_000, what: 'the Deployment down to 2 pods' },
  );
  assert.deepEqual(
    left.map((p) => p.metadata.name).sort(),
    [...busy].sort(),
    'the busy pods were kept',
  );
  for (const p of left) assert.equal(p.metadata.annotations?.[POD_DELETION_COST], '1');
});
