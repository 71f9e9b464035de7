/**
 * Prometheus metrics for `tide up`. Where KEDA's operator has a metric for the same thing, tide
 * uses KEDA's name, type and labels (reference section 6), so dashboards and alerts written
 * for KEDA work unchanged; tide's own metrics are prefixed `tide_`. Label values are object
 * names, namespaces, trigger types and metric names only: nothing from trigger metadata or
 * authentication reaches a label, so no secret can.
 */
import { Gauge, Histogram, Registry, type Metric } from 'prom-client';
import { KEDA } from '../engine/reasons.js';
import type { ObjectStatus } from '../scheduler/status.js';
import type { ManifestSet } from '../manifests/types.js';
import { metricName } from '../scalers/core/metric-name.js';
import type { RoundObservation } from './types.js';
import { exposition } from './exposition.js';

/** KEDA's label set for the per-scaler metrics. */
const SCALER_LABELS = ['namespace', 'metric', 'scaledObject', 'scaler', 'triggerIndex', 'type'];

/** KEDA's `type` label: the kind of the scaled resource. */
const resourceType = (kind: RoundObservation['kind']) =>
  kind === 'ScaledObject' ? 'scaledobject' : 'scaledjob';

/**
 * KEDA's `scaler` label: the trigger's `name` when set, else the Go scaler type
 * (`redisScaler`, `redisStreamsScaler`, `mongoDBScaler` is spelled `mongodbScaler` here).
 */
export function scalerLabel(type: string, triggerName?: string): string {
  if (triggerName) return triggerName;
  const camel = type.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return `${camel}Scaler`;
}

type Labels = Record<string, string>;

const SO_TYPE: Labels = { type: 'scaledobject' };
const SJ_TYPE: Labels = { type: 'scaledjob' };

/** One trigger metric's series of an object: its labels and latest numbers. */
interface ScalerRow {
  readonly labels: Labels;
  latency: number;
  active: number;
  /** Unset until a read succeeds (a failing read keeps the last value). */
  value: number | undefined;
  /** keda_scaler_detail_errors_total. */
  errors: number;
}

/** An object's series, for the shape of its rounds that built them. */
interface ObjectRows {
  readonly isSo: boolean;
  readonly shape: readonly {
    index: number;
    type: string;
    name: string | undefined;
    specs: readonly string[];
    failed: boolean;
  }[];
  readonly rows: readonly ScalerRow[];
  /**
   * Series of earlier shapes (a trigger renamed, a metric name that changed once its scaler
   * was built): exposed with their last numbers until the object goes, as a prom-client
   * series stays once set.
   */
  readonly retired: readonly ScalerRow[];
  readonly own: Labels;
  readonly tideOwn: Labels;
  paused: number;
  desired: number | undefined;
  /** keda_scaled_object_errors_total / keda_scaled_job_errors_total. */
  errors: number;
  /** tide_jobs_started_total (ScaledJobs). */
  jobs: number;
}

type Sample = { labels: Labels; value: number };

/**
 * A metric family whose series are an object's rows, registered in the prom-client Registry
 * like any metric (`get()`, as prom-client's own formatter and exposition.ts read it): the
 * numbers live once, in the rows. As prom-client Gauges and Counters, each series of each
 * object was also a hash-map entry, a label-hash string and a label object (seven per
 * ScaledObject, ~2 KB of its memory at 60,000 objects), and their values were copied into
 * them before every scrape.
 */
class RowFamily {
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter',
    readonly labelNames: readonly string[],
    readonly samples: () => Sample[],
  ) {}

  get(): Promise<{
    name: string;
    help: string;
    type: string;
    values: Sample[];
    aggregator: string;
  }> {
    const { name, help, type, aggregator } = this;
    return Promise.resolve({ name, help, type, aggregator, values: this.samples() });
  }

  /** The rows are the objects' own; nothing to reset here (Registry.resetMetrics). */
  reset(): void {}
}

/** Whether a round's readings have the shape the rows were built for (no allocation). */
function sameShape(o: ObjectRows, isSo: boolean, readings: RoundObservation['readings']): boolean {
  if (o.isSo !== isSo || o.shape.length !== readings.length) return false;
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    const s = o.shape[i]!;
    if (s.index !== r.index || s.type !== r.type || s.name !== r.name) return false;
    if (s.failed !== (r.error !== undefined) || s.specs.length !== r.specs.length) return false;
    for (let k = 0; k < s.specs.length; k++) if (s.specs[k] !== r.specs[k]!.name) return false;
  }
  return true;
}

export interface TideMetricsOptions {
  /** Read at scrape time for the running counts (replicas, jobs). */
  status?: () => readonly ObjectStatus[];
  version?: string;
}

export class TideMetrics {
  readonly registry = new Registry();
  readonly #resources: Gauge;
  readonly #triggers: Gauge;
  readonly #roundSeconds: Histogram;
  /** Per object: its series' labels and latest numbers (see observeRound and RowFamily). */
  readonly #objects = new Map<string, ObjectRows>();

  constructor(opts: TideMetricsOptions = {}) {
    const registers = [this.registry];
    const status = opts.status;
    const rows = (pick: (r: ScalerRow) => number | undefined) => (): Sample[] => {
      const out: Sample[] = [];
      for (const o of this.#objects.values())
        for (const list of [o.rows, o.retired])
          for (const r of list) {
            const value = pick(r);
            if (value !== undefined) out.push({ labels: r.labels, value });
          }
      return out;
    };
    const objects =
      (pick: (o: ObjectRows) => { labels: Labels; value: number | undefined } | undefined) =>
      (): Sample[] => {
        const out: Sample[] = [];
        for (const o of this.#objects.values()) {
          const x = pick(o);
          if (x?.value !== undefined) out.push({ labels: x.labels, value: x.value });
        }
        return out;
      };
    const family = (
      name: string,
      help: string,
      type: 'gauge' | 'counter',
      labelNames: readonly string[],
      samples: () => Sample[],
    ) =>
      this.registry.registerMetric(
        new RowFamily(name, help, type, labelNames, samples) as unknown as Metric,
      );
    family(
      'keda_scaler_metrics_value',
      'The current value for each scaler metric, as used by the HPA (or the ScaledJob) to compute replicas',
      'gauge',
      SCALER_LABELS,
      rows((r) => r.value),
    );
    family(
      'keda_scaler_metrics_latency_seconds',
      'The latency of retrieving the current metric from each scaler, in seconds',
      'gauge',
      SCALER_LABELS,
      rows((r) => r.latency),
    );
    family(
      'keda_scaler_active',
      'Activity of a scaler: 1 active, 0 not active',
      'gauge',
      SCALER_LABELS,
      rows((r) => r.active),
    );
    family(
      'keda_scaler_detail_errors_total',
      'The number of errors that have occurred for each scaler',
      'counter',
      SCALER_LABELS,
      rows((r) => r.errors),
    );
    family(
      'keda_scaled_object_errors_total',
      'The number of errors that have occurred for each ScaledObject',
      'counter',
      ['namespace', 'scaledObject'],
      objects((o) => (o.isSo ? { labels: o.own, value: o.errors } : undefined)),
    );
    family(
      'keda_scaled_job_errors_total',
      'The number of errors that have occurred for each ScaledJob',
      'counter',
      ['namespace', 'scaledJob'],
      objects((o) => (o.isSo ? undefined : { labels: o.own, value: o.errors })),
    );
    family(
      'keda_scaled_object_paused',
      'Whether a ScaledObject is paused (1) or not (0)',
      'gauge',
      ['namespace', 'scaledObject'],
      objects((o) => (o.isSo ? { labels: o.own, value: o.paused } : undefined)),
    );
    this.#resources = new Gauge({
      name: 'keda_resource_registered_total',
      help: 'Total number of KEDA custom resources per namespace for each custom resource type',
      labelNames: ['type', 'namespace'],
      registers,
    });
    this.#triggers = new Gauge({
      name: 'keda_trigger_registered_total',
      help: 'Total number of triggers per trigger type',
      labelNames: ['type'],
      registers,
    });
    family(
      'tide_replicas_desired',
      'Replicas the last decision asked for, per ScaledObject',
      'gauge',
      ['namespace', 'scaled_object'],
      objects((o) => (o.isSo ? { labels: o.tideOwn, value: o.desired } : undefined)),
    );
    new Gauge({
      name: 'tide_replicas_running',
      help: 'Replicas running now (started and not yet exited), per ScaledObject',
      labelNames: ['namespace', 'scaled_object'],
      registers,
      collect() {
        this.reset();
        for (const o of status?.() ?? []) {
          if (o.kind === 'ScaledObject' && o.runningReplicas !== undefined)
            this.set({ namespace: o.namespace, scaled_object: o.name }, o.runningReplicas);
        }
      },
    });
    family(
      'tide_jobs_started_total',
      'Jobs started, per ScaledJob',
      'counter',
      ['namespace', 'scaled_job'],
      objects((o) => (o.isSo ? undefined : { labels: o.tideOwn, value: o.jobs })),
    );
    new Gauge({
      name: 'tide_jobs_running',
      help: 'Jobs pending or running now, per ScaledJob',
      labelNames: ['namespace', 'scaled_job'],
      registers,
      collect() {
        this.reset();
        for (const o of status?.() ?? []) {
          if (o.kind !== 'ScaledJob') continue;
          const n = (o.jobs ?? []).filter((j) => j.state === 'Pending' || j.state === 'Running');
          this.set({ namespace: o.namespace, scaled_job: o.name }, n.length);
        }
      },
    });
    this.#roundSeconds = new Histogram({
      name: 'tide_round_duration_seconds',
      help: 'Duration of one scaling round (read every trigger, decide, apply), in seconds',
      // One histogram per kind, not per object: 15 series per object were most of a 24 MB
      // scrape at 10,000 objects. Per-object latency is keda_scaler_metrics_latency_seconds.
      labelNames: ['type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    new Gauge({
      name: 'tide_build_info',
      help: 'tide version',
      labelNames: ['version'],
      registers,
    }).set({ version: opts.version ?? '0.1.0' }, 1);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * The exposition text (exposition.ts: what `registry.metrics()` writes, faster, and in
   * slices that let the event loop serve probes meanwhile).
   */
  async metrics(): Promise<string> {
    return exposition(this.registry);
  }

  /**
   * Records one round; meant as (part of) the controllers' `onRecord`.
   *
   * A round that repeats its object's shape (the same triggers, metric names and failing
   * reads: nearly every round) only stores numbers in the object's rows, which the scrape
   * reads (RowFamily). Setting five prom-client gauges per
   * round built a labels object, a label hash and a new series entry each, all kept until the
   * next round a second later: at 10,000 objects polled every second that garbage, promoted
   * to the old generation because it lived a whole round, was a third of the CPU (GC).
   */
  observeRound(obs: RoundObservation): void {
    const key = obs.key ?? `${obs.kind}/${obs.namespace}/${obs.name}`;
    const isSo = obs.kind === 'ScaledObject';
    let o = this.#objects.get(key);
    if (!o || !sameShape(o, isSo, obs.readings)) {
      o = this.#newRows(obs, o);
      this.#objects.set(key, o);
    }
    let errors = 0;
    let row = 0;
    for (const r of obs.readings) {
      const n = r.specs.length || 1;
      for (let m = 0; m < n; m++) {
        const x = o.rows[row++]!;
        x.latency = r.latencyMs / 1000;
        if (r.error !== undefined) {
          x.errors++;
          errors++;
          x.active = 0;
        } else {
          x.active = r.isActive ? 1 : 0;
          const metric = x.labels.metric;
          const v = r.metrics?.find((y) => y.name === metric);
          if (v !== undefined) x.value = v.value;
        }
      }
    }
    o.errors += errors;
    if (isSo) {
      o.paused = obs.record.reasons.some((x) => x.code === KEDA.ScaledObjectPaused) ? 1 : 0;
      o.desired = obs.record.decided;
    } else if (obs.record.decided > 0) {
      o.jobs += obs.record.decided;
    }
    this.#roundSeconds.observe(o.isSo ? SO_TYPE : SJ_TYPE, obs.durationMs / 1000);
  }

  /** An object's rows for the shape of `obs`; series of the old shape it lacks are retired. */
  #newRows(obs: RoundObservation, old: ObjectRows | undefined): ObjectRows {
    const isSo = obs.kind === 'ScaledObject';
    const type = resourceType(obs.kind);
    // KEDA's camelCase labels on keda_*; tide's own metrics follow Prometheus' snake_case.
    // The same kind of object keeps its label objects (and their formatted text).
    const own =
      old && old.isSo === isSo
        ? old.own
        : { namespace: obs.namespace, [isSo ? 'scaledObject' : 'scaledJob']: obs.name };
    const tideOwn =
      old && old.isSo === isSo
        ? old.tideOwn
        : { namespace: obs.namespace, [isSo ? 'scaled_object' : 'scaled_job']: obs.name };
    const before = old ? [...old.rows, ...old.retired] : [];
    const rows: ScalerRow[] = [];
    const shape: ObjectRows['shape'][number][] = [];
    for (const r of obs.readings) {
      shape.push({
        index: r.index,
        type: r.type,
        name: r.name,
        specs: r.specs.map((x) => x.name),
        failed: r.error !== undefined,
      });
      // Never an empty `metric` label: a trigger never built (its source down from the start)
      // is named `s<index>-<type>`; a failing one keeps the names of its last build.
      const names = r.specs.length ? r.specs.map((x) => x.name) : [metricName(r.index, r.type)];
      for (const metric of names) {
        const labels: Labels = {
          namespace: obs.namespace,
          metric,
          scaledObject: obs.name,
          scaler: scalerLabel(r.type, r.name),
          triggerIndex: String(r.index),
          type,
        };
        // The same series (same labels) goes on: its row, numbers and error count (KEDA
        // exposes the error series at 0 before the first error). A series that stays under
        // other labels (a read that failed, then not) keeps its last value.
        const same = before.find((x) => sameLabels(x.labels, labels) && !rows.includes(x));
        if (same) {
          rows.push(same);
          continue;
        }
        const was = before.find(
          (x) => x.labels.metric === metric && x.labels.triggerIndex === labels.triggerIndex,
        );
        rows.push({ labels, latency: 0, active: 0, value: was?.value, errors: 0 });
      }
    }
    const retired = before.filter((x) => !rows.includes(x));
    const carried = old && old.isSo === isSo;
    return {
      isSo,
      shape,
      rows,
      retired,
      own,
      tideOwn,
      paused: carried ? old.paused : 0,
      desired: old?.desired,
      errors: carried ? old.errors : 0,
      jobs: carried ? old.jobs : 0,
    };
  }

  /** Counts the registered resources and triggers of the applied set; drops removed objects' series. */
  setRegistered(set: ManifestSet): void {
    this.#resources.reset();
    this.#triggers.reset();
    const count = (type: string, namespace: string) => this.#resources.inc({ type, namespace });
    for (const so of set.scaledObjects) count('scaled_object', so.metadata.namespace);
    for (const sj of set.scaledJobs) count('scaled_job', sj.metadata.namespace);
    for (const ta of set.triggerAuthentications)
      count('trigger_authentication', ta.metadata.namespace);
    // Cluster-scoped: KEDA reports them with an empty namespace.
    for (const _ of set.clusterTriggerAuthentications) count('cluster_trigger_authentication', '');
    for (const o of [...set.scaledObjects, ...set.scaledJobs])
      for (const t of o.spec.triggers) this.#triggers.inc({ type: t.type });
    const live = new Set(
      [...set.scaledObjects, ...set.scaledJobs].map(
        (o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
      ),
    );
    for (const key of this.#objects.keys()) if (!live.has(key)) this.#objects.delete(key);
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
