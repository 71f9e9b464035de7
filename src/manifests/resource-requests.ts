/**
 * KEDA's admission rule 6 with the cluster in view (keda.md §1.2; `verifyCPUMemoryScalers`):
 * a `cpu` or `memory` trigger on an apps/v1 Deployment or StatefulSet needs every container
 * it measures (all of them, or the trigger's `containerName`) to set a request or a limit
 * above 0 for that resource, unless a LimitRange of type Container in the namespace gives a
 * default (or defaultRequest) above 0. Pure: the caller reads the workload and LimitRanges.
 */
import { scaleTargetKind } from './defaults.js';
import { parseQuantity } from '../scalers/resource/quantity.js';
import type { Container, ScaledObject } from './types.js';

export type ResourceName = 'cpu' | 'memory';

/** A LimitRange as the API returns it (only what the rule reads). */
export interface LimitRangeObject {
  spec?: {
    limits?: {
      type?: string;
      default?: Record<string, string>;
      defaultRequest?: Record<string, string>;
    }[];
  };
}

const positive = (q: string | undefined) => q !== undefined && (parseQuantity(q) ?? 0) > 0;

/** The resources for which some LimitRange gives containers a default above 0. */
export function limitRangeDefaults(ranges: readonly LimitRangeObject[]): Set<ResourceName> {
  const out = new Set<ResourceName>();
  for (const r of ranges)
    for (const item of r.spec?.limits ?? []) {
      if (item.type !== 'Container') continue;
      for (const name of ['cpu', 'memory'] as const)
        if (positive(item.defaultRequest?.[name]) || positive(item.default?.[name])) out.add(name);
    }
  return out;
}

export interface RequestIssue {
  path: string;
  message: string;
}

/**
 * One issue per cpu/memory trigger that measures a container without a request or limit for
 * its resource (KEDA's message), given the target's containers and the LimitRange defaults.
 */
export function missingRequestIssues(
  so: ScaledObject,
  containers: readonly Container[],
  defaults: ReadonlySet<ResourceName>,
): RequestIssue[] {
  const out: RequestIssue[] = [];
  so.spec.triggers.forEach((t, i) => {
    if (t.type !== 'cpu' && t.type !== 'memory') return;
    const r: ResourceName = t.type;
    if (defaults.has(r)) return;
    const only = t.metadata['containerName'];
    const bare = containers.find(
      (c) =>
        (!only || c.name === only) &&
        !positive(c.resources?.requests?.[r]) &&
        !positive(c.resources?.limits?.[r]),
    );
    if (bare)
      out.push({
        path: `spec.triggers[${i}]`,
        message: `the scaledobject has a ${r} trigger but the container ${bare.name} doesn't have the ${r} request defined`,
      });
  });
  return out;
}

/** The apps/v1 resource whose pod template the rule reads, or undefined for other kinds (KEDA skips them). */
export function checkedTargetResource(
  so: ScaledObject,
): 'deployments' | 'statefulsets' | undefined {
  const { apiVersion, kind } = scaleTargetKind(so);
  if (apiVersion !== 'apps/v1') return undefined;
  return kind === 'Deployment'
    ? 'deployments'
    : kind === 'StatefulSet'
      ? 'statefulsets'
      : undefined;
}
