/**
 * The scaler contract: KEDA's Scaler interface (GetMetricSpecForScaling,
 * GetMetricsAndActivity, Close) and PushScaler.Run, in idiomatic TypeScript.
 *
 * Lifecycle: the scheduler builds a scaler from a validated trigger with `definition.create`,
 * calls `getMetricsAndActivity` once per round, iterates `watch()` (when present) for push
 * wake-ups, and calls `close()` when the object is removed or the scaler is rebuilt after an
 * error. A scaler owns nothing it borrowed from the connection pool: `close()` releases it.
 */
import type { Logger } from 'pino';
import type { ManifestIssue } from '../../errors.js';
import type { MetricTargetType } from '../../manifests/types.js';
import type { MaybeSecret } from '../../secret.js';

export interface MetricSpec {
  /** `s<triggerIndex>-<normalized name>`, as KEDA names external metrics. */
  readonly name: string;
  readonly targetType: MetricTargetType;
  /** Target per replica (AverageValue) or in total (Value); percent for Utilization. */
  readonly target: number;
}

/** Push wake-ups of a trigger: on, or off with the reason (the trigger is polled meanwhile). */
export type PushState =
  { readonly mode: 'push' } | { readonly mode: 'polling only'; readonly reason: string };

export interface MetricValue {
  readonly name: string;
  readonly value: number;
  /**
   * Resource metrics read from Pods (cpu/memory in Kubernetes mode): `value` is per Pod
   * (utilization percent or usage) and this is the number of Pods the HPA multiplies the
   * usage ratio by, in place of the target's ready replicas.
   */
  readonly pods?: number;
}

/** One worker's counters (tide's Celery worker registry). */
export interface WorkerCounters {
  readonly id: string;
  readonly running: number;
  /** Messages taken from the queue and not started (prefetched, or waiting for their ETA). */
  readonly reserved?: number;
  readonly done: number;
  /** Milliseconds spent running the finished tasks, summed over the worker's task slots. */
  readonly busyMs: number;
  /** Task slots (Celery's concurrency); undefined counts as 1. */
  readonly concurrency?: number;
}

export interface MetricsAndActivity {
  readonly metrics: readonly MetricValue[];
  readonly isActive: boolean;
}

export interface Scaler {
  /** KEDA GetMetricSpecForScaling. Fixed at creation; names carry the `s<index>-` prefix. */
  readonly metricSpecs: readonly MetricSpec[];
  /** KEDA GetMetricsAndActivity: one read of the source. Rejects with ScalerError. */
  getMetricsAndActivity(signal: AbortSignal): Promise<MetricsAndActivity>;
  /** KEDA PushScaler.Run: yields when the source may have changed; ends when `signal` aborts. */
  watch?(signal: AbortSignal): AsyncIterable<void>;
  /**
   * tide only: the work each consumer of this source is doing now, by pod (replica) name, for
   * busy-aware scale-in (idle replicas go first). A pod absent from the map is idle or unknown.
   * Read only when the target is about to shrink. Rejects with ScalerError.
   */
  workerLoad?(signal: AbortSignal): Promise<ReadonlyMap<string, number>>;
  /**
   * tide only: each live worker's counters (running now, finished, ms spent on finished tasks),
   * for the wait-time policy. Read each round only when the object has a wait target.
   */
  workerCounters?(signal: AbortSignal): Promise<readonly WorkerCounters[]>;
  /**
   * Whether push wake-ups work right now (tide only), for status; undefined until known or
   * for a scaler that only polls. Never contains a secret.
   */
  pushState?(): PushState | undefined;
  /** Idempotent. Releases (not closes) a shared connection. */
  close(): Promise<void>;
}

/** What a trigger's metadata is resolved from (KEDA's triggerMetadata, resolvedEnv, authParams). */
export interface TriggerInputs {
  /** The trigger's `metadata` map, verbatim. */
  metadata: Record<string, string>;
  /** Env of the scale target's container (for `<param>FromEnv`), values from Secrets are Secret. */
  resolvedEnv: Record<string, MaybeSecret>;
  /** Parameters from the TriggerAuthentication / ClusterTriggerAuthentication, if any. */
  authParams: Record<string, MaybeSecret>;
  triggerIndex: number;
  /** The trigger's `metricType` (unset = AverageValue). */
  metricType?: MetricTargetType;
  /** True when the trigger only feeds `scalingModifiers` (some targets become optional in KEDA). */
  usedByScalingModifiers?: boolean;
}

export type ParseResult<M> =
  { ok: true; meta: M; warnings: ManifestIssue[] } | { ok: false; issues: ManifestIssue[] };

/** Shared connections, keyed by server + credentials, reference-counted. */
export interface ConnectionPool {
  acquire<T>(
    key: string,
    open: () => Promise<T>,
    close: (client: T) => Promise<void>,
  ): Promise<PooledConnection<T>>;
  /** Connections opened so far (for benchmarks and tests of sharing). */
  readonly opened: number;
}

export interface PooledConnection<T> {
  readonly client: T;
  /** Idempotent. The connection closes when its last borrower releases it. */
  release(): Promise<void>;
}

export interface ScalerContext {
  triggerIndex: number;
  /** Names the trigger in errors: `ScaledObject default/so trigger 0 (redis)`. */
  triggerRef: string;
  logger: Logger;
  pool: ConnectionPool;
  metricType: MetricTargetType;
  /** The clock, injected so scalers like `cron` can be tested. */
  now: () => number;
  /** Local mode only: the scale target's replicas as processes (for `cpu` and `memory`). */
  localReplicas?: LocalReplicas;
  /** Kubernetes mode only: the scale target's Pods and their metrics.k8s.io usage. */
  podMetrics?: PodMetricsSource;
}

/** Kubernetes mode: what the HPA reads for a Resource metric, for `cpu` and `memory`. */
export interface PodMetricsSource {
  /** One read of the Pods the target's `/scale` selector matches, and their PodMetrics. */
  read(signal: AbortSignal): Promise<PodsReading>;
}

export interface PodsReading {
  /** The target's `spec.replicas` (the HPA's currentReplicas). */
  currentReplicas: number;
  pods: readonly PodView[];
  metrics: readonly PodMetricsView[];
  /** When it was read, ms since epoch. */
  now: number;
}

/** The parts of a Pod the HPA's replica calculator reads. */
export interface PodView {
  name: string;
  phase?: string;
  /** `metadata.deletionTimestamp` is set. */
  deleted: boolean;
  /** `status.startTime`, ms since epoch. */
  startTime?: number;
  /** The Ready condition. */
  ready?: { status: string; lastTransitionTime?: number };
  /** Containers and restartable (sidecar) init containers, with their requests. */
  containers: readonly { name: string; requests?: Readonly<Record<string, string>> }[];
  /** Pod-level `spec.resources.requests`, when set. */
  podRequests?: Readonly<Record<string, string>>;
}

/** One `metrics.k8s.io/v1beta1` PodMetrics. */
export interface PodMetricsView {
  name: string;
  /** ms since epoch. */
  timestamp: number;
  windowMs: number;
  containers: readonly { name: string; usage: Readonly<Record<string, string>> }[];
}

/** One replica of a local scale target: the process group it runs in. */
export interface ReplicaProcess {
  readonly name: string;
  /** The process group leader (the replica's command); its descendants share the group. */
  readonly pid: number;
  /** Running (Kubernetes Ready); the HPA reads resource metrics from ready pods only. */
  readonly ready: boolean;
}

/** A pod template container's name and `resources` as written (`250m`, `128Mi`). */
export interface ContainerResources {
  readonly name: string;
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
}

/** What local mode tells resource scalers about a scale target. */
export interface LocalReplicas {
  /** Replicas that are not terminating and have a process. */
  processes(): readonly ReplicaProcess[];
  /** The pod template's containers; local mode runs only the first. */
  readonly containers: readonly ContainerResources[];
}

export interface ScalerDefinition<M = unknown> {
  /** The KEDA trigger `type` (`redis`, `mongodb`, ...). */
  readonly type: string;
  /** One line for docs/scalers.md. */
  readonly description: string;
  /** True for triggers KEDA does not have (e.g. `celery`); documented as tide-only. */
  readonly tideOnly?: boolean;
  /** Resolves and validates metadata exactly as KEDA does; paths like `metadata.listLength`. */
  parse(input: TriggerInputs): ParseResult<M>;
  /** Builds the scaler (may open or borrow a connection). */
  create(meta: M, ctx: ScalerContext): Promise<Scaler>;
}

/** Where a parameter may be read from, in KEDA's `order` (metadata, `<name>FromEnv`, TriggerAuthentication). */
export type ParamSource = 'metadata' | 'env' | 'auth';

/** One documented metadata parameter (rendered in docs/scalers.md, used for unknown-key warnings). */
export interface ParamDoc {
  name: string;
  aliases: readonly string[];
  /** Sources in lookup order; the first non-blank value wins. */
  from: readonly ParamSource[];
  secret: boolean;
  required: boolean;
  /** The default as KEDA would write it in metadata (`"5"`), when there is one. */
  default?: string;
  /** `integer`, `boolean`, `list`, `one of ...` */
  type: string;
  doc: string;
  /** A metric target (must be > 0) or an activation threshold. */
  role?: 'target' | 'activation';
}

declare const parsedTrigger: unique symbol;
/**
 * A trigger's parsed metadata with its type hidden: a value only the definition that parsed it
 * accepts back in `create` (checked at run time), so heterogeneous definitions share one type
 * without an unsound cast at the call site.
 */
export interface ParsedTrigger {
  readonly [parsedTrigger]: true;
}

/** A definition of any metadata type, as held by the registry. */
export interface AnyScalerDefinition extends ScalerDefinition<ParsedTrigger> {
  readonly params: readonly ParamDoc[];
  /** Behaviour worth knowing beyond the parameters (push wake-ups, limits), for docs/scalers.md. */
  readonly notes?: string;
}
