/** Shared steps of the operator tests: install tide's CRDs on a test cluster, create namespaces. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { KubeApiError, KubeClient } from '../../../src/targets/kubernetes/kube-client.js';
import { waitFor } from '../../support/wait-for.js';

const crdDir = fileURLToPath(new URL('../../../deploy/crds/', import.meta.url));

/** Creates every CRD of deploy/crds and waits until each is Established. */
export async function installCrds(client: KubeClient): Promise<string[]> {
  const names: string[] = [];
  for (const f of readdirSync(crdDir)
    .filter((x) => x.endsWith('.yaml'))
    .sort()) {
    const crd = parse(readFileSync(join(crdDir, f), 'utf8')) as { metadata: { name: string } };
    await client.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    names.push(crd.metadata.name);
  }
  for (const name of names) {
    await waitFor(
      async () => {
        const c = await client.get<{
          status?: { conditions?: { type: string; status: string }[] };
        }>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
        return c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
      },
      { timeoutMs: 30_000, what: `CRD ${name} to be Established` },
    );
  }
  // Discovery of a new group can lag Established by a moment: wait until the API serves it.
  await waitFor(() => client.get('/apis/keda.sh/v1alpha1/scaledobjects').then(() => true), {
    timeoutMs: 30_000,
    what: 'keda.sh/v1alpha1 to be served',
  });
  return names;
}

export async function createNamespace(client: KubeClient, name: string): Promise<void> {
  try {
    await client.post('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
  } catch (e) {
    if (!(e instanceof KubeApiError && e.status === 409)) throw e;
  }
}

/** A Deployment with `replicas` and one container, for scaling tests. */
export function deployment(namespace: string, name: string, replicas: number, env: unknown[] = []) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'worker', image: 'busybox', env }] },
      },
    },
  };
}

const COLLECTIONS: Record<string, (ns: string) => string> = {
  Namespace: () => '/api/v1/namespaces',
  ServiceAccount: (ns) => `/api/v1/namespaces/${ns}/serviceaccounts`,
  ClusterRole: () => '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  ClusterRoleBinding: () => '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  Role: (ns) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
  RoleBinding: (ns) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
  Secret: (ns) => `/api/v1/namespaces/${ns}/secrets`,
  ConfigMap: (ns) => `/api/v1/namespaces/${ns}/configmaps`,
  Deployment: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`,
  StatefulSet: (ns) => `/apis/apps/v1/namespaces/${ns}/statefulsets`,
  ScaledObject: (ns) => `/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledobjects`,
  ScaledJob: (ns) => `/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledjobs`,
  TriggerAuthentication: (ns) => `/apis/keda.sh/v1alpha1/namespaces/${ns}/triggerauthentications`,
  ClusterTriggerAuthentication: () => '/apis/keda.sh/v1alpha1/clustertriggerauthentications',
  Service: (ns) => `/api/v1/namespaces/${ns}/services`,
  ValidatingWebhookConfiguration: () =>
    '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
};

/** Creates one object (kubectl create): in its own namespace, else `namespace`. */
export async function applyObject(
  client: KubeClient,
  o: { kind?: string; metadata?: object },
  namespace = 'default',
): Promise<void> {
  const collection = o.kind ? COLLECTIONS[o.kind] : undefined;
  if (!collection) throw new Error(`applyObject: ${o.kind} is not handled here`);
  const ns = (o.metadata as { namespace?: string } | undefined)?.namespace;
  await client.post(collection(ns ?? namespace), o);
}

/** Creates every object of a deploy/ YAML file (the kinds the operator's manifests use). */
export async function applyFile(client: KubeClient, file: string): Promise<void> {
  const text = readFileSync(fileURLToPath(new URL(`../../../${file}`, import.meta.url)), 'utf8');
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJS() as { kind: string; metadata: { namespace?: string } } | null;
    if (!o) continue;
    const collection = COLLECTIONS[o.kind];
    if (!collection) throw new Error(`applyFile: ${file} has a ${o.kind}, not handled here`);
    try {
      await client.post(collection(o.metadata.namespace ?? 'default'), o);
    } catch (e) {
      if (!(e instanceof KubeApiError && e.status === 409)) throw e;
    }
  }
}

/** A client authenticated as a ServiceAccount (TokenRequest API), on the admin's cluster. */
export async function serviceAccountClient(
  admin: KubeClient,
  namespace: string,
  name: string,
): Promise<KubeClient> {
  const tr = await admin.post<{ status: { token: string } }>(
    `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    },
  );
  const cluster = admin.kc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: cluster.server, caFile: cluster.caFile, skipTLSVerify: false }],
    users: [{ name: 'sa', token: tr.status.token }],
    contexts: [{ name: 'sa', cluster: 'c', user: 'sa' }],
    currentContext: 'sa',
  });
  return new KubeClient(kc, { qps: 100, burst: 200 });
}
