/**
 * Local mode's runtime: turns a validated ManifestSet into running things (a process pool per
 * Deployment / StatefulSet, a job runner per ScaledJob, a controller per ScaledObject and
 * ScaledJob) and applies later versions of the set as a diff, so an unchanged object keeps
 * running untouched and a changed one keeps its scaling state (cooldown, stabilization).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import {
  jobBackoffLimit,
  jobRestartPolicy,
  scaleTargetKey,
  scaleTargetLabel,
} from '../manifests/defaults.js';
import { rolloutStrategy, selectJobsForRollout } from '../engine/index.js';
import {
  objectName,
  type Deployment,
  type ManifestSet,
  type ScaledJob,
  type ScaledObject,
  type StatefulSet,
} from '../manifests/types.js';
import { SharedConnectionPool } from '../scalers/core/pool.js';
import { ScaledJobController } from '../scheduler/scaled-job-controller.js';
import { ScaledObjectController } from '../scheduler/scaled-object-controller.js';
import { JobRunner } from '../targets/local/job-runner.js';
import { ProcessPool } from '../targets/local/process-pool.js';
import { localReplicasOf } from '../targets/local/replica-processes.js';
import type { OutputStream, TargetEvent } from '../targets/target.js';
import type { RoundObservation } from '../observe/types.js';
import { processTemplate, type ProcessTemplate } from './process-template.js';
import type { ObjectStatus } from '../scheduler/status.js';

export interface LocalRuntimeOptions {
  logDir: string;
  logger: Logger;
  onLine?: (source: string, stream: OutputStream, line: string) => void;
  /** Every controller's round record (decision log, metrics). */
  onRecord?: (round: RoundObservation) => void;
}

type Workload = Deployment | StatefulSet;

interface PoolEntry {
  workload: Workload;
  fingerprint: string;
  pool: ProcessPool;
}

interface SoEntry {
  so: ScaledObject;
  fingerprint: string;
  controller: ScaledObjectController;
  /** The pool it drives; a recreated pool (template change) needs a new controller. */
  pool: ProcessPool;
}

interface JobEntry {
  sj: ScaledJob;
  templateFingerprint: string;
  runner: JobRunner;
  controller: ScaledJobController;
  generation: number;
}

const key = (o: { kind: string; metadata: { namespace: string; name: string } }) =>
  `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

/** What decides whether a running object must be rebuilt: its spec and annotations, not where it was read. */
const fingerprint = (o: {
  spec: unknown;
  metadata: { annotations: Record<string, string>; labels: Record<string, string> };
}) => JSON.stringify([o.spec, o.metadata.annotations]);

/**
 * What decides whether a workload's replicas must be recreated: everything but
 * `spec.replicas`. As in Kubernetes, changing the count alone never restarts running pods (and a
 * scaled workload's count belongs to its ScaledObject anyway).
 */
const workloadFingerprint = (w: Workload) =>
  fingerprint({ ...w, spec: { ...w.spec, replicas: undefined } });

/** Secrets, ConfigMaps and auth objects feed env and trigger auth: a change to them rebuilds controllers. */
const authFingerprint = (s: ManifestSet) =>
  JSON.stringify(
    [s.secrets, s.configMaps, s.triggerAuthentications, s.clusterTriggerAuthentications].map((l) =>
      l.map((o) => [key(o), 'data' in o ? o.data : o.spec]),
    ),
  );

export class LocalRuntime {
  readonly #opts: LocalRuntimeOptions;
  readonly #connections = new SharedConnectionPool();
  readonly #pools = new Map<string, PoolEntry>();
  readonly #soControllers = new Map<string, SoEntry>();
  readonly #jobs = new Map<string, JobEntry>();
  /** Per-object problems found while applying (e.g. a container without a command). */
  readonly #objectErrors = new Map<string, string>();
  #set: ManifestSet | undefined;
  #authFingerprint = '';
  #stopped = false;

  constructor(opts: LocalRuntimeOptions) {
    this.#opts = opts;
  }

  /** The set currently applied; templates read Secrets and ConfigMaps through it at spawn time. */
  get set(): ManifestSet | undefined {
    return this.#set;
  }

  get connectionsOpened(): number {
    return this.#connections.opened;
  }

  async apply(set: ManifestSet): Promise<void> {
    if (this.#stopped) return;
    const authChanged = authFingerprint(set) !== this.#authFingerprint;
    this.#authFingerprint = authFingerprint(set);
    this.#set = set;
    this.#objectErrors.clear();
    await this.#applyWorkloads(set);
    await this.#applyScaledObjects(set, authChanged);
    await this.#applyScaledJobs(set, authChanged);
  }

  #event = (e: TargetEvent) => {
    const log = this.#opts.logger;
    if (e.type === 'Warning') log.warn({ reason: e.reason, object: e.subject }, e.message);
    else log.debug({ reason: e.reason, object: e.subject }, e.message);
  };

  #template(owner: Workload | ScaledJob, path: string): ProcessTemplate | undefined {
    const tpl = owner.kind === 'ScaledJob' ? owner.spec.jobTargetRef.template : owner.spec.template;
    try {
      const t = processTemplate(owner, tpl, path, this.#set!);
      for (const w of t.warnings) this.#opts.logger.warn(w);
      // Templates resolve env at spawn from the set applied *then*, so a Secret edit reaches new replicas.
      return {
        warnings: t.warnings,
        makeSpec: (podName) => processTemplate(owner, tpl, path, this.#set!).makeSpec(podName),
      };
    } catch (e) {
      this.#objectErrors.set(key(owner), errorMessage(e));
      this.#opts.logger.error(errorMessage(e));
      return undefined;
    }
  }

  async #applyWorkloads(set: ManifestSet): Promise<void> {
    const wanted = new Map<string, Workload>(
      [...set.deployments, ...set.statefulSets].map((w) => [key(w), w]),
    );
    const stops: Promise<void>[] = [];
    for (const [k, entry] of this.#pools) {
      const w = wanted.get(k);
      if (!w || workloadFingerprint(w) !== entry.fingerprint) {
        // Removed, or its pod template changed: recreate (local mode has no rolling update).
        this.#pools.delete(k);
        stops.push(entry.pool.stop());
        if (w)
          this.#opts.logger.info(`${objectName(w)}: template changed, recreating its replicas`);
      }
    }
    await Promise.all(stops);
    const scaled = new Set(
      set.scaledObjects.map(
        (so) =>
          scaleTargetKey(so),
      ),
    );
    for (const [k, w] of wanted) {
      let entry = this.#pools.get(k);
      if (!entry) {
        const tpl = this.#template(w, 'spec.template');
        if (!tpl) continue;
        const pool = new ProcessPool({
          objectName: objectName(w),
          podNamePrefix: w.metadata.name,
          makeReplica: (name) => tpl.makeSpec(name),
          logDir: join(this.#opts.logDir, w.metadata.namespace, w.metadata.name),
          onLine: (name, stream, line) => this.#opts.onLine?.(name, stream, line),
          onEvent: this.#event,
          identity: w.kind === 'StatefulSet' ? 'ordinal' : 'random',
        });
        entry = { workload: w, fingerprint: workloadFingerprint(w), pool };
        this.#pools.set(k, entry);
      }
      entry.workload = w;
      // Without a ScaledObject a workload runs at spec.replicas, as in Kubernetes.
      if (!scaled.has(k)) entry.pool.scaleTo(w.spec.replicas ?? 1);
    }
  }

  async #applyScaledObjects(set: ManifestSet, authChanged: boolean): Promise<void> {
    const wanted = new Map(set.scaledObjects.map((so) => [key(so), so]));
    const carried = new Map<string, ScaledObjectController['state']>();
    const stops: Promise<void>[] = [];
    for (const [k, entry] of this.#soControllers) {
      const so = wanted.get(k);
      const targetKey = scaleTargetKey(entry.so);
      const targetRecreated = this.#pools.get(targetKey)?.pool !== entry.pool;
      if (!so || fingerprint(so) !== entry.fingerprint || authChanged || targetRecreated) {
        this.#soControllers.delete(k);
        if (so) carried.set(k, entry.controller.state);
        stops.push(entry.controller.stop());
        if (!so && entry.so.spec.advanced?.restoreToOriginalReplicaCount) {
          const w = this.#pools.get(targetKey);
          w?.pool.scaleTo(w.workload.spec.replicas ?? 1);
        }
      }
    }
    await Promise.all(stops);
    for (const [k, so] of wanted) {
      if (this.#soControllers.has(k)) continue;
      const targetKey = scaleTargetKey(so);
      const target = this.#pools.get(targetKey);
      if (!target) {
        this.#objectErrors.set(
          k,
          `spec.scaleTargetRef: ${scaleTargetLabel(so)} is not running (see its error)`,
        );
        continue;
      }
      const state = carried.get(k);
      const controller = new ScaledObjectController({
        so,
        set,
        target: target.pool,
        pool: this.#connections,
        logger: this.#opts.logger.child({ object: objectName(so) }),
        ...(this.#opts.onRecord ? { onRecord: this.#opts.onRecord } : {}),
        ...(state ? { state } : {}),
        localReplicas: localReplicasOf(target.pool, target.workload.spec.template.spec.containers),
        initialReplicas: state
          ? target.pool.currentReplicas()
          : (target.workload.spec.replicas ?? 1),
      });
      this.#soControllers.set(k, {
        so,
        fingerprint: fingerprint(so),
        controller,
        pool: target.pool,
      });
      controller.start();
    }
  }

  async #applyScaledJobs(set: ManifestSet, authChanged: boolean): Promise<void> {
    const wanted = new Map(set.scaledJobs.map((sj) => [key(sj), sj]));
    for (const [k, entry] of this.#jobs) {
      if (!wanted.has(k)) {
        this.#jobs.delete(k);
        await entry.controller.stop();
        await entry.runner.stop();
      }
    }
    for (const [k, sj] of wanted) {
      const existing = this.#jobs.get(k);
      const tplFp = JSON.stringify(sj.spec.jobTargetRef);
      if (existing && fingerprint(existing.sj) === fingerprint(sj) && !authChanged) continue;
      const tpl = this.#template(sj, 'spec.jobTargetRef.template');
      if (!tpl) continue;
      const generation = existing
        ? existing.generation + (existing.templateFingerprint === tplFp ? 0 : 1)
        : 1;
      const jobTemplate = {
        makeJob: (name: string) => tpl.makeSpec(name),
        restartPolicy: jobRestartPolicy(sj),
        backoffLimit: jobBackoffLimit(sj),
        ...(sj.spec.jobTargetRef.activeDeadlineSeconds !== undefined
          ? { activeDeadlineSeconds: sj.spec.jobTargetRef.activeDeadlineSeconds }
          : {}),
        generation,
      };
      let runner: JobRunner;
      let state: ScaledJobController['state'] | undefined;
      if (existing) {
        await existing.controller.stop();
        state = existing.controller.state;
        runner = existing.runner;
        runner.setTemplate(jobTemplate);
        if (generation !== existing.generation) {
          // KEDA's rollout: default/immediate deletes jobs of older generations, running ones included.
          const ids = selectJobsForRollout(
            runner.list().map((j) => ({ id: j.id, generation: j.generation })),
            generation,
            rolloutStrategy(sj.spec),
          );
          if (ids.length) {
            this.#opts.logger.info(
              `${objectName(sj)}: spec changed, rollout deletes ${ids.length} job(s) of older generations`,
            );
            await runner.delete(ids);
          }
        }
      } else {
        runner = new JobRunner({
          objectName: objectName(sj),
          jobNamePrefix: sj.metadata.name,
          template: jobTemplate,
          logDir: join(this.#opts.logDir, sj.metadata.namespace, sj.metadata.name),
          onLine: (name, stream, line) => this.#opts.onLine?.(name, stream, line),
          onEvent: this.#event,
        });
      }
      const controller = new ScaledJobController({
        sj,
        set,
        target: runner,
        pool: this.#connections,
        logger: this.#opts.logger.child({ object: objectName(sj) }),
        ...(this.#opts.onRecord ? { onRecord: this.#opts.onRecord } : {}),
        ...(state ? { state } : {}),
      });
      this.#jobs.set(k, { sj, templateFingerprint: tplFp, runner, controller, generation });
      controller.start();
    }
  }

  status(): ObjectStatus[] {
    const out: ObjectStatus[] = [];
    for (const { controller } of this.#soControllers.values()) out.push(controller.status());
    for (const { controller } of this.#jobs.values()) out.push(controller.status());
    const scaled = new Set(
      [...this.#soControllers.values()].map(
        ({ so }) =>
          scaleTargetKey(so),
      ),
    );
    for (const [k, { workload, pool }] of this.#pools) {
      if (scaled.has(k)) continue;
      const t = pool.status();
      out.push({
        kind: workload.kind,
        namespace: workload.metadata.namespace,
        name: workload.metadata.name,
        triggers: [],
        desiredReplicas: t.desiredReplicas,
        runningReplicas: t.currentReplicas,
        readyReplicas: t.readyReplicas,
        lastReason: 'no ScaledObject: runs at spec.replicas',
        ...(t.lastError ? { error: t.lastError } : {}),
        replicas: t.replicas.map((r) => ({
          name: r.name,
          state: r.state,
          restarts: r.restarts,
          ...(r.pid !== undefined ? { pid: r.pid } : {}),
        })),
      });
    }
    for (const [k, err] of this.#objectErrors) {
      const [kind, namespace, name] = k.split('/') as [ObjectStatus['kind'], string, string];
      const existing = out.find(
        (o) => o.kind === kind && o.namespace === namespace && o.name === name,
      );
      if (existing) existing.error = err;
      else out.push({ kind, namespace, name, triggers: [], error: err });
    }
    return out;
  }

  /** Controllers by object, for `tide explain`. */
  decisions(kind: string, namespace: string, name: string) {
    const k = `${kind}/${namespace}/${name}`;
    return (this.#soControllers.get(k)?.controller ?? this.#jobs.get(k)?.controller)?.decisions;
  }

  /** Stops every controller, then every replica and job gracefully; resolves when all have exited. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([
      ...[...this.#soControllers.values()].map((e) => e.controller.stop()),
      ...[...this.#jobs.values()].map((e) => e.controller.stop()),
    ]);
    await Promise.all([
      ...[...this.#pools.values()].map((e) => e.pool.stop()),
      ...[...this.#jobs.values()].map((e) => e.runner.stop()),
    ]);
    this.#soControllers.clear();
    this.#jobs.clear();
    this.#pools.clear();
  }
}
