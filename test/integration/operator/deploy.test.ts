/**
 * The deploy files install the operator on the test cluster: `helm install` of
 * deploy/helm/tide (Helm 3 built by `scripts/peers.sh build helm`), and deploy/operator/*.yaml
 * applied as kubectl would. Each creates the CRDs (Established), the RBAC and a Deployment
 * whose Pods the scheduler places on the KWOK node and KWOK reports Running and Ready (KWOK
 * runs no container, so this checks the objects and their wiring, not the image).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KubeClient, loadKubeConfig } from '../../../src/targets/kubernetes/kube-client.js';
import { peerBinary, startKubeCluster, type KubeCluster } from '../../support/peers.js';
import { repoRoot } from '../../support/tide-process.js';
import { waitFor } from '../../support/wait-for.js';
import { applyFile } from './support.js';

let cluster: KubeCluster | undefined;
let client: KubeClient;
let helmHome: string;

before(async () => {
  peerBinary('helm');
  cluster = await startKubeCluster({ stages: 'fast' });
  client = new KubeClient(loadKubeConfig(cluster.kubeconfig), { qps: 100, burst: 200 });
  helmHome = mkdtempSync(join(tmpdir(), 'tide-helm-'));
});

after(async () => {
  await cluster?.stop();
  if (helmHome) rmSync(helmHome, { recursive: true, force: true });
});

const CRDS = readdirSync(join(repoRoot, 'deploy/crds'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/^keda\.sh_(.*)\.yaml$/, '$1.keda.sh'))
  .sort();

function helm(...args: string[]) {
  const r = spawnSync(peerBinary('helm'), [...args, '--kubeconfig', cluster!.kubeconfig], {
    cwd: repoRoot,
    encoding: 'utf8',
    // Helm's cache, config and data in a throwaway folder, not the user's home.
    env: {
      ...process.env,
      HELM_CACHE_HOME: join(helmHome, 'cache'),
      HELM_CONFIG_HOME: join(helmHome, 'config'),
      HELM_DATA_HOME: join(helmHome, 'data'),
    },
    timeout: 180_000,
  });
  assert.equal(r.status, 0, `helm ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

interface Vwc {
  webhooks: {
    name: string;
    failurePolicy: string;
    clientConfig: { service: { name: string; namespace: string; path: string } };
    rules: { resources: string[] }[];
  }[];
}

/** KEDA's webhooks: its four paths, failurePolicy Ignore, through the operator's Service. */
function assertWebhooks(vwc: Vwc, namespace: string, service: string): void {
  assert.deepEqual(
    vwc.webhooks.map((w) => [
      w.rules[0]?.resources[0],
      w.clientConfig.service.path,
      w.failurePolicy,
    ]),
    ['scaledobject', 'scaledjob', 'triggerauthentication', 'clustertriggerauthentication'].map(
      (k) => [`${k}s`, `/validate-keda-sh-v1alpha1-${k}`, 'Ignore'],
    ),
  );
  for (const w of vwc.webhooks) {
    assert.equal(w.clientConfig.service.name, service);
    assert.equal(w.clientConfig.service.namespace, namespace);
  }
}

async function established(): Promise<string[]> {
  const list = await client.get<{
    items: {
      metadata: { name: string };
      status?: { conditions?: { type: string; status: string }[] };
    }[];
  }>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
  return list.items
    .filter((c) =>
      c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'),
    )
    .map((c) => c.metadata.name)
    .filter((n) => n.endsWith('.keda.sh'))
    .sort();
}

interface Pod {
  metadata: { name: string };
  spec: { serviceAccountName?: string; securityContext?: { runAsNonRoot?: boolean } };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

async function runningPods(ns: string, selector: string): Promise<Pod[]> {
  const pods = await client.get<{ items: Pod[] }>(
    `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`,
  );
  return pods.items.filter(
    (p) =>
      p.status?.phase === 'Running' &&
      p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
}

test('helm install of deploy/helm/tide creates the CRDs, the RBAC and a Deployment whose 2 Pods run as its ServiceAccount', async () => {
  const out = helm(
    'install',
    'tidehelm',
    'deploy/helm/tide',
    '--namespace',
    'tide-helm',
    '--create-namespace',
    '--set',
    'watchNamespaces={team-a,team-b}',
    '--wait',
    '--timeout',
    '120s',
  );
  assert.match(out, /STATUS: deployed/);
  assert.deepEqual(await established(), CRDS);
  const role = await client.get<{ rules: { resources: string[]; verbs: string[] }[] }>(
    '/apis/rbac.authorization.k8s.io/v1/clusterroles/tidehelm-operator',
  );
  const secrets = role.rules.find((r) => r.resources.includes('secrets'));
  assert.deepEqual(secrets?.verbs, ['get'], 'Secrets: get only, never list or watch');
  await client.get('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/tidehelm-operator');
  const dep = await client.get<{
    spec: {
      replicas: number;
      template: {
        spec: { containers: { args: string[]; env: { name: string; value?: string }[] }[] };
      };
    };
  }>('/apis/apps/v1/namespaces/tide-helm/deployments/tidehelm-operator');
  assert.equal(dep.spec.replicas, 2);
  const container = dep.spec.template.spec.containers[0]!;
  assert.ok(container.args.includes('--leader-elect'));
  assert.equal(container.env.find((e) => e.name === 'WATCH_NAMESPACE')?.value, 'team-a,team-b');
  const pods = await waitFor(
    async () => {
      const p = await runningPods('tide-helm', 'app.kubernetes.io/instance=tidehelm');
      return p.length === 2 ? p : undefined;
    },
    { timeoutMs: 60_000, what: 'the 2 operator Pods of the Helm release Running and Ready' },
  );
  for (const p of pods) {
    assert.equal(p.spec.serviceAccountName, 'tidehelm-operator');
    assert.equal(p.spec.securityContext?.runAsNonRoot, true);
  }
  // The admission webhook is on by default: a Service to every operator Pod and KEDA's four
  // webhooks with failurePolicy Ignore, and the args and RBAC it needs.
  assert.ok(container.args.includes('--webhook-port=9443'));
  assert.ok(container.args.includes('--webhook-config=tidehelm-admission'));
  const vwc = await client.get<Vwc>(
    '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/tidehelm-admission',
  );
  assertWebhooks(vwc, 'tide-helm', 'tidehelm-webhook');
  await client.get('/api/v1/namespaces/tide-helm/services/tidehelm-webhook');
  await client.get(
    '/apis/rbac.authorization.k8s.io/v1/namespaces/tide-helm/roles/tidehelm-webhook-certs',
  );
  assert.ok(role.rules.some((r) => r.resources.includes('validatingwebhookconfigurations')));
  assert.match(helm('list', '--namespace', 'tide-helm'), /tidehelm\s+tide-helm\s+1\s/);
});

test('deploy/operator/*.yaml applied as kubectl would: namespace, RBAC and a Deployment whose 2 Pods run', async () => {
  // The CRDs are in deploy/crds (the Helm chart's crds/ holds the same files): already there.
  assert.deepEqual(await established(), CRDS);
  for (const f of ['namespace.yaml', 'rbac.yaml', 'deployment.yaml', 'webhook.yaml'])
    await applyFile(client, `deploy/operator/${f}`);
  assertWebhooks(
    await client.get<Vwc>(
      '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/tide-admission',
    ),
    'tide-system',
    'tide-webhook',
  );
  await client.get('/apis/rbac.authorization.k8s.io/v1/clusterroles/tide-operator');
  await client.get(
    '/apis/rbac.authorization.k8s.io/v1/namespaces/tide-system/roles/tide-operator-leader-election',
  );
  const pods = await waitFor(
    async () => {
      const p = await runningPods('tide-system', 'app.kubernetes.io/name=tide-operator');
      return p.length === 2 ? p : undefined;
    },
    { timeoutMs: 60_000, what: 'the 2 operator Pods of deploy/operator Running and Ready' },
  );
  for (const p of pods) assert.equal(p.spec.serviceAccountName, 'tide-operator');
});
