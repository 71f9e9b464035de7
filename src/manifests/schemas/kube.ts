/**
 * The Kubernetes kinds local mode reads, checked as the API server would check them, but only
 * for the fields tide reads (containers, command/args, env, grace period, replicas, Job spec).
 * Other fields (ports, probes, volumes...) pass through unchecked and are dropped.
 */
import { z } from 'zod';
import {
  bool,
  expecting,
  int32,
  int64,
  list,
  map,
  nonEmpty,
  oneOf,
  quotedString,
  secretValueMap,
  str,
  stringMap,
} from './fields.js';
import type { ConfigMap, Deployment, ObjectMeta } from '../types.js';
import type { Is, SchemaCovers, SchemaFits } from './type-check.js';

/** RFC 1123 subdomain, as Kubernetes requires for most object names. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** RFC 1123 label (namespaces, container names). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function objectName() {
  return nonEmpty()
    .max(253, { error: 'must be at most 253 characters' })
    .regex(DNS_SUBDOMAIN, {
      error: (iss) =>
        `must be a lowercase RFC 1123 name (a-z, 0-9, "-", "."), got ${JSON.stringify(iss.input)}`,
    });
}

export function dnsLabel() {
  return nonEmpty()
    .max(63, { error: 'must be at most 63 characters' })
    .regex(DNS_LABEL, {
      error: (iss) =>
        `must be a lowercase RFC 1123 label (a-z, 0-9, "-"), got ${JSON.stringify(iss.input)}`,
    });
}

export const objectMetaSchema = map({
  name: objectName(),
  namespace: dnsLabel().optional(),
  labels: stringMap().optional(),
  annotations: stringMap().optional(),
  generation: int64().optional(),
  creationTimestamp: str().optional(),
  uid: str().optional(),
  resourceVersion: str().optional(),
});

const keyRef = map({ name: nonEmpty(), key: nonEmpty(), optional: bool().optional() });

export const envVarSchema = map({
  name: nonEmpty(),
  value: quotedString().optional(),
  valueFrom: map({
    secretKeyRef: keyRef.optional(),
    configMapKeyRef: keyRef.optional(),
    fieldRef: map({ fieldPath: nonEmpty(), apiVersion: str().optional() }).optional(),
    resourceFieldRef: map({
      resource: nonEmpty(),
      containerName: str().optional(),
      divisor: z.union([str(), z.number()]).transform(String).optional(),
    }).optional(),
  }).optional(),
});

const envFromSchema = map({
  prefix: str().optional(),
  secretRef: map({ name: nonEmpty(), optional: bool().optional() }).optional(),
  configMapRef: map({ name: nonEmpty(), optional: bool().optional() }).optional(),
});

/** Resource quantities may be written as numbers (`cpu: 1`); keep them as strings. */
const quantityMap = z.record(z.string(), z.union([z.string(), z.number()]).transform(String), {
  error: expecting('a map of quantities'),
});

export const containerSchema = map({
  name: dnsLabel(),
  image: str().optional(),
  command: list(str()).optional(),
  args: list(str()).optional(),
  workingDir: str().optional(),
  env: list(envVarSchema).optional(),
  envFrom: list(envFromSchema).optional(),
  resources: map({ requests: quantityMap.optional(), limits: quantityMap.optional() }).optional(),
});

export const podSpecSchema = map({
  containers: list(containerSchema).min(1, { error: 'must have at least one container' }),
  initContainers: list(containerSchema).optional(),
  restartPolicy: oneOf(['Always', 'OnFailure', 'Never']).optional(),
  terminationGracePeriodSeconds: int64(0).optional(),
});

export const podTemplateSchema = map({
  metadata: map({ labels: stringMap().optional(), annotations: stringMap().optional() }).optional(),
  spec: podSpecSchema,
});

export const jobSpecSchema = map({
  template: podTemplateSchema,
  parallelism: int32(0).optional(),
  completions: int32(0).optional(),
  backoffLimit: int32(0).optional(),
  activeDeadlineSeconds: int64(1).optional(),
  ttlSecondsAfterFinished: int32(0).optional(),
});

export const workloadSpecSchema = map({
  replicas: int32(0).optional(),
  selector: map({ matchLabels: stringMap().optional() }).optional(),
  template: podTemplateSchema,
});

export const secretSchema = map({
  type: str().optional(),
  data: secretValueMap().optional(),
  stringData: secretValueMap().optional(),
});

export const configMapSchema = map({
  data: stringMap().optional(),
});

// Both ways: what the schemas produce fits the object model of types.ts, and every field it
// declares is one the schema keeps (see type-check.ts).
type WorkloadSpecOut = z.output<typeof workloadSpecSchema>;
type ObjectMetaOut = z.output<typeof objectMetaSchema>;
type ModelMeta = Omit<ObjectMeta, 'namespace' | 'labels' | 'annotations'>;
export type _WorkloadSpecMatches = Is<SchemaFits<Deployment['spec'], WorkloadSpecOut>>;
export type _WorkloadSpecCovered = Is<SchemaCovers<Deployment['spec'], WorkloadSpecOut>>;
export type _ObjectMetaMatches = Is<SchemaFits<ModelMeta, ObjectMetaOut>>;
export type _ObjectMetaCovered = Is<SchemaCovers<ModelMeta, ObjectMetaOut>>;
export type _ConfigMapMatches = Is<
  Required<z.output<typeof configMapSchema>>['data'] extends ConfigMap['data'] ? true : false
>;
export type _ConfigMapCovered = Is<
  SchemaCovers<Pick<ConfigMap, 'data'>, z.output<typeof configMapSchema>>
>;
