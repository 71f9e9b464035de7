/**
 * The operator's ScaledJobs: for each valid ScaledJob the same ScaledJobController local mode
 * uses, driving a KubeJobTarget (`batch/v1` Jobs). On a spec change the controller is rebuilt
 * and KEDA's rollout runs first: unless `rollout.strategy: gradual`, every Job of an older
 * generation is deleted, running ones included (keda.md §2.7).
 *
 * A ScaledJob that fails validation gets Ready=False (`ScaledJobCheckFailed`, the field-path
 * message) and is retried on its next change or on resync; the others keep running.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ScaledJobDecision, ScaledJobState } from '../engine/index.js';
import { parseRfc3339, rolloutStrategy, selectJobsForRollout } from '../engine/index.js';
import { errorMessage } from '../errors.js';
import { validateSet } from '../manifests/validate.js';
import { objectName, type ScaledJob } from '../manifests/types.js';
import type { RoundObservation } from '../observe/types.js';
import type { ConnectionPool } from '../scalers/core/types.js';
import { ScaledJobController } from '../scheduler/scaled-job-controller.js';
import type { RawScaledJob } from '../targets/kubernetes/job-objects.js';
import { KubeJobTarget, type JobCache } from '../targets/kubernetes/jobs.js';
import { buildClusterSet, parseClusterObject } from './cluster-set.js';
import type { EventRecorder } from './events.js';
import type { KubeClient } from '../targets/kubernetes/kube-client.js';
import {
  sjCheckFailedStatus,
  sjDecisionStatus,
  sjDecisionStatusKey,
  type ScaledJobStatus,
} from './sj-status.js';
import type { StatusWriter } from './status-writer.js';

export interface SjStatusObject extends KubernetesObject {
  spec?: unknown;
  status?: Partial<ScaledJobStatus>;
}

export interface ScaledJobsOptions {
  client: KubeClient;
  logger: Logger;
  pool: ConnectionPool;
  cache: JobCache;
  status: StatusWriter;
  events: EventRecorder;
  clusterObjectNamespace: string;
  triggerAuthentications: (namespace: string) => readonly KubernetesObject[];
  clusterTriggerAuthentications: () => readonly KubernetesObject[];
  onRecord?: (round: RoundObservation) => void;
}

interface Entry {
  fingerprint: string;
  failed?: boolean;
  /** Secret/ConfigMap API path -> digest, as read when the controller was built. */
  digests: Map<string, string>;
  controller?: ScaledJobController;
  target?: KubeJobTarget;
}

/** Spec, labels, annotations, generation, deletion and auth changes rebuild; status never. */
const fingerprint = (o: SjStatusObject, authVersion: number) =>
  JSON.stringify([
    o.spec,
    o.metadata?.labels ?? {},
    o.metadata?.annotations ?? {},
    o.metadata?.generation,
    o.metadata?.deletionTimestamp,
    authVersion,
  ]);

const issuesText = (issues: readonly { path: string; message: string }[]) =>
  issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');

export class ScaledJobs {
  readonly #o: ScaledJobsOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(opts: ScaledJobsOptions) {
    this.#o = opts;
  }

  /** `namespace/name` of ScaledJobs with a running controller. */
  get running(): string[] {
    return [...this.#entries].filter(([, e]) => e.controller).map(([k]) => k);
  }

  /** Secret/ConfigMap paths each running ScaledJob was built from. */
  digests(): Map<string, Map<string, string>> {
    return new Map([...this.#entries].map(([k, e]) => [k, e.digests]));
  }

  /** Every running controller. */
  controllers(): ScaledJobController[] {
    return [...this.#entries.values()].flatMap((e) => (e.controller ? [e.controller] : []));
  }

  /** The controller of `namespace/name`, if one runs (tests, explain). */
  controller(key: string): ScaledJobController | undefined {
    return this.#entries.get(key)?.controller;
  }

  /** Makes the next reconcile of `key` rebuild (a referenced Secret changed). */
  invalidate(key: string): void {
    const e = this.#entries.get(key);
    if (e) e.fingerprint = '';
  }

  /** Wakes a ScaledJob's controller (one of its Jobs or Pods changed). */
  wake(key: string): void {
    this.#entries.get(key)?.controller?.wake();
  }

  async #stopEntry(e: Entry): Promise<ScaledJobState | undefined> {
    const state = e.controller?.state;
    await e.controller?.stop();
    await e.target?.stop();
    return state;
  }

  async remove(key: string): Promise<void> {
    const e = this.#entries.get(key);
    this.#entries.delete(key);
    if (e) await this.#stopEntry(e);
    const [ns = '', name = ''] = key.split('/');
    this.#o.status.forget('ScaledJob', ns, name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((e) => this.#stopEntry(e)));
    this.#entries.clear();
  }

  async reconcile(key: string, raw: SjStatusObject, authVersion: number): Promise<void> {
    const fp = fingerprint(raw, authVersion);
    const existing = this.#entries.get(key);
    if (existing?.fingerprint === fp && !existing.failed) return;
    const carried = existing ? await this.#stopEntry(existing) : undefined;
    if (raw.metadata?.deletionTimestamp) {
      // Its Jobs are owned by it: the garbage collector deletes them with it.
      this.#entries.delete(key);
      return;
    }
    const entry: Entry = { fingerprint: fp, digests: new Map() };
    this.#entries.set(key, entry);
    const name = `ScaledJob ${key}`;
    const { events, status, logger } = { ...this.#o, logger: this.#o.logger };
    const obj = { ...raw, kind: 'ScaledJob' };
    const fail = (message: string, sj?: ScaledJob) => {
      entry.failed = true;
      logger.warn({ object: name }, message);
      const previous = raw.status?.conditions?.find((c) => c.type === 'Ready');
      if (previous?.status !== 'False' || previous.message !== message)
        events.record(obj, 'ScaledJob', 'ScaledJobCheckFailed', message);
      status.write(obj, sjCheckFailedStatus(sj, raw.status, message));
    };

    const parsed = parseClusterObject(obj);
    if (!parsed.ok || parsed.object.kind !== 'ScaledJob')
      return fail(issuesText(parsed.ok ? [] : parsed.issues));
    const sj = parsed.object;
    const set = await buildClusterSet({
      client: this.#o.client,
      so: sj,
      triggerAuthentications: this.#o.triggerAuthentications(sj.metadata.namespace),
      clusterTriggerAuthentications: this.#o.clusterTriggerAuthentications(),
      clusterObjectNamespace: this.#o.clusterObjectNamespace,
      digests: entry.digests,
    });
    const validation = validateSet(set, {
      clusterObjectNamespace: this.#o.clusterObjectNamespace,
    });
    const mine = validation.errors.filter((e) => e.ref.object === objectName(sj));
    if (mine.length) return fail(issuesText(mine.flatMap((e) => e.issues)), sj);
    if (this.#entries.get(key) !== entry) return;

    const target = new KubeJobTarget({
      client: this.#o.client,
      sj: raw as unknown as RawScaledJob,
      cache: this.#o.cache,
      pendingPodConditions: sj.spec.scalingStrategy?.pendingPodConditions ?? [],
      onCreateFailed: (m) => events.record(obj, 'ScaledJob', 'KEDAJobCreateFailed', m),
    });
    await this.#rollout(obj, sj, target);
    if (raw.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True')
      events.record(
        obj,
        'ScaledJob',
        'ScaledJobReady',
        'ScaledJob is defined correctly and is ready to scaling',
      );

    const lastActive = raw.status?.lastActiveTime
      ? parseRfc3339(raw.status.lastActiveTime)
      : undefined;
    const state: ScaledJobState | undefined =
      carried ?? (lastActive !== undefined ? { lastActiveTime: lastActive } : undefined);
    const controller = new ScaledJobController({
      sj,
      set,
      target,
      pool: this.#o.pool,
      logger: logger.child({ object: name }),
      ...(state ? { state } : {}),
      ...(this.#o.onRecord ? { onRecord: this.#o.onRecord } : {}),
      // History lives in the operator's decision log (onRecord), which `/decisions` reads.
      decisionRingSize: 0,
      onDecision: (_sj, d: ScaledJobDecision) => {
        for (const ev of d.events) events.record(obj, 'ScaledJob', ev.code, ev.message);
        status.writeKeyed(obj, sjDecisionStatusKey(d), () => sjDecisionStatus(sj, d));
      },
    });
    entry.target = target;
    entry.controller = controller;
    controller.start();
  }

  /** KEDA's rollout on a spec change: delete Jobs of older generations unless `gradual`. */
  async #rollout(obj: KubernetesObject, sj: ScaledJob, target: KubeJobTarget): Promise<void> {
    const generation = sj.metadata.generation ?? 1;
    const ids = selectJobsForRollout(
      target.list().map((j) => ({ id: j.id, generation: j.generation })),
      generation,
      rolloutStrategy(sj.spec),
    );
    if (ids.length === 0) return;
    const { events } = this.#o;
    const policy =
      sj.spec.rollout?.propagationPolicy === 'foreground' ? 'Foreground' : 'Background';
    events.record(
      obj,
      'ScaledJob',
      'ScaledJobRolloutCleanupStarted',
      `Started cleanup of ${ids.length} job(s) of previous generations`,
    );
    try {
      await target.deleteWith(ids, policy);
      events.record(
        obj,
        'ScaledJob',
        'ScaledJobRolloutCleanupCompleted',
        `Deleted ${ids.length} job(s) of previous generations`,
      );
    } catch (e) {
      // Scaling goes on; the Jobs left are retried on the next spec change.
      events.record(obj, 'ScaledJob', 'ScaledJobRolloutCleanupFailed', errorMessage(e));
    }
  }
}
