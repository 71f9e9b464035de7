/**
 * The conformance harness: tables of cases transcribed from KEDA's own Go test tables (inputs
 * and expected outputs are facts; the code that runs them is ours), each run against tide's
 * real parse / decide functions.
 *
 * A case names the Go test it comes from (`go`). It holds KEDA's expected outcome (`keda`);
 * where tide deliberately answers differently, `differs` names the difference (an anchor in
 * docs/keda-differences.md) and tide's own outcome, which is then what the case asserts.
 * Outcomes are compared partially: only the keys the expected object has are checked, as KEDA's
 * tests only assert some fields.
 */
import { isDeepStrictEqual } from 'node:util';

/** A deliberate difference from KEDA: an anchor in docs/keda-differences.md and tide's answer. */
export interface Differs<O> {
  readonly id: string;
  readonly tide: O;
}

export interface Case<I, O> {
  /** The Go test: `TestName` plus the table entry (`testRedisMetadata[3]`, or the case name). */
  readonly go: string;
  readonly input: I;
  /** What KEDA's test expects. */
  readonly keda: O;
  readonly differs?: Differs<O>;
}

export interface Table<I, O> {
  /** Short title, printed in the counts. */
  readonly name: string;
  /** The Go file the cases come from, relative to the kedacore/keda repository. */
  readonly goFile: string;
  readonly cases: readonly Case<I, O>[];
  /** Runs one input through tide's real function. */
  run(input: I): O | Promise<O>;
}

/** Any table, with its input and output types erased (for the list of all tables). */
export interface AnyTable {
  readonly name: string;
  readonly goFile: string;
  readonly cases: readonly Case<unknown, unknown>[];
  run(input: unknown): unknown;
}

export function table<I, O>(t: Table<I, O>): AnyTable {
  return t;
}

/** What a case asserts: tide's documented answer where it differs, else KEDA's. */
export function expectedOf<I, O>(c: Case<I, O>): O {
  return c.differs ? c.differs.tide : c.keda;
}

/**
 * Partial deep match: every key of `expected` must equal the same key of `actual` (recursively
 * for plain objects); arrays and other values must be equal. Returns a description of the first
 * mismatch, or undefined.
 */
export function mismatch(actual: unknown, expected: unknown, at = ''): string | undefined {
  if (isPlainObject(expected) && isPlainObject(actual)) {
    for (const [k, v] of Object.entries(expected)) {
      const m = mismatch(actual[k], v, at ? `${at}.${k}` : k);
      if (m) return m;
    }
    return undefined;
  }
  if (isDeepStrictEqual(actual, expected)) return undefined;
  return `${at || 'value'}: expected ${show(expected)}, got ${show(actual)}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  return v === undefined ? 'undefined' : JSON.stringify(v);
}

export interface TableCount {
  name: string;
  goFile: string;
  cases: number;
  asKeda: number;
  differences: number;
  failing: string[];
}

/** Runs every case of a table and counts: answered as KEDA, documented differences, failing. */
export async function countTable(t: AnyTable): Promise<TableCount> {
  const out: TableCount = {
    name: t.name,
    goFile: t.goFile,
    cases: t.cases.length,
    asKeda: 0,
    differences: 0,
    failing: [],
  };
  for (const c of t.cases) {
    let problem: string | undefined;
    try {
      problem = mismatch(await t.run(c.input), expectedOf(c));
    } catch (e) {
      problem = `threw ${e instanceof Error ? e.message : String(e)}`;
    }
    if (problem) out.failing.push(`${c.go}: ${problem}`);
    else if (c.differs) out.differences++;
    else out.asKeda++;
  }
  return out;
}
