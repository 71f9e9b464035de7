/**
 * The Kubernetes operator: informers on ScaledObjects, ScaledJobs, TriggerAuthentications and
 * ClusterTriggerAuthentications (all namespaces or a configured set), and for each valid
 * ScaledObject the same ScaledObjectController local mode uses, driving a KubeScaleTarget;
 * ScaledJobs are in scaled-jobs.ts (Jobs and their Pods through job-cache.ts's informers).
 *
 * Secrets and ConfigMaps are read with `get` when a controller is built, never listed or
 * watched (RBAC grants `get` only: an operator that can list Secrets can read every one in
 * the cluster). A change is found on resync instead: every referenced Secret/ConfigMap is
 * read again once per resync (shared by the objects naming it) and the objects whose
 * references changed are rebuilt, as KEDA re-reads Secrets on each scaler rebuild.
 *
 * One object never stops the others: a ScaledObject that fails validation, or whose target
 * cannot be scaled, gets Ready=False (`ScaledObjectCheckFailed`, the field-path message) and
 * is retried on its next change or on resync. Reconciles of one object are serialized.
 */
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ScaledObjectDecision, ScaledObjectState } from '../engine/index.js';
import { parseRfc3339 } from '../engine/index.js';
import { errorMessage } from '../errors.js';
import { pollingIntervalSeconds, scaleTargetKind } from '../manifests/defaults.js';
import { validateSet } from '../manifests/validate.js';
import { objectName, type ScaledObject } from '../manifests/types.js';
import { SharedConnectionPool } from '../scalers/core/pool.js';
import { ScaledObjectController } from '../scheduler/scaled-object-controller.js';
import {
  KubeScaleTarget,
  resolveGvkr,
  scalePath,
  type Gvkr,
  type ScaleObject,
} from '../targets/kubernetes/scale.js';
import { buildClusterSet, parseClusterObject, refDigest } from './cluster-set.js';
import { InformerJobCache } from './job-cache.js';
import { ScaledJobs, type SjStatusObject } from './scaled-jobs.js';
import type { ScaledJobController } from '../scheduler/scaled-job-controller.js';
import type { ObjectStatus } from '../scheduler/status.js';
import { addToSet, emptySet } from '../manifests/load.js';
import type { ManifestSet } from '../manifests/types.js';
import type { RoundObservation } from '../observe/types.js';
import { WatchedInformer } from './informer.js';
import { ScaleTargetPods } from './pod-metrics.js';
import type { KubeClient } from '../targets/kubernetes/kube-client.js';
import { EventRecorder } from './events.js';
import { StatusWriter } from './status-writer.js';
import { TargetWatches } from './target-watch.js';
import { Admission } from './admission.js';
import { BackgroundQueue } from './background.js';
import { lazyChild } from '../observe/lazy-logger.js';
import {
  checkFailedStatus,
  decisionStatus,
  decisionStatusKey,
  type ScaledObjectStatus,
} from './so-status.js';

export const KEDA_GROUP_PATH = '/apis/keda.sh/v1alpha1';
/** KEDA's finalizer: tide uses the same one, so either operator can finish a deletion. */
export const FINALIZER = 'finalizer.keda.sh';

export interface OperatorOptions {
  client: KubeClient;
  logger: Logger;
  /** Namespaces to watch; empty or undefined = all. */
  namespaces?: readonly string[];
  /** KEDA_CLUSTER_OBJECT_NAMESPACE. @default 'keda' */
  clusterObjectNamespace?: string;
  /** Restart a watch silent this long. @default 600_000 */
  watchSilenceMs?: number;
  /**
   * Re-reconcile every cached ScaledObject and ScaledJob this often (retries failed ones,
   * re-reads referenced Secrets and ConfigMaps). @default 30_000
   */
  resyncMs?: number;
  /** Every round's decision record of every controller (decision log, metrics). */
  onRecord?: (round: RoundObservation) => void;
}

interface SoStatusObject extends KubernetesObject {
  spec?: unknown;
  status?: Partial<ScaledObjectStatus>;
}

interface Entry {
  fingerprint: string;
  /** Secret/ConfigMap API path -> digest, as read when the controller was built. */
  digests?: Map<string, string>;
  /** Set while the object cannot run (invalid, target missing): resync retries it. */
  failed?: boolean;
  /**
   * The resourceVersion and auth version last reconciled to this fingerprint: a resync or
   * event with both unchanged is skipped before its reconcile is queued (see #enqueue).
   */
  seenRv?: string | undefined;
  seenAuth?: number;
  controller?: ScaledObjectController;
  target?: KubeScaleTarget;
  so?: ScaledObject;
}

/** What a running controller needs of its ScaledObject besides the parsed one. */
interface ControllerBuild {
  /** Identity for Events and status writes (identity()). */
  obj: SoStatusObject;
  so: ScaledObject;
  set: ManifestSet;
  ref: { apiVersion: string; kind: string; namespace: string; name: string };
  gvkr: Gvkr;
  scale: ScaleObject;
  originalReplicaCount: number;
  lastActiveTime?: string;
  carried?: ScaledObjectState;
}

/** An object's kind and identity only (what Events and status writes read). */
const identity = (o: SoStatusObject): SoStatusObject => {
  const m = o.metadata ?? {};
  return {
    kind: 'ScaledObject',
    metadata: {
      ...(m.name !== undefined ? { name: m.name } : {}),
      ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
      ...(m.uid !== undefined ? { uid: m.uid } : {}),
      ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
    },
  };
};

const soKey = (o: KubernetesObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/**
 * What makes a ScaledObject's controller be rebuilt: spec, annotations, deletion; never
 * status. Kept as a digest (20 bytes), not the JSON itself (a spec's size, per object).
 */
const fingerprint = (o: SoStatusObject, authVersion: number) =>
  createHash('sha1')
    .update(
      JSON.stringify([
        o.spec,
        o.metadata?.annotations ?? {},
        o.metadata?.generation,
        o.metadata?.deletionTimestamp,
        authVersion,
      ]),
    )
    .digest('base64');

/** How long `stop()` lets queued background writes go out. */
const STOP_FLUSH_MS = 5_000;

export class Operator {
  readonly #opts: OperatorOptions;
  readonly #pool = new SharedConnectionPool();
  readonly #entries = new Map<string, Entry>();
  readonly #queues = new Map<string, Promise<void>>();
  /** Per object: the reconcile queued and not started yet (see #enqueue). */
  readonly #waiting = new Map<string, { o: SoStatusObject; deleted: boolean }>();
  readonly #informers: WatchedInformer<KubernetesObject>[] = [];
  readonly #soInformers: WatchedInformer<SoStatusObject>[] = [];
  readonly #taInformers: WatchedInformer<KubernetesObject>[] = [];
  #ctaInformer: WatchedInformer<KubernetesObject> | undefined;
  readonly #sjInformers: WatchedInformer<SjStatusObject>[] = [];
  #scaledJobs: ScaledJobs | undefined;
  readonly #status: StatusWriter;
  readonly #events: EventRecorder;
  readonly #targetWatches: TargetWatches;
  /** Reconciles at once: enough to keep --burst busy, few enough to keep probes answered. */
  readonly #admission = new Admission(64);
  /** Status writes, Events and finalizers, a few at a time (background.ts). */
  readonly #background = new BackgroundQueue();
  /** ScaledObjects whose finalizer PATCH is queued or in flight. */
  readonly #finalizing = new Set<string>();
  /** Bumped on any TriggerAuthentication change: controllers re-resolve auth. */
  #authVersion = 0;
  #stopped = false;
  #resync: NodeJS.Timeout | undefined;

  constructor(opts: OperatorOptions) {
    this.#opts = opts;
    this.#status = new StatusWriter(opts.client, opts.logger, this.#background);
    this.#events = new EventRecorder(opts.client, opts.logger, this.#background);
    this.#targetWatches = new TargetWatches(opts.client, opts.logger);
  }

  /** Status writes done so far (for tests and benchmarks). */
  /** Background API writes (status, Events, finalizers) queued or in flight. */
  get backgroundPending(): number {
    return this.#background.pending;
  }

  get statusWrites(): number {
    return this.#status.writes;
  }

  /** True once every informer has listed and opened its watch. */
  get ready(): boolean {
    return this.#informers.every((i) => i.synced);
  }

  /** ScaledObjects with a running controller. */
  get running(): string[] {
    return [...this.#entries].filter(([, e]) => e.controller).map(([k]) => k);
  }

  /** ScaledJobs with a running controller. */
  get runningJobs(): string[] {
    return this.#scaledJobs?.running ?? [];
  }

  /** Status of every running controller (metrics read replicas and jobs from it). */
  statuses(): ObjectStatus[] {
    return [
      ...[...this.#entries.values()].flatMap((e) => (e.controller ? [e.controller.status()] : [])),
      ...(this.#scaledJobs?.controllers() ?? []).map((c) => c.status()),
    ];
  }

  /** The ScaledObjects and ScaledJobs that run, as a set (for the registered-resources metrics). */
  registered(): ManifestSet {
    const set = emptySet();
    for (const e of this.#entries.values()) if (e.controller && e.so) addToSet(set, e.so);
    for (const c of this.#scaledJobs?.controllers() ?? []) addToSet(set, c.sj);
    return set;
  }

  /** The ScaledJob controller of `namespace/name`, if one runs (tests, explain). */
  controllerOfJob(key: string): ScaledJobController | undefined {
    return this.#scaledJobs?.controller(key);
  }

  /** The ScaledObject controller of `namespace/name`, if one runs (tests, explain). */
  controller(key: string): ScaledObjectController | undefined {
    return this.#entries.get(key)?.controller;
  }

  async start(): Promise<void> {
    const { client, logger } = this.#opts;
    const namespaces = this.#opts.namespaces?.length ? this.#opts.namespaces : [undefined];
    const path = (plural: string, ns?: string) =>
      ns ? `${KEDA_GROUP_PATH}/namespaces/${ns}/${plural}` : `${KEDA_GROUP_PATH}/${plural}`;
    const silenceMs = this.#opts.watchSilenceMs;
    const common = { client, logger, ...(silenceMs ? { silenceMs } : {}) };
    for (const ns of namespaces) {
      const so = new WatchedInformer<SoStatusObject>({
        ...common,
        path: path('scaledobjects', ns),
        onChange: (type, o) => this.#enqueue(o, type === 'delete'),
      });
      const ta = new WatchedInformer<KubernetesObject>({
        ...common,
        path: path('triggerauthentications', ns),
        onChange: (_t, o) => this.#authChanged(o.metadata?.namespace),
      });
      this.#soInformers.push(so);
      this.#taInformers.push(ta);
      this.#informers.push(so, ta);
    }
    this.#ctaInformer = new WatchedInformer<KubernetesObject>({
      ...common,
      path: path('clustertriggerauthentications'),
      onChange: () => this.#authChanged(undefined),
    });
    this.#informers.push(this.#ctaInformer);
    for (const ns of namespaces) {
      const sj = new WatchedInformer<SjStatusObject>({
        ...common,
        path: path('scaledjobs', ns),
        onChange: (type, o) => this.#enqueueSj(o, type === 'delete'),
      });
      this.#sjInformers.push(sj);
      this.#informers.push(sj);
    }
    const jobCache = new InformerJobCache({
      client,
      logger,
      namespaces: this.#opts.namespaces ?? [],
      ...(silenceMs ? { silenceMs } : {}),
      // A Job finishing or its Pod starting changes the counts: decide again now.
      onChange: (ns, name) => this.#scaledJobs?.wake(`${ns}/${name}`),
    });
    this.#informers.push(...jobCache.informers);
    this.#scaledJobs = new ScaledJobs({
      client,
      logger,
      pool: this.#pool,
      cache: jobCache,
      status: this.#status,
      events: this.#events,
      clusterObjectNamespace: this.#opts.clusterObjectNamespace ?? 'keda',
      triggerAuthentications: (ns) => this.#taInformers.flatMap((i) => i.list(ns)),
      clusterTriggerAuthentications: () => this.#ctaInformer?.list() ?? [],
      ...(this.#opts.onRecord ? { onRecord: this.#opts.onRecord } : {}),
    });
    // Auth and Jobs first, so the first reconciles find their TriggerAuthentications and a
    // ScaledJob's first round counts the Jobs it already has.
    await Promise.all([
      ...[...this.#taInformers, this.#ctaInformer].map((i) => i.start()),
      jobCache.start(),
    ]);
    await Promise.all([...this.#soInformers, ...this.#sjInformers].map((i) => i.start()));
    this.#resync = setInterval(() => void this.#resyncAll(), this.#opts.resyncMs ?? 30_000);
    this.#resync.unref();
  }

  /** Every object again (failed ones retry), after re-reading the Secrets/ConfigMaps they use. */
  async #resyncAll(): Promise<void> {
    try {
      await this.#checkReferences();
    } catch (e) {
      this.#opts.logger.warn({ err: errorMessage(e) }, 'cannot re-read Secrets/ConfigMaps');
    }
    for (const inf of this.#soInformers) for (const o of inf.list()) this.#enqueue(o, false);
    for (const inf of this.#sjInformers) for (const o of inf.list()) this.#enqueueSj(o, false);
  }

  /** Marks for rebuild the objects whose Secrets/ConfigMaps changed since they were built. */
  async #checkReferences(): Promise<void> {
    const users: { digests: Map<string, string>; invalidate: () => void }[] = [];
    for (const e of this.#entries.values())
      if (e.digests?.size && e.controller)
        users.push({
          digests: e.digests,
          invalidate: () => {
            e.fingerprint = '';
            e.seenRv = undefined;
          },
        });
    for (const [key, digests] of this.#scaledJobs?.digests() ?? [])
      if (digests.size)
        users.push({ digests, invalidate: () => this.#scaledJobs?.invalidate(key) });
    const paths = new Set(users.flatMap((u) => [...u.digests.keys()]));
    const now = new Map<string, string>();
    await Promise.all(
      [...paths].map(async (p) => now.set(p, await refDigest(this.#opts.client, p))),
    );
    for (const u of users)
      if ([...u.digests].some(([p, d]) => now.has(p) && now.get(p) !== d)) u.invalidate();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#resync);
    await Promise.all(this.#informers.map((i) => i.stop()));
    await Promise.allSettled([...this.#queues.values()]);
    await Promise.all([...this.#entries.values()].map((e) => this.#stopEntry(e)));
    await this.#scaledJobs?.stop();
    await this.#targetWatches.stop();
    this.#entries.clear();
    // Queued status writes, Events and finalizers get a few seconds, not all they need: right
    // after a start-up there are three per object, tens of thousands draining at --qps, and
    // waiting for them held the leader lease (and the Pod's grace) for minutes. A status not
    // written is written by the next leader's first round.
    let timer: NodeJS.Timeout | undefined;
    const flushed = await Promise.race([
      this.#status.flush().then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), STOP_FLUSH_MS))),
    ]);
    clearTimeout(timer);
    if (!flushed)
      this.#opts.logger.warn(
        { pending: this.#background.pending },
        `stopping with status writes, Events or finalizers still queued after ${STOP_FLUSH_MS / 1000} s; the next leader writes the statuses`,
      );
  }

  #authChanged(namespace: string | undefined): void {
    this.#authVersion++;
    for (const inf of this.#soInformers)
      for (const o of inf.list(namespace)) this.#enqueue(o, false);
    for (const inf of this.#sjInformers)
      for (const o of inf.list(namespace)) this.#enqueueSj(o, false);
  }

  #enqueueSj(o: SjStatusObject, deleted: boolean): void {
    const jobs = this.#scaledJobs;
    if (!jobs) return;
    const key = soKey(o);
    this.#serialize(`ScaledJob/${key}`, () =>
      deleted ? jobs.remove(key) : jobs.reconcile(key, o, this.#authVersion),
    );
  }

  /** Runs `work` after the previous work of the same key; errors are logged. */
  #serialize(queueKey: string, work: () => Promise<void>): void {
    if (this.#stopped) return;
    const prev = this.#queues.get(queueKey) ?? Promise.resolve();
    const next = prev
      .then(work)
      .catch((e: unknown) => {
        this.#opts.logger.error({ object: queueKey, err: errorMessage(e) }, 'reconcile failed');
      })
      .finally(() => {
        if (this.#queues.get(queueKey) === next) this.#queues.delete(queueKey);
      });
    this.#queues.set(queueKey, next);
  }

  #enqueue(o: SoStatusObject, deleted: boolean): void {
    if (this.#stopped) return;
    const key = soKey(o);
    // Coalesced: while a reconcile of this object waits its turn, later changes and resyncs
    // only replace what it will reconcile. Without this, every 30 s resync queued another
    // reconcile per object behind a slow start-up (10,000 promise chains each time).
    const waiting = this.#waiting.get(key);
    if (waiting) {
      waiting.o = o;
      waiting.deleted = deleted;
      return;
    }
    // Unchanged since its controller was built or last checked: nothing to reconcile. Each
    // resync offers every object again; at 60,000 objects every 30 s, the promise chain,
    // admission and fingerprint (JSON and SHA-1 of the spec) of each were ~10 % of the CPU.
    if (!deleted && !this.#queues.has(key)) {
      const e = this.#entries.get(key);
      const rv = o.metadata?.resourceVersion;
      if (
        e?.controller &&
        !e.failed &&
        rv !== undefined &&
        e.seenRv === rv &&
        e.seenAuth === this.#authVersion
      )
        return;
    }
    const job = { o, deleted };
    this.#waiting.set(key, job);
    const prev = this.#queues.get(key) ?? Promise.resolve();
    const next = prev
      .then(() =>
        this.#admission.run(() => {
          this.#waiting.delete(key);
          return job.deleted ? this.#remove(key) : this.#reconcile(key, job.o);
        }),
      )
      .catch((e: unknown) => {
        // Forget it so the next change or resync tries again from scratch.
        const entry = this.#entries.get(key);
        if (entry && !entry.controller) this.#entries.delete(key);
        this.#opts.logger.error({ object: key, err: errorMessage(e) }, 'reconcile failed');
      })
      .finally(() => {
        if (this.#waiting.get(key) === job) this.#waiting.delete(key);
        if (this.#queues.get(key) === next) this.#queues.delete(key);
      });
    this.#queues.set(key, next);
  }

  async #stopEntry(e: Entry): Promise<ScaledObjectState | undefined> {
    const state = e.controller?.state;
    await e.controller?.stop();
    await e.target?.stop();
    return state;
  }

  async #remove(key: string): Promise<void> {
    const e = this.#entries.get(key);
    this.#entries.delete(key);
    if (e) await this.#stopEntry(e);
  }

  async #reconcile(key: string, raw: SoStatusObject): Promise<void> {
    const fp = fingerprint(raw, this.#authVersion);
    const existing = this.#entries.get(key);
    if (existing?.fingerprint === fp && !existing.failed) {
      existing.seenRv = raw.metadata?.resourceVersion;
      existing.seenAuth = this.#authVersion;
      return;
    }
    const carried = existing ? await this.#stopEntry(existing) : undefined;
    if (raw.metadata?.deletionTimestamp) {
      this.#entries.delete(key);
      return this.#finalize(raw);
    }
    const entry: Entry = {
      fingerprint: fp,
      digests: new Map(),
      seenRv: raw.metadata?.resourceVersion,
      seenAuth: this.#authVersion,
    };
    this.#entries.set(key, entry);
    const name = `ScaledObject ${key}`;
    const fail = (message: string, so?: ScaledObject) => {
      entry.failed = true;
      this.#opts.logger.warn({ object: name }, message);
      const previous = raw.status?.conditions?.find((c) => c.type === 'Ready');
      if (previous?.status !== 'False' || previous.message !== message)
        this.#events.record(raw, 'ScaledObject', 'ScaledObjectCheckFailed', message);
      this.#status.write(raw, checkFailedStatus(so, raw.status, message));
      this.#ensureFinalizer(raw);
    };

    const parsed = parseClusterObject({ ...raw, kind: 'ScaledObject' });
    if (!parsed.ok || parsed.object.kind !== 'ScaledObject') {
      const issues = parsed.ok ? [] : parsed.issues;
      return fail(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    }
    const so = parsed.object;
    entry.so = so;
    const set = await buildClusterSet({
      client: this.#opts.client,
      so,
      triggerAuthentications: this.#taInformers.flatMap((i) => i.list(so.metadata.namespace)),
      clusterTriggerAuthentications: this.#ctaInformer?.list() ?? [],
      clusterObjectNamespace: this.#opts.clusterObjectNamespace ?? 'keda',
      digests: entry.digests,
    });
    // Most objects read no Secret or ConfigMap: an empty Map is ~200 bytes per object kept.
    if (entry.digests?.size === 0) delete entry.digests;
    const validation = validateSet(set, {
      clusterObjectNamespace: this.#opts.clusterObjectNamespace ?? 'keda',
      fromCluster: true,
    });
    const mine = validation.errors.filter((e) => e.ref.object === objectName(so));
    if (mine.length) {
      return fail(
        mine
          .flatMap((e) => e.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)))
          .join('; '),
        so,
      );
    }

    const { apiVersion, kind } = scaleTargetKind(so);
    const ref = {
      apiVersion,
      kind,
      namespace: so.metadata.namespace,
      name: so.spec.scaleTargetRef.name,
    };
    let gvkr: Gvkr;
    let scale: ScaleObject;
    try {
      gvkr = await resolveGvkr(this.#opts.client, ref);
      // From the list of the target's kind when it can be listed (one /scale read per object
      // was most of a large start-up); an object the list lacks may be newer than it.
      const found =
        (await this.#targetWatches.scale(gvkr, ref.namespace, ref.name)) ??
        (await this.#opts.client.find<ScaleObject>(scalePath(gvkr, ref.namespace, ref.name)));
      if (!found)
        return fail(`${kind} ${ref.namespace}/${ref.name}: Target resource doesn't exist`, so);
      scale = found;
    } catch (e) {
      return fail(errorMessage(e), so);
    }
    if (this.#entries.get(key) !== entry) return;
    if (raw.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True')
      this.#events.record(
        raw,
        'ScaledObject',
        'ScaledObjectReady',
        'ScaledObject is defined correctly and is ready for scaling',
      );

    // autoscaling/v1 Scale omits `replicas` when it is 0.
    const initialReplicas = scale.spec?.replicas ?? 0;
    const status = raw.status;
    this.#status.prime(raw);
    this.#ensureFinalizer(raw);
    this.#startController(entry, {
      obj: identity(raw),
      so,
      set,
      ref,
      gvkr,
      scale,
      originalReplicaCount: status?.originalReplicaCount ?? initialReplicas,
      ...(status?.lastActiveTime ? { lastActiveTime: status.lastActiveTime } : {}),
      ...(carried ? { carried } : {}),
    });
  }

  /**
   * Builds and starts the controller of a validated ScaledObject. Apart from #reconcile so
   * the controller's callbacks close over the object's identity only: closures share their
   * function's scope, and one over `raw` kept each object's build-time copy alive beside
   * the informer's newer one (a second copy of every object, ~2 KB each).
   */
  #startController(entry: Entry, b: ControllerBuild): void {
    const { obj, so, set, ref, gvkr, scale, originalReplicaCount, carried } = b;
    const { kind } = ref;
    const name = `ScaledObject ${so.metadata.namespace}/${so.metadata.name}`;
    const initialReplicas = scale.spec?.replicas ?? 0;
    const logger = lazyChild(this.#opts.logger, { object: name });
    const target = new KubeScaleTarget({
      client: this.#opts.client,
      ref,
      gvkr,
      initial: scale,
      // Outside changes (kubectl scale) come from a watch of the target's kind: /scale is
      // read again only when the object changed (no steady API traffic).
      changes: (onChange) => this.#targetWatches.subscribe(gvkr, ref.namespace, ref.name, onChange),
      // Kinds the operator may not watch are polled. Every /scale read costs QPS budget, so
      // it does not follow pollingInterval (1 s x 10,000 objects would be 10k req/s): 30 s,
      // longer when the reads of all targets would take over a quarter of --qps, so scale
      // writes, status and Jobs always find room in the budget.
      refreshMs: () =>
        Math.max(
          30_000,
          pollingIntervalSeconds(so) * 1000,
          (this.#entries.size / (this.#opts.client.qps * 0.25)) * 1000,
        ),
      onError: (m) => logger.warn(m),
    });
    const lastActive = b.lastActiveTime ? parseRfc3339(b.lastActiveTime) : undefined;
    const state: ScaledObjectState | undefined =
      carried ??
      (lastActive !== undefined
        ? {
            health: {},
            hpa: { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] },
            lastActiveTime: lastActive,
          }
        : undefined);
    const controller = new ScaledObjectController({
      so,
      set,
      target,
      pool: this.#pool,
      logger,
      initialReplicas,
      // cpu/memory triggers read the target's Pods and metrics.k8s.io, as the HPA does.
      ...(so.spec.triggers.some((t) => t.type === 'cpu' || t.type === 'memory')
        ? {
            podMetrics: new ScaleTargetPods({
              client: this.#opts.client,
              scalePath: scalePath(gvkr, ref.namespace, ref.name),
              namespace: ref.namespace,
              what: `${kind} ${ref.namespace}/${ref.name}`,
            }),
          }
        : {}),
      ...(state ? { state } : {}),
      ...(this.#opts.onRecord ? { onRecord: this.#opts.onRecord } : {}),
      // History lives in the operator's decision log (onRecord), which `/decisions` reads.
      decisionRingSize: 0,
      settled: this.#status.settledCheck(obj),
      onDecision: (_so, d: ScaledObjectDecision) => {
        for (const ev of d.events) this.#events.record(obj, 'ScaledObject', ev.code, ev.message);
        // Not status(): that builds every trigger's and replica's row, each round.
        const metricNames = controller.metricNames();
        this.#status.writeKeyed(obj, decisionStatusKey(d, metricNames), () =>
          decisionStatus({ so, decision: d, gvkr, originalReplicaCount, metricNames }),
        );
      },
    });
    entry.target = target;
    entry.controller = controller;
    controller.start();
  }

  /**
   * Adds KEDA's finalizer in the background once the controller runs: scaling does not
   * depend on it, and at start-up one PATCH per object ahead of each controller held 10,000
   * controllers behind 10,000 requests of the QPS budget. At most one per object in flight.
   */
  #ensureFinalizer(raw: SoStatusObject): void {
    const finalizers = raw.metadata?.finalizers ?? [];
    const key = soKey(raw);
    if (finalizers.includes(FINALIZER) || this.#finalizing.has(key)) return;
    this.#finalizing.add(key);
    // The closure holds the path and the list, not `raw` (see EventRecorder.record).
    const path = this.#soPath(raw);
    const wanted = [...finalizers, FINALIZER];
    this.#background.push(() =>
      this.#opts.client
        .patch(path, { metadata: { finalizers: wanted } }, 'merge', { lane: 'background' })
        .catch((e: unknown) => {
          // The next reconcile that builds the controller adds it.
          this.#opts.logger.warn({ object: key, err: errorMessage(e) }, 'cannot add finalizer');
        })
        .finally(() => this.#finalizing.delete(key)),
    );
  }

  #soPath(raw: KubernetesObject): string {
    return `${KEDA_GROUP_PATH}/namespaces/${raw.metadata?.namespace ?? ''}/scaledobjects/${raw.metadata?.name ?? ''}`;
  }

  /**
   * KEDA's deletion (keda.md §1.12): the loop is already stopped; with
   * `restoreToOriginalReplicaCount` the target goes back to `status.originalReplicaCount`,
   * otherwise replicas stay where they are; then the finalizer is removed.
   */
  async #finalize(raw: SoStatusObject): Promise<void> {
    const finalizers = raw.metadata?.finalizers ?? [];
    if (!finalizers.includes(FINALIZER)) return;
    const parsed = parseClusterObject({ ...raw, kind: 'ScaledObject' });
    const original = raw.status?.originalReplicaCount;
    const gvkr = raw.status?.scaleTargetGVKR;
    if (
      parsed.ok &&
      parsed.object.kind === 'ScaledObject' &&
      parsed.object.spec.advanced?.restoreToOriginalReplicaCount &&
      original !== undefined &&
      gvkr
    ) {
      const so = parsed.object;
      try {
        await this.#opts.client.patch(
          scalePath(gvkr, so.metadata.namespace, so.spec.scaleTargetRef.name),
          { spec: { replicas: original } },
        );
      } catch (e) {
        this.#opts.logger.warn(
          { object: objectName(so), err: errorMessage(e) },
          'cannot restore the original replica count',
        );
      }
    }
    this.#events.record(raw, 'ScaledObject', 'ScaledObjectDeleted', 'ScaledObject was deleted');
    await this.#opts.client.patch(this.#soPath(raw), {
      metadata: { finalizers: finalizers.filter((f) => f !== FINALIZER) },
    });
    this.#status.forget('ScaledObject', raw.metadata?.namespace ?? '', raw.metadata?.name ?? '');
  }
}
