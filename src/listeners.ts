/**
 * Listeners per key, where nearly every key has one: the listener itself is stored, and a Set
 * only once a second one joins. At tens of thousands of keys (one scale target or one Redis
 * channel per ScaledObject), a Set per key was ~170 bytes each of nothing.
 */
export class KeyedListeners<K, F> {
  readonly #byKey = new Map<K, F | Set<F>>();

  /** Adds `fn` under `key`; true when `key` had no listener before. */
  add(key: K, fn: F): boolean {
    const had = this.#byKey.get(key);
    if (had === undefined) {
      this.#byKey.set(key, fn);
      return true;
    }
    if (had instanceof Set) had.add(fn);
    else if (had !== fn) this.#byKey.set(key, new Set([had, fn]));
    return false;
  }

  /** Removes `fn` from `key`; true when `key` has no listener left. */
  delete(key: K, fn: F): boolean {
    const had = this.#byKey.get(key);
    if (had === undefined) return true;
    if (had instanceof Set) {
      had.delete(fn);
      if (had.size === 1) this.#byKey.set(key, had.values().next().value as F);
      else if (had.size === 0) this.#byKey.delete(key);
    } else if (had === fn) this.#byKey.delete(key);
    return !this.#byKey.has(key);
  }

  has(key: K): boolean {
    return this.#byKey.has(key);
  }

  /** Calls `call` with each listener of `key` (one removed meanwhile is not called). */
  each(key: K, call: (fn: F) => void): void {
    const had = this.#byKey.get(key);
    if (had === undefined) return;
    if (had instanceof Set) for (const fn of had) call(fn);
    else call(had);
  }

  keys(): IterableIterator<K> {
    return this.#byKey.keys();
  }
}
