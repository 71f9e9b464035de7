/**
 * What the observers (decision log, metrics) receive from the controllers once per round, and
 * what the decision log stores per line. Records carry metric values and reasons only: no
 * trigger metadata, no connection strings, so nothing here can hold a secret.
 */
import type { DecisionRecord } from '../scheduler/decision-log.js';
import type { ScalerReading } from '../scheduler/trigger-readings.js';

export type { DecisionRecord };

/** The kinds that have decisions. */
export type ScaledKind = 'ScaledObject' | 'ScaledJob';

/** Identifies one ScaledObject or ScaledJob. */
export interface ObjectRef {
  readonly kind: ScaledKind;
  readonly namespace: string;
  readonly name: string;
}

/** One round of one object, as a controller reports it to `onRecord`. */
export interface RoundObservation extends ObjectRef {
  readonly record: DecisionRecord;
  /** The raw scaler readings (values per metric, activity, error, read latency). */
  readonly readings: readonly ScalerReading[];
  /** Wall time of the whole round: reads plus decision plus applying it. */
  readonly durationMs: number;
  /** `Kind/namespace/name`, built once by the controller (observers key their maps by it). */
  readonly key?: string;
}

/** One line of `.tide/decisions/*.jsonl`: the record plus the object it belongs to. */
export interface DecisionEntry extends DecisionRecord {
  readonly kind: ScaledKind;
  readonly namespace: string;
  readonly name: string;
}

/** What the control endpoint `/decisions` answers. */
export interface DecisionsAnswer {
  readonly object: ObjectRef;
  /** Oldest first; the last one is the decision in force at the requested time. */
  readonly records: readonly DecisionRecord[];
  /** `at` of the oldest record the running tide still holds in memory. */
  readonly oldest?: string;
  /** Every object the running tide has decisions for, `Kind namespace/name`. */
  readonly known: readonly string[];
}

/** `Kind namespace/name`. */
export function refName(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}
