/**
 * KEDA-compatible CustomResourceDefinitions (keda.sh/v1alpha1) generated from tide's own zod
 * schemas, so the cluster admits exactly the fields tide reads and nothing tide reads is
 * pruned. `scripts/gen-crds.ts` writes them to deploy/crds/; a test fails when they are stale.
 *
 * The JSON Schema zod produces is made *structural* (what the API server requires): no
 * `$schema`/`propertyNames`/`default`, open maps become `x-kubernetes-preserve-unknown-fields`,
 * number-or-string quantities become `x-kubernetes-int-or-string`. `jobTargetRef` is a whole
 * `batch/v1` JobSpec (volumes, ports, probes...), far more than tide checks, so it is kept
 * open and tide validates the part it reads itself (Ready=False with the field path).
 */
import { stringify } from 'yaml';
import { z } from 'zod';
import {
  scaledJobSpecSchema,
  scaledObjectSpecSchema,
  triggerAuthenticationSpecSchema,
} from '../manifests/schemas/keda.js';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Rewrites one zod-generated JSON Schema node into a structural OpenAPI v3 node. */
export function toStructural(node: Json): Json {
  const out: Json = {};
  const types = Array.isArray(node['type']) ? (node['type'] as string[]) : undefined;
  const anyOf = Array.isArray(node['anyOf']) ? (node['anyOf'] as Json[]) : undefined;
  const variants = types ?? anyOf?.map((a) => String(a['type']));
  if (variants && variants.includes('string') && variants.some((t) => t !== 'string')) {
    // Kubernetes quantities: KEDA's CRD types these int-or-string as well.
    return { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
  }
  for (const [k, v] of Object.entries(node)) {
    switch (k) {
      case '$schema':
      case 'propertyNames':
      case 'default':
        break;
      case 'properties':
        out[k] = Object.fromEntries(
          Object.entries(v as Record<string, Json>).map(([p, s]) => [p, toStructural(s)]),
        );
        break;
      case 'items':
        out[k] = toStructural(v as Json);
        break;
      case 'additionalProperties':
        if (v === false) break;
        if (isObj(v) && Object.keys(v).length > 0 && !('properties' in node))
          out[k] = toStructural(v);
        else out['x-kubernetes-preserve-unknown-fields'] = true;
        break;
      default:
        out[k] = v;
    }
  }
  return out;
}

function specSchema(schema: z.ZodType): Json {
  return toStructural(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
}

const OPEN_OBJECT = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

interface Column {
  name: string;
  type: string;
  jsonPath: string;
}

interface CrdInput {
  kind: string;
  plural: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
  spec: Json;
  specRequired: boolean;
  columns: Column[];
}

const col = (name: string, jsonPath: string, type = 'string'): Column => ({ name, type, jsonPath });
const condition = (type: string) => col(type, `.status.conditions[?(@.type=="${type}")].status`);
const AGE = col('Age', '.metadata.creationTimestamp', 'date');

function crd(c: CrdInput): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${c.plural}.keda.sh`,
      labels: { 'app.kubernetes.io/part-of': 'tide', 'app.kubernetes.io/name': c.plural },
    },
    spec: {
      group: 'keda.sh',
      names: {
        kind: c.kind,
        listKind: `${c.kind}List`,
        plural: c.plural,
        singular: c.kind.toLowerCase(),
        shortNames: c.shortNames,
      },
      scope: c.scope,
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: c.columns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: `${c.kind} (keda.sh/v1alpha1), as KEDA defines it; generated from tide's schemas.`,
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: c.spec,
                // KEDA's status is typed; tide writes the same fields, kept open so a newer
                // KEDA's status fields survive on a shared cluster.
                status: OPEN_OBJECT,
              },
              ...(c.specRequired ? { required: ['spec'] } : {}),
            },
          },
        },
      ],
    },
  };
}

/** The four CRDs, keyed by the file name KEDA's own chart uses. */
export function buildCrds(): Record<string, Json> {
  const so = specSchema(scaledObjectSpecSchema);
  // KEDA's CEL rule on the ScaledObject spec (max defaults to 100).
  so['x-kubernetes-validations'] = [
    {
      rule: '(has(self.minReplicaCount) ? self.minReplicaCount : 0) <= (has(self.maxReplicaCount) ? self.maxReplicaCount : 100)',
      message: 'minReplicaCount must be less than or equal to maxReplicaCount',
    },
  ];
  const sj = specSchema(scaledJobSpecSchema);
  (sj['properties'] as Json)['jobTargetRef'] = {
    ...OPEN_OBJECT,
    description: 'a batch/v1 JobSpec',
    required: ['template'],
  };
  const ta = specSchema(triggerAuthenticationSpecSchema);
  const taColumns = [
    col('PodIdentity', '.spec.podIdentity.provider'),
    col('Secret', '.spec.secretTargetRef[*].name'),
    col('Env', '.spec.env[*].name'),
    col('VaultAddress', '.spec.hashiCorpVault.address'),
    col('ScaledObjects', '.status.scaledobjects', 'string'),
    col('ScaledJobs', '.status.scaledjobs', 'string'),
    AGE,
  ];
  return {
    'keda.sh_scaledobjects.yaml': crd({
      kind: 'ScaledObject',
      plural: 'scaledobjects',
      shortNames: ['so'],
      scope: 'Namespaced',
      spec: so,
      specRequired: true,
      columns: [
        col('ScaleTargetKind', '.status.scaleTargetKind'),
        col('ScaleTargetName', '.spec.scaleTargetRef.name'),
        col('Min', '.spec.minReplicaCount', 'integer'),
        col('Max', '.spec.maxReplicaCount', 'integer'),
        condition('Ready'),
        condition('Active'),
        condition('Fallback'),
        condition('Paused'),
        col('Triggers', '.status.triggersTypes'),
        col('Authentications', '.status.authenticationsTypes'),
        AGE,
      ],
    }),
    'keda.sh_scaledjobs.yaml': crd({
      kind: 'ScaledJob',
      plural: 'scaledjobs',
      shortNames: ['sj'],
      scope: 'Namespaced',
      spec: sj,
      specRequired: true,
      columns: [
        col('Min', '.spec.minReplicaCount', 'integer'),
        col('Max', '.spec.maxReplicaCount', 'integer'),
        condition('Ready'),
        condition('Active'),
        condition('Paused'),
        col('Triggers', '.status.triggersTypes'),
        col('Authentications', '.status.authenticationsTypes'),
        AGE,
      ],
    }),
    'keda.sh_triggerauthentications.yaml': crd({
      kind: 'TriggerAuthentication',
      plural: 'triggerauthentications',
      shortNames: ['ta', 'triggerauth'],
      scope: 'Namespaced',
      spec: ta,
      specRequired: false,
      columns: taColumns,
    }),
    'keda.sh_clustertriggerauthentications.yaml': crd({
      kind: 'ClusterTriggerAuthentication',
      plural: 'clustertriggerauthentications',
      shortNames: ['cta', 'clustertriggerauth'],
      scope: 'Cluster',
      spec: ta,
      specRequired: false,
      columns: taColumns,
    }),
  };
}

/** One CRD as the YAML file deploy/crds/ holds. */
export function renderCrd(obj: Json): string {
  return `# Generated by scripts/gen-crds.ts from src/manifests/schemas: do not edit.\n${stringify(obj, { lineWidth: 0 })}`;
}
