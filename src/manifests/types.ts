/**
 * The object model tide works with after loading and validating YAML. Field names and
 * optionality follow KEDA's CRDs (keda.sh/v1alpha1) and the Kubernetes kinds local mode reads.
 * Optional fields stay optional here (KEDA's semantics depend on "set or not", e.g.
 * ScaledJob `maxReplicaCount`); `defaults.ts` gives the effective values.
 */

export interface ObjectMeta {
  name: string;
  /** Defaults to `default` when the manifest has none. */
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generation?: number;
  creationTimestamp?: string;
  uid?: string;
  resourceVersion?: string;
}

/** Where an object was read from: file and the line of its document start. */
export interface SourceLocation {
  file: string;
  line?: number;
}

interface Base<K extends string> {
  apiVersion: string;
  kind: K;
  metadata: ObjectMeta;
  source: SourceLocation;
}

// ---------------------------------------------------------------- KEDA kinds

export type MetricTargetType = 'AverageValue' | 'Value' | 'Utilization';

export interface AuthenticationRef {
  name: string;
  /** @default 'TriggerAuthentication' */
  kind: 'TriggerAuthentication' | 'ClusterTriggerAuthentication';
}

export interface Trigger {
  type: string;
  name?: string;
  metadata: Record<string, string>;
  authenticationRef?: AuthenticationRef;
  /** Unset means AverageValue for ScaledObjects; must stay unset on ScaledJobs. */
  metricType?: MetricTargetType;
  useCachedMetrics?: boolean;
}

export interface HPAScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface HPAScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: HPAScalingPolicy[];
  /** Kubernetes >= 1.33 per-direction tolerance (quantity, e.g. 0.1). */
  tolerance?: number;
}

export interface HPABehavior {
  scaleUp?: HPAScalingRules;
  scaleDown?: HPAScalingRules;
}

export type FallbackBehavior =
  | 'static'
  | 'currentReplicas'
  | 'currentReplicasIfHigher'
  | 'currentReplicasIfLower'
  | 'scalingModifiers';

export interface Fallback {
  failureThreshold: number;
  replicas: number;
  /** @default 'static' */
  behavior?: FallbackBehavior;
}

export interface ScalingModifiers {
  formula?: string;
  /** A string in KEDA's CRD, parsed as a float > 0. */
  target?: string;
  /** @default '0' */
  activationTarget?: string;
  /** @default 'AverageValue' */
  metricType?: MetricTargetType;
}

export interface ScaleTargetRef {
  name: string;
  /** @default 'apps/v1' */
  apiVersion?: string;
  /** @default 'Deployment' */
  kind?: string;
  envSourceContainerName?: string;
}

export interface ScaledObjectSpec {
  scaleTargetRef: ScaleTargetRef;
  /** @default 30 */
  pollingInterval?: number;
  /** @default 300 */
  cooldownPeriod?: number;
  /** @default 0 */
  initialCooldownPeriod?: number;
  idleReplicaCount?: number;
  /** @default 0 */
  minReplicaCount?: number;
  /** @default 100 */
  maxReplicaCount?: number;
  fallback?: Fallback;
  advanced?: {
    restoreToOriginalReplicaCount?: boolean;
    horizontalPodAutoscalerConfig?: { name?: string; behavior?: HPABehavior };
    scalingModifiers?: ScalingModifiers;
  };
  triggers: Trigger[];
}

export interface ScaledObject extends Base<'ScaledObject'> {
  spec: ScaledObjectSpec;
}

export type ScalingStrategyName = 'default' | 'custom' | 'accurate' | 'eager';
export type MultipleScalersCalculation = 'max' | 'min' | 'avg' | 'sum';

export interface ScaledJobSpec {
  jobTargetRef: JobSpec;
  /** @default 30 */
  pollingInterval?: number;
  /** @default 100 */
  successfulJobsHistoryLimit?: number;
  /** @default 100 */
  failedJobsHistoryLimit?: number;
  envSourceContainerName?: string;
  /** @default 0 */
  minReplicaCount?: number;
  /** @default 100 */
  maxReplicaCount?: number;
  /** Deprecated top-level form; wins over `rollout.strategy` when set. */
  rolloutStrategy?: string;
  /** `default` (KEDA docs) and `immediate` (keda.md) both mean: delete running Jobs on update. */
  rollout?: {
    strategy?: 'default' | 'gradual' | 'immediate';
    propagationPolicy?: 'foreground' | 'background';
  };
  scalingStrategy?: {
    /** @default 'default' */
    strategy?: ScalingStrategyName;
    customScalingQueueLengthDeduction?: number;
    customScalingRunningJobPercentage?: string;
    pendingPodConditions?: string[];
    /** @default 'max' */
    multipleScalersCalculation?: MultipleScalersCalculation;
  };
  triggers: Trigger[];
}

export interface ScaledJob extends Base<'ScaledJob'> {
  spec: ScaledJobSpec;
}

export interface SecretTargetRef {
  parameter: string;
  name: string;
  key: string;
}

export interface TriggerAuthenticationSpec {
  secretTargetRef?: SecretTargetRef[];
  configMapTargetRef?: SecretTargetRef[];
  env?: { parameter: string; name: string; containerName?: string }[];
  podIdentity?: Record<string, unknown> & { provider: string };
  hashiCorpVault?: Record<string, unknown>;
  azureKeyVault?: Record<string, unknown>;
  gcpSecretManager?: Record<string, unknown>;
  awsSecretManager?: Record<string, unknown>;
  boundServiceAccountToken?: { parameter: string; serviceAccountName: string }[];
  oauth2?: Record<string, unknown>;
  filePath?: string;
}

export interface TriggerAuthentication extends Base<'TriggerAuthentication'> {
  spec: TriggerAuthenticationSpec;
}

export interface ClusterTriggerAuthentication extends Base<'ClusterTriggerAuthentication'> {
  spec: TriggerAuthenticationSpec;
}

// ---------------------------------------------------------- Kubernetes kinds

export interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: KeyRef;
    configMapKeyRef?: KeyRef;
    fieldRef?: { fieldPath: string; apiVersion?: string };
    resourceFieldRef?: { resource: string; containerName?: string; divisor?: string };
  };
}

export interface EnvFromSource {
  prefix?: string;
  secretRef?: { name: string; optional?: boolean };
  configMapRef?: { name: string; optional?: boolean };
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  /** @default 30 */
  terminationGracePeriodSeconds?: number;
}

export interface PodTemplateSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface JobSpec {
  template: PodTemplateSpec;
  parallelism?: number;
  completions?: number;
  /** @default 6 */
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
}

export interface Workload<K extends 'Deployment' | 'StatefulSet'> extends Base<K> {
  spec: {
    /** @default 1 */
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template: PodTemplateSpec;
  };
}
export type Deployment = Workload<'Deployment'>;
export type StatefulSet = Workload<'StatefulSet'>;

export interface SecretObject extends Base<'Secret'> {
  /** Decoded values of `data` (base64) merged with `stringData` (which wins). */
  data: Record<string, string>;
}

export interface ConfigMap extends Base<'ConfigMap'> {
  data: Record<string, string>;
}

export type KedaObject =
  ScaledObject | ScaledJob | TriggerAuthentication | ClusterTriggerAuthentication;
export type KubeObject = Deployment | StatefulSet | SecretObject | ConfigMap;
export type TideObject = KedaObject | KubeObject;

/** Everything loaded from a set of files, validated, plus what was ignored and what was wrong. */
export interface ManifestSet {
  scaledObjects: ScaledObject[];
  scaledJobs: ScaledJob[];
  triggerAuthentications: TriggerAuthentication[];
  clusterTriggerAuthentications: ClusterTriggerAuthentication[];
  deployments: Deployment[];
  statefulSets: StatefulSet[];
  secrets: SecretObject[];
  configMaps: ConfigMap[];
  /** Objects of other kinds, listed so the user sees they were skipped. */
  ignored: { source: SourceLocation; apiVersion: string; kind: string; name: string }[];
}

/** `Kind namespace/name`, the way every message names an object. */
export function objectName(o: {
  kind: string;
  metadata: { name: string; namespace: string };
}): string {
  return `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
}
