/**
 * The dashboard's source in local mode: objects from the runtime's status, records from the
 * decision log (fed through `observe`, the controllers' onRecord), and replica and job logs
 * from `.tide/logs/<namespace>/<workload or ScaledJob>/`. The operator uses it too, without
 * `logDir`: a Pod's output belongs to the kubelet, so the page hides the logs panel there.
 */
import { join } from 'node:path';
import type { ObjectStatus } from '../../scheduler/status.js';
import type { DecisionLog } from '../decision-log.js';
import type { RoundObservation } from '../types.js';
import { toDashboardObject } from './conditions.js';
import { tailLogFolder } from './log-tail.js';
import type {
  DashboardObject,
  DashboardSource,
  DecisionRecord,
  ObjectRef,
  ReplicaLog,
} from './source.js';

type Listener = (ref: ObjectRef, record: DecisionRecord) => void;

export class LocalDashboardSource implements DashboardSource {
  readonly #listeners = new Set<Listener>();

  constructor(
    private readonly opts: {
      status: () => ObjectStatus[];
      decisionLog: DecisionLog;
      /** `.tide/logs`; absent in the operator (no logs). */
      logDir?: string;
    },
  ) {}

  /** Passes one round on to the open pages; call it beside `decisionLog.record`. */
  observe(round: RoundObservation): void {
    const ref: ObjectRef = { kind: round.kind, namespace: round.namespace, name: round.name };
    for (const l of this.#listeners) l(ref, round.record);
  }

  objects(): DashboardObject[] {
    return this.opts.status().map((s) => {
      const last =
        s.kind === 'ScaledObject' || s.kind === 'ScaledJob'
          ? this.opts.decisionLog.query(
              { kind: s.kind, namespace: s.namespace, name: s.name },
              {
                limit: 1,
              },
            ).records[0]
          : undefined;
      // Unscaled workloads are listed for completeness; the panels (records, logs) are per scaled object.
      return toDashboardObject(s, last, {
        hasLogs:
          this.opts.logDir !== undefined && (last !== undefined || s.kind.startsWith('Scaled')),
      });
    });
  }

  records(ref: ObjectRef, limit: number): readonly DecisionRecord[] {
    return this.opts.decisionLog.query(ref, { limit }).records;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async logs(ref: ObjectRef): Promise<readonly ReplicaLog[]> {
    const folder = this.#logFolder(ref);
    return folder ? tailLogFolder(folder) : [];
  }

  /**
   * A ScaledObject's replicas log under their workload's name, a ScaledJob's jobs under its
   * own. Only objects tide runs have a folder: a request never picks a path by itself.
   */
  #logFolder(ref: ObjectRef): string | undefined {
    const s = this.opts
      .status()
      .find((o) => o.kind === ref.kind && o.namespace === ref.namespace && o.name === ref.name);
    if (!s || this.opts.logDir === undefined) return undefined;
    // `Deployment default/celery-worker` → celery-worker.
    const owner = ref.kind === 'ScaledObject' ? /\/([^/]+)$/.exec(s.target ?? '')?.[1] : s.name;
    return owner ? join(this.opts.logDir, s.namespace, owner) : undefined;
  }
}
