/**
 * Scale targets seen through one lean watch per kind and namespace (lean-watch.ts keeps of
 * each object only its resourceVersion and replicas, see replica-paths.ts), for two things:
 *
 * - a target's initial `/scale`: the reconcile takes it from the watch's list instead of one
 *   `/scale` read per object (10,000 reads were most of a 10,000-object start-up);
 * - change notifications: a target re-reads its `/scale` only when its object changed instead
 *   of every 30 s (with 10,000 ScaledObjects that was ~34 requests a second of steady API
 *   traffic with nothing happening).
 *
 * A collection the operator may not list/watch (RBAC grants `*\/scale` only) is remembered as
 * unwatchable: its targets are read through `/scale` and keep polling it.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import type { Gvkr, ScaleObject } from '../targets/kubernetes/scale.js';
import type { KubeClient } from '../targets/kubernetes/kube-client.js';
import { KeyedListeners } from '../listeners.js';
import { LeanWatch } from './lean-watch.js';
import { replicaPaths, scaleOf } from './replica-paths.js';

type Listener = (resourceVersion: string) => void;

interface Collection {
  /** Each object's Scale; only the resourceVersion is real when `scales` is false. */
  watch: LeanWatch<ScaleObject>;
  /** False when the kind cannot be watched. */
  started: Promise<boolean>;
  /** True when the watch knows where the kind keeps its replicas. */
  scales: boolean;
  listeners: KeyedListeners<string, Listener>;
}

export class TargetWatches {
  readonly #client: KubeClient;
  readonly #logger: Logger;
  readonly #collections = new Map<string, Collection>();

  constructor(client: KubeClient, logger: Logger) {
    this.#client = client;
    this.#logger = logger;
  }

  #collection(gvkr: Gvkr, namespace: string): Collection {
    const base = gvkr.group ? `/apis/${gvkr.group}/${gvkr.version}` : `/api/${gvkr.version}`;
    const path = `${base}/namespaces/${namespace}/${gvkr.resource}`;
    const existing = this.#collections.get(path);
    if (existing) return existing;
    const listeners = new KeyedListeners<string, Listener>();
    let paths: Awaited<ReturnType<typeof replicaPaths>>;
    const watch = new LeanWatch<ScaleObject>({
      client: this.#client,
      path,
      logger: this.#logger,
      pick: (o) =>
        paths
          ? scaleOf(o, paths)
          : { metadata: { resourceVersion: o.metadata?.resourceVersion ?? '' } },
      onChange: (_type, key, s) => {
        const rv = s.metadata?.resourceVersion ?? '';
        listeners.each(key, (l) => l(rv));
      },
    });
    const c: Collection = { watch, started: Promise.resolve(false), scales: false, listeners };
    c.started = (async () => {
      paths = await replicaPaths(this.#client, gvkr);
      c.scales = paths !== undefined;
      await watch.start();
      return true;
    })().catch((e: unknown) => {
      this.#logger.info(
        { path, err: errorMessage(e) },
        'cannot watch scale targets of this kind; their /scale is polled instead',
      );
      return false;
    });
    this.#collections.set(path, c);
    return c;
  }

  /**
   * The Scale of `namespace/name` as the watch of its kind holds it: undefined when the kind
   * cannot be watched or its replica paths are unknown (read `/scale`), null when the watch
   * holds no such object (it may be newer than the watch: confirm with `/scale`).
   */
  async scale(
    gvkr: Gvkr,
    namespace: string,
    name: string,
  ): Promise<ScaleObject | null | undefined> {
    const c = this.#collection(gvkr, namespace);
    if (!(await c.started) || !c.scales) return undefined;
    return c.watch.get(`${namespace}/${name}`) ?? null;
  }

  /**
   * Calls `onChange` with the object's new resourceVersion whenever `namespace/name` of
   * `gvkr` changes, and once at once with the resourceVersion the watch holds ('' when it
   * holds none), so a target read before the subscription catches up only when it is behind.
   * Resolves to an unsubscribe function, or undefined when the kind cannot be watched (the
   * caller then polls).
   */
  async subscribe(
    gvkr: Gvkr,
    namespace: string,
    name: string,
    onChange: Listener,
  ): Promise<(() => void) | undefined> {
    const c = this.#collection(gvkr, namespace);
    if (!(await c.started)) return undefined;
    const key = `${namespace}/${name}`;
    c.listeners.add(key, onChange);
    onChange(c.watch.get(key)?.metadata?.resourceVersion ?? '');
    return () => void c.listeners.delete(key, onChange);
  }

  /** Ends every watch. */
  async stop(): Promise<void> {
    await Promise.all([...this.#collections.values()].map((c) => c.watch.stop()));
    this.#collections.clear();
  }
}
