/**
 * What the dashboard shows, and the one interface a mode implements to feed it. Local mode
 * (`tide up`) implements it in local-source.ts; the operator can implement the same five
 * members from its informer cache, controllers and decision log (logs are optional: a Pod's
 * logs belong to the kubelet, so the operator may leave `logs` out and the page hides the panel).
 *
 * Nothing here may carry a secret: objects hold names, counts, metric values, reasons and
 * errors (scaler errors are built without credentials); never trigger metadata or env.
 */
import type { JobStatus, ReplicaStatus, TriggerStatus } from '../../scheduler/status.js';
import type { DecisionRecord, ObjectRef } from '../types.js';

export type { DecisionRecord, JobStatus, ObjectRef, ReplicaStatus, TriggerStatus };

/**
 * KEDA's conditions as the page shows them. `ready` is false when every trigger fails (or
 * the object could not start), `unknown` before its first round or when some triggers fail.
 */
export interface ObjectConditions {
  readonly ready: boolean | 'unknown';
  readonly active: boolean;
  readonly paused: boolean;
  readonly fallback: boolean;
}

/** One ScaledObject or ScaledJob (or an unscaled workload) as the page lists it. */
export interface DashboardObject {
  /** `Kind/namespace/name`: the key of records and SSE events. */
  readonly key: string;
  readonly kind: 'ScaledObject' | 'ScaledJob' | 'Deployment' | 'StatefulSet';
  readonly namespace: string;
  readonly name: string;
  /** `Deployment default/celery-worker` for ScaledObjects. */
  readonly target?: string;
  readonly conditions: ObjectConditions;
  readonly desiredReplicas?: number;
  readonly runningReplicas?: number;
  readonly readyReplicas?: number;
  /** ScaledJob: jobs not finished yet. */
  readonly jobsRunning?: number;
  readonly lastReason?: string;
  readonly lastRoundAt?: string;
  readonly error?: string;
  readonly triggers: readonly TriggerStatus[];
  readonly replicas?: readonly ReplicaStatus[];
  /** ScaledJob: its most recent jobs, newest last (bounded by the source). */
  readonly jobs?: readonly JobStatus[];
  /** True when `logs()` can answer for this object. */
  readonly hasLogs: boolean;
}

/** The tail of one replica's (or job's) output. */
export interface ReplicaLog {
  readonly replica: string;
  /** When the log was last written. */
  readonly updatedAt: string;
  readonly lines: readonly string[];
  /** True when older lines were cut off. */
  readonly truncated: boolean;
}

export interface DashboardSource {
  /** Every object now. Called on connect and every couple of seconds while a page is open. */
  objects(): readonly DashboardObject[];
  /** The object's recent decision records, oldest first, at most `limit`. */
  records(ref: ObjectRef, limit: number): readonly DecisionRecord[];
  /** Calls `listener` once per new record; returns the unsubscribe function. */
  subscribe(listener: (ref: ObjectRef, record: DecisionRecord) => void): () => void;
  /** The newest output of the object's replicas or jobs (bounded); absent when the mode has none. */
  logs?(ref: ObjectRef): Promise<readonly ReplicaLog[]>;
}

/** `Kind/namespace/name`. */
export const objectKey = (r: { kind: string; namespace: string; name: string }): string =>
  `${r.kind}/${r.namespace}/${r.name}`;

/** A Kubernetes name (RFC 1123 subdomain): also keeps `..` and `/` out of log paths. */
const NAME = '[a-z0-9]([-a-z0-9.]*[a-z0-9])?';
const KEY = new RegExp(`^(ScaledObject|ScaledJob)/(${NAME})/(${NAME})$`);

/** Parses `Kind/namespace/name` back; undefined for anything else. */
export function parseObjectKey(key: string): ObjectRef | undefined {
  const m = KEY.exec(key);
  if (!m || key.includes('..')) return undefined;
  return { kind: m[1] as ObjectRef['kind'], namespace: m[2]!, name: m[4]! };
}
