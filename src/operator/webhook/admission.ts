/**
 * What the validating admission webhook answers for one keda.sh object (keda.md §1.2): the
 * same parse and `validateSet` rules `tide validate` and the operator's reconcile apply, plus
 * KEDA's webhook checks that need the cluster — another ScaledObject or an HPA already
 * scaling the workload, the target kind being served, and requests for cpu/memory triggers.
 *
 * The object is refused only for what is wrong with it; a reference that is not there yet
 * (TriggerAuthentication, Secret, target) turns the errors it causes into warnings, because
 * `kubectl apply -f dir/` creates objects in file order and KEDA admits such objects too.
 * Warnings (KEDA's "PollingInterval is configured but is not relevant" among them) go back as
 * admission warnings, which kubectl prints.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { errorMessage, TargetError } from '../../errors.js';
import { hpaName, scaleTargetKind } from '../../manifests/defaults.js';
import { findScaleTarget } from '../../manifests/resolve-auth.js';
import { addToSet, emptySet } from '../../manifests/load.js';
import {
  objectName,
  type ManifestSet,
  type ScaledJob,
  type ScaledObject,
  type TideObject,
} from '../../manifests/types.js';
import { validateSet } from '../../manifests/validate.js';
import { resolveGvkr } from '../../targets/kubernetes/scale.js';
import { buildClusterSet, parseClusterObject } from '../cluster-set.js';
import type { KubeClient } from '../../targets/kubernetes/kube-client.js';
import { pendingReferences, triggerIndexOf } from './pending-refs.js';
import {
  checkedTargetResource,
  limitRangeDefaults,
  missingRequestIssues,
  type LimitRangeObject,
} from '../../manifests/resource-requests.js';

/** The kinds the webhook validates, by the resource name the API server sends. */
export const ADMITTED_KINDS = [
  'ScaledObject',
  'ScaledJob',
  'TriggerAuthentication',
  'ClusterTriggerAuthentication',
] as const;
export type AdmittedKind = (typeof ADMITTED_KINDS)[number];

export interface FieldIssue {
  path: string;
  message: string;
}

export interface Verdict {
  /** Errors refuse the object; each names its field path. */
  errors: FieldIssue[];
  warnings: FieldIssue[];
}

export interface AdmissionInput {
  kind: AdmittedKind;
  operation: string;
  object?: KubernetesObject;
  oldObject?: KubernetesObject;
  dryRun?: boolean;
}

export interface AdmissionOptions {
  client: KubeClient;
  logger: Logger;
  /** Where ClusterTriggerAuthentication Secrets live (KEDA_CLUSTER_OBJECT_NAMESPACE). */
  clusterObjectNamespace: string;
}

type Raw = KubernetesObject & { spec?: unknown };

const KEDA_GROUP_PATH = '/apis/keda.sh/v1alpha1';

const ALLOW: Verdict = { errors: [], warnings: [] };

/** An env reference of a Pod template (a ScaledJob's), whose Secret or ConfigMap may come later. */
const ENV_REF = /\.(secretRef|configMapRef|secretKeyRef|configMapKeyRef)$/;

/**
 * An update that changes neither spec nor annotations (finalizers, labels, owner references)
 * is not checked: the operator's own finalizer patch must go through on an object admitted
 * while the webhook was down (KEDA skips finalizer removals for the same reason).
 */
function unchanged(o: Raw, old: Raw | undefined): boolean {
  if (!old) return false;
  return (
    JSON.stringify(o.spec ?? null) === JSON.stringify(old.spec ?? null) &&
    JSON.stringify(o.metadata?.annotations ?? {}) ===
      JSON.stringify(old.metadata?.annotations ?? {})
  );
}

interface HpaObject {
  metadata: {
    name: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string }[];
  };
  spec: { scaleTargetRef: { apiVersion?: string; kind: string; name: string } };
}

const groupOf = (apiVersion: string | undefined) =>
  apiVersion?.includes('/') ? apiVersion.split('/')[0] : '';

export class KedaAdmission {
  readonly #opts: AdmissionOptions;

  constructor(opts: AdmissionOptions) {
    this.#opts = opts;
  }

  /** Never rejects: a failure to read the cluster allows the object with a warning (fail open). */
  async review(input: AdmissionInput): Promise<Verdict> {
    const o = input.object;
    if (input.operation !== 'CREATE' && input.operation !== 'UPDATE') return ALLOW;
    if (!o || o.metadata?.deletionTimestamp) return ALLOW;
    if (input.operation === 'UPDATE' && unchanged(o, input.oldObject)) return ALLOW;
    const parsed = parseClusterObject({ ...o, kind: input.kind });
    if (!parsed.ok) return { errors: parsed.issues, warnings: [] };
    const warnings = [...parsed.warnings];
    try {
      const v = await this.#check(parsed.object, input);
      return { errors: v.errors, warnings: [...warnings, ...v.warnings] };
    } catch (e) {
      // As failurePolicy Ignore would: an API server we cannot ask never blocks an apply.
      this.#opts.logger.warn(
        {
          object: `${input.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`,
          err: errorMessage(e),
        },
        'admission checks that read the cluster failed; object allowed',
      );
      return {
        errors: [],
        warnings: [
          ...warnings,
          { path: '', message: `tide could not finish checking: ${errorMessage(e)}` },
        ],
      };
    }
  }

  async #check(object: TideObject, input: AdmissionInput): Promise<Verdict> {
    switch (object.kind) {
      case 'ScaledObject':
        return this.#scaledObject(object, input.dryRun === true);
      case 'ScaledJob':
        return this.#owner(object, []);
      case 'TriggerAuthentication':
      case 'ClusterTriggerAuthentication': {
        // Its rules need nothing else: validate it alone.
        const set = emptySet();
        addToSet(set, object);
        return flatten(validateSet(set), objectName(object));
      }
      case 'Deployment':
      case 'StatefulSet':
      case 'Secret':
      case 'ConfigMap':
        return ALLOW;
    }
  }

  /** The TriggerAuthentications the owner's triggers name, read from the cluster. */
  async #auths(owner: ScaledObject | ScaledJob) {
    const ns = owner.metadata.namespace;
    const tas: KubernetesObject[] = [];
    const ctas: KubernetesObject[] = [];
    const seen = new Set<string>();
    for (const t of owner.spec.triggers) {
      const ref = t.authenticationRef;
      if (!ref || seen.has(`${ref.kind ?? ''}/${ref.name}`)) continue;
      seen.add(`${ref.kind ?? ''}/${ref.name}`);
      const cluster = ref.kind === 'ClusterTriggerAuthentication';
      const found = await this.#opts.client.find<KubernetesObject>(
        cluster
          ? `${KEDA_GROUP_PATH}/clustertriggerauthentications/${ref.name}`
          : `${KEDA_GROUP_PATH}/namespaces/${ns}/triggerauthentications/${ref.name}`,
      );
      if (found) (cluster ? ctas : tas).push(found);
    }
    return { tas, ctas };
  }

  /**
   * `validateSet` over the owner, what it references and `others` (put first, so a conflict
   * between two ScaledObjects is reported on the one being admitted).
   */
  async #owner(
    owner: ScaledObject | ScaledJob,
    others: ScaledObject[],
  ): Promise<Verdict & { set: ManifestSet }> {
    const { client, clusterObjectNamespace } = this.#opts;
    const { tas, ctas } = await this.#auths(owner);
    const built = await buildClusterSet({
      client,
      so: owner,
      triggerAuthentications: tas,
      clusterTriggerAuthentications: ctas,
      clusterObjectNamespace,
    });
    const set = { ...built, scaledObjects: [...others, ...built.scaledObjects] };
    const v = flatten(
      validateSet(set, { clusterObjectNamespace, fromCluster: true }),
      objectName(owner),
    );
    const pending = pendingReferences(owner, set, clusterObjectNamespace);
    const errors: FieldIssue[] = [];
    const warnings = [...v.warnings];
    for (const e of v.errors) {
      const i = triggerIndexOf(e.path);
      const missing = i === undefined ? undefined : pending.get(i);
      if (ENV_REF.test(e.path))
        // The API server admits a Pod template naming a Secret that is not there (yet); its
        // Pods wait for it. KEDA admits it too.
        warnings.push({ ...e, message: `${e.message}: its Pods cannot start until it exists` });
      else if (missing)
        warnings.push({
          ...e,
          message: `${e.message} (not checked further: ${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist yet)`,
        });
      else errors.push(e);
    }
    return { errors, warnings, set };
  }

  async #scaledObject(so: ScaledObject, dryRun: boolean): Promise<Verdict> {
    const { client } = this.#opts;
    const ns = so.metadata.namespace;
    const { apiVersion, kind } = scaleTargetKind(so);
    const targetName = so.spec.scaleTargetRef.name;

    // Rule 5: another ScaledObject on the same workload or owning the same HPA name. Only
    // those are parsed; validateSet's conflict rule then words the error.
    const list = await client.get<{ items: Raw[] }>(
      `${KEDA_GROUP_PATH}/namespaces/${ns}/scaledobjects`,
    );
    const others: ScaledObject[] = [];
    for (const raw of list.items) {
      if (raw.metadata?.name === so.metadata.name) continue;
      // Only the few that may conflict are parsed: a namespace can hold thousands.
      const spec = raw.spec as
        | {
            scaleTargetRef?: { name?: string };
            advanced?: { horizontalPodAutoscalerConfig?: { name?: string } };
          }
        | undefined;
      const rawHpa =
        spec?.advanced?.horizontalPodAutoscalerConfig?.name ||
        `keda-hpa-${raw.metadata?.name ?? ''}`;
      if (spec?.scaleTargetRef?.name !== targetName && rawHpa !== hpaName(so)) continue;
      const p = parseClusterObject({ ...raw, kind: 'ScaledObject' });
      if (!p.ok || p.object.kind !== 'ScaledObject') continue;
      const other = p.object;
      const t = scaleTargetKind(other);
      if (
        (other.spec.scaleTargetRef.name === targetName &&
          t.kind === kind &&
          groupOf(t.apiVersion) === groupOf(apiVersion)) ||
        hpaName(other) === hpaName(so)
      )
        others.push(other);
    }
    const v = await this.#owner(so, others);
    const errors = [...v.errors];
    const warnings = [...v.warnings];

    // KEDA maps the target's kind through the API's discovery and refuses unknown kinds, except
    // Deployment and StatefulSet, which it maps by name whatever the apiVersion (getResource).
    try {
      if (kind !== 'Deployment' && kind !== 'StatefulSet')
        await resolveGvkr(client, { apiVersion, kind, namespace: ns, name: targetName });
    } catch (e) {
      if (!(e instanceof TargetError)) throw e;
      if (/does not serve kind/.test(e.message))
        errors.push({ path: 'spec.scaleTargetRef.kind', message: e.message });
      else warnings.push({ path: 'spec.scaleTargetRef', message: e.message });
    }

    errors.push(...(await this.#hpaConflicts(so)));

    // Rule 6 with the cluster: requests of the measured containers (skipped on dry-run, as KEDA).
    const resource = checkedTargetResource(so);
    if (
      !dryRun &&
      resource &&
      so.spec.triggers.some((t) => t.type === 'cpu' || t.type === 'memory')
    ) {
      const target = findScaleTarget(so, v.set);
      if (!target) {
        errors.push({
          path: 'spec.scaleTargetRef.name',
          message: `${kind} ${ns}/${targetName} not found: cpu and memory triggers need the requests of its containers`,
        });
      } else {
        const containers = target.spec.template.spec.containers;
        let issues = missingRequestIssues(so, containers, new Set());
        if (issues.length) {
          const ranges = await client.get<{ items: LimitRangeObject[] }>(
            `/api/v1/namespaces/${ns}/limitranges`,
          );
          issues = missingRequestIssues(so, containers, limitRangeDefaults(ranges.items));
        }
        errors.push(...issues);
      }
    }
    return { errors, warnings };
  }

  /** Rule 5, HPA part: an HPA this ScaledObject does not own already scales the workload. */
  async #hpaConflicts(so: ScaledObject): Promise<FieldIssue[]> {
    const ns = so.metadata.namespace;
    const { apiVersion, kind } = scaleTargetKind(so);
    const name = so.spec.scaleTargetRef.name;
    const hpas = await this.#opts.client.get<{ items: HpaObject[] }>(
      `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`,
    );
    const gvk = `${apiVersion}.${kind}`;
    for (const hpa of hpas.items) {
      if (hpa.metadata.annotations?.['validations.keda.sh/hpa-ownership'] === 'false') continue;
      const ref = hpa.spec.scaleTargetRef;
      if (ref.name !== name || ref.kind !== kind || groupOf(ref.apiVersion) !== groupOf(apiVersion))
        continue;
      const owned = hpa.metadata.ownerReferences?.some(
        (o) => o.kind === 'ScaledObject' && o.name === so.metadata.name,
      );
      if (owned) continue;
      if (so.metadata.annotations['scaledobject.keda.sh/transfer-hpa-ownership'] === 'true') {
        if (so.spec.advanced?.horizontalPodAutoscalerConfig?.name === hpa.metadata.name) continue;
        return [
          {
            path: 'spec.advanced.horizontalPodAutoscalerConfig.name',
            message: `the existing hpa '${hpa.metadata.name}' for workload '${name}' of type '${gvk}' must be specified by name in advanced settings to enable ownership transfer`,
          },
        ];
      }
      return [
        {
          path: 'spec.scaleTargetRef.name',
          message: `the workload '${name}' of type '${gvk}' is already managed by the hpa '${hpa.metadata.name}'`,
        },
      ];
    }
    return [];
  }
}

/** The issues of one object out of a validation of a whole set. */
function flatten(r: ReturnType<typeof validateSet>, object: string): Verdict {
  const pick = (list: typeof r.errors) =>
    list
      .filter((e) => e.ref.object === object)
      .flatMap((e) => e.issues.map((i) => ({ path: i.path, message: i.message })));
  return { errors: pick(r.errors), warnings: pick(r.warnings) };
}
