/**
 * List-then-watch of one collection that keeps only what the operator needs from each object
 * (`pick`), not the object: client-node's informer caches every object whole (spec, status,
 * managedFields), which at tens of thousands of objects is most of the operator's heap. The
 * list is paged (`limit`), the watch resumes from the last resourceVersion seen (bookmarks on),
 * a 410 Gone lists again and reports what changed meanwhile, and any other failure retries with
 * back-off (1 s doubling to 30 s). A 403/404 on the first list rejects `start()`, so a caller
 * can fall back (e.g. to polling) when RBAC does not allow the watch.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import { KubeApiError, type KubeClient } from '../targets/kubernetes/kube-client.js';

export interface WatchedMeta {
  namespace?: string;
  name?: string;
  resourceVersion?: string;
}

export interface RawObject {
  metadata?: WatchedMeta;
}

export interface LeanWatchOptions<L> {
  client: KubeClient;
  /** Collection path, e.g. `/apis/apps/v1/namespaces/default/deployments`. */
  path: string;
  logger: Logger;
  /** What is kept of each object. */
  pick: (raw: RawObject) => L;
  /** Called for every change after (and during) the first list. */
  onChange?: (type: 'add' | 'update' | 'delete', key: string, lean: L) => void;
  /** Page size of the list. @default 500 */
  pageSize?: number;
  /** Server-side end of each watch request. @default 300 */
  watchSeconds?: number;
}

interface ListPage {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: RawObject[];
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: RawObject & { code?: number };
}

export const keyOf = (m: WatchedMeta | undefined) => `${m?.namespace ?? ''}/${m?.name ?? ''}`;

export class LeanWatch<L> {
  readonly #opts: LeanWatchOptions<L>;
  readonly #items = new Map<string, L>();
  readonly #abort = new AbortController();
  #rv = '';
  #synced = false;
  #loop: Promise<void> | undefined;

  constructor(opts: LeanWatchOptions<L>) {
    this.#opts = opts;
  }

  get synced(): boolean {
    return this.#synced;
  }

  get(key: string): L | undefined {
    return this.#items.get(key);
  }

  get size(): number {
    return this.#items.size;
  }

  values(): IterableIterator<L> {
    return this.#items.values();
  }

  /** Lists (rejects if that fails), then watches in the background until `stop()`. */
  async start(): Promise<void> {
    await this.#list();
    this.#synced = true;
    this.#loop = this.#watchLoop();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #list(): Promise<void> {
    const { client, path, pick, onChange } = this.#opts;
    const seen = new Set<string>();
    let next = '';
    let rv = '';
    do {
      const q = `limit=${this.#opts.pageSize ?? 500}${next ? `&continue=${encodeURIComponent(next)}` : ''}`;
      const page = await client.get<ListPage>(`${path}${path.includes('?') ? '&' : '?'}${q}`);
      rv = page.metadata?.resourceVersion ?? rv;
      next = page.metadata?.continue ?? '';
      for (const raw of page.items ?? []) {
        const key = keyOf(raw.metadata);
        seen.add(key);
        const had = this.#items.has(key);
        const lean = pick(raw);
        this.#items.set(key, lean);
        onChange?.(had ? 'update' : 'add', key, lean);
      }
    } while (next);
    // Gone while we were not watching.
    for (const [key, lean] of this.#items)
      if (!seen.has(key)) {
        this.#items.delete(key);
        onChange?.('delete', key, lean);
      }
    this.#rv = rv;
  }

  #apply(e: WatchEvent): 'gone' | undefined {
    const { pick, onChange } = this.#opts;
    if (e.type === 'ERROR') return e.object.code === 410 ? 'gone' : undefined;
    const rv = e.object.metadata?.resourceVersion;
    if (rv) this.#rv = rv;
    if (e.type === 'BOOKMARK') return undefined;
    const key = keyOf(e.object.metadata);
    const lean = pick(e.object);
    if (e.type === 'DELETED') {
      this.#items.delete(key);
      onChange?.('delete', key, lean);
    } else {
      const had = this.#items.has(key);
      this.#items.set(key, lean);
      onChange?.(had ? 'update' : 'add', key, lean);
    }
    return undefined;
  }

  async #watchLoop(): Promise<void> {
    const { client, path, logger } = this.#opts;
    const signal = this.#abort.signal;
    let backoff = 1_000;
    while (!signal.aborted) {
      let gone = false;
      try {
        const q = `watch=1&allowWatchBookmarks=true&timeoutSeconds=${this.#opts.watchSeconds ?? 300}&resourceVersion=${encodeURIComponent(this.#rv)}`;
        await client.stream(
          `${path}${path.includes('?') ? '&' : '?'}${q}`,
          (line) => {
            if (this.#apply(JSON.parse(line) as WatchEvent) === 'gone') gone = true;
          },
          signal,
        );
        backoff = 1_000;
        if (gone) await this.#list();
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof KubeApiError && e.status === 410) {
          await this.#list().catch(() => undefined);
          continue;
        }
        logger.warn({ path, err: errorMessage(e), retryInMs: backoff }, 'watch failed; retrying');
        await new Promise((r) => setTimeout(r, backoff).unref());
        backoff = Math.min(backoff * 2, 30_000);
        await this.#list().catch(() => undefined);
      }
    }
  }
}
