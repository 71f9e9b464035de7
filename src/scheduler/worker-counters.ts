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
 *
 * Busy time is counted per replica, not per task slot: a worker with concurrency c that spent
 * s slot-seconds on tasks was busy s / c replica-seconds, so the drain rate the policy divides
 * by is what one replica does when full (c tasks at a time), not one slot's.
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
      const slots = w.concurrency !== undefined && w.concurrency >= 1 ? w.concurrency : 1;
      this.#busyMs += Math.max(0, w.busyMs - (before?.busyMs ?? 0)) / slots;
      this.#last.set(w.id, w);
      inFlight += w.running + (w.reserved ?? 0);
    }
    for (const id of [...this.#last.keys()]) if (!seen.has(id)) this.#last.delete(id);
    return { inFlight, completed: this.#completed, busySeconds: this.#busyMs / 1000 };
  }
}
