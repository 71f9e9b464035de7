/**
 * Where a kind keeps the replicas its `/scale` subresource reports, so a list of the kind
 * can stand in for one `/scale` read per object: at 10,000 ScaledObjects those reads (at
 * --qps 200, 50 s of the budget) were most of the operator's start-up. Built-in workloads
 * keep them in `.spec.replicas`/`.status.replicas`; a custom resource declares them in its
 * CRD (`subresources.scale.specReplicasPath`, dotted paths without array indexing, as the
 * API server requires). When the CRD cannot be read (RBAC grants `*\/scale` only) the paths
 * are unknown and the caller reads `/scale`.
 */
import type { KubeClient } from '../targets/kubernetes/kube-client.js';
import type { Gvkr, ScaleObject } from '../targets/kubernetes/scale.js';

export interface ReplicaPaths {
  spec: readonly string[];
  status: readonly string[];
}

const BUILT_IN: ReplicaPaths = { spec: ['spec', 'replicas'], status: ['status', 'replicas'] };
const BUILT_IN_KINDS = new Set([
  'apps/deployments',
  'apps/statefulsets',
  'apps/replicasets',
  '/replicationcontrollers',
]);

interface Crd {
  spec?: {
    versions?: {
      name: string;
      subresources?: { scale?: { specReplicasPath?: string; statusReplicasPath?: string } };
    }[];
  };
}

/** `.spec.replicas` -> ['spec', 'replicas']; undefined for anything but a plain dotted path. */
export function parsePath(p: string | undefined): string[] | undefined {
  if (!p || !p.startsWith('.')) return undefined;
  const parts = p.slice(1).split('.');
  return parts.every((s) => /^[A-Za-z0-9_-]+$/.test(s)) ? parts : undefined;
}

/** The replica paths of `gvkr`, or undefined when they cannot be known. */
export async function replicaPaths(
  client: KubeClient,
  gvkr: Gvkr,
): Promise<ReplicaPaths | undefined> {
  if (BUILT_IN_KINDS.has(`${gvkr.group}/${gvkr.resource}`)) return BUILT_IN;
  if (!gvkr.group) return undefined;
  let crd: Crd | undefined;
  try {
    crd = await client.find<Crd>(
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${gvkr.resource}.${gvkr.group}`,
    );
  } catch {
    return undefined; // Forbidden, or an aggregated API: read /scale instead.
  }
  const scale = crd?.spec?.versions?.find((v) => v.name === gvkr.version)?.subresources?.scale;
  const spec = parsePath(scale?.specReplicasPath);
  if (!spec) return undefined;
  // statusReplicasPath is required by the API server; a missing one reads as 0, as /scale does.
  return { spec, status: parsePath(scale?.statusReplicasPath) ?? [] };
}

function at(obj: unknown, path: readonly string[]): number | undefined {
  if (!path.length) return undefined;
  let v: unknown = obj;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return typeof v === 'number' ? v : undefined;
}

/**
 * What `/scale` would answer for `raw`, as an autoscaling/v1 Scale: the object's
 * resourceVersion (a Scale carries its parent's) and its replicas; 0 is left out, as the
 * API server leaves it out.
 */
export function scaleOf(
  raw: { metadata?: { resourceVersion?: string } },
  paths: ReplicaPaths,
): ScaleObject {
  const spec = at(raw, paths.spec);
  const status = at(raw, paths.status);
  return {
    metadata: { resourceVersion: raw.metadata?.resourceVersion ?? '' },
    spec: spec ? { replicas: spec } : {},
    status: status ? { replicas: status } : {},
  };
}
