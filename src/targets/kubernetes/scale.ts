/**
 * A ScaleTarget over the `/scale` subresource: Deployment, StatefulSet, ReplicaSet or any
 * custom resource that exposes one. tide writes `spec.replicas` directly (no HPA object, no
 * external metrics API), as KEDA's executor does for 0 <-> 1, but for every step.
 *
 * The controller's interface is synchronous, so the target keeps the last `/scale` it saw
 * (refreshed every `refreshMs` and from each write's response) and applies writes in order in
 * the background; a failed write is kept in `lastError` and retried by the next decision.
 */
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-client.js';
import { errorMessage, TargetError } from '../../errors.js';
import type { ScaleInHint, ScaleTarget, TargetStatus } from '../target.js';
import { DeletionCostMarks } from './deletion-cost.js';
import { flat } from '../../flat.js';

/** What a ScaledObject's `scaleTargetRef` names, with KEDA's defaults applied. */
export interface ScaleRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** The autoscaling/v1 Scale object the API returns. */
export interface ScaleObject {
  /** The scaled object's resourceVersion (a Scale carries its parent's). */
  metadata?: { resourceVersion?: string };
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

/** Where a kind lives: its group/version/kind/resource, as KEDA's `status.scaleTargetGVKR`. */
export interface Gvkr {
  group: string;
  version: string;
  kind: string;
  resource: string;
}

const KNOWN: Record<string, string> = {
  'apps/Deployment': 'deployments',
  'apps/StatefulSet': 'statefulsets',
  'apps/ReplicaSet': 'replicasets',
  '/ReplicationController': 'replicationcontrollers',
};

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced?: boolean }[];
}

/**
 * Discovery answers per client, kept a minute: thousands of ScaledObjects on one custom kind
 * would otherwise each spend a request of the QPS budget on the same list at startup.
 */
type DiscoveryCache = Map<string, { at: number; list: Promise<ApiResourceList | undefined> }>;
const discovery = new WeakMap<KubeClient, DiscoveryCache>();
const DISCOVERY_TTL_MS = 60_000;

function discover(client: KubeClient, path: string): Promise<ApiResourceList | undefined> {
  let byPath = discovery.get(client);
  if (!byPath) discovery.set(client, (byPath = new Map() as DiscoveryCache));
  const hit = byPath.get(path);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.list;
  const list = client.find<ApiResourceList>(path);
  byPath.set(path, { at: Date.now(), list });
  // A failed discovery is not remembered.
  list.catch(() => byPath.delete(path));
  return list;
}

/**
 * Finds the resource (plural) of a kind and checks it has `/scale`, through discovery for
 * kinds other than the built-in workloads. Throws a TargetError KEDA-style when it cannot.
 */
export async function resolveGvkr(client: KubeClient, ref: ScaleRef): Promise<Gvkr> {
  const [group, version] = ref.apiVersion.includes('/')
    ? (ref.apiVersion.split('/', 2) as [string, string])
    : ['', ref.apiVersion];
  const known = KNOWN[`${group}/${ref.kind}`];
  if (known) return { group, version, kind: ref.kind, resource: known };
  const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const what = `${ref.kind} ${ref.namespace}/${ref.name}`;
  const list = await discover(client, path);
  const resource = list?.resources?.find((r) => r.kind === ref.kind && !r.name.includes('/'));
  if (!resource) {
    throw new TargetError(
      what,
      `the API server does not serve kind ${ref.kind} in ${ref.apiVersion} (Target resource doesn't exist)`,
    );
  }
  if (!list?.resources?.some((r) => r.name === `${resource.name}/scale`)) {
    throw new TargetError(
      what,
      `${ref.apiVersion} ${ref.kind} doesn't expose /scale subresource, so it cannot be scaled`,
    );
  }
  return { group, version, kind: ref.kind, resource: resource.name };
}

/** The URL path of an object's `/scale`. */
export function scalePath(g: Gvkr, namespace: string, name: string): string {
  const base = g.group ? `/apis/${g.group}/${g.version}` : `/api/${g.version}`;
  return `${base}/namespaces/${namespace}/${g.resource}/${name}/scale`;
}

export interface KubeScaleTargetOptions {
  client: KubeClient;
  ref: ScaleRef;
  gvkr: Gvkr;
  /** The `/scale` read when the target was set up. */
  initial: ScaleObject;
  /**
   * Re-read `/scale` about this often (each period is jittered by up to +-20 % so thousands
   * of targets do not refresh together), so outside changes are seen; a function is asked
   * again before each period. @default 30_000
   */
  refreshMs?: number | (() => number);
  /**
   * Change notifications for the target object (the operator's watch, target-watch.ts): the
   * callback gets the object's new resourceVersion, and is called once on subscribing with
   * the one the watch holds ('' if none), so changes between the initial read and the
   * subscription are caught (a read only when the resourceVersions differ). When it resolves
   * to an unsubscribe function the target stops polling `/scale` and re-reads it only on a
   * change; when it resolves to undefined (the kind cannot be watched) polling goes on.
   */
  changes?: (onChange: (resourceVersion: string) => void) => Promise<(() => void) | undefined>;
  /** Called after each successful write, e.g. for Events. */
  onScaled?: (from: number, to: number, reason: string) => void;
  onError?: (message: string) => void;
}

export class KubeScaleTarget implements ScaleTarget {
  readonly name: string;
  readonly #opts: KubeScaleTargetOptions;
  readonly #path: string;
  #scale: ScaleObject;
  #desired: number;
  #writes: Promise<void> = Promise.resolve();
  #pending = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastReason: string | undefined;
  #lastError: string | undefined;
  #stopped = false;
  #refreshing = false;
  #marks: DeletionCostMarks | undefined;
  /** Set once change notifications flow: no polling then. */
  #unsubscribe: (() => void) | undefined;
  /** A change was notified while a read or write was under way: read again after it. */
  #stale = false;
  #notifiedRv: string | undefined;

  constructor(opts: KubeScaleTargetOptions) {
    this.#opts = opts;
    this.name = flat(`${opts.ref.kind} ${opts.ref.namespace}/${opts.ref.name}`);
    this.#path = flat(scalePath(opts.gvkr, opts.ref.namespace, opts.ref.name));
    this.#scale = opts.initial;
    this.#desired = this.#specReplicas();
    this.#schedule();
    opts
      .changes?.((rv) => this.#changed(rv))
      .then((unsubscribe) => {
        if (!unsubscribe) return;
        if (this.#stopped) return unsubscribe();
        this.#unsubscribe = unsubscribe;
        clearTimeout(this.#timer);
        this.#timer = undefined;
      })
      .catch(() => undefined);
  }

  #changed(rv: string): void {
    this.#notifiedRv = rv;
    if (rv && rv === this.#scale.metadata?.resourceVersion) return;
    void this.refresh();
  }

  /** After a read or write: a change notified meanwhile and not yet seen is read now. */
  #catchUp(): void {
    if (!this.#stale || this.#pending > 0 || this.#refreshing) return;
    this.#stale = false;
    const rv = this.#notifiedRv;
    if (rv && rv === this.#scale.metadata?.resourceVersion) return;
    void this.refresh();
  }

  #schedule(): void {
    if (this.#stopped || this.#unsubscribe) return;
    const r = this.#opts.refreshMs ?? 30_000;
    const period = typeof r === 'function' ? r() : r;
    this.#timer = setTimeout(
      () => void this.refresh().finally(() => this.#schedule()),
      period * (0.8 + Math.random() * 0.4),
    );
    this.#timer.unref();
  }

  /** `spec.replicas` of the last `/scale` seen; autoscaling/v1 Scale omits it when 0. */
  #specReplicas(): number {
    return this.#scale.spec?.replicas ?? 0;
  }

  /** Re-reads `/scale` unless a write is under way (its response is newer). */
  async refresh(): Promise<void> {
    // One read at a time: a slow (rate-limited) API must not pile refreshes up.
    if (this.#stopped) return;
    if (this.#pending > 0 || this.#refreshing) {
      this.#stale = true;
      return;
    }
    this.#refreshing = true;
    try {
      const s = await this.#opts.client.get<ScaleObject>(this.#path);
      if (this.#pending > 0) return;
      this.#scale = s;
      this.#desired = this.#specReplicas();
    } catch (e) {
      this.#lastError = errorMessage(e);
    } finally {
      this.#refreshing = false;
      this.#catchUp();
    }
  }

  currentReplicas(): number {
    return this.#desired;
  }

  /** `/scale` has no ready count; `status.replicas` is the closest it offers. */
  readyReplicas(): number {
    return this.#scale.status?.replicas ?? 0;
  }

  scaleTo(n: number, reason?: string, hint?: ScaleInHint): void {
    if (this.#stopped || n === this.#desired) return;
    const from = this.#desired;
    this.#desired = n;
    this.#lastReason = reason;
    this.#pending++;
    this.#writes = this.#writes
      .then(async () => {
        // Shrinking with known busy Pods: mark them first, so the ReplicaSet removes idle ones.
        if (hint && n < from) {
          this.#marks ??= new DeletionCostMarks(this.#opts.client, this.#opts.ref.namespace);
          for (const f of await this.#marks.apply(hint.busy))
            this.#opts.onError?.(`${this.name}: cannot mark a busy pod: ${f}`);
        }
        // Urgent: a reaction to the source goes ahead of start-up reads and status writes.
        const s = await this.#opts.client.patch<ScaleObject>(
          this.#path,
          { spec: { replicas: n } },
          'merge',
          { lane: 'urgent' },
        );
        this.#scale = s;
        this.#lastError = undefined;
        this.#opts.onScaled?.(from, n, reason ?? '');
      })
      .catch((e: unknown) => {
        const gone = e instanceof KubeApiError && e.status === 404;
        this.#lastError = gone
          ? `${this.name}: Target resource doesn't exist`
          : `${this.name}: cannot set replicas to ${n}: ${errorMessage(e)}`;
        // Forget the intent so the next decision writes again.
        this.#desired = this.#specReplicas();
        this.#opts.onError?.(this.#lastError);
      })
      .finally(() => {
        this.#pending--;
        this.#catchUp();
      });
  }

  /** Resolves once every write asked so far has been applied or has failed. */
  settled(): Promise<void> {
    return this.#writes;
  }

  status(): TargetStatus {
    return {
      name: this.name,
      desiredReplicas: this.#desired,
      currentReplicas: this.#specReplicas(),
      readyReplicas: this.readyReplicas(),
      replicas: [],
      ...(this.#lastReason ? { lastScaleReason: this.#lastReason } : {}),
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  /** Stops refreshing. Unlike a process pool, the workload keeps its replicas. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#unsubscribe?.();
    await this.#writes;
  }
}
