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
 * `readSignal` for one trigger's reads, one after another, without a new AbortController,
 * outer listener and closures per read (a third of a round's allocations at 5,000 objects
 * polled every second): the controller is kept while it has not aborted, and while nothing a
 * read attached to its signal is still attached when the next read begins (a library that
 * leaves its listener behind gets a fresh signal the next time, so none pile up).
 */
export class ReadDeadlines implements Expirable {
  #ctrl: AbortController | undefined;
  #outer: AbortSignal | undefined;
  #slot: Set<Expirable> | undefined;
  readonly #onOuter = (): void => this.#ctrl?.abort(this.#outer?.reason);

  /** The signal of a read starting now; call `end()` when it has ended. */
  begin(outer: AbortSignal, timeoutMs: number): AbortSignal {
    if (outer.aborted) return AbortSignal.abort(outer.reason);
    let ctrl = this.#ctrl;
    if (
      !ctrl ||
      ctrl.signal.aborted ||
      this.#outer !== outer ||
      getEventListeners(ctrl.signal, 'abort').length > 0
    ) {
      this.#outer?.removeEventListener('abort', this.#onOuter);
      ctrl = this.#ctrl = new AbortController();
      this.#outer = outer;
      outer.addEventListener('abort', this.#onOuter);
    }
    this.#slot = slotFor(timeoutMs);
    this.#slot.add(this);
    return ctrl.signal;
  }

  /** The read ended: its deadline no longer applies. */
  end(): void {
    this.#slot?.delete(this);
    this.#slot = undefined;
  }

  /** Stops listening to the outer signal (the reader is closing). */
  close(): void {
    this.end();
    this.#outer?.removeEventListener('abort', this.#onOuter);
    this.#outer = undefined;
  }

  expire(reason: unknown): void {
    this.#slot = undefined;
    this.#ctrl?.abort(reason);
  }
}
