/**
 * Whole-set validation after loading: KEDA's admission-webhook rules (minus what needs a
 * cluster), pause annotations, conflicts between ScaledObjects, references to
 * TriggerAuthentications, each trigger's metadata parsed by its scaler definition, and the
 * env references of every workload.
 */
import type { ManifestError } from '../errors.js';
import { parsePauseAnnotations } from '../engine/pause.js';
import { parseWaitAnnotations } from '../engine/wait-target.js';
import { getScalerDefinition, unknownTypeWarning } from '../scalers/registry.js';
import { hpaName, scaleTargetKind } from './defaults.js';
import { IssueCollector } from './positions.js';
import { findScaleTarget, resolveTriggerInputs } from './resolve-auth.js';
import type { ResolveAuthOptions } from './resolve-auth.js';
import { resolveContainerEnv } from './resolve-env.js';
import { checkedTargetResource, missingRequestIssues } from './resource-requests.js';
import { objectName } from './types.js';
import type { Container, ManifestSet, ScaledJob, ScaledObject } from './types.js';
import { triggerAuthenticationRules } from './validate-auth.js';
import { scaledJobRules, scaledObjectRules } from './validate-scaled-object.js';

export interface ValidationResult {
  errors: ManifestError[];
  warnings: ManifestError[];
}

export interface ValidateOptions extends ResolveAuthOptions {
  /**
   * The set was read from a cluster. The cpu/memory request rule is then the caller's (the
   * webhook applies it with the namespace's LimitRanges; KEDA does not re-check it later).
   */
  fromCluster?: boolean;
}

/** Validates a loaded set. Objects with errors should not be run; warnings are for the user. */
export function validateSet(set: ManifestSet, opts: ValidateOptions = {}): ValidationResult {
  const c = new IssueCollector();
  for (const so of set.scaledObjects) {
    for (const i of scaledObjectRules(so)) c.add(so, i.path, i.message, i.severity);
    checkPause(so, c);
    checkTriggers(so, set, c, opts);
    if (!opts.fromCluster) checkResourceRequests(so, set, c);
  }
  for (const sj of set.scaledJobs) {
    for (const i of scaledJobRules(sj)) c.add(sj, i.path, i.message, i.severity);
    checkPause(sj, c);
    checkTriggers(sj, set, c, opts);
    checkContainers(
      sj,
      sj.spec.jobTargetRef.template.spec.containers,
      'spec.jobTargetRef.template.spec',
      set,
      c,
    );
  }
  for (const a of [...set.triggerAuthentications, ...set.clusterTriggerAuthentications]) {
    for (const i of triggerAuthenticationRules(a)) c.add(a, i.path, i.message, i.severity);
  }
  for (const w of [...set.deployments, ...set.statefulSets]) {
    checkContainers(w, w.spec.template.spec.containers, 'spec.template.spec', set, c);
  }
  checkConflicts(set, c);
  return c.result();
}

/**
 * Local mode only: every ScaledObject must target an apps/v1 Deployment or StatefulSet that is
 * in the set (the operator reads targets from the cluster instead).
 */
export function checkLocalTargets(set: ManifestSet): ValidationResult {
  const c = new IssueCollector();
  for (const so of set.scaledObjects) {
    const { apiVersion, kind } = scaleTargetKind(so);
    if (apiVersion !== 'apps/v1' || (kind !== 'Deployment' && kind !== 'StatefulSet')) {
      c.add(
        so,
        'spec.scaleTargetRef',
        `local mode scales apps/v1 Deployment or StatefulSet only, got ${apiVersion} ${kind}`,
      );
    } else if (!findScaleTarget(so, set)) {
      c.add(
        so,
        'spec.scaleTargetRef.name',
        `${kind} ${so.metadata.namespace}/${so.spec.scaleTargetRef.name} not found in the loaded manifests`,
      );
    }
  }
  return c.result();
}

/**
 * KEDA's webhook rule on cpu/memory triggers (`missingRequestIssues`, shared with tide's own
 * webhook), checked when the target is in the set. A namespace LimitRange may give the
 * containers a default; tide does not read LimitRange objects, so with one among the files
 * the finding only warns.
 */
function checkResourceRequests(so: ScaledObject, set: ManifestSet, c: IssueCollector): void {
  const target = findScaleTarget(so, set);
  if (!target || !checkedTargetResource(so)) return;
  const limitRange = set.ignored.some((i) => i.kind === 'LimitRange');
  const where = `${target.kind} ${target.metadata.namespace}/${target.metadata.name}`;
  for (const x of missingRequestIssues(so, target.spec.template.spec.containers, new Set()))
    if (limitRange)
      c.add(
        so,
        x.path,
        `${x.message} (${where}); tide does not read LimitRange defaults, KEDA accepts it if one applies`,
        'warning',
      );
    else c.add(so, x.path, `${x.message} (${where}), so KEDA's admission webhook refuses it`);
}

/** KEDA's pause annotations: booleans as Go ParseBool (others count as true), paused-replicas an int32. */
function checkPause(o: ScaledObject | ScaledJob, c: IssueCollector): void {
  const r = parsePauseAnnotations(o.metadata.annotations, o.kind);
  if (!r.ok) c.add(o, r.path, r.error);
  // tide's wait-time policy (KEDA ignores annotations it does not know).
  const w = o.kind === 'ScaledObject' ? parseWaitAnnotations(o.metadata.annotations) : undefined;
  if (w && !w.ok) c.add(o, w.path, w.error);
}

function checkTriggers(
  o: ScaledObject | ScaledJob,
  set: ManifestSet,
  c: IssueCollector,
  opts: ResolveAuthOptions,
): void {
  o.spec.triggers.forEach((t, i) => {
    const at = `spec.triggers[${i}]`;
    const def = getScalerDefinition(t.type);
    if (!def) {
      c.add(o, `${at}.type`, unknownTypeWarning(t.type), 'warning');
      return;
    }
    const { inputs, issues } = resolveTriggerInputs(o, i, set, opts);
    // Env reference problems are reported once, on the workload's own env entry (checkContainers).
    for (const x of issues)
      if (x.path.startsWith('spec.triggers') || x.path.endsWith('envSourceContainerName'))
        c.push(o, x);
    const parsed = def.parse(inputs);
    const found = parsed.ok ? parsed.warnings : parsed.issues;
    for (const x of found) {
      c.push(o, { ...x, path: x.path ? `${at}.${x.path}` : at, line: undefined, col: undefined });
    }
  });
}

function checkContainers(
  o: ScaledJob | ManifestSet['deployments'][number] | ManifestSet['statefulSets'][number],
  containers: Container[],
  podAt: string,
  set: ManifestSet,
  c: IssueCollector,
): void {
  containers.forEach((container, i) => {
    const r = resolveContainerEnv(container, o.metadata.namespace, set, {
      pathPrefix: `${podAt}.containers[${i}].`,
    });
    for (const x of r.issues) c.push(o, x);
  });
}

/** Rule 5 without the cluster: two ScaledObjects on one target, or owning one HPA name. */
function checkConflicts(set: ManifestSet, c: IssueCollector): void {
  const targets = new Map<string, ScaledObject>();
  const hpas = new Map<string, ScaledObject>();
  for (const so of set.scaledObjects) {
    const { apiVersion, kind } = scaleTargetKind(so);
    const ns = so.metadata.namespace;
    const targetKey = `${ns}/${apiVersion}/${kind}/${so.spec.scaleTargetRef.name}`;
    const other = targets.get(targetKey);
    if (other) {
      c.add(
        so,
        'spec.scaleTargetRef.name',
        `${objectName(so)} and ${objectName(other)} both target ${kind} ${ns}/${so.spec.scaleTargetRef.name}; a workload can be scaled by one ScaledObject only`,
      );
    } else targets.set(targetKey, so);
    const hpa = hpaName(so);
    const owner = hpas.get(`${ns}/${hpa}`);
    if (owner) {
      const custom = so.spec.advanced?.horizontalPodAutoscalerConfig?.name;
      c.add(
        so,
        custom ? 'spec.advanced.horizontalPodAutoscalerConfig.name' : 'metadata.name',
        `${objectName(so)} and ${objectName(owner)} both own the HPA ${ns}/${hpa}`,
      );
    } else hpas.set(`${ns}/${hpa}`, so);
  }
}
