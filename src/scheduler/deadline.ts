/**
 * Per-read deadlines without a timer per read. `AbortSignal.any([outer, AbortSignal.timeout()])`
 * per trigger read costs a timer, two controllers and weak references the GC must trace; at
 * 10,000 reads a second that showed in the profile (abort_controller, DOMException, GC).
 * Here the deadlines of all reads ending in the same 100 ms slot share one timer, which aborts
 * each read still registered in that slot (a Set, so finishing a read is O(1)); a read may
 * time out up to 100 ms late, never early.
 */
const GRAIN_MS = 100;

const slots = new Map<number, Set<AbortController>>();

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
        for (const c of readers) c.abort(reason);
      },
      Math.max(0, due - Date.now()),
    ).unref();
  }
  set.add(ctrl);
  const onOuter = () => ctrl.abort(outer.reason);
  outer.addEventListener('abort', onOuter, { once: true });
  const readers = set;
  return {
    signal: ctrl.signal,
    done: () => {
      readers.delete(ctrl);
      outer.removeEventListener('abort', onOuter);
    },
  };
}
