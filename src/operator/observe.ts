/**
 * The operator's decision log and Prometheus metrics, the same ones `tide up` keeps
 * (src/observe/): every controller round goes to a memory-only DecisionLog (the operator has
 * no state folder; a Pod's disk is not where history should live) and to TideMetrics
 * (keda_* names and labels). The health server serves them at `/metrics` (beside the
 * tide_operator_* gauges) and `/decisions?kind=&namespace=&name=[&at=][&limit=]`, which
 * `tide explain --operator <url>` asks.
 *
 * Memory: at thousands of objects polled every second, a record per round would hold
 * gigabytes. A round whose decision equals the previous one in substance (replicas or jobs,
 * activity, trigger values and errors, reasons) is not stored again: the log keeps the
 * changes (100 per object), and the last one's `at` is advanced to the latest round that
 * repeated it, so "the decision in force now" still says when it was last made.
 */
import { DecisionLog } from '../observe/decision-log.js';
import { TideMetrics } from '../observe/metrics.js';
import type {
  DecisionRecord,
  DecisionsAnswer,
  ObjectRef,
  RoundObservation,
} from '../observe/types.js';
import type { ObjectStatus } from '../scheduler/status.js';
import type { ManifestSet } from '../manifests/types.js';

export class OperatorObservers {
  readonly decisionLog: DecisionLog;
  readonly metrics: TideMetrics;
  readonly #registered: () => ManifestSet;
  /** Per object: when a round last repeated its newest stored record (ISO time). */
  readonly #seenAt = new Map<string, string>();

  constructor(opts: { status: () => readonly ObjectStatus[]; registered: () => ManifestSet }) {
    // The budget of records is a hard one here (no files behind the rings): at 10,000 objects
    // whose readings change every round, a floor of 30 per object would hold 300,000 records
    // (~450 MB); with a floor of 1 it is the budget's 50,000, 5 per object.
    this.decisionLog = new DecisionLog({ ringSize: 100, minRingSize: 1 });
    this.metrics = new TideMetrics({ status: opts.status });
    this.#registered = opts.registered;
  }

  /** The controllers' `onRecord`. */
  readonly record = (round: RoundObservation): void => {
    this.metrics.observeRound(round);
    const key = round.key ?? `${round.kind}/${round.namespace}/${round.name}`;
    const last = this.decisionLog.last(round);
    this.#seenAt.set(key, round.record.at);
    if (last && sameSubstance(last, round.record)) return;
    this.decisionLog.record(round);
  };

  /** Forgets objects that no longer run (called at scrape time with the registered set). */
  #prune(set: ManifestSet): void {
    const live = new Set(
      [...set.scaledObjects, ...set.scaledJobs].map(
        (o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
      ),
    );
    for (const k of this.#seenAt.keys()) if (!live.has(k)) this.#seenAt.delete(k);
  }

  /** Prometheus text of the keda_* and tide_* metrics; drops the series of deleted objects. */
  async metricsText(): Promise<string> {
    const set = this.#registered();
    this.metrics.setRegistered(set);
    this.#prune(set);
    return this.metrics.metrics();
  }

  /** The `/decisions` answer; throws a message for a bad query. */
  decisions(q: URLSearchParams): DecisionsAnswer {
    const kind = q.get('kind');
    if (kind !== 'ScaledObject' && kind !== 'ScaledJob')
      throw new Error(`kind must be ScaledObject or ScaledJob, got ${kind ?? 'nothing'}`);
    const name = q.get('name');
    if (!name) throw new Error('name is required');
    const ref: ObjectRef = { kind, namespace: q.get('namespace') || 'default', name };
    const at = q.get('at');
    const atMs = at ? (/^\d+$/.test(at) ? Number(at) : Date.parse(at)) : undefined;
    if (atMs !== undefined && Number.isNaN(atMs))
      throw new Error(`at must be epoch milliseconds or an ISO time, got ${at}`);
    const limit = Number(q.get('limit') ?? 50);
    const answer = this.decisionLog.query(ref, {
      ...(atMs !== undefined ? { at: atMs } : {}),
      limit: Number.isInteger(limit) && limit > 0 ? limit : 50,
    });
    const lastStored = this.decisionLog.query(ref, { limit: 1 }).records.at(-1);
    const seenAt = this.#seenAt.get(`${ref.kind}/${ref.namespace}/${ref.name}`);
    const records = answer.records.slice();
    const tail = records.at(-1);
    // The newest record, repeated until `seenAt`: report it as made then (if asked for then).
    if (tail && tail === lastStored && seenAt && (atMs === undefined || atMs >= Date.parse(seenAt)))
      records[records.length - 1] = { ...tail, at: seenAt };
    return { ...answer, records };
  }
}

/**
 * Whether two records differ only in time: replicas or jobs, activity, trigger values and
 * errors, reasons. Compared field by field against the stored record (a digest of each
 * round's JSON, as before, cost a JSON text and a SHA-1 per round of every object).
 */
export function sameSubstance(a: DecisionRecord, b: DecisionRecord): boolean {
  if (a.current !== b.current || a.decided !== b.decided || a.isActive !== b.isActive) return false;
  if (a.triggers.length !== b.triggers.length || a.reasons.length !== b.reasons.length)
    return false;
  for (let i = 0; i < a.triggers.length; i++) {
    const x = a.triggers[i]!;
    const y = b.triggers[i]!;
    if (x.value !== y.value || x.active !== y.active || x.error !== y.error) return false;
  }
  for (let i = 0; i < a.reasons.length; i++) {
    const x = a.reasons[i]!;
    const y = b.reasons[i]!;
    if (x.code !== y.code || x.message !== y.message) return false;
  }
  return true;
}
