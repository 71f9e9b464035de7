/**
 * Writes `.status` of keda.sh objects through the `/status` subresource, only when it changes
 * (KEDA rewrites status on every reconcile; at thousands of objects the writes add up). The
 * last status written per object is remembered; an object's first write is compared with the
 * status it already carries, so a restarted operator does not rewrite unchanged objects. At
 * most one write per object is queued or in flight; later requests coalesce into the newest.
 * Writes wait in a BackgroundQueue (background.ts), a few at a time.
 */
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import { KubeApiError, type KubeClient } from '../targets/kubernetes/kube-client.js';
import { BackgroundQueue } from './background.js';

interface Slot {
  /** Digest of the canonical JSON last written (or carried): 27 bytes, not the JSON itself. */
  last: string | undefined;
  /** Digest of the write in flight: what the object will carry if it succeeds. */
  sending: string | undefined;
  /**
   * Digest of `writeKeyed`'s key of the status last asked (see there); cleared by a failed
   * write. A digest, not the key: the key names every condition's text (~300 bytes, kept per
   * object), and it is only compared.
   */
  key: string | undefined;
  next: { path: string; status: unknown; json: string } | undefined;
  /** Queued or being written. */
  busy: boolean;
}

/** `Kind/namespace/name`: a slot's key. */
const slotKey = (obj: KubernetesObject): string =>
  `${obj.kind ?? 'ScaledObject'}/${obj.metadata?.namespace ?? 'default'}/${obj.metadata?.name ?? ''}`;

const PLURALS: Record<string, string> = {
  ScaledObject: 'scaledobjects',
  ScaledJob: 'scaledjobs',
};

/**
 * JSON with keys sorted, so equal statuses compare equal whatever the key order. Written out
 * rather than a JSON.stringify replacer that rebuilt every object: it runs for every round of
 * every ScaledObject. `undefined` members are left out, as JSON.stringify does.
 */
export function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v))
    return `[${v.map((x) => (x === undefined ? 'null' : canonical(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  // Joined, not `+=`: a string grown by `+=` is a rope of one 32-byte node per piece, slower
  // to hash and, when kept, ~100 nodes per status.
  const parts: string[] = [];
  for (const k of keys) {
    const x = o[k];
    if (x === undefined || typeof x === 'function') continue;
    parts.push(`${JSON.stringify(k)}:${canonical(x)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * What is remembered of a status: a digest of its canonical JSON. The JSON itself (~700 bytes
 * a ScaledObject) was the largest part of the writer's memory at 10,000 objects.
 */
const digest = (status: unknown): string =>
  createHash('sha1').update(canonical(status)).digest('base64');

export class StatusWriter {
  readonly #client: KubeClient;
  readonly #logger: Logger;
  readonly #slots = new Map<string, Slot>();
  readonly #queue: BackgroundQueue;
  /** Writes sent. */
  writes = 0;

  /** `queue`: where writes wait for their turn (shared with Events and finalizers). */
  constructor(client: KubeClient, logger: Logger, queue = new BackgroundQueue()) {
    this.#client = client;
    this.#logger = logger;
    this.#queue = queue;
  }

  /**
   * Remembers the status `obj` carries as what was last written, unless a write of it was
   * asked already; later writes may then pass the object's identity only (no status).
   */
  prime(obj: KubernetesObject & { status?: unknown }): void {
    this.#slot(obj);
  }

  #slot(obj: KubernetesObject & { status?: unknown }): { key: string; slot: Slot } {
    const key = slotKey(obj);
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = {
        last: obj.status ? digest(obj.status) : undefined,
        key: undefined,
        sending: undefined,
        next: undefined,
        busy: false,
      };
      this.#slots.set(key, slot);
    }
    return { key, slot };
  }

  /** Asks for `status` on `obj`; does nothing when it equals what was last written. */
  write(obj: KubernetesObject & { status?: unknown }, status: unknown): void {
    const kind = obj.kind ?? 'ScaledObject';
    const ns = obj.metadata?.namespace ?? 'default';
    const name = obj.metadata?.name ?? '';
    const { key, slot } = this.#slot(obj);
    slot.key = undefined;
    const json = digest(status);
    // Compared with the newest status asked: one queued, else one in flight, else the last
    // written (comparing with the last written while another was in flight lost a write
    // that went back to it).
    if (json === (slot.next?.json ?? slot.sending ?? slot.last)) return;
    const path = `/apis/keda.sh/v1alpha1/namespaces/${ns}/${PLURALS[kind] ?? 'scaledobjects'}/${name}/status`;
    slot.next = { path, status, json };
    this.#enqueue(key, slot);
  }

  /**
   * `write(obj, build())`, but neither builds nor digests the status while `key` repeats: a
   * cheap summary of everything the status depends on, so a round that changes nothing costs a
   * string comparison (building, sorting and hashing a status every round of every object was
   * a large part of a round's CPU at 10,000 objects). A failed write clears the key, so the
   * next round asks again.
   */
  writeKeyed(
    obj: KubernetesObject & { status?: unknown },
    key: string,
    build: () => unknown,
  ): void {
    const { slot } = this.#slot(obj);
    const d = createHash('sha1').update(key).digest('base64');
    if (slot.key === d) return;
    this.write(obj, build());
    slot.key = d;
  }

  /**
   * Whether the last `writeKeyed` for `obj` stands (none failed since; see writeKeyed). Asked
   * every quiet round of every object: the key is built once, here.
   */
  settledCheck(obj: KubernetesObject): () => boolean {
    const key = slotKey(obj);
    return () => this.#slots.get(key)?.key !== undefined;
  }

  #enqueue(key: string, slot: Slot): void {
    if (slot.busy) return;
    slot.busy = true;
    this.#queue.push(() => this.#send(key, slot));
  }

  /** Writes the newest status asked; one asked meanwhile queues again (at the back: fair). */
  async #send(key: string, slot: Slot): Promise<void> {
    const w = slot.next;
    slot.next = undefined;
    try {
      if (!w || w.json === slot.last) return;
      this.writes++;
      slot.sending = w.json;
      // Background lane: behind the reads and writes that scale.
      await this.#client.patch(w.path, { status: w.status }, 'merge', { lane: 'background' });
      slot.last = w.json;
    } catch (e) {
      // A deleted object needs no status; anything else is retried by the next change.
      if (!(e instanceof KubeApiError && e.status === 404)) {
        slot.key = undefined;
        this.#logger.warn({ object: key, err: errorMessage(e) }, 'status write failed');
      }
    } finally {
      slot.sending = undefined;
      slot.busy = false;
      if (slot.next && this.#slots.get(key) === slot) this.#enqueue(key, slot);
    }
  }

  /** Forgets an object (deleted). */
  forget(kind: string, ns: string, name: string): void {
    this.#slots.delete(`${kind}/${ns}/${name}`);
  }

  /** Resolves when every background write asked so far is done (Events and finalizers too). */
  flush(): Promise<void> {
    return this.#queue.idle();
  }
}
