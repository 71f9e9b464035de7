/**
 * Turns the live workers' counters (which restart with each worker, and leave with it) into
 * totals that only grow, for the wait-time policy: per worker id, only what its counters gained
 * since the last read is added. A worker first seen adds everything it did (it started after
 * the previous read, or this is the first read, whose totals are only a baseline).
 *
 * In flight counts what the workers took from the queue and did not finish: running and
 * reserved (prefetched). A task a worker holds before it starts is out of the list and not yet
 * running; leaving it out would make the total the policy reads (waiting + in flight + done)
 * dip when the worker takes it and rise when it starts, which reads as an arrival.
 */
import type { WaitSignals } from '../engine/wait-target.js';
import type { WorkerCounters } from '../scalers/core/types.js';

export class WorkerTotals {
  readonly #last = new Map<string, WorkerCounters>();
  #completed = 0;
  #busyMs = 0;

  /** Folds one read in and returns the signals for the engine. */
  add(workers: readonly WorkerCounters[]): WaitSignals {
    let inFlight = 0;
    const seen = new Set<string>();
    for (const w of workers) {
      seen.add(w.id);
      const before = this.#last.get(w.id);
      this.#completed += Math.max(0, w.done - (before?.done ?? 0));
      this.#busyMs += Math.max(0, w.busyMs - (before?.busyMs ?? 0));
      this.#last.set(w.id, w);
      inFlight += w.running + (w.reserved ?? 0);
    }
    for (const id of [...this.#last.keys()]) if (!seen.has(id)) this.#last.delete(id);
    return { inFlight, completed: this.#completed, busySeconds: this.#busyMs / 1000 };
  }
}
