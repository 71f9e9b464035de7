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
  /**
   * Waiting admissions from `#head` on. Not `shift()`: past ~16,000 entries the array lives in
   * V8's large-object space, where `shift` moves every element (each resync queues every object:
   * at 60,000 that was 9 % of the operator's CPU).
   */
  #queue: (() => void)[] = [];
  #head = 0;

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /** Reconciles waiting for a turn. */
  get waiting(): number {
    return this.#queue.length - this.#head;
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
    if (this.#running >= this.#limit || this.#head === this.#queue.length) return;
    const go = this.#queue[this.#head]!;
    this.#queue[this.#head++] = undefined as never;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      // Drop the consumed prefix now and then, so a queue never empty does not grow without end.
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#running++;
    setImmediate(go);
  }
}
