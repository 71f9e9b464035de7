/**
 * The decision log: every round of every ScaledObject and ScaledJob, with its inputs (per
 * trigger value, target, activity or error) and its output (replicas or jobs, reasons with
 * codes). Bounded twice: a ring of recent records per object in memory (what `tide explain`
 * asks the running `tide up` for), and size-rotated JSONL files in `.tide/decisions/` (what it
 * reads when tide is not running, or for a time older than the ring).
 */
import { join } from 'node:path';
import { DecisionRing } from '../scheduler/decision-log.js';
import { readJsonl, RotatingJsonl } from './jsonl.js';
import {
  refName,
  type DecisionEntry,
  type DecisionRecord,
  type DecisionsAnswer,
  type ObjectRef,
  type RoundObservation,
} from './types.js';

export interface DecisionLogOptions {
  /** Folder of the JSONL files; memory only when absent. */
  dir?: string;
  /** Records kept in memory per object at most. @default 500 */
  ringSize?: number;
  /**
   * Records kept in memory across all objects (a record is about 1.5 KB): with many objects each
   * ring shrinks to an equal share, never below `minRingSize`; older rounds stay in the files.
   * @default 50_000
   */
  maxRecords?: number;
  /** @default 30 */
  minRingSize?: number;
  /** @default 5 MiB */
  maxBytes?: number;
  /** @default 3 */
  files?: number;
  onError?: (e: unknown) => void;
}

/** `.tide/decisions` for a state folder root. */
export function decisionsDir(stateRoot: string): string {
  return join(stateRoot, 'decisions');
}

const keyOf = (r: ObjectRef & { key?: string }) => r.key ?? `${r.kind}/${r.namespace}/${r.name}`;

/** The last `limit` records at or before `at` (ms), oldest first. */
export function selectRecords(
  records: readonly DecisionRecord[],
  at: number | undefined,
  limit: number,
): DecisionRecord[] {
  let end = records.length;
  if (at !== undefined) {
    // Records are in time order: walk back past the ones after `at`.
    while (end > 0 && Date.parse(records[end - 1]!.at) > at) end--;
  }
  return records.slice(Math.max(0, end - limit), end);
}

export class DecisionLog {
  readonly #rings = new Map<string, { ref: ObjectRef; ring: DecisionRing }>();
  readonly #file: RotatingJsonl | undefined;
  readonly #ringSize: number;
  readonly #maxRecords: number;
  readonly #minRingSize: number;

  constructor(opts: DecisionLogOptions = {}) {
    this.#ringSize = opts.ringSize ?? 500;
    this.#maxRecords = opts.maxRecords ?? 50_000;
    this.#minRingSize = Math.min(opts.minRingSize ?? 30, this.#ringSize);
    this.#file = opts.dir
      ? new RotatingJsonl({
          dir: opts.dir,
          ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
          ...(opts.files !== undefined ? { files: opts.files } : {}),
          ...(opts.onError ? { onError: opts.onError } : {}),
        })
      : undefined;
  }

  /** Records one round; meant as the controllers' `onRecord`. */
  record(obs: RoundObservation): void {
    const ref: ObjectRef = { kind: obs.kind, namespace: obs.namespace, name: obs.name };
    const k = keyOf(obs);
    let slot = this.#rings.get(k);
    if (!slot) {
      slot = { ref, ring: new DecisionRing(this.#ringSize) };
      this.#rings.set(k, slot);
      this.#resizeRings();
    }
    slot.ring.push(obs.record);
    const entry: DecisionEntry = { ...ref, ...obs.record };
    this.#file?.append(entry);
  }

  /** Per-object capacity under the total budget; rings shrink as they next record. */
  #resizeRings(): void {
    const share = Math.floor(this.#maxRecords / this.#rings.size);
    const capacity = Math.max(this.#minRingSize, Math.min(this.#ringSize, share));
    for (const { ring } of this.#rings.values()) ring.capacity = capacity;
  }

  /** The newest record of one object, if any. */
  last(ref: ObjectRef & { key?: string }): DecisionRecord | undefined {
    return this.#rings.get(keyOf(ref))?.ring.last();
  }

  /** Records one object's ring holds at most now. */
  capacityOf(ref: ObjectRef): number | undefined {
    return this.#rings.get(keyOf(ref))?.ring.capacity;
  }

  /** The `/decisions` answer: the records in force at `at` (default: now) and a few before. */
  query(ref: ObjectRef, opts: { at?: number; limit?: number } = {}): DecisionsAnswer {
    const all = this.#rings.get(keyOf(ref))?.ring.all() ?? [];
    const oldest = all[0]?.at;
    return {
      object: ref,
      records: selectRecords(all, opts.at, opts.limit ?? 50),
      ...(oldest ? { oldest } : {}),
      known: [...this.#rings.values()].map((s) => refName(s.ref)).sort(),
    };
  }

  /** Writes buffered lines now (tests, and before answering from files). */
  flush(): void {
    this.#file?.flush();
  }

  close(): void {
    this.#file?.close();
  }
}

/**
 * Reads one object's records from the JSONL files, oldest first, with the same selection as
 * the running tide. Also names every object found, for a helpful "not found" message.
 */
export function readDecisionFiles(
  dir: string,
  ref: ObjectRef,
  opts: { at?: number; limit?: number } = {},
): DecisionsAnswer {
  const known = new Set<string>();
  const mine = readJsonl<DecisionEntry>(dir, (e) => {
    if (typeof e !== 'object' || e === null || typeof e.at !== 'string') return false;
    known.add(refName(e));
    return e.kind === ref.kind && e.namespace === ref.namespace && e.name === ref.name;
  });
  const records: DecisionRecord[] = mine.map(({ kind: _k, namespace: _n, name: _m, ...r }) => r);
  const oldest = records[0]?.at;
  return {
    object: ref,
    records: selectRecords(records, opts.at, opts.limit ?? 50),
    ...(oldest ? { oldest } : {}),
    known: [...known].sort(),
  };
}
