/**
 * Turns one YAML document's value into a typed object (or the list of what is wrong with it),
 * checking it as the API server would: kind-specific schema, metadata, and a few cross-field
 * rules the API enforces for the fields tide reads.
 */
import { checkTideAnnotations } from './defaults.js';
import { show } from './schemas/fields.js';
import {
  scaledJobSpecSchema,
  scaledObjectSpecSchema,
  triggerAuthenticationSpecSchema,
} from './schemas/keda.js';
import { configMapSchema, objectMetaSchema, workloadSpecSchema } from './schemas/kube.js';
import {
  checkJobPod,
  checkPod,
  parseSecret,
  warnSlashComments,
  warnUnknownSpecKeys,
} from './kube-checks.js';
import { runSchema } from './run-schema.js';
import type { RawIssue } from './run-schema.js';
import type { ObjectMeta, PodSpec, SourceLocation, TideObject } from './types.js';

export type { RawIssue } from './run-schema.js';

export const KEDA_API_VERSION = 'keda.sh/v1alpha1';

const KINDS: Record<string, string> = {
  ScaledObject: KEDA_API_VERSION,
  ScaledJob: KEDA_API_VERSION,
  TriggerAuthentication: KEDA_API_VERSION,
  ClusterTriggerAuthentication: KEDA_API_VERSION,
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  Secret: 'v1',
  ConfigMap: 'v1',
};

export type ParsedDocument =
  | { status: 'object'; object: TideObject; issues: RawIssue[] }
  | { status: 'ignored'; apiVersion: string; kind: string; name: string; issues: RawIssue[] }
  | { status: 'invalid'; kind: string; name: string; namespace: string; issues: RawIssue[] };

/**
 * Kubernetes treats `field: null` as unset; dropping nulls from maps lets optional fields be
 * optional. In place: the value was just parsed and is ours, and a copy doubled the memory a
 * large document costs.
 */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (const x of v) dropNulls(x);
  } else if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (o[k] === null) delete o[k];
      else dropNulls(o[k]);
    }
  }
  return v;
}

/** Parses one document value read from `source`. */
export function parseObject(raw: unknown, source: SourceLocation): ParsedDocument {
  const issues: RawIssue[] = [];
  const fail = (kind = '', name = '', namespace = 'default'): ParsedDocument => ({
    status: 'invalid',
    kind,
    name,
    namespace,
    issues,
  });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    issues.push({
      path: [],
      message: `must be a map with apiVersion and kind, got ${show(raw)}`,
      severity: 'error',
    });
    return fail();
  }
  const doc = dropNulls(raw) as Record<string, unknown>;
  const { apiVersion, kind } = doc;
  const meta = doc['metadata'] as { name?: unknown; namespace?: unknown } | undefined;
  const name = typeof meta?.name === 'string' ? meta.name : '';
  const namespace = typeof meta?.namespace === 'string' ? meta.namespace : 'default';
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    if (typeof apiVersion !== 'string')
      issues.push({
        path: ['apiVersion'],
        message:
          apiVersion === undefined ? 'is required' : `must be a string, got ${show(apiVersion)}`,
        severity: 'error',
      });
    if (typeof kind !== 'string')
      issues.push({
        path: ['kind'],
        message: kind === undefined ? 'is required' : `must be a string, got ${show(kind)}`,
        severity: 'error',
      });
    return fail(typeof kind === 'string' ? kind : '', name, namespace);
  }
  const wanted = KINDS[kind];
  if (wanted === undefined || (wanted !== apiVersion && !isKedaGroup(apiVersion))) {
    if (wanted !== undefined) {
      // e.g. an old `extensions/v1beta1` Deployment: tide would silently not run it otherwise.
      issues.push({
        path: ['apiVersion'],
        message: `${kind} is read as ${wanted} only; this ${show(apiVersion)} object is ignored`,
        severity: 'warning',
      });
    }
    return { status: 'ignored', apiVersion, kind, name, issues };
  }
  if (wanted !== apiVersion) {
    issues.push({
      path: ['apiVersion'],
      message: `must be ${wanted} for ${kind}, got ${show(apiVersion)}`,
      severity: 'error',
    });
  }
  const metadata = runSchema(objectMetaSchema, doc['metadata'], ['metadata'], issues);
  const body = parseBody(kind, doc, issues);
  if (!metadata || body === undefined || issues.some((i) => i.severity === 'error'))
    return fail(kind, name, namespace);
  const objectMeta: ObjectMeta = {
    ...metadata,
    namespace: metadata.namespace ?? 'default',
    labels: metadata.labels ?? {},
    annotations: metadata.annotations ?? {},
  };
  const object = { apiVersion, kind, metadata: objectMeta, source, ...body } as TideObject;
  for (const i of checkTideAnnotations(object)) issues.push(i);
  if (issues.some((i) => i.severity === 'error')) return fail(kind, name, namespace);
  return { status: 'object', object, issues };
}

function isKedaGroup(apiVersion: string): boolean {
  return apiVersion.startsWith('keda.sh/') || apiVersion.startsWith('keda.k8s.io/');
}

/** Parses the kind-specific part; returns the fields to spread into the object. */
function parseBody(
  kind: string,
  doc: Record<string, unknown>,
  issues: RawIssue[],
): Record<string, unknown> | undefined {
  switch (kind) {
    case 'ScaledObject':
    case 'ScaledJob':
    case 'TriggerAuthentication':
    case 'ClusterTriggerAuthentication': {
      const schema =
        kind === 'ScaledObject'
          ? scaledObjectSpecSchema
          : kind === 'ScaledJob'
            ? scaledJobSpecSchema
            : triggerAuthenticationSpecSchema;
      const rawSpec = doc['spec'];
      // A TriggerAuthentication may legitimately have an empty spec (podIdentity none).
      const spec = runSchema(
        schema,
        rawSpec ?? (kind.endsWith('TriggerAuthentication') ? {} : undefined),
        ['spec'],
        issues,
      );
      warnUnknownSpecKeys(kind, rawSpec, issues);
      if (spec && 'triggers' in spec) warnSlashComments(spec, issues);
      if (kind === 'ScaledJob' && spec)
        checkJobPod(
          (spec as { jobTargetRef: { template: { spec: PodSpec } } }).jobTargetRef.template.spec,
          ['spec', 'jobTargetRef', 'template', 'spec'],
          issues,
        );
      return spec === undefined ? undefined : { spec };
    }
    case 'Deployment':
    case 'StatefulSet': {
      const spec = runSchema(workloadSpecSchema, doc['spec'], ['spec'], issues);
      if (spec) checkPod(spec.template.spec, ['spec', 'template', 'spec'], issues);
      return spec === undefined ? undefined : { spec };
    }
    case 'Secret':
      return parseSecret(doc, issues);
    case 'ConfigMap': {
      const body = runSchema(configMapSchema, { data: doc['data'] }, [], issues);
      return body === undefined ? undefined : { data: body.data ?? {} };
    }
    default:
      return undefined;
  }
}
