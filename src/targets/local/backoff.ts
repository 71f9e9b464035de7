/** Exponential restart delay: `initialMs`, doubling, capped at `maxMs`. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /**
   * A run at least this long forgets earlier crashes (the next delay is `initialMs` again).
   * The kubelet forgets after 10 minutes of running; Job retries never forget.
   * @default Infinity
   */
  resetAfterMs?: number;
}

/** The kubelet's container restart backoff: 10 s doubling to 5 min, reset after 10 min running. */
export const KUBELET_RESTART_BACKOFF: BackoffOptions = {
  initialMs: 10_000,
  maxMs: 300_000,
  resetAfterMs: 600_000,
};

/** The Job controller's pod-failure backoff: 10 s doubling to 6 min. */
export const JOB_RETRY_BACKOFF: BackoffOptions = { initialMs: 10_000, maxMs: 360_000 };

/** Remembers consecutive failures of one replica or job and says how long to wait before the next try. */
export class Backoff {
  #lastMs = 0;

  constructor(private readonly opts: BackoffOptions) {}

  /** The delay before restarting something that just failed after running `ranForMs`. */
  next(ranForMs: number): number {
    if (ranForMs >= (this.opts.resetAfterMs ?? Infinity)) this.#lastMs = 0;
    this.#lastMs =
      this.#lastMs === 0 ? this.opts.initialMs : Math.min(this.#lastMs * 2, this.opts.maxMs);
    return this.#lastMs;
  }
}
