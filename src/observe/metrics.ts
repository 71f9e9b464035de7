/**
 * Prometheus metrics for `tide up`. Where KEDA's operator has a metric for the same thing, tide
 * uses KEDA's name, type and labels (reference section 6), so dashboards and alerts written
 * for KEDA work unchanged; tide's own metrics are prefixed `tide_`. Label values are object
 * names, namespaces, trigger types and metric names only: nothing from trigger metadata or
 * authentication reaches a label, so no secret can.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
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

export interface TideMetricsOptions {
  /** Read at scrape time for the running counts (replicas, jobs). */
  status?: () => readonly ObjectStatus[];
  version?: string;
}

export class TideMetrics {
  readonly registry = new Registry();
  readonly #value: Gauge;
  readonly #latency: Gauge;
  readonly #active: Gauge;
  readonly #scalerErrors: Counter;
  readonly #soErrors: Counter;
  readonly #sjErrors: Counter;
  readonly #paused: Gauge;
  readonly #resources: Gauge;
  readonly #triggers: Gauge;
  readonly #desired: Gauge;
  readonly #jobsStarted: Counter;
  readonly #roundSeconds: Histogram;
  /** Series written per object, so a removed object's series go with it. */
  readonly #series = new Map<string, { metric: Gauge | Counter | Histogram; labels: Labels }[]>();
  /** Per object: the shape of its last round's series (see observeRound). */
  readonly #shapes = new Map<string, string>();

  constructor(opts: TideMetricsOptions = {}) {
    const registers = [this.registry];
    const status = opts.status;
    this.#value = new Gauge({
      name: 'keda_scaler_metrics_value',
      help: 'The current value for each scaler metric, as used by the HPA (or the ScaledJob) to compute replicas',
      labelNames: SCALER_LABELS,
      registers,
    });
    this.#latency = new Gauge({
      name: 'keda_scaler_metrics_latency_seconds',
      help: 'The latency of retrieving the current metric from each scaler, in seconds',
      labelNames: SCALER_LABELS,
      registers,
    });
    this.#active = new Gauge({
      name: 'keda_scaler_active',
      help: 'Activity of a scaler: 1 active, 0 not active',
      labelNames: SCALER_LABELS,
      registers,
    });
    this.#scalerErrors = new Counter({
      name: 'keda_scaler_detail_errors_total',
      help: 'The number of errors that have occurred for each scaler',
      labelNames: SCALER_LABELS,
      registers,
    });
    this.#soErrors = new Counter({
      name: 'keda_scaled_object_errors_total',
      help: 'The number of errors that have occurred for each ScaledObject',
      labelNames: ['namespace', 'scaledObject'],
      registers,
    });
    this.#sjErrors = new Counter({
      name: 'keda_scaled_job_errors_total',
      help: 'The number of errors that have occurred for each ScaledJob',
      labelNames: ['namespace', 'scaledJob'],
      registers,
    });
    this.#paused = new Gauge({
      name: 'keda_scaled_object_paused',
      help: 'Whether a ScaledObject is paused (1) or not (0)',
      labelNames: ['namespace', 'scaledObject'],
      registers,
    });
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
    this.#desired = new Gauge({
      name: 'tide_replicas_desired',
      help: 'Replicas the last decision asked for, per ScaledObject',
      labelNames: ['namespace', 'scaled_object'],
      registers,
    });
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
    this.#jobsStarted = new Counter({
      name: 'tide_jobs_started_total',
      help: 'Jobs started, per ScaledJob',
      labelNames: ['namespace', 'scaled_job'],
      registers,
    });
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

  #track(key: string, metric: Gauge | Counter | Histogram, labels: Labels): void {
    let list = this.#series.get(key);
    if (!list) this.#series.set(key, (list = []));
    if (!list.some((s) => s.metric === metric && sameLabels(s.labels, labels)))
      list.push({ metric, labels });
  }

  /** Records one round; meant as (part of) the controllers' `onRecord`. */
  observeRound(obs: RoundObservation): void {
    const key = `${obs.kind}/${obs.namespace}/${obs.name}`;
    const type = resourceType(obs.kind);
    const isSo = obs.kind === 'ScaledObject';
    // KEDA's camelCase labels on keda_*; tide's own metrics follow Prometheus' snake_case.
    const own = { namespace: obs.namespace, [isSo ? 'scaledObject' : 'scaledJob']: obs.name };
    const tideOwn = { namespace: obs.namespace, [isSo ? 'scaled_object' : 'scaled_job']: obs.name };
    // The series an object's round touches depend only on its triggers' names and whether
    // each read failed; when that shape repeats (nearly every round) they are tracked already.
    let shape = isSo ? 'so' : 'sj';
    for (const r of obs.readings)
      shape += `|${r.index}:${r.type}:${r.name ?? ''}:${r.specs.map((x) => x.name).join(',')}:${r.error === undefined ? 1 : 0}`;
    const tracked = this.#shapes.get(key) === shape;
    this.#shapes.set(key, shape);
    const track = (metric: Gauge | Counter | Histogram, labels: Labels) => {
      if (!tracked) this.#track(key, metric, labels);
    };
    let errors = 0;
    for (const r of obs.readings) {
      // Never an empty `metric` label: a trigger never built (its source down from the start)
      // is named `s<index>-<type>`; a failing one keeps the names of its last build.
      const names = r.specs.length ? r.specs.map((s) => s.name) : [metricName(r.index, r.type)];
      for (const metric of names) {
        const labels: Labels = {
          namespace: obs.namespace,
          metric,
          scaledObject: obs.name,
          scaler: scalerLabel(r.type, r.name),
          triggerIndex: String(r.index),
          type,
        };
        this.#latency.set(labels, r.latencyMs / 1000);
        track(this.#latency, labels);
        this.#scalerErrors.inc(labels, 0); // KEDA exposes the series at 0 before the first error
        track(this.#scalerErrors, labels);
        if (r.error !== undefined) {
          this.#scalerErrors.inc(labels);
          errors++;
          this.#active.set(labels, 0);
        } else {
          this.#active.set(labels, r.isActive ? 1 : 0);
          const v = r.metrics?.find((m) => m.name === metric)?.value;
          if (v !== undefined) this.#value.set(labels, v);
          track(this.#value, labels);
        }
        track(this.#active, labels);
      }
    }
    const errorCounter = isSo ? this.#soErrors : this.#sjErrors;
    errorCounter.inc(own, errors);
    track(errorCounter, own);
    if (isSo) {
      const paused = obs.record.reasons.some((x) => x.code === KEDA.ScaledObjectPaused);
      this.#paused.set(own, paused ? 1 : 0);
      this.#desired.set(tideOwn, obs.record.decided);
      track(this.#paused, own);
      track(this.#desired, tideOwn);
    } else {
      this.#jobsStarted.inc(tideOwn, obs.record.decided);
      track(this.#jobsStarted, tideOwn);
    }
    this.#roundSeconds.observe({ type }, obs.durationMs / 1000);
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
    for (const [key, list] of this.#series) {
      if (live.has(key)) continue;
      for (const { metric, labels } of list) metric.remove(labels);
      this.#series.delete(key);
      this.#shapes.delete(key);
    }
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
