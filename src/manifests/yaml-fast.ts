/**
 * The fast path of manifest loading: one YAML document's plain value from js-yaml, which is
 * 5–10× faster than the `yaml` package and builds no syntax tree (a 20 MB document costs its
 * value, not ~40 bytes of tree per byte of text). It answers only for plain documents; anything
 * else (a syntax error, a duplicate key, an alias to a collection, a tag it does not know, a
 * warning) is left to the full parser in yaml-source.ts, so messages and positions stay the
 * `yaml` package's and the two can never disagree on what a document means.
 */
import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';

// The YAML 1.2 core schema (spec 10.3.2), exactly as the `yaml` package resolves plain
// scalars (js-yaml's own core schema also reads `0b11`, `-0x1F` and `1_000.5` as numbers).
const INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const FLOAT =
  /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

const nil = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (s: string) => /^(?:~|[Nn]ull|NULL)?$/.test(s),
  construct: () => null,
  predicate: (v: unknown) => v === null,
  represent: () => 'null',
});

const bool = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (s: string) => /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s),
  construct: (s: string) => s === 'true' || s === 'True' || s === 'TRUE',
  predicate: (v: unknown) => typeof v === 'boolean',
  represent: (v: unknown) => String(v),
});

const int = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (s: string) => INT.test(s),
  construct: (s: string) =>
    s.startsWith('0o')
      ? parseInt(s.slice(2), 8)
      : s.startsWith('0x')
        ? parseInt(s.slice(2), 16)
        : Number(s),
  predicate: (v: unknown) => Number.isInteger(v),
  represent: (v: unknown) => String(v),
});

const float = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (s: string) => FLOAT.test(s),
  construct: (s: string) => {
    if (/^[-+]?\.(?:inf|Inf|INF)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
    if (/^\.(?:nan|NaN|NAN)$/.test(s)) return NaN;
    return Number(s);
  },
  predicate: (v: unknown) => typeof v === 'number',
  represent: (v: unknown) => String(v),
});

/** Failsafe (str, seq, map) plus core null, bool, int, float; no merge keys, as in `yaml`. */
export const CORE_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [nil, bool, int, float],
});

/**
 * The value of one document's text, or `undefined` when the full parser must read it.
 * `null` is an empty document.
 */
export function loadPlain(text: string): { value: unknown } | undefined {
  let warned = false;
  let value: unknown;
  try {
    value = load(text, { schema: CORE_SCHEMA, onWarning: () => (warned = true) });
  } catch {
    return undefined;
  }
  if (warned || sharesCollections(value)) return undefined;
  return { value: value ?? null };
}

/**
 * True when one object or array is reachable twice: an alias to a collection (js-yaml shares
 * it, where `yaml` copies it under an alias budget that stops "billion laughs" documents).
 */
function sharesCollections(root: unknown): boolean {
  if (root === null || typeof root !== 'object') return false;
  const seen = new WeakSet<object>();
  const stack: object[] = [root];
  while (stack.length) {
    const o = stack.pop() as object;
    if (seen.has(o)) return true;
    seen.add(o);
    for (const v of Array.isArray(o) ? o : Object.values(o))
      if (v !== null && typeof v === 'object') stack.push(v as object);
  }
  return false;
}
