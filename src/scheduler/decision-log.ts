/** A bounded in-memory record of recent decisions per object, for status and `tide explain`. */
import type { Reason } from '../engine/index.js';
import type { TriggerStatus } from './status.js';

export interface DecisionRecord {
  at: string;
  /** Replicas before the decision (ScaledObject) or unfinished jobs (ScaledJob). */
  current: number;
  /** Desired replicas (ScaledObject) or jobs created (ScaledJob). */
  decided: number;
  isActive: boolean;
  triggers: TriggerStatus[];
  reasons: Reason[];
}

export class DecisionRing {
  readonly #items: DecisionRecord[] = [];
  #capacity: number;
  constructor(capacity = 500) {
    this.#capacity = Math.max(1, capacity);
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Shrinking drops the oldest records at the next push. */
  set capacity(n: number) {
    this.#capacity = Math.max(1, n);
  }

  push(r: DecisionRecord): void {
    this.#items.push(r);
    const excess = this.#items.length - this.#capacity;
    if (excess > 0) this.#items.splice(0, excess);
  }

  last(): DecisionRecord | undefined {
    return this.#items.at(-1);
  }

  all(): readonly DecisionRecord[] {
    return this.#items;
  }
}

/** The one-line summary shown in status: the most telling reasons first. */
export function summarizeReasons(reasons: readonly Reason[], max = 2): string {
  return reasons
    .slice(-max)
    .map((r) => r.message)
    .join('; ');
}
