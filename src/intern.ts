/**
 * One shared copy of texts that repeat across objects. V8 keeps a separate copy of every
 * string it builds or parses: at 5,000 ScaledObjects the same condition messages, reasons,
 * API groups and kinds were ~20 copies per object (~2 KB of each object's memory), built by
 * the engine each round and parsed again from every watched object. The pool is bounded: when
 * it is full it starts over (a text seen again is pooled again), so high-cardinality texts
 * cost a lookup, never unbounded memory.
 */
import { flat } from './flat.js';

const MAX_ENTRIES = 20_000;
/** Longer texts are rarely shared (they carry a value or an error); not pooled. */
const MAX_LENGTH = 256;
let pool = new Map<string, string>();

/** The pooled copy of `s` (flat), or `s` itself when too long. */
export function intern(s: string): string {
  if (s.length > MAX_LENGTH) return s;
  const hit = pool.get(s);
  if (hit !== undefined) return hit;
  if (pool.size >= MAX_ENTRIES) pool = new Map();
  const f = flat(s);
  pool.set(f, f);
  return f;
}

/**
 * Interns, in place, every string in `v` (objects and arrays, recursively): for what is kept
 * of watched objects, whose status and API fields repeat across thousands of them.
 */
export function internAll(v: unknown, depth = 0): void {
  if (depth > 8 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'string') v[i] = intern(x);
      else internAll(x, depth + 1);
    }
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'string') o[k] = intern(x);
    else internAll(x, depth + 1);
  }
}
