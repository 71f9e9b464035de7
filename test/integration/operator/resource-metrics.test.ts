/**
 * `cpu` triggers in the operator on a real cluster: metrics-server (built as a test peer)
 * scrapes KWOK's simulated kubelet endpoint and serves metrics.k8s.io; each Pod's CPU usage
 * is its `kwok.x-k8s.io/usage-cpu` annotation. The operator reads the target's Pods and their
 * PodMetrics as the HPA does: usage above the target scales out, below scales in, and a
 * container without a request is the HPA's error with replicas held.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { KubeClient, loadKubeConfig } from '../../../src/targets/kubernetes/kube-client.js';
import { Operator } from '../../../src/operator/operator.js';
import type { DecisionRecord } from '../../../src/observe/types.js';
import { startKubeCluster, type KubeCluster } from '../../support/peers.js';
import { waitFor } from '../../support/wait-for.js';
import { createNamespace, deployment, installCrds } from './support.js';

const NS = 'tide-cpu';
const KEDA = '/apis/keda.sh/v1alpha1';
let cluster: KubeCluster | undefined;
let client: KubeClient;
let operator: Operator | undefined;
/** Each object's last round record, as the operator's decision log gets it (onRecord). */
const lastRecord = new Map<string, DecisionRecord>();

before(async () => {
  cluster = await startKubeCluster({ stages: 'fast', metricsServer: true });
  client = new KubeClient(loadKubeConfig(cluster.kubeconfig), { qps: 200, burst: 400 });
  await installCrds(client);
  await createNamespace(client, NS);
  operator = new Operator({
    client,
    logger: pino({ level: 'silent' }),
    namespaces: [NS],
    resyncMs: 2_000,
    onRecord: (r) => lastRecord.set(`${r.namespace}/${r.name}`, r.record),
  });
  await operator.start();
});

after(async () => {
  await operator?.stop();
  await cluster?.stop();
});

/** A Deployment whose Pods use `usage` CPU, with `request` (or none) for their container. */
async function createWorkload(name: string, replicas: number, usage: string, request?: string) {
  const d = deployment(NS, name, replicas);
  Object.assign(d.spec.template, {
    metadata: { labels: { app: name }, annotations: { 'kwok.x-k8s.io/usage-cpu': usage } },
  });
  if (request)
    Object.assign(d.spec.template.spec.containers[0]!, {
      resources: { requests: { cpu: request } },
    });
  await client.post(`/apis/apps/v1/namespaces/${NS}/deployments`, d);
}

async function createCpuScaledObject(name: string, target: string) {
  await client.post(`${KEDA}/namespaces/${NS}/scaledobjects`, {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, namespace: NS },
    spec: {
      scaleTargetRef: { name: target },
      pollingInterval: 2,
      minReplicaCount: 1,
      maxReplicaCount: 6,
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
        },
      },
      triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '50' } }],
    },
  });
}

const replicas = async (name: string) =>
  (
    await client.get<{ spec: { replicas?: number } }>(
      `/apis/apps/v1/namespaces/${NS}/deployments/${name}/scale`,
    )
  ).spec.replicas ?? 0;

interface Ready {
  status?: { conditions?: { type: string; status: string; message: string }[] };
}
const readyOf = async (name: string) =>
  (
    await client.get<Ready>(`${KEDA}/namespaces/${NS}/scaledobjects/${name}`)
  ).status?.conditions?.find((c) => c.type === 'Ready');

test("CPU above the target scales out; below it scales in (Utilization of the Pods' requests)", async () => {
  // 2 Pods at 800m of a 500m request: 160% against 50% → ceil(3.2 × 2) = 7, capped at 6.
  await createWorkload('web', 2, '800m', '500m');
  await createCpuScaledObject('web', 'web');
  await waitFor(async () => (await replicas('web')) === 6, {
    timeoutMs: 120_000,
    what: 'web to scale out to maxReplicaCount 6 on 160% CPU utilization',
  });
  const ready = await readyOf('web');
  assert.equal(ready?.status, 'True', ready?.message);
  const decision = lastRecord.get(`${NS}/web`);
  assert.match(JSON.stringify(decision?.reasons ?? []), /s0-cpu: utilization \d+%, target 50%/);

  // Every Pod down to 50m (10%): 0.2 × 6 → 2, then 0.2 × 2 → 1 (minReplicaCount). All six
  // must exist first: `replicas` is the Deployment's spec, and a Pod the ReplicaSet creates
  // after the patches keeps the template's 800m, which holds the average above the target.
  const pods = await waitFor(
    async () => {
      const list = await client.get<{ items: { metadata: { name: string } }[] }>(
        `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`,
      );
      return list.items.length === 6 ? list : undefined;
    },
    { timeoutMs: 60_000, what: "web's 6 Pods to exist" },
  );
  for (const p of pods.items)
    await client.patch(`/api/v1/namespaces/${NS}/pods/${p.metadata.name}`, {
      metadata: { annotations: { 'kwok.x-k8s.io/usage-cpu': '50m' } },
    });
  await waitFor(async () => (await replicas('web')) === 1, {
    timeoutMs: 120_000,
    what: 'web to scale in to minReplicaCount 1 on 10% CPU utilization',
  });
});

test("a container without a CPU request is the HPA's error: Ready=False with its message, replicas held", async () => {
  await createWorkload('bare', 2, '800m');
  await createCpuScaledObject('bare', 'bare');
  const ready = await waitFor(
    async () => {
      const r = await readyOf('bare');
      return r?.status === 'False' && /missing request/.test(r.message) ? r : undefined;
    },
    { timeoutMs: 120_000, what: 'Ready=False with the missing-request message' },
  );
  assert.match(
    ready.message,
    /^Triggers defined in ScaledObject are not working correctly: ScaledObject tide-cpu\/bare trigger 0 \(cpu\): failed to get cpu utilization: missing request for cpu in container worker of Pod bare-/,
  );
  assert.equal(await replicas('bare'), 2);
});
