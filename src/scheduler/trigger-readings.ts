/**
 * Builds, reads and rebuilds the scalers of one ScaledObject or ScaledJob.
 *
 * KEDA semantics kept here: all triggers are read in parallel; a scaler that fails is rebuilt
 * (env and auth re-resolved, connection re-opened) and retried once in the same round; a
 * trigger whose scaler cannot even be built counts as an error reading, so it feeds the
 * fallback counter (KEDA misses that case: kedacore/keda#8056).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { errorMessage, ScalerError } from '../errors.js';
import { resolveTriggerInputs } from '../manifests/resolve-auth.js';
import type { ManifestSet, ScaledJob, ScaledObject } from '../manifests/types.js';
import { objectName } from '../manifests/types.js';
import { getScalerDefinition } from '../scalers/registry.js';
import type {
  ConnectionPool,
  LocalReplicas,
  PodMetricsSource,
  MetricSpec,
  MetricValue,
  Scaler,
} from '../scalers/types.js';

/** How long to wait before re-establishing a push watch that ended. */
const WATCH_RETRY_MS = 5_000;

export interface ScalerReading {
  index: number;
  type: string;
  name?: string;
  /** Empty when the scaler could not be built. */
  specs: readonly MetricSpec[];
  metrics?: readonly MetricValue[];
  isActive?: boolean;
  /** Set when the source could not be read this round; never contains a secret. */
  error?: string;
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

export class TriggerReader {
  readonly #opts: TriggerReaderOptions;
  /** In-flight or finished builds: a read and a watch asking at once must share one scaler. */
  readonly #scalers = new Map<number, Promise<Scaler>>();
  #closed = false;

  constructor(opts: TriggerReaderOptions) {
    this.#opts = opts;
  }

  get triggerCount(): number {
    return this.#opts.owner.spec.triggers.length;
  }

  /** Reads every trigger in parallel; never rejects. */
  async readAll(signal: AbortSignal): Promise<ScalerReading[]> {
    const triggers = this.#opts.owner.spec.triggers;
    return Promise.all(triggers.map((_, i) => this.#readOne(i, signal)));
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

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#scalers.values()];
    this.#scalers.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
  }

  #triggerRef(i: number): string {
    const t = this.#opts.owner.spec.triggers[i];
    return `${objectName(this.#opts.owner)} trigger ${i} (${t?.type ?? '?'})`;
  }

  #build(i: number): Promise<Scaler> {
    let p = this.#scalers.get(i);
    if (!p) {
      p = this.#create(i);
      this.#scalers.set(i, p);
      // A failed build is forgotten so the next round retries it.
      p.catch(() => {
        if (this.#scalers.get(i) === p) this.#scalers.delete(i);
      });
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
      logger: logger.child({ trigger: i, type: trigger.type }),
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
    const p = this.#scalers.get(i);
    this.#scalers.delete(i);
    if (p) await p.then((s) => s.close()).catch(() => undefined);
  }

  async #readOne(i: number, outer: AbortSignal): Promise<ScalerReading> {
    const trigger = this.#opts.owner.spec.triggers[i];
    const base = {
      index: i,
      type: trigger?.type ?? '?',
      ...(trigger?.name ? { name: trigger.name } : {}),
    };
    const started = this.#opts.now();
    let specs: readonly MetricSpec[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const signal = AbortSignal.any([outer, AbortSignal.timeout(this.#opts.timeoutMs)]);
      try {
        const scaler = await this.#build(i);
        specs = scaler.metricSpecs;
        const r = await scaler.getMetricsAndActivity(signal);
        return {
          ...base,
          specs,
          metrics: r.metrics,
          isActive: r.isActive,
          latencyMs: this.#opts.now() - started,
        };
      } catch (e) {
        await this.#drop(i);
        if (attempt === 1 || outer.aborted) {
          return { ...base, specs, error: errorMessage(e), latencyMs: this.#opts.now() - started };
        }
        // KEDA rebuilds the scaler (re-resolving env/auth, reconnecting) and retries once.
      }
    }
    return { ...base, specs, error: 'unreachable', latencyMs: 0 };
  }

  async #watchOne(i: number, signal: AbortSignal, onWake: (i: number) => void): Promise<void> {
    // Push is an optimisation: any failure here just leaves the trigger on polling. A watch
    // ends when its scaler is rebuilt after an error, so it is re-established on the new one.
    while (!signal.aborted) {
      const built = this.#build(i);
      try {
        const scaler = await built;
        if (!scaler.watch) return;
        for await (const _ of scaler.watch(signal)) {
          if (signal.aborted) return;
          onWake(i);
        }
        // Ended on its own while its scaler is still current: the source cannot push.
        if (this.#scalers.get(i) === built) return;
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
