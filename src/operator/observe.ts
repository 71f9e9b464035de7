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
import { createHash } from 'node:crypto';
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
  /** Per object: the substance of the last stored record and when a round last repeated it. */
  readonly #last = new Map<string, { substance: string; seenAt: string }>();

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
    const key = `${round.kind}/${round.namespace}/${round.name}`;
    const substance = substanceOf(round.record);
    const last = this.#last.get(key);
    if (last?.substance === substance) {
      last.seenAt = round.record.at;
      return;
    }
    this.#last.set(key, { substance, seenAt: round.record.at });
    this.decisionLog.record(round);
  };

  /** Forgets objects that no longer run (called at scrape time with the registered set). */
  #prune(set: ManifestSet): void {
    const live = new Set(
      [...set.scaledObjects, ...set.scaledJobs].map(
        (o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
      ),
    );
    for (const k of this.#last.keys()) if (!live.has(k)) this.#last.delete(k);
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
    const seenAt = this.#last.get(`${ref.kind}/${ref.namespace}/${ref.name}`)?.seenAt;
    const records = answer.records.slice();
    const tail = records.at(-1);
    // The newest record, repeated until `seenAt`: report it as made then (if asked for then).
    if (tail && tail === lastStored && seenAt && (atMs === undefined || atMs >= Date.parse(seenAt)))
      records[records.length - 1] = { ...tail, at: seenAt };
    return { ...answer, records };
  }
}

/**
 * What makes a round's record differ from the previous one (not its time), as a digest: the
 * JSON itself, kept per object, was ~300 bytes each.
 */
function substanceOf(r: DecisionRecord): string {
  return createHash('sha1').update(substanceJson(r)).digest('base64');
}

function substanceJson(r: DecisionRecord): string {
  return JSON.stringify([
    r.current,
    r.decided,
    r.isActive,
    r.triggers.map((t) => [t.value, t.active, t.error]),
    r.reasons.map((x) => [x.code, x.message]),
  ]);
}
