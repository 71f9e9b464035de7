/**
 * Replays a trace through the engine with a simulated clock: each ScaledObject and ScaledJob
 * is polled at 0, pollingInterval, 2 × pollingInterval, ... until the trace ends, exactly as
 * the scheduler would, and every round's decision is returned with its reasons. Pure: no
 * clock, no I/O.
 *
 * Models: a ScaledObject's replicas follow its decisions at once (current = last desired, all
 * ready). A ScaledJob's Jobs are simulated: each created Job is pending for
 * `jobPendingSeconds` (default 0) and then runs until `jobDurationSeconds` (default 60) after
 * its creation. The trace itself does not react to replicas or Jobs (it is what the source
 * said), so a trace that should drain must say so.
 *
 * With `queue` (what `--compare` uses) a ScaledObject runs in a closed loop instead: its first
 * trigger reads a simulated FIFO queue that the trace fills and its replicas drain (queue.ts).
 */
import { decideScaledJob } from '../engine/scaled-job.js';
import { decideScaledObject } from '../engine/scaled-object.js';
import { parseJobCapAnnotations } from '../engine/pause.js';
import type { Reason } from '../engine/reasons.js';
import {
  INITIAL_SCALED_JOB_STATE,
  INITIAL_SCALED_OBJECT_STATE,
  type MetricSpec,
  type ScaledJobState,
  type ScaledObjectState,
  type TriggerReading,
} from '../engine/types.js';
import type { ManifestSet, ScaledJob, ScaledObject, Trigger } from '../manifests/types.js';
import { objectName } from '../manifests/types.js';
import { pollingIntervalSeconds } from '../manifests/defaults.js';
import { TideError } from '../errors.js';
import { simulatedSpec } from './specs.js';
import { arrivalsFrom, QueueSim, type QueueResult } from './queue.js';
import type { Trace, TraceSample } from './trace.js';

export interface SimStep {
  /** Seconds from the start of the trace. */
  readonly time: number;
  /** `Kind namespace/name`. */
  readonly object: string;
  readonly kind: 'ScaledObject' | 'ScaledJob';
  /** Per trigger: the metric value fed this round (undefined on error) and its target. */
  readonly triggers: readonly {
    name: string;
    value?: number;
    error?: string;
    target: number;
    targetType: string;
    active: boolean;
  }[];
  readonly isActive: boolean;
  /** ScaledObject: replicas before and after the round. */
  readonly replicasBefore?: number;
  readonly desiredReplicas?: number;
  /** ScaledJob: Jobs created this round and unfinished Jobs before it. */
  readonly jobsToCreate?: number;
  readonly runningJobs?: number;
  readonly pendingJobs?: number;
  readonly reasons: readonly Reason[];
}

export interface SimulateOptions {
  readonly set: Pick<ManifestSet, 'scaledObjects' | 'scaledJobs'>;
  readonly trace: Trace;
  /** Exact metric specs (e.g. from the scaler registry); otherwise read from metadata. */
  readonly specsFor?: (
    object: ScaledObject | ScaledJob,
    triggerIndex: number,
  ) => { spec: MetricSpec; activation: number } | undefined;
  /** Closed-loop queue model for ScaledObjects (see queue.ts); off by default. */
  readonly queue?: { readonly consumeRate: number; readonly startSeconds?: number };
}

/** One ScaledObject's queue figures (queue mode). */
export interface ObjectQueueResult extends QueueResult {
  /** `Kind namespace/name`. */
  readonly object: string;
  /** Seconds simulated. */
  readonly duration: number;
}

/** Thrown for a trace that names an object or trigger the set does not have. */
export class SimulationError extends TideError {
  override readonly name = 'SimulationError';
  readonly code = 'TIDE_SIMULATION_INVALID' as const;
}

type Obj = ScaledObject | ScaledJob;

function matchesObject(sample: TraceSample, o: Obj): boolean {
  if (sample.object === undefined) return true;
  const { name, namespace } = o.metadata;
  return [
    name,
    `${namespace}/${name}`,
    `${o.kind}/${name}`,
    `${o.kind}/${namespace}/${name}`,
    objectName(o),
  ].includes(sample.object);
}

function triggerIndex(sample: TraceSample, triggers: readonly Trigger[]): number | undefined {
  const t = sample.trigger ?? '0';
  const byName = triggers.findIndex((tr) => tr.name === t);
  if (byName >= 0) return byName;
  const n = /^\d+$/.test(t) ? Number(t) : -1;
  return n >= 0 && n < triggers.length ? n : undefined;
}

/** Runs the whole trace; steps are ordered by time, then by object in the set's order. */
export function simulate(opts: SimulateOptions): SimStep[] {
  return run(opts).steps;
}

/**
 * Runs the trace with the queue model (`opts.queue`, else the trace's `consumeRate` header)
 * and returns the steps plus each ScaledObject's replica-seconds and item waits.
 */
export function simulateQueue(opts: SimulateOptions): {
  steps: SimStep[];
  queues: ObjectQueueResult[];
} {
  const rate = opts.queue?.consumeRate ?? opts.trace.header.consumeRate;
  if (rate === undefined || !(rate > 0))
    throw new SimulationError(
      'the queue model needs a consume rate (items per second per replica): --consume-rate <n> or a "# consumeRate: <n>" trace header',
    );
  const startSeconds = opts.queue?.startSeconds ?? opts.trace.header.replicaStartSeconds ?? 0;
  const r = run({ ...opts, queue: { consumeRate: rate, startSeconds } });
  const queues = r.runs.flatMap((o) =>
    o.queue ? [{ object: o.name, duration: r.end, ...o.queue.result(r.end) }] : [],
  );
  if (queues.length === 0)
    throw new SimulationError('the queue model needs a ScaledObject; the manifests have none');
  return { steps: r.steps, queues };
}

function run(opts: SimulateOptions): { steps: SimStep[]; runs: ObjectRun[]; end: number } {
  const { trace } = opts;
  const objects: Obj[] = [...opts.set.scaledObjects, ...opts.set.scaledJobs];
  if (objects.length === 0)
    throw new SimulationError('the manifests have no ScaledObject or ScaledJob to simulate');
  for (const s of trace.samples) {
    const hits = objects.filter((o) => matchesObject(s, o));
    if (hits.length === 0)
      throw new SimulationError(
        `trace line ${s.line}: field object: no ScaledObject or ScaledJob named "${s.object}"`,
      );
    for (const o of hits) {
      if (triggerIndex(s, o.spec.triggers) === undefined)
        throw new SimulationError(
          `trace line ${s.line}: field trigger: ${objectName(o)} has no trigger "${s.trigger}"`,
        );
    }
  }
  const end =
    trace.header.durationSeconds ?? trace.samples.reduce((m, s) => Math.max(m, s.time), 0);
  const start = trace.header.start ?? 0;

  const runs = objects.map((o) => {
    const specs = o.spec.triggers.map((t, i) => {
      const given = opts.specsFor?.(o, i);
      if (given) return given;
      const r = simulatedSpec(t, i);
      if (!r.ok) throw new SimulationError(`${objectName(o)}: ${r.error}`);
      return r;
    });
    const samples = o.spec.triggers.map((_, i) =>
      trace.samples.filter((s) => matchesObject(s, o) && triggerIndex(s, o.spec.triggers) === i),
    );
    const queue =
      opts.queue && o.kind === 'ScaledObject'
        ? new QueueSim(
            arrivalsFrom(samples[0] ?? []),
            opts.queue.consumeRate,
            opts.queue.startSeconds,
          )
        : undefined;
    return new ObjectRun(o, specs, samples, trace, start, queue);
  });

  const steps: SimStep[] = [];
  const times = new Set<number>();
  for (const r of runs)
    for (let t = 0; t <= end + 1e-9; t += r.interval) times.add(Math.round(t * 1000) / 1000);
  for (const t of [...times].sort((a, b) => a - b)) {
    for (const r of runs) if (r.pollsAt(t)) steps.push(r.step(t));
  }
  return { steps, runs, end };
}

class ObjectRun {
  readonly interval: number;
  private replicas = 0;
  private soState: ScaledObjectState = INITIAL_SCALED_OBJECT_STATE;
  private sjState: ScaledJobState = INITIAL_SCALED_JOB_STATE;
  private jobs: { created: number }[] = [];

  constructor(
    private readonly o: Obj,
    private readonly specs: { spec: MetricSpec; activation: number }[],
    private readonly samples: TraceSample[][],
    private readonly trace: Trace,
    private readonly start: number,
    readonly queue?: QueueSim,
  ) {
    this.interval = pollingIntervalSeconds(o);
  }

  get name(): string {
    return objectName(this.o);
  }

  pollsAt(t: number): boolean {
    const k = t / this.interval;
    return Math.abs(k - Math.round(k)) < 1e-9;
  }

  /**
   * Sample-and-hold: the latest sample at or before `t` decides error/activity, the latest value
   * holds; before the first sample a trigger reads 0 and inactive.
   */
  private readings(t: number): TriggerReading[] {
    return this.specs.map(({ spec, activation }, i) => {
      if (i === 0 && this.queue) {
        // Closed loop: the scaler reads the simulated queue, not the traced value.
        this.queue.advanceTo(t);
        const waiting = this.queue.waiting();
        return {
          ok: true,
          metrics: [{ name: spec.name, value: waiting }],
          isActive: waiting > activation,
        };
      }
      let last: TraceSample | undefined;
      let value = 0;
      for (const s of this.samples[i] ?? []) {
        if (s.time > t) break;
        last = s;
        if (s.value !== undefined) value = s.value;
      }
      if (last?.error !== undefined) return { ok: false, error: last.error };
      return {
        ok: true,
        metrics: [{ name: spec.name, value }],
        isActive: last?.active ?? value > activation,
      };
    });
  }

  step(t: number): SimStep {
    const now = this.start + t * 1000;
    const readings = this.readings(t);
    const triggers = readings.map((r, i) => {
      const s = this.specs[i]?.spec ?? { name: `s${i}`, target: 0, targetType: 'AverageValue' };
      return r.ok
        ? {
            name: s.name,
            value: r.metrics[0]?.value ?? 0,
            target: s.target,
            targetType: s.targetType,
            active: r.isActive,
          }
        : {
            name: s.name,
            error: r.error,
            target: s.target,
            targetType: s.targetType,
            active: false,
          };
    });
    const object = objectName(this.o);
    const specs = this.specs.map((s) => [s.spec]);
    if (this.o.kind === 'ScaledObject') {
      const before = this.replicas;
      const d = decideScaledObject({
        so: this.o,
        specs,
        readings,
        currentReplicas: before,
        readyReplicas: before,
        now,
        state: this.soState,
        createdAt: this.start,
        // What tide's Celery workers report through their registry (the wait-time policy).
        ...(this.queue
          ? {
              waitSignals: {
                inFlight: this.queue.inFlight(),
                completed: this.queue.completed(),
                busySeconds: this.queue.busySeconds(),
              },
            }
          : {}),
      });
      this.soState = d.state;
      this.replicas = d.desiredReplicas;
      this.queue?.setReplicas(d.desiredReplicas);
      return {
        time: t,
        object,
        kind: 'ScaledObject',
        triggers,
        isActive: d.isActive,
        replicasBefore: before,
        desiredReplicas: d.desiredReplicas,
        reasons: d.reasons,
      };
    }
    const duration = (this.trace.header.jobDurationSeconds ?? 60) * 1000;
    const pendingFor = (this.trace.header.jobPendingSeconds ?? 0) * 1000;
    this.jobs = this.jobs.filter((j) => j.created + duration > now);
    const running = this.jobs.length;
    const pending = this.jobs.filter((j) => j.created + pendingFor > now).length;
    const caps = parseJobCapAnnotations(this.o.metadata.annotations);
    if (!caps.ok) throw new SimulationError(`${object}: ${caps.path}: ${caps.error}`);
    const d = decideScaledJob({
      sj: this.o,
      specs,
      readings,
      runningJobs: running,
      pendingJobs: pending,
      now,
      state: this.sjState,
      caps: caps.value,
    });
    this.sjState = d.state;
    for (let i = 0; i < d.jobsToCreate; i++) this.jobs.push({ created: now });
    return {
      time: t,
      object,
      kind: 'ScaledJob',
      triggers,
      isActive: d.isActive,
      jobsToCreate: d.jobsToCreate,
      runningJobs: running,
      pendingJobs: pending,
      reasons: d.reasons,
    };
  }
}
