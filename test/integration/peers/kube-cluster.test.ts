import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startKubeCluster, type KubeCluster } from '../../support/peers.js';
import { waitFor } from '../../support/wait-for.js';

let cluster: KubeCluster | undefined;
let kc: k8s.KubeConfig;

before(async () => {
  cluster = await startKubeCluster({ stages: 'fast' });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
});
after(async () => {
  await cluster?.stop();
});

test('the test cluster runs a Deployment on KWOK nodes and scales it through /scale', async () => {
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const name = `web-${process.pid}`;
  await apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    },
  });
  const ready = (n: number) => async () =>
    (await apps.readNamespacedDeployment({ name, namespace: 'default' })).status?.readyReplicas ===
    n;
  await waitFor(ready(2), { timeoutMs: 60_000, what: `${name} to have 2 ready replicas` });

  await apps.patchNamespacedDeploymentScale(
    { name, namespace: 'default', body: { spec: { replicas: 3 } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await waitFor(ready(3), { timeoutMs: 60_000, what: `${name} to have 3 ready replicas` });
  const scale = await apps.readNamespacedDeploymentScale({ name, namespace: 'default' });
  assert.equal(scale.status?.replicas, 3);
});

test('the test cluster drives a Job to success', async () => {
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const name = `job-${process.pid}`;
  await batch.createNamespacedJob({
    namespace: 'default',
    body: {
      metadata: { name },
      spec: {
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    },
  });
  const job = await waitFor(
    async () => {
      const j = await batch.readNamespacedJob({ name, namespace: 'default' });
      return j.status?.succeeded === 1 ? j : undefined;
    },
    { timeoutMs: 60_000, what: `Job ${name} to succeed` },
  );
  assert.ok(job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'));
});
