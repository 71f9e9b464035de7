/**
 * client-node's informer (list, then watch) with the supervision 1.4.0 lacks: on any error
 * other than 410 Gone the informer stops for good, and a half-open connection can leave it
 * silent for hours. The watchdog restarts a stopped informer with back-off (1 s doubling to
 * 30 s) and restarts one that has seen neither an event nor a reconnect for `silenceMs`
 * (the API server ends every watch within 30-60 min, so a healthy one reconnects in time).
 * Cached objects lose `metadata.managedFields` and kubectl's last-applied annotation on arrival
 * (tide never reads them), and share their repeated texts (intern.ts).
 */
import { makeInformer, type Informer, type KubernetesObject } from '@kubernetes/client-node';
import type { ObjectCache } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import { intern, internAll } from '../intern.js';
import type { KubeClient } from '../targets/kubernetes/kube-client.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface WatchedInformerOptions<T extends KubernetesObject> {
  client: KubeClient;
  /** Collection path, e.g. `/apis/keda.sh/v1alpha1/scaledobjects`. */
  path: string;
  logger: Logger;
  onChange: (type: 'add' | 'update' | 'delete', obj: T) => void;
  /** Restart when nothing was heard for this long. @default 600_000 */
  silenceMs?: number;
  /** Only objects matching this label selector are listed and watched. */
  labelSelector?: string;
}

export class WatchedInformer<T extends KubernetesObject> {
  readonly #opts: WatchedInformerOptions<T>;
  readonly #informer: Informer<T> & ObjectCache<T>;
  #lastHeard = Date.now();
  #backoffMs = 1_000;
  #synced = false;
  #stopped = false;
  #restarting = false;
  #watchdog: NodeJS.Timeout | undefined;
  /** Restarts so far (errors and silences), for status and tests. */
  restarts = 0;

  constructor(opts: WatchedInformerOptions<T>) {
    this.#opts = opts;
    const { client, path, labelSelector } = opts;
    const listPath = labelSelector
      ? `${path}?labelSelector=${encodeURIComponent(labelSelector)}`
      : path;
    this.#informer = makeInformer<T>(client.kc, path, () => client.get(listPath), labelSelector);
    const heard = () => {
      this.#lastHeard = Date.now();
      this.#backoffMs = 1_000;
    };
    // The cache holds the very object the handlers get: dropping managedFields here keeps
    // them out of memory (often the largest part of an object, never read by tide).
    // Status and API fields repeat across objects (conditions, kinds, groups, finalizers):
    // one copy of each text for all of them (intern.ts), not one per parsed object.
    const lean = (o: T) => {
      const m = o.metadata;
      if (m?.managedFields) delete m.managedFields;
      // `kubectl apply` keeps the whole applied manifest here (often the object's largest
      // field after managedFields); tide never reads it and only patches what it writes.
      if (m?.annotations?.[LAST_APPLIED] !== undefined) delete m.annotations[LAST_APPLIED];
      if (o.apiVersion) o.apiVersion = intern(o.apiVersion);
      if (o.kind) o.kind = intern(o.kind);
      if (m?.finalizers) internAll(m.finalizers);
      internAll((o as { status?: unknown }).status);
      return o;
    };
    this.#informer.on('add', (o) => (heard(), opts.onChange('add', lean(o))));
    this.#informer.on('update', (o) => (heard(), opts.onChange('update', lean(o))));
    this.#informer.on('delete', (o) => (heard(), opts.onChange('delete', o)));
    this.#informer.on('connect', () => {
      heard();
      this.#synced = true;
    });
    this.#informer.on('error', (e: unknown) => {
      if (this.#stopped) return;
      opts.logger.warn(
        { path, err: errorMessage(e), retryInMs: this.#backoffMs },
        'watch failed; restarting',
      );
      this.#restart(this.#backoffMs);
      this.#backoffMs = Math.min(this.#backoffMs * 2, 30_000);
    });
  }

  /** True once the first list has been applied and a watch was opened. */
  get synced(): boolean {
    return this.#synced;
  }

  list(namespace?: string): readonly T[] {
    return this.#informer.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#informer.get(name, namespace);
  }

  async start(): Promise<void> {
    const silence = this.#opts.silenceMs ?? 600_000;
    this.#watchdog = setInterval(
      () => {
        if (!this.#stopped && Date.now() - this.#lastHeard > silence) {
          this.#opts.logger.warn(
            { path: this.#opts.path, silentMs: Date.now() - this.#lastHeard },
            'watch silent; restarting',
          );
          this.#lastHeard = Date.now();
          this.#restart(0);
        }
      },
      Math.min(silence, 30_000),
    );
    this.#watchdog.unref();
    await this.#informer.start();
  }

  #restart(delayMs: number): void {
    if (this.#restarting || this.#stopped) return;
    this.#restarting = true;
    this.restarts++;
    setTimeout(() => {
      void (async () => {
        try {
          await this.#informer.stop();
          // Cleared before start: an error during this start must schedule the next attempt.
          this.#restarting = false;
          if (!this.#stopped) await this.#informer.start();
        } catch (e) {
          this.#restarting = false;
          this.#opts.logger.warn({ err: errorMessage(e) }, 'informer restart failed');
        }
      })();
    }, delayMs).unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#watchdog);
    await this.#informer.stop();
  }
}
