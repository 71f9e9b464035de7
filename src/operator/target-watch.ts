/**
 * Tells scale targets when their object changed, from one lean watch per kind and namespace
 * (lean-watch.ts keeps only each object's resourceVersion), so a target re-reads its `/scale`
 * only when something changed instead of every 30 s: with 10,000 ScaledObjects that was ~34
 * requests a second of steady API traffic with nothing happening. A collection the operator
 * may not list/watch (RBAC grants `*\/scale` only, e.g. a custom kind) is remembered as
 * unwatchable and its targets keep polling `/scale`.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import type { Gvkr } from '../targets/kubernetes/scale.js';
import type { KubeClient } from '../targets/kubernetes/kube-client.js';
import { LeanWatch } from './lean-watch.js';

type Listener = (resourceVersion: string) => void;

interface Collection {
  watch: LeanWatch<string>;
  started: Promise<boolean>;
  listeners: Map<string, Set<Listener>>;
}

export class TargetWatches {
  readonly #client: KubeClient;
  readonly #logger: Logger;
  readonly #collections = new Map<string, Collection>();

  constructor(client: KubeClient, logger: Logger) {
    this.#client = client;
    this.#logger = logger;
  }

  /**
   * Calls `onChange` with the object's new resourceVersion whenever `namespace/name` of
   * `gvkr` changes. Resolves to an unsubscribe function, or undefined when the kind cannot be
   * watched (the caller then polls).
   */
  async subscribe(
    gvkr: Gvkr,
    namespace: string,
    name: string,
    onChange: Listener,
  ): Promise<(() => void) | undefined> {
    const base = gvkr.group ? `/apis/${gvkr.group}/${gvkr.version}` : `/api/${gvkr.version}`;
    const path = `${base}/namespaces/${namespace}/${gvkr.resource}`;
    let c = this.#collections.get(path);
    if (!c) {
      const listeners = new Map<string, Set<Listener>>();
      const watch = new LeanWatch<string>({
        client: this.#client,
        path,
        logger: this.#logger,
        pick: (o) => o.metadata?.resourceVersion ?? '',
        onChange: (_type, key, rv) => {
          for (const l of listeners.get(key) ?? []) l(rv);
        },
      });
      const started = watch.start().then(
        () => true,
        (e: unknown) => {
          this.#logger.info(
            { path, err: errorMessage(e) },
            'cannot watch scale targets of this kind; their /scale is polled instead',
          );
          return false;
        },
      );
      c = { watch, started, listeners };
      this.#collections.set(path, c);
    }
    if (!(await c.started)) return undefined;
    const key = `${namespace}/${name}`;
    let set = c.listeners.get(key);
    if (!set) c.listeners.set(key, (set = new Set()));
    set.add(onChange);
    const coll = c;
    return () => {
      const s = coll.listeners.get(key);
      s?.delete(onChange);
      if (s?.size === 0) coll.listeners.delete(key);
    };
  }

  /** Ends every watch. */
  async stop(): Promise<void> {
    await Promise.all([...this.#collections.values()].map((c) => c.watch.stop()));
    this.#collections.clear();
  }
}
