/**
 * What one trigger's metadata is resolved from, as KEDA builds it before a scaler
 * (`pkg/scaling/resolver/scale_resolvers.go`): the scale target container's env (for
 * `*FromEnv`) and the TriggerAuthentication's parameters, in KEDA's order — `env`, then
 * `configMapTargetRef`, then `secretTargetRef`, later ones overwriting earlier ones.
 */
import { findNamed } from './lookup.js';
import type { ManifestIssue } from '../errors.js';
import { Secret } from '../secret.js';
import type { MaybeSecret } from '../secret.js';
import type { TriggerInputs } from '../scalers/core/types.js';
import { scaleTargetKind, usesScalingModifiers } from './defaults.js';
import { findConfigMap, findSecret, resolveContainerEnv } from './resolve-env.js';
import { objectName } from './types.js';
import type {
  ClusterTriggerAuthentication,
  Container,
  Deployment,
  ManifestSet,
  ScaledJob,
  ScaledObject,
  StatefulSet,
  TriggerAuthentication,
} from './types.js';

export interface ResolveAuthOptions {
  /**
   * Namespace a ClusterTriggerAuthentication's Secrets and ConfigMaps are read from (KEDA's
   * `KEDA_CLUSTER_OBJECT_NAMESPACE`, KEDA's own namespace by default).
   * @default 'keda'
   */
  clusterObjectNamespace?: string;
}

/** The Deployment or StatefulSet a ScaledObject targets, when the set has it. */
export function findScaleTarget(
  so: ScaledObject,
  set: ManifestSet,
): Deployment | StatefulSet | undefined {
  const { apiVersion, kind } = scaleTargetKind(so);
  if (apiVersion !== 'apps/v1') return undefined;
  const list: (Deployment | StatefulSet)[] =
    kind === 'Deployment' ? set.deployments : kind === 'StatefulSet' ? set.statefulSets : [];
  return findNamed(list, so.metadata.namespace, so.spec.scaleTargetRef.name);
}

/** The authentication object a trigger references, when the set has it. */
export function findAuthentication(
  owner: ScaledObject | ScaledJob,
  ref: { name: string; kind?: string },
  set: ManifestSet,
): TriggerAuthentication | ClusterTriggerAuthentication | undefined {
  if (ref.kind === 'ClusterTriggerAuthentication') {
    return findNamed(set.clusterTriggerAuthentications, undefined, ref.name);
  }
  return findNamed(set.triggerAuthentications, owner.metadata.namespace, ref.name);
}

interface EnvSource {
  containers: Container[];
  containerName?: string;
  /** Names the env source in messages (`Deployment default/celery-worker`). */
  what: string;
  at: string;
}

function envSource(owner: ScaledObject | ScaledJob, set: ManifestSet): EnvSource | undefined {
  if (owner.kind === 'ScaledJob') {
    const name = owner.spec.envSourceContainerName;
    return {
      containers: owner.spec.jobTargetRef.template.spec.containers,
      ...(name ? { containerName: name } : {}),
      what: objectName(owner),
      at: 'spec.envSourceContainerName',
    };
  }
  const target = findScaleTarget(owner, set);
  if (!target) return undefined;
  const name = owner.spec.scaleTargetRef.envSourceContainerName;
  return {
    containers: target.spec.template.spec.containers,
    ...(name ? { containerName: name } : {}),
    what: objectName(target),
    at: 'spec.scaleTargetRef.envSourceContainerName',
  };
}

/** Resolves the env of one container of the env source; issues are prefixed with what they are about. */
function containerEnv(
  src: EnvSource,
  containerName: string | undefined,
  namespace: string,
  set: ManifestSet,
  issues: ManifestIssue[],
  at: string,
): Record<string, MaybeSecret> | undefined {
  const container = containerName
    ? src.containers.find((c) => c.name === containerName)
    : src.containers[0];
  if (!container) {
    issues.push({
      path: at,
      message: `container ${JSON.stringify(containerName)} not found in ${src.what}`,
      severity: 'error',
    });
    return undefined;
  }
  const r = resolveContainerEnv(container, namespace, set, { forScaler: true });
  for (const i of r.issues) {
    issues.push({
      ...i,
      path: at,
      message: `${src.what} container "${container.name}": ${i.path}: ${i.message}`,
    });
  }
  return r.env;
}

/** The inputs of trigger `triggerIndex` of `owner`: metadata, resolved env and auth parameters. */
export function resolveTriggerInputs(
  owner: ScaledObject | ScaledJob,
  triggerIndex: number,
  set: ManifestSet,
  opts: ResolveAuthOptions = {},
): { inputs: TriggerInputs; issues: ManifestIssue[] } {
  const issues: ManifestIssue[] = [];
  const trigger = owner.spec.triggers[triggerIndex];
  const t = `spec.triggers[${triggerIndex}]`;
  const inputs: TriggerInputs = {
    metadata: { ...(trigger?.metadata ?? {}) },
    resolvedEnv: {},
    authParams: {},
    triggerIndex,
  };
  if (!trigger) {
    issues.push({ path: t, message: `no trigger at index ${triggerIndex}`, severity: 'error' });
    return { inputs, issues };
  }
  if (trigger.metricType) inputs.metricType = trigger.metricType;
  // KEDA relaxes some targets of triggers that only feed a scalingModifiers formula.
  if (owner.kind === 'ScaledObject' && usesScalingModifiers(owner))
    inputs.usedByScalingModifiers = true;
  const ns = owner.metadata.namespace;
  const src = envSource(owner, set);
  const targetAt = owner.kind === 'ScaledObject' ? 'spec.scaleTargetRef' : 'spec.jobTargetRef';
  if (src)
    inputs.resolvedEnv =
      containerEnv(
        src,
        src.containerName,
        ns,
        set,
        issues,
        src.containerName ? src.at : targetAt,
      ) ?? {};

  const ref = trigger.authenticationRef;
  if (!ref) return { inputs, issues };
  const refAt = `${t}.authenticationRef`;
  const auth = findAuthentication(owner, ref, set);
  if (!auth) {
    // KEDA logs and builds the scaler with empty auth params (§4.2 rule 3); tide says so louder.
    const kind = ref.kind ?? 'TriggerAuthentication';
    const name = kind === 'ClusterTriggerAuthentication' ? ref.name : `${ns}/${ref.name}`;
    issues.push({
      path: refAt,
      message: `${kind} ${name} not found: KEDA builds the scaler with no authentication parameters`,
      severity: 'warning',
    });
    return { inputs, issues };
  }
  const authNs =
    auth.kind === 'ClusterTriggerAuthentication' ? (opts.clusterObjectNamespace ?? 'keda') : ns;
  const spec = auth.spec;
  const params: Record<string, MaybeSecret> = {};
  const authName = objectName(auth);
  const warn = (message: string) =>
    issues.push({ path: refAt, message: `${authName}: ${message}`, severity: 'warning' });

  for (const e of spec.env ?? []) {
    // KEDA: a variable that cannot be resolved gives "" (no error).
    let env = inputs.resolvedEnv;
    if (e.containerName && src) env = containerEnv(src, e.containerName, ns, set, [], refAt) ?? {};
    params[e.parameter] = env[e.name] ?? '';
  }
  if (spec.filePath)
    warn('spec.filePath is not supported in local mode; its parameters are not set');
  for (const r of spec.configMapTargetRef ?? []) {
    const cm = findConfigMap(set, authNs, r.name);
    const v = cm?.data[r.key];
    if (v === undefined)
      warn(
        cm
          ? `ConfigMap ${authNs}/${r.name} has no key ${JSON.stringify(r.key)}; parameter "${r.parameter}" is empty`
          : `ConfigMap ${authNs}/${r.name} not found; parameter "${r.parameter}" is empty`,
      );
    params[r.parameter] = v ?? '';
  }
  for (const r of spec.secretTargetRef ?? []) {
    const s = findSecret(set, authNs, r.name);
    const v = s?.data[r.key];
    if (v === undefined)
      warn(
        s
          ? `Secret ${authNs}/${r.name} has no key ${JSON.stringify(r.key)}; parameter "${r.parameter}" is empty`
          : `Secret ${authNs}/${r.name} not found; parameter "${r.parameter}" is empty`,
      );
    params[r.parameter] = new Secret(v ?? '');
  }
  if (spec.podIdentity && spec.podIdentity.provider !== 'none') {
    warn(
      `spec.podIdentity (provider ${spec.podIdentity.provider}) is not supported in local mode; no identity is used`,
    );
  }
  for (const field of [
    'hashiCorpVault',
    'azureKeyVault',
    'gcpSecretManager',
    'awsSecretManager',
    'boundServiceAccountToken',
    'oauth2',
  ] as const) {
    if (spec[field] !== undefined)
      warn(`spec.${field} is not supported in local mode; its parameters are not set`);
  }
  inputs.authParams = params;
  return { inputs, issues };
}
