/**
 * Per-read deadlines without a timer per read. `AbortSignal.any([outer, AbortSignal.timeout()])`
 * per trigger read costs a timer, two controllers and weak references the GC must trace; at
 * 10,000 reads a second that showed in the profile (abort_controller, DOMException, GC).
 * Here the deadlines of all reads ending in the same 100 ms slot share one timer, which aborts
 * each read still registered in that slot (a Set, so finishing a read is O(1)); a read may
 * time out up to 100 ms late, never early.
 */
import { getEventListeners } from 'node:events';

const GRAIN_MS = 100;

/** What a slot's timer aborts: a controller, or a reusable deadline's current read. */
interface Expirable {
  expire(reason: unknown): void;
}

const slots = new Map<number, Set<Expirable>>();

/** The set of reads whose deadline falls in the slot of `timeoutMs` from now (timer armed). */
function slotFor(timeoutMs: number): Set<Expirable> {
  const due = Math.ceil((Date.now() + timeoutMs) / GRAIN_MS) * GRAIN_MS;
  let set = slots.get(due);
  if (!set) {
    const readers = (set = new Set());
    slots.set(due, readers);
    setTimeout(
      () => {
        slots.delete(due);
        if (readers.size === 0) return;
        const reason = timeoutReason(timeoutMs);
        for (const c of readers) c.expire(reason);
      },
      Math.max(0, due - Date.now()),
    ).unref();
  }
  return set;
}

function timeoutReason(ms: number): DOMException {
  return new DOMException(`The operation was aborted due to timeout (${ms} ms)`, 'TimeoutError');
}

export interface ReadSignal {
  signal: AbortSignal;
  /** Detaches the read from its deadline and from `outer`; call once the read has ended. */
  done(): void;
}

/** A signal that aborts when `outer` does or `timeoutMs` from now. */
export function readSignal(outer: AbortSignal, timeoutMs: number): ReadSignal {
  const ctrl = new AbortController();
  if (outer.aborted) {
    ctrl.abort(outer.reason);
    return { signal: ctrl.signal, done: () => undefined };
  }
  const entry: Expirable = { expire: (reason) => ctrl.abort(reason) };
  const readers = slotFor(timeoutMs);
  readers.add(entry);
  const onOuter = () => ctrl.abort(outer.reason);
  outer.addEventListener('abort', onOuter, { once: true });
  return {
    signal: ctrl.signal,
    done: () => {
      readers.delete(entry);
      outer.removeEventListener('abort', onOuter);
    },
  };
}

/**
 * Controllers of reads that ended cleanly (not aborted, nothing left attached), for the next
 * read of any trigger: a controller is needed only while a read is in flight (a few ms), and
 * one kept per trigger between reads was ~0.9 KB of every idle object's memory (an AbortSignal
 * with its listener maps), ~50 MB at 60,000 objects. The pool holds what the reads in flight at
 * once returned, bounded.
 */
const free: AbortController[] = [];
const MAX_FREE = 4_096;

/**
 * `readSignal` for one trigger's reads, one after another, without a new AbortController,
 * outer listener and closures per read (a third of a round's allocations at 5,000 objects
 * polled every second): a read borrows a controller from a shared pool and gives it back when
 * it ends clean. An aborted one is dropped; one a library still listens on stays with the
 * trigger, and its next read takes it again only if that listener has gone (so none pile up).
 * One listener on the outer signal, kept between reads, aborts the read in flight.
 */
export class ReadDeadlines implements Expirable {
  #ctrl: AbortController | undefined;
  #outer: AbortSignal | undefined;
  #slot: Set<Expirable> | undefined;
  readonly #onOuter = (): void => this.#ctrl?.abort(this.#outer?.reason);

  /** The signal of a read starting now; call `end()` when it has ended. */
  begin(outer: AbortSignal, timeoutMs: number): AbortSignal {
    if (outer.aborted) return AbortSignal.abort(outer.reason);
    if (this.#outer !== outer) {
      this.#outer?.removeEventListener('abort', this.#onOuter);
      this.#outer = outer;
      outer.addEventListener('abort', this.#onOuter);
    }
    // A controller kept from the last read (something was still attached when it ended) is
    // reused if that has gone since; otherwise one from the pool.
    const kept = this.#ctrl;
    const ctrl = (this.#ctrl = kept && clean(kept) ? kept : (free.pop() ?? new AbortController()));
    this.#slot = slotFor(timeoutMs);
    this.#slot.add(this);
    return ctrl.signal;
  }

  /**
   * The read ended: its deadline no longer applies, and its controller goes back to the pool if
   * clean. One a library still listens on stays with this trigger until its next read.
   */
  end(): void {
    this.#slot?.delete(this);
    this.#slot = undefined;
    const ctrl = this.#ctrl;
    if (ctrl && clean(ctrl) && free.length < MAX_FREE) {
      this.#ctrl = undefined;
      free.push(ctrl);
    }
  }

  /** Stops listening to the outer signal (the reader is closing). */
  close(): void {
    this.end();
    this.#ctrl = undefined;
    this.#outer?.removeEventListener('abort', this.#onOuter);
    this.#outer = undefined;
  }

  expire(reason: unknown): void {
    this.#slot = undefined;
    this.#ctrl?.abort(reason);
  }
}

/** Not aborted and nothing attached: safe to hand to another read. */
const clean = (c: AbortController): boolean =>
  !c.signal.aborted && getEventListeners(c.signal, 'abort').length === 0;
