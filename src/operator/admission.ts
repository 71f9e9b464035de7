/**
 * Admits reconciles a few at a time. At start-up every ScaledObject arrives at once from the
 * first list; reconciling 10,000 together parsed, validated and built them all in one burst
 * (and held every half-built controller in memory), so `/metrics` and the health probes went
 * unanswered for most of a minute. At most `limit` run at once and each admission waits for
 * the next event-loop turn (`setImmediate`), so I/O, probes and running controllers' rounds
 * are served between them.
 */
export class Admission {
  readonly #limit: number;
  #running = 0;
  readonly #queue: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /** Reconciles waiting for a turn. */
  get waiting(): number {
    return this.#queue.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      this.#queue.push(resolve);
      this.#next();
    });
    try {
      return await work();
    } finally {
      this.#running--;
      this.#next();
    }
  }

  #next(): void {
    if (this.#running >= this.#limit || this.#queue.length === 0) return;
    const go = this.#queue.shift()!;
    this.#running++;
    setImmediate(go);
  }
}
