/**
 * Builds, reads and rebuilds the scalers of one ScaledObject or ScaledJob.
 *
 * KEDA semantics kept here: all triggers are read in parallel; a scaler that fails is rebuilt
 * (env and auth re-resolved, connection re-opened) and retried once in the same round; a
 * trigger whose scaler cannot even be built counts as an error reading, so it feeds the
 * fallback counter (KEDA misses that case: kedacore/keda#8056).
 */
import { lazyChild } from '../observe/lazy-logger.js';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { errorMessage, ScalerError } from '../errors.js';
import { resolveTriggerInputs } from '../manifests/resolve-auth.js';
import type { ManifestSet, ScaledJob, ScaledObject } from '../manifests/types.js';
import { objectName } from '../manifests/types.js';
import { getScalerDefinition } from '../scalers/registry.js';
import { scrub } from '../scalers/core/scrub.js';
import { isSecret, type Secret } from '../secret.js';
import { ReadDeadlines } from './deadline.js';
import type {
  ConnectionPool,
  LocalReplicas,
  PodMetricsSource,
  MetricSpec,
  MetricValue,
  PushState,
  Scaler,
  WorkerCounters,
} from '../scalers/core/types.js';
import { flat } from '../flat.js';

/** How long to wait before re-establishing a push watch that ended. */
const WATCH_RETRY_MS = 5_000;

export interface ScalerReading {
  index: number;
  type: string;
  name?: string;
  /**
   * The scaler's metric specs; while it cannot be rebuilt (its source is down), the specs of
   * its last build. Empty only for a trigger never built yet.
   */
  specs: readonly MetricSpec[];
  metrics?: readonly MetricValue[];
  isActive?: boolean;
  /** Set when the source could not be read this round; never contains a secret. */
  error?: string;
  /** While failing: when the current run of failures began (ms) and how many rounds it spans. */
  failingSince?: number;
  failedRounds?: number;
  /** Whether push wake-ups work, for scalers that can push. */
  push?: PushState;
  latencyMs: number;
}

export interface TriggerReaderOptions {
  owner: ScaledObject | ScaledJob;
  set: ManifestSet;
  pool: ConnectionPool;
  logger: Logger;
  now: () => number;
  /** Per-read deadline. */
  timeoutMs: number;
  /** Local mode: the scale target's replica processes, for cpu/memory triggers. */
  localReplicas?: LocalReplicas;
  /** Kubernetes mode: the scale target's Pods and their metrics, for cpu/memory triggers. */
  podMetrics?: PodMetricsSource;
}

/**
 * Per-trigger state lives in arrays indexed by trigger, sized once: a reader exists per
 * ScaledObject, most have one trigger, and five Maps (~200 bytes each even when empty) were a
 * tenth of an idle object's memory at tens of thousands of objects.
 */
export class TriggerReader {
  readonly #opts: TriggerReaderOptions;
  /** In-flight or finished builds: a read and a watch asking at once must share one scaler. */
  readonly #scalers: (Promise<Scaler> | undefined)[];
  /** Built scalers, readable without awaiting (status asks synchronously). */
  readonly #current: (Scaler | undefined)[];
  /** Per trigger: the metric specs of its last build, kept while it cannot be rebuilt. */
  readonly #lastSpecs: (readonly MetricSpec[] | undefined)[];
  /** Per trigger: the secrets it was built with, scrubbed from any error (a second net). */
  readonly #secrets: (Secret[] | undefined)[];
  /** Per failing trigger: when it started failing and for how many rounds. */
  readonly #failing: ({ since: number; rounds: number } | undefined)[];
  /** Per trigger: the deadlines of its reads (one read at a time per trigger). */
  readonly #deadlines: (ReadDeadlines | undefined)[];
  #closed = false;

  constructor(opts: TriggerReaderOptions) {
    this.#opts = opts;
    const n = opts.owner.spec.triggers.length;
    // Exactly n slots (an empty array grows to 17 on its first store).
    const slots = <T>(): (T | undefined)[] => new Array<T | undefined>(n).fill(undefined);
    this.#scalers = slots();
    this.#current = slots();
    this.#lastSpecs = slots();
    this.#secrets = slots();
    this.#failing = slots();
    this.#deadlines = slots();
  }

  get triggerCount(): number {
    return this.#opts.owner.spec.triggers.length;
  }

  /**
   * Reads every trigger in parallel; never rejects. A trigger that starts failing is logged
   * once (a warning with its error), and once more when it recovers; not every round.
   */
  async readAll(signal: AbortSignal): Promise<ScalerReading[]> {
    const triggers = this.#opts.owner.spec.triggers;
    const readings = await Promise.all(triggers.map((_, i) => this.#readOne(i, signal)));
    if (!signal.aborted) for (const r of readings) this.#track(r);
    return readings;
  }

  #track(r: ScalerReading): void {
    const was = this.#failing[r.index];
    const now = this.#opts.now();
    if (r.error !== undefined) {
      const run = was ?? { since: now, rounds: 0 };
      run.rounds += 1;
      r.failingSince = run.since;
      r.failedRounds = run.rounds;
      if (was) return;
      this.#failing[r.index] = run;
      this.#opts.logger.warn(
        `${clip(r.error)} (tide keeps the current scale meanwhile; logged again when it recovers)`,
      );
    } else if (was) {
      this.#failing[r.index] = undefined;
      this.#opts.logger.info(
        `${this.#triggerRef(r.index)}: recovered after ${duration(now - was.since)} (${was.rounds} round${was.rounds === 1 ? '' : 's'} failed)`,
      );
    }
  }

  /** Push wake-ups from every scaler that can watch; `onWake` is called on each. */
  watchAll(signal: AbortSignal, onWake: (triggerIndex: number) => void): void {
    for (let i = 0; i < this.triggerCount; i++) void this.#watchOne(i, signal, onWake);
  }

  /**
   * Running work per pod, from every trigger that can tell (`Scaler.workerLoad`; the largest
   * figure when two triggers see the same workers). Empty when none can, or on failure: the
   * target then ranks replicas as Kubernetes does. Bounded by `signal`.
   */
  async workerLoad(signal: AbortSignal): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    await Promise.all(
      this.#opts.owner.spec.triggers.map(async (_, i) => {
        try {
          const scaler = await this.#build(i);
          if (!scaler.workerLoad) return;
          for (const [pod, n] of await scaler.workerLoad(signal))
            out.set(pod, Math.max(out.get(pod) ?? 0, n));
        } catch {
          // No load known from this trigger: scale-in falls back to the default ranking.
        }
      }),
    );
    return out;
  }

  /** The first trigger's workers' counters (`Scaler.workerCounters`), or undefined if unknown. */
  async workerCounters(signal: AbortSignal): Promise<readonly WorkerCounters[] | undefined> {
    try {
      const scaler = await this.#build(0);
      return scaler.workerCounters ? await scaler.workerCounters(signal) : undefined;
    } catch {
      // Unknown this round: the wait-time policy falls back to the trigger's own target.
      return undefined;
    }
  }

  /** Where a trigger's push wake-ups stand now (not as of its last read), for status. */
  pushState(i: number): PushState | undefined {
    return this.#current[i]?.pushState?.();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const d of this.#deadlines) d?.close();
    const all = this.#scalers.filter((p) => p !== undefined);
    for (let i = 0; i < this.#scalers.length; i++) {
      this.#scalers[i] = undefined;
      this.#current[i] = undefined;
    }
    await Promise.allSettled(all.map(async (p) => (await p).close()));
  }

  #triggerRef(i: number): string {
    const t = this.#opts.owner.spec.triggers[i];
    return flat(`${objectName(this.#opts.owner)} trigger ${i} (${t?.type ?? '?'})`);
  }

  #build(i: number): Promise<Scaler> {
    let p = this.#scalers[i];
    if (!p) {
      p = this.#create(i);
      this.#scalers[i] = p;
      // A failed build is forgotten so the next round retries it.
      void p.then(
        (scaler) => {
          if (this.#scalers[i] === p) this.#current[i] = scaler;
        },
        () => {
          if (this.#scalers[i] === p) this.#scalers[i] = undefined;
        },
      );
    }
    return p;
  }

  async #create(i: number): Promise<Scaler> {
    const { owner, set, pool, logger, now } = this.#opts;
    const trigger = owner.spec.triggers[i];
    if (!trigger) throw new ScalerError(this.#triggerRef(i), 'no such trigger');
    const def = getScalerDefinition(trigger.type);
    if (!def) throw new ScalerError(this.#triggerRef(i), `unknown trigger type "${trigger.type}"`);
    const { inputs, issues } = resolveTriggerInputs(owner, i, set);
    this.#secrets[i] = [
      ...Object.values(inputs.resolvedEnv),
      ...Object.values(inputs.authParams),
    ].filter(isSecret);
    const fatal = issues.filter((x) => x.severity === 'error');
    if (fatal.length) {
      throw new ScalerError(
        this.#triggerRef(i),
        fatal.map((x) => `${x.path}: ${x.message}`).join('; '),
      );
    }
    const parsed = def.parse(inputs);
    if (!parsed.ok) {
      throw new ScalerError(
        this.#triggerRef(i),
        parsed.issues.map((x) => `${x.path}: ${x.message}`).join('; '),
      );
    }
    const scaler = await def.create(parsed.meta, {
      triggerIndex: i,
      triggerRef: this.#triggerRef(i),
      logger: lazyChild(logger, { trigger: i, type: trigger.type }),
      pool,
      metricType: trigger.metricType ?? 'AverageValue',
      now,
      ...(this.#opts.localReplicas ? { localReplicas: this.#opts.localReplicas } : {}),
      ...(this.#opts.podMetrics ? { podMetrics: this.#opts.podMetrics } : {}),
    });
    if (this.#closed) {
      await scaler.close();
      throw new ScalerError(this.#triggerRef(i), 'closed while building');
    }
    return scaler;
  }

  async #drop(i: number): Promise<void> {
    const p = this.#scalers[i];
    this.#scalers[i] = undefined;
    this.#current[i] = undefined;
    if (p) await p.then((s) => s.close()).catch(() => undefined);
  }

  async #readOne(i: number, outer: AbortSignal): Promise<ScalerReading> {
    const trigger = this.#opts.owner.spec.triggers[i];
    const type = trigger?.type ?? '?';
    const started = this.#opts.now();
    const deadlines = (this.#deadlines[i] ??= new ReadDeadlines());
    let specs: readonly MetricSpec[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const signal = deadlines.begin(outer, this.#opts.timeoutMs);
      try {
        // A built scaler is taken as is: no await (a microtask and a promise) per read.
        const scaler = this.#current[i] ?? (await this.#build(i));
        specs = scaler.metricSpecs;
        this.#lastSpecs[i] = specs;
        const r = await scaler.getMetricsAndActivity(signal);
        deadlines.end();
        const reading: ScalerReading = {
          index: i,
          type,
          specs,
          metrics: r.metrics,
          isActive: r.isActive,
          latencyMs: this.#opts.now() - started,
        };
        if (trigger?.name) reading.name = trigger.name;
        const push = scaler.pushState?.();
        if (push) reading.push = push;
        return reading;
      } catch (e) {
        deadlines.end();
        await this.#drop(i);
        if (attempt === 1 || outer.aborted) {
          return {
            index: i,
            type,
            ...(trigger?.name ? { name: trigger.name } : {}),
            specs: specs.length ? specs : (this.#lastSpecs[i] ?? []),
            error: scrub(errorMessage(e), this.#secrets[i] ?? []),
            latencyMs: this.#opts.now() - started,
          };
        }
        // KEDA rebuilds the scaler (re-resolving env/auth, reconnecting) and retries once.
      }
    }
    return { index: i, type, specs, error: 'unreachable', latencyMs: 0 };
  }

  async #watchOne(i: number, signal: AbortSignal, onWake: (i: number) => void): Promise<void> {
    // Push is an optimisation: any failure here just leaves the trigger on polling. A watch
    // ends when its scaler is closed to be rebuilt after an error, so it is re-established on
    // the new one at once (a build that fails then waits WATCH_RETRY_MS below).
    while (!signal.aborted && !this.#closed) {
      const built = this.#build(i);
      try {
        const scaler = await built;
        if (!scaler.watch) return;
        for await (const _ of scaler.watch(signal)) {
          if (signal.aborted) return;
          onWake(i);
        }
        // Ended on its own while its scaler is still current: the source cannot push.
        if (this.#scalers[i] === built) return;
        continue;
      } catch (e) {
        if (!signal.aborted)
          this.#opts.logger.debug(
            { trigger: i, err: errorMessage(e) },
            'push wake-ups unavailable for now; polling',
          );
      }
      // timers/promises removes its abort listener when the timer fires; a listener added per
      // retry and never removed piled up on the loop's signal (MaxListenersExceededWarning
      // after ten retries, i.e. a source down for ~55 s).
      await delay(WATCH_RETRY_MS, undefined, { signal }).catch(() => undefined);
    }
  }
}

/** An error as logged: one line, bounded (a driver may return a whole response body). */
function clip(message: string, max = 300): string {
  const line = message.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** `56 s`, `3 min 5 s`, `2 h 4 min`. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
}
