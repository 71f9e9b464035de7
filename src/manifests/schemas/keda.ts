/**
 * zod schemas for KEDA's kinds (keda.sh/v1alpha1) with the CRD's constraints: types, required
 * fields, minimums and enums. Rules that need more than one field (replica bounds, fallback,
 * scalingModifiers) are the admission webhook's and live in `validate-*.ts`.
 */
import { z } from 'zod';
import {
  bool,
  expecting,
  int32,
  list,
  map,
  nonEmpty,
  oneOf,
  str,
  triggerMetadata,
} from './fields.js';
import { jobSpecSchema } from './kube.js';
import type { ScaledJobSpec, ScaledObjectSpec, TriggerAuthenticationSpec } from '../types.js';
import type { Is, SchemaCovers, SchemaFits } from './type-check.js';

export const triggerSchema = map({
  type: nonEmpty(),
  name: str().optional(),
  metadata: triggerMetadata(),
  authenticationRef: map({
    name: nonEmpty(),
    kind: oneOf(['TriggerAuthentication', 'ClusterTriggerAuthentication']).default(
      'TriggerAuthentication',
    ),
  }).optional(),
  metricType: oneOf(['AverageValue', 'Value', 'Utilization']).optional(),
  useCachedMetrics: bool().optional(),
});

/** A Kubernetes quantity such as `0.1` or `100m`, as a number. */
const quantity = z
  .union([z.number(), z.string().regex(/^\d+(\.\d+)?m?$/)], {
    error: expecting('a quantity such as 0.1 or 100m'),
  })
  .transform((v) =>
    typeof v === 'number' ? v : v.endsWith('m') ? Number(v.slice(0, -1)) / 1000 : Number(v),
  );

const scalingRules = map({
  stabilizationWindowSeconds: int32(0, 3600).optional(),
  selectPolicy: oneOf(['Max', 'Min', 'Disabled']).optional(),
  policies: list(
    map({ type: oneOf(['Pods', 'Percent']), value: int32(1), periodSeconds: int32(1, 1800) }),
  ).optional(),
  tolerance: quantity.optional(),
});

const fallbackSchema = map({
  failureThreshold: int32(0),
  replicas: int32(0),
  behavior: oneOf([
    'static',
    'currentReplicas',
    'currentReplicasIfHigher',
    'currentReplicasIfLower',
    'scalingModifiers',
  ]).optional(),
});

const advancedSchema = map({
  restoreToOriginalReplicaCount: bool().optional(),
  horizontalPodAutoscalerConfig: map({
    name: str().optional(),
    behavior: map({
      scaleUp: scalingRules.optional(),
      scaleDown: scalingRules.optional(),
    }).optional(),
  }).optional(),
  scalingModifiers: map({
    formula: str().optional(),
    target: str().optional(),
    activationTarget: str().optional(),
    // The CRD enum is AverageValue|Value; Utilization is let through so the webhook rule can
    // reject it with KEDA's own message.
    metricType: oneOf(['AverageValue', 'Value', 'Utilization']).optional(),
  }).optional(),
});

const triggers = list(triggerSchema).min(1, { error: 'must have at least one trigger' });

export const scaledObjectSpecSchema = map({
  scaleTargetRef: map({
    name: nonEmpty(),
    apiVersion: str().optional(),
    kind: str().optional(),
    envSourceContainerName: str().optional(),
  }),
  pollingInterval: int32(1).optional(),
  cooldownPeriod: int32(0).optional(),
  initialCooldownPeriod: int32(0).optional(),
  idleReplicaCount: int32(0).optional(),
  minReplicaCount: int32(0).optional(),
  maxReplicaCount: int32(1).optional(),
  fallback: fallbackSchema.optional(),
  advanced: advancedSchema.optional(),
  triggers,
});

export const scaledJobSpecSchema = map({
  jobTargetRef: jobSpecSchema,
  pollingInterval: int32(1).optional(),
  successfulJobsHistoryLimit: int32(0).optional(),
  failedJobsHistoryLimit: int32(0).optional(),
  envSourceContainerName: str().optional(),
  minReplicaCount: int32(0).optional(),
  maxReplicaCount: int32(1).optional(),
  rolloutStrategy: str().optional(),
  rollout: map({
    // KEDA's docs name `default` and `gradual`; keda.md §2.1 says gradual|immediate: accept all three.
    strategy: oneOf(['default', 'gradual', 'immediate']).optional(),
    propagationPolicy: oneOf(['foreground', 'background']).optional(),
  }).optional(),
  scalingStrategy: map({
    strategy: oneOf(['default', 'custom', 'accurate', 'eager']).optional(),
    customScalingQueueLengthDeduction: int32().optional(),
    customScalingRunningJobPercentage: str().optional(),
    pendingPodConditions: list(str()).optional(),
    multipleScalersCalculation: oneOf(['max', 'min', 'avg', 'sum']).optional(),
  }).optional(),
  triggers,
});

const targetRef = map({ parameter: nonEmpty(), name: nonEmpty(), key: nonEmpty() });
const looseMap = z.record(z.string(), z.unknown(), { error: expecting('a map') });

export const triggerAuthenticationSpecSchema = map({
  secretTargetRef: list(targetRef).optional(),
  configMapTargetRef: list(targetRef).optional(),
  env: list(
    map({ parameter: nonEmpty(), name: nonEmpty(), containerName: str().optional() }),
  ).optional(),
  podIdentity: z
    .looseObject(
      {
        provider: oneOf(['none', 'azure-workload', 'gcp', 'aws', 'aws-eks']),
        identityId: str().optional(),
        identityTenantId: str().optional(),
        identityAuthorityHost: str().optional(),
        roleArn: str().optional(),
        externalID: str().optional(),
        identityOwner: oneOf(['keda', 'workload']).optional(),
      },
      { error: expecting('a map') },
    )
    .optional(),
  hashiCorpVault: looseMap.optional(),
  azureKeyVault: looseMap.optional(),
  gcpSecretManager: looseMap.optional(),
  awsSecretManager: looseMap.optional(),
  boundServiceAccountToken: list(
    map({ parameter: nonEmpty(), serviceAccountName: nonEmpty() }),
  ).optional(),
  oauth2: looseMap.optional(),
  filePath: str().optional(),
});

/** The top-level `spec` keys each KEDA kind defines; others are pruned by Kubernetes (tide warns). */
export const specKeys = {
  ScaledObject: Object.keys(scaledObjectSpecSchema.shape),
  ScaledJob: Object.keys(scaledJobSpecSchema.shape),
  TriggerAuthentication: Object.keys(triggerAuthenticationSpecSchema.shape),
  ClusterTriggerAuthentication: Object.keys(triggerAuthenticationSpecSchema.shape),
} as const;

// Both ways: what the schemas produce is the object model of types.ts (the loader casts the
// parsed document to it), and every field types.ts declares is one the schema keeps.
export type _ScaledObjectSpecMatches = Is<SchemaFits<ScaledObjectSpec, ScaledObjectSpecOut>>;
export type _ScaledObjectSpecCovered = Is<SchemaCovers<ScaledObjectSpec, ScaledObjectSpecOut>>;
export type _ScaledJobSpecMatches = Is<SchemaFits<ScaledJobSpec, ScaledJobSpecOut>>;
export type _ScaledJobSpecCovered = Is<SchemaCovers<ScaledJobSpec, ScaledJobSpecOut>>;
export type _TriggerAuthenticationSpecMatches = Is<
  SchemaFits<TriggerAuthenticationSpec, TriggerAuthenticationSpecOut>
>;
export type _TriggerAuthenticationSpecCovered = Is<
  SchemaCovers<TriggerAuthenticationSpec, TriggerAuthenticationSpecOut>
>;
type ScaledObjectSpecOut = z.output<typeof scaledObjectSpecSchema>;
type ScaledJobSpecOut = z.output<typeof scaledJobSpecSchema>;
type TriggerAuthenticationSpecOut = z.output<typeof triggerAuthenticationSpecSchema>;
