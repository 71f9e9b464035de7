/**
 * Builds the ManifestSet one ScaledObject needs from the cluster, so the same validation,
 * env resolution and auth resolution as local mode apply: the object itself, its target
 * workload (for `*FromEnv`, from the pod template), the TriggerAuthentications and
 * ClusterTriggerAuthentications it references, and the Secrets and ConfigMaps those and the
 * target's env name. Objects are parsed with the same schemas as YAML files; the "file" of a
 * cluster object is `cluster:` plus its API path, so messages still say where it came from.
 */
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { emptySet, addToSet } from '../manifests/load.js';
import { parseObject } from '../manifests/parse-object.js';
import { scaleTargetKind } from '../manifests/defaults.js';
import type {
  ClusterTriggerAuthentication,
  Container,
  ManifestSet,
  ScaledJob,
  ScaledObject,
  TideObject,
  TriggerAuthentication,
} from '../manifests/types.js';
import type { KubeClient } from '../targets/kubernetes/kube-client.js';
import { flat } from '../flat.js';

/** The pseudo file name of a cluster object in messages. */
export function clusterSource(kind: string, namespace: string | undefined, name: string): string {
  return flat(`cluster:${kind}/${namespace ? `${namespace}/` : ''}${name}`);
}

export type ParsedCluster =
  | { ok: true; object: TideObject; warnings: { path: string; message: string }[] }
  | { ok: false; issues: { path: string; message: string }[] };

/** Parses an object read from the API with tide's schemas; server-managed fields are dropped. */
export function parseClusterObject(raw: KubernetesObject): ParsedCluster {
  const meta = raw.metadata ?? {};
  const doc = {
    ...raw,
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      labels: meta.labels,
      annotations: meta.annotations,
      generation: meta.generation,
      creationTimestamp:
        meta.creationTimestamp instanceof Date
          ? meta.creationTimestamp.toISOString()
          : meta.creationTimestamp,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
    },
    status: undefined,
  };
  const source = { file: clusterSource(raw.kind ?? '', meta.namespace, meta.name ?? '') };
  const r = parseObject(doc, source);
  if (r.status === 'object')
    return {
      ok: true,
      object: r.object,
      warnings: r.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    };
  const issues = r.issues
    .filter((i) => i.severity === 'error')
    .map((i) => ({ path: formatPath(i.path), message: i.message }));
  return {
    ok: false,
    issues: issues.length ? issues : [{ path: '', message: `${raw.kind} is not read by tide` }],
  };
}

function formatPath(p: readonly (string | number)[]): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

export interface ClusterSetInput {
  client: KubeClient;
  /** A ScaledObject, or a ScaledJob (whose env comes from `jobTargetRef.template`). */
  so: ScaledObject | ScaledJob;
  triggerAuthentications: readonly KubernetesObject[];
  clusterTriggerAuthentications: readonly KubernetesObject[];
  /** Where ClusterTriggerAuthentication Secrets live (KEDA_CLUSTER_OBJECT_NAMESPACE). */
  clusterObjectNamespace: string;
  /**
   * Filled with the API path of every Secret and ConfigMap read (or found missing) and a
   * digest of its data, so a later {@link refDigest} can tell whether any of them changed.
   */
  digests?: Map<string, string>;
}

/** A digest of a Secret's or ConfigMap's data ('' when missing); never the values themselves. */
function digestOf(raw: KubernetesObject | undefined): string {
  if (!raw) return '';
  const o = raw as { data?: unknown; binaryData?: unknown; stringData?: unknown };
  return createHash('sha256')
    .update(JSON.stringify([o.data ?? {}, o.binaryData ?? {}, o.stringData ?? {}]))
    .digest('base64');
}

/** Re-reads one Secret/ConfigMap path (a key of `digests`) and returns its digest. */
export async function refDigest(client: KubeClient, path: string): Promise<string> {
  return digestOf(await client.find<KubernetesObject>(path));
}

function envRefs(containers: readonly Container[]): { secrets: string[]; configMaps: string[] } {
  const secrets: string[] = [];
  const configMaps: string[] = [];
  for (const c of containers) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.secretKeyRef) secrets.push(e.valueFrom.secretKeyRef.name);
      if (e.valueFrom?.configMapKeyRef) configMaps.push(e.valueFrom.configMapKeyRef.name);
    }
    for (const f of c.envFrom ?? []) {
      if (f.secretRef) secrets.push(f.secretRef.name);
      if (f.configMapRef) configMaps.push(f.configMapRef.name);
    }
  }
  return { secrets, configMaps };
}

/** Reads what the ScaledObject references and returns it as a set (missing objects are left out). */
export async function buildClusterSet(input: ClusterSetInput): Promise<ManifestSet> {
  const { client, so } = input;
  const ns = so.metadata.namespace;
  const set = emptySet();
  addToSet(set, so);
  const want = { secrets: new Set<string>(), configMaps: new Set<string>() };
  const cta = { secrets: new Set<string>(), configMaps: new Set<string>() };

  if (so.kind === 'ScaledJob') {
    const refs = envRefs(so.spec.jobTargetRef.template.spec.containers);
    refs.secrets.forEach((n) => want.secrets.add(n));
    refs.configMaps.forEach((n) => want.configMaps.add(n));
  }
  const { apiVersion, kind } =
    so.kind === 'ScaledObject' ? scaleTargetKind(so) : { apiVersion: '', kind: '' };
  if (
    so.kind === 'ScaledObject' &&
    apiVersion === 'apps/v1' &&
    (kind === 'Deployment' || kind === 'StatefulSet')
  ) {
    const plural = kind === 'Deployment' ? 'deployments' : 'statefulsets';
    const raw = await client.find<KubernetesObject>(
      `/apis/apps/v1/namespaces/${ns}/${plural}/${so.spec.scaleTargetRef.name}`,
    );
    const parsed = raw ? parseClusterObject({ ...raw, apiVersion, kind }) : undefined;
    if (
      parsed?.ok &&
      (parsed.object.kind === 'Deployment' || parsed.object.kind === 'StatefulSet')
    ) {
      addToSet(set, parsed.object);
      const refs = envRefs(parsed.object.spec.template.spec.containers);
      refs.secrets.forEach((n) => want.secrets.add(n));
      refs.configMaps.forEach((n) => want.configMaps.add(n));
    }
  }

  for (const t of so.spec.triggers) {
    const ref = t.authenticationRef;
    if (!ref) continue;
    const cluster = ref.kind === 'ClusterTriggerAuthentication';
    const raw = cluster
      ? input.clusterTriggerAuthentications.find((a) => a.metadata?.name === ref.name)
      : input.triggerAuthentications.find(
          (a) => a.metadata?.name === ref.name && a.metadata.namespace === ns,
        );
    if (!raw) continue;
    const kindName = cluster ? 'ClusterTriggerAuthentication' : 'TriggerAuthentication';
    const parsed = parseClusterObject({ ...raw, kind: kindName });
    if (!parsed.ok) continue;
    const auth = parsed.object as TriggerAuthentication | ClusterTriggerAuthentication;
    if (
      set[cluster ? 'clusterTriggerAuthentications' : 'triggerAuthentications'].some(
        (a) => a.metadata.name === auth.metadata.name,
      )
    )
      continue;
    addToSet(set, auth);
    const into = cluster ? cta : want;
    auth.spec.secretTargetRef?.forEach((r) => into.secrets.add(r.name));
    auth.spec.configMapTargetRef?.forEach((r) => into.configMaps.add(r.name));
  }

  const fetch = async (namespace: string, plural: 'secrets' | 'configmaps', name: string) => {
    const path = `/api/v1/namespaces/${namespace}/${plural}/${name}`;
    const raw = await client.find<KubernetesObject>(path);
    input.digests?.set(path, digestOf(raw));
    if (!raw) return;
    const parsed = parseClusterObject({
      ...raw,
      apiVersion: 'v1',
      kind: plural === 'secrets' ? 'Secret' : 'ConfigMap',
    });
    if (parsed.ok) addToSet(set, parsed.object);
  };
  await Promise.all([
    ...[...want.secrets].map((n) => fetch(ns, 'secrets', n)),
    ...[...want.configMaps].map((n) => fetch(ns, 'configmaps', n)),
    ...[...cta.secrets].map((n) => fetch(input.clusterObjectNamespace, 'secrets', n)),
    ...[...cta.configMaps].map((n) => fetch(input.clusterObjectNamespace, 'configmaps', n)),
  ]);
  return set;
}
