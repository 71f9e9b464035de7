/**
 * The operator's background API writes (status, Events, finalizers) run a few at a time from
 * a queue of small closures. At start-up every new ScaledObject asks for all three at once;
 * handed to the client directly, 30,000 requests at 10,000 objects each waited for a rate-limit
 * token as a suspended call with its request body, headers and promise chain (~7 KB each),
 * ~200 MB held until the last of them went out two minutes later. Queued here, a write is its
 * closure until one of the `limit` runners takes it, and the body is built then.
 */
export class BackgroundQueue {
  readonly #limit: number;
  #tasks: (() => Promise<unknown>)[] = [];
  #head = 0;
  #running = 0;
  #idle: (() => void)[] = [];

  constructor(limit = 8) {
    this.#limit = Math.max(1, limit);
  }

  /** Tasks waiting for a runner. */
  get waiting(): number {
    return this.#tasks.length - this.#head;
  }

  /** Runs `task` when a runner is free (now, if one is); its failure is the task's own business. */
  push(task: () => Promise<unknown>): void {
    this.#tasks.push(task);
    this.#next();
  }

  /** Tasks waiting or running. */
  get pending(): number {
    return this.waiting + this.#running;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.#running === 0 && this.waiting === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #next(): void {
    while (this.#running < this.#limit && this.#head < this.#tasks.length) {
      const task = this.#tasks[this.#head]!;
      this.#tasks[this.#head++] = undefined as never;
      // Drop the consumed prefix now and then, so the array does not grow without end.
      if (this.#head > 1024 && this.#head * 2 > this.#tasks.length) {
        this.#tasks = this.#tasks.slice(this.#head);
        this.#head = 0;
      }
      this.#running++;
      void task()
        .catch(() => undefined)
        .finally(() => {
          this.#running--;
          this.#next();
        });
    }
    if (this.#running === 0 && this.waiting === 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }
}
