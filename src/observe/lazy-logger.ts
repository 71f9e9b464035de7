/**
 * A child logger made only when it first writes a line. pino's `child()` builds a logger
 * object, its bindings string and a method per level (~1 KB); the operator made two per
 * ScaledObject (the object's and its trigger's) that, at `--log-level error`, almost never
 * log: 20 MB at 10,000 objects, and part of the start-up's CPU. A line below the parent's
 * level costs nothing; the first one at an enabled level makes the real child.
 */
import type { Bindings, Logger } from 'pino';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

class LazyChild {
  readonly #parent: Logger;
  readonly #bindings: Bindings;
  #real: Logger | undefined;

  constructor(parent: Logger, bindings: Bindings) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  get level(): string {
    return this.#parent.level;
  }

  isLevelEnabled(level: string): boolean {
    return this.#parent.isLevelEnabled(level);
  }

  child(bindings: Bindings): Logger {
    return lazyChild(this as unknown as Logger, bindings);
  }

  /** The real child, made once (a lazy parent's real one first). */
  real(): Logger {
    const p = this.#parent as Logger | LazyChild;
    return (this.#real ??= (p instanceof LazyChild ? p.real() : p).child(this.#bindings));
  }
}

for (const level of LEVELS) {
  Object.defineProperty(LazyChild.prototype, level, {
    value(this: LazyChild, ...args: unknown[]) {
      if (!this.isLevelEnabled(level)) return;
      // A method call on the real child (pino's methods read `this`).
      this.real()[level](...(args as [string]));
    },
  });
}

/** `parent.child(bindings)`, made when it first logs at an enabled level. */
export function lazyChild(parent: Logger, bindings: Bindings): Logger {
  return new LazyChild(parent, bindings) as unknown as Logger;
}
