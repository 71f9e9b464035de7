/**
 * `scalingModifiers.formula` (KEDA `pkg/scaling/modifiers/formula.go`, expr-lang): compile once,
 * evaluate each round with trigger values by trigger `name`. No eval/Function: the AST is
 * turned into closures. Values are numbers, booleans, nil (`null`) and arrays; the builtins
 * are expr-lang's number and array functions (`min`, `max`, `abs`, `ceil`, `floor`, `round`,
 * `int`, `float`, `mean`, `median`, `len`, `first`, `last`, `get`) and its predicate builtins
 * (`all`, `any`, `none`, `one`, `filter`, `map`, `count`, `sum`, `find*`, `reduce`). The result
 * must be a number or nil, as KEDA wraps the formula in `float(...)` and lets `??` formulas
 * stay nil. Strings, maps and dates are not part of it: trigger values are numbers.
 */
import { TideError } from '../errors.js';
import { FormulaSyntaxError, identifiers, parseFormula, type Node } from './formula-parse.js';
import type { Result } from '../result.js';

export { FormulaSyntaxError } from './formula-parse.js';

/** expr-lang values a formula computes with: numbers, booleans, nil and arrays of them. */
export type FormulaValue = number | boolean | null | readonly FormulaValue[];
type Value = FormulaValue;
type Vars = Readonly<Record<string, number | null>>;
/** What an expression reads: its variables, and `#` inside a predicate. */
interface Env {
  readonly vars: Readonly<Record<string, Value>>;
  /** Inside a predicate: `#`, `#index`, and `#acc` in reduce. */
  readonly it?: Value;
  readonly index?: number;
  readonly acc?: Value;
}
type Fn = (env: Env) => Value;

/** A runtime failure: wrong operand types, nil arithmetic, unknown variable. */
export class FormulaEvalError extends TideError {
  override readonly name = 'FormulaEvalError';
  readonly code = 'TIDE_FORMULA_FAILED' as const;
  constructor(message: string, pos: number) {
    super(`${message} at column ${pos + 1}`);
  }
}

export type CompiledFormula = Result<{
  /** Trigger names the formula reads. */
  readonly names: readonly string[];
  /** Evaluates; `null` is expr's nil. Throws FormulaEvalError on a runtime error. */
  evaluate(vars: Vars): number | null;
}>;

function typeName(v: Value): string {
  if (v === null) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float';
  return 'array';
}

function num(v: Value, what: string, pos: number): number {
  if (typeof v !== 'number')
    throw new FormulaEvalError(`${what} expects a number, got ${typeName(v)}`, pos);
  return v;
}

function bool(v: Value, what: string, pos: number): boolean {
  if (typeof v !== 'boolean')
    throw new FormulaEvalError(`${what} expects a bool, got ${typeName(v)}`, pos);
  return v;
}

function arr(v: Value, what: string, pos: number): readonly Value[] {
  if (!Array.isArray(v))
    throw new FormulaEvalError(`${what} expects an array, got ${typeName(v)}`, pos);
  return v as readonly Value[];
}

/** Go's math.Round: half away from zero. */
function goRound(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** The numbers of min/max/mean/median arguments, arrays flattened (expr-lang's aggregates). */
function numbers(args: readonly Value[], what: string, pos: number): number[] {
  const out: number[] = [];
  for (const a of args) {
    if (Array.isArray(a)) out.push(...numbers(a as readonly Value[], what, pos));
    else out.push(num(a, what, pos));
  }
  return out;
}

function equal(a: Value, b: Value): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

/** expr-lang builtins that take plain arguments: arity [min, max] and the function. */
const FUNCS: Record<
  string,
  { arity: [number, number]; fn: (args: Value[], pos: number) => Value }
> = {
  float: { arity: [1, 1], fn: ([x = null], pos) => num(x, 'float()', pos) },
  int: { arity: [1, 1], fn: ([x = null], pos) => Math.trunc(num(x, 'int()', pos)) },
  abs: { arity: [1, 1], fn: ([x = null], pos) => Math.abs(num(x, 'abs()', pos)) },
  ceil: { arity: [1, 1], fn: ([x = null], pos) => Math.ceil(num(x, 'ceil()', pos)) },
  floor: { arity: [1, 1], fn: ([x = null], pos) => Math.floor(num(x, 'floor()', pos)) },
  round: { arity: [1, 1], fn: ([x = null], pos) => goRound(num(x, 'round()', pos)) },
  // min/max of no number at all is nil, as in expr-lang.
  min: {
    arity: [1, Infinity],
    fn: (xs, pos) => {
      const n = numbers(xs, 'min()', pos);
      return n.length ? Math.min(...n) : null;
    },
  },
  max: {
    arity: [1, Infinity],
    fn: (xs, pos) => {
      const n = numbers(xs, 'max()', pos);
      return n.length ? Math.max(...n) : null;
    },
  },
  mean: {
    arity: [1, Infinity],
    fn: (xs, pos) => {
      const n = numbers(xs, 'mean()', pos);
      return n.length ? n.reduce((a, b) => a + b, 0) / n.length : 0;
    },
  },
  median: {
    arity: [1, Infinity],
    fn: (xs, pos) => {
      const n = numbers(xs, 'median()', pos).sort((a, b) => a - b);
      if (n.length === 0) return 0;
      const mid = Math.floor(n.length / 2);
      return n.length % 2 ? (n[mid] ?? 0) : ((n[mid - 1] ?? 0) + (n[mid] ?? 0)) / 2;
    },
  },
  len: { arity: [1, 1], fn: ([x = null], pos) => arr(x, 'len()', pos).length },
  // get(array, i): nil out of range (or on nil), negative i counts from the end.
  get: {
    arity: [2, 2],
    fn: ([xs = null, i = null], pos) => {
      if (xs === null) return null;
      const a = arr(xs, 'get()', pos);
      const n = Math.trunc(num(i, 'get()', pos));
      return a[n < 0 ? a.length + n : n] ?? null;
    },
  },
  first: { arity: [1, 1], fn: ([x = null], pos) => arr(x, 'first()', pos)[0] ?? null },
  last: { arity: [1, 1], fn: ([x = null], pos) => arr(x, 'last()', pos).at(-1) ?? null },
};

/** expr-lang's predicate builtins: the array, and the predicate applied to each element. */
type Each = (item: Value, index: number) => Value;
const PREDICATES: Record<
  string,
  (items: readonly Value[], p: Each | undefined, pos: number) => Value
> = {
  all: (xs, p, pos) => xs.every((x, i) => bool(need(p)(x, i), 'all() predicate', pos)),
  any: (xs, p, pos) => xs.some((x, i) => bool(need(p)(x, i), 'any() predicate', pos)),
  none: (xs, p, pos) => !xs.some((x, i) => bool(need(p)(x, i), 'none() predicate', pos)),
  one: (xs, p, pos) =>
    xs.filter((x, i) => bool(need(p)(x, i), 'one() predicate', pos)).length === 1,
  filter: (xs, p, pos) => xs.filter((x, i) => bool(need(p)(x, i), 'filter() predicate', pos)),
  map: (xs, p) => xs.map((x, i) => need(p)(x, i)),
  // Without a predicate, count counts the true elements.
  count: (xs, p, pos) => xs.filter((x, i) => bool(p ? p(x, i) : x, 'count()', pos)).length,
  // Without a predicate, sum adds the elements.
  sum: (xs, p, pos) => xs.reduce<number>((a, x, i) => a + num(p ? p(x, i) : x, 'sum()', pos), 0),
  find: (xs, p, pos) => xs.find((x, i) => bool(need(p)(x, i), 'find() predicate', pos)) ?? null,
  findIndex: (xs, p, pos) =>
    xs.findIndex((x, i) => bool(need(p)(x, i), 'findIndex() predicate', pos)),
  findLast: (xs, p, pos) =>
    xs.findLast((x, i) => bool(need(p)(x, i), 'findLast() predicate', pos)) ?? null,
  findLastIndex: (xs, p, pos) =>
    xs.findLastIndex((x, i) => bool(need(p)(x, i), 'findLastIndex() predicate', pos)),
};
function need(p: Each | undefined): Each {
  if (!p) throw new Error('predicate missing'); // the parser requires it for these builtins
  return p;
}

function build(node: Node): Fn {
  switch (node.kind) {
    case 'num': {
      const v = node.value;
      return () => v;
    }
    case 'bool': {
      const v = node.value;
      return () => v;
    }
    case 'nil':
      return () => null;
    case 'ident': {
      const { name, pos } = node;
      return ({ vars }) => {
        const v = vars[name];
        if (v === undefined) throw new FormulaEvalError(`unknown name ${name}`, pos);
        return v;
      };
    }
    case 'pointer': {
      const { name } = node;
      if (name === 'index') return ({ index }) => index ?? null;
      if (name === 'acc') return ({ acc }) => acc ?? null;
      return ({ it }) => it ?? null;
    }
    case 'seq': {
      const items = node.items.map(build);
      return (env) => {
        let v: Value = null;
        for (const f of items) v = f(env);
        return v;
      };
    }
    case 'let': {
      const [value, body] = [build(node.value), build(node.body)];
      const { name } = node;
      return (env) => body({ ...env, vars: { ...env.vars, [name]: value(env) } });
    }
    case 'slice': {
      const target = build(node.target);
      const from = node.from ? build(node.from) : undefined;
      const to = node.to ? build(node.to) : undefined;
      const { pos } = node;
      return (env) => {
        const xs = arr(target(env), 'slice', pos);
        const n = xs.length;
        // expr-lang runtime.Slice: negative bounds count from the end, then clamp.
        const bound = (f: Fn | undefined, dflt: number) => {
          if (!f) return dflt;
          const i = Math.trunc(num(f(env), 'slice', pos));
          return Math.min(n, Math.max(0, i < 0 ? n + i : i));
        };
        const b = bound(to, n);
        return xs.slice(Math.min(bound(from, 0), b), b);
      };
    }
    case 'array': {
      const items = node.items.map(build);
      return (env) => items.map((f) => f(env));
    }
    case 'index': {
      const [target, index] = [build(node.target), build(node.index)];
      const { pos, optional } = node;
      return (env) => {
        const t = target(env);
        if (optional && t === null) return null;
        const xs = arr(t, 'index', pos);
        const i = num(index(env), 'index', pos);
        const at = i < 0 ? xs.length + i : i;
        if (!Number.isInteger(i) || at < 0 || at >= xs.length)
          throw new FormulaEvalError(`index out of range: ${i} (array of ${xs.length})`, pos);
        return xs[at] ?? null;
      };
    }
    case 'predicate': {
      const body = build(node.body);
      return body;
    }
    case 'unary': {
      const arg = build(node.arg);
      const { op, pos } = node;
      if (op === '!') return (env) => !bool(arg(env), `'!'`, pos);
      if (op === '-') return (env) => -num(arg(env), `unary '-'`, pos);
      return (env) => num(arg(env), `unary '+'`, pos);
    }
    case 'cond': {
      const [test, a, b] = [build(node.test), build(node.then), build(node.else)];
      const pos = node.pos;
      return (env) => (bool(test(env), `'?:' condition`, pos) ? a(env) : b(env));
    }
    case 'call':
      return buildCall(node);
    case 'binary':
      return buildBinary(node);
  }
}

function buildCall(node: Extract<Node, { kind: 'call' }>): Fn {
  const { name, pos } = node;
  if (name === 'reduce') return buildReduce(node);
  const predicate = PREDICATES[name];
  if (predicate) {
    const list = build(node.args[0] ?? { kind: 'nil', pos });
    const pred = node.args[1] ? build(node.args[1]) : undefined;
    return (env) => {
      const items = arr(list(env), `${name}()`, pos);
      const each = pred
        ? (it: Value, index: number) => pred({ vars: env.vars, it, index })
        : undefined;
      return predicate(items, each, pos);
    };
  }
  const f = FUNCS[name];
  if (!f) throw new FormulaSyntaxError(`unknown function ${name}()`, pos);
  const [lo, hi] = f.arity;
  if (node.args.length < lo || node.args.length > hi) {
    throw new FormulaSyntaxError(
      `${name}() takes ${lo === hi ? lo : `at least ${lo}`} argument${lo === 1 && hi === 1 ? '' : 's'}, got ${node.args.length}`,
      pos,
    );
  }
  const args = node.args.map(build);
  return (env) =>
    f.fn(
      args.map((a) => a(env)),
      pos,
    );
}

/** reduce(array, predicate over `#` and `#acc`, initial): without an initial, the first element. */
function buildReduce(node: Extract<Node, { kind: 'call' }>): Fn {
  const { pos } = node;
  const list = build(node.args[0] ?? { kind: 'nil', pos });
  const pred = build(node.args[1] ?? { kind: 'nil', pos });
  const init = node.args[2] ? build(node.args[2]) : undefined;
  return (env) => {
    const xs = arr(list(env), 'reduce()', pos);
    let start = 0;
    let acc: Value;
    if (init) acc = init(env);
    else if (xs.length === 0)
      throw new FormulaEvalError('reduce of empty array with no initial value', pos);
    else [acc, start] = [xs[0] ?? null, 1];
    for (let i = start; i < xs.length; i++)
      acc = pred({ vars: env.vars, it: xs[i] ?? null, index: i, acc });
    return acc;
  };
}

function buildBinary(node: Extract<Node, { kind: 'binary' }>): Fn {
  const [l, r] = [build(node.left), build(node.right)];
  const { op, pos } = node;
  const what = `'${op}'`;
  switch (op) {
    case '??':
      return (env) => l(env) ?? r(env);
    case '&&':
    case 'and':
      return (env) => bool(l(env), what, pos) && bool(r(env), what, pos);
    case '||':
    case 'or':
      return (env) => bool(l(env), what, pos) || bool(r(env), what, pos);
    case '==':
      return (env) => equal(l(env), r(env));
    case '!=':
      return (env) => !equal(l(env), r(env));
    case 'in':
      return (env) => {
        const x = l(env);
        return arr(r(env), what, pos).some((y) => equal(x, y));
      };
    case '..':
      return (env) => {
        const [a, b] = [num(l(env), what, pos), num(r(env), what, pos)];
        if (!Number.isInteger(a) || !Number.isInteger(b))
          throw new FormulaEvalError(`'..' expects integers, got ${a} and ${b}`, pos);
        return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
      };
    default:
      break;
  }
  const arith: Record<string, (a: number, b: number) => Value> = {
    '+': (a, b) => a + b,
    '-': (a, b) => a - b,
    '*': (a, b) => a * b,
    '/': (a, b) => a / b,
    '%': (a, b) => {
      if (!Number.isInteger(a) || !Number.isInteger(b))
        throw new FormulaEvalError(`'%' expects integers, got ${a} and ${b}`, pos);
      if (b === 0) throw new FormulaEvalError('integer divide by zero', pos);
      return a % b;
    },
    '**': (a, b) => a ** b,
    '^': (a, b) => a ** b,
    '<': (a, b) => a < b,
    '>': (a, b) => a > b,
    '<=': (a, b) => a <= b,
    '>=': (a, b) => a >= b,
  };
  const f = arith[op];
  if (!f) throw new FormulaSyntaxError(`unsupported operator '${op}'`, pos);
  return (env) => f(num(l(env), what, pos), num(r(env), what, pos));
}

export type CompiledExpression = Result<
  {
    /** Variables the expression reads. */
    readonly names: readonly string[];
    /** The raw expr-lang value. Throws FormulaEvalError on a runtime error. */
    run(vars: Readonly<Record<string, FormulaValue>>): FormulaValue;
  },
  { error: string; unsupported?: boolean }
>;

/** Compiles an expr-lang expression of tide's subset (numbers, booleans, nil, arrays). */
export function compileExpression(src: string): CompiledExpression {
  try {
    const ast = parseFormula(src);
    const run = build(ast);
    return { ok: true, names: [...identifiers(ast)], run: (vars) => run({ vars }) };
  } catch (e) {
    if (e instanceof FormulaSyntaxError)
      return { ok: false, error: e.message, ...(e.unsupported ? { unsupported: true } : {}) };
    throw e;
  }
}

/**
 * Why tide cannot compute a formula that is valid expr-lang (a string, a date function, ...),
 * or undefined. KEDA accepts such a formula; tide accepts the manifest with a warning.
 */
export function unsupportedFormula(formula: string): string | undefined {
  const c = compileExpression(formula);
  return !c.ok && c.unsupported ? c.error : undefined;
}

/**
 * Compiles a formula. With `names` (the object's trigger names) an unknown identifier is a
 * compile error, as in KEDA where the formula is compiled against an env of trigger names.
 */
export function compileFormula(formula: string, names?: readonly string[]): CompiledFormula {
  if (formula.trim() === '') return { ok: false, error: 'formula is empty' };
  const c = compileExpression(formula);
  if (!c.ok) return c;
  if (names) {
    const unknown = c.names.filter((n) => !names.includes(n));
    if (unknown.length > 0)
      return { ok: false, error: `unknown name ${unknown.join(', ')} (not a trigger name)` };
  }
  return {
    ok: true,
    names: c.names,
    evaluate(vars) {
      const v = c.run(vars);
      // KEDA wraps the formula in float(): a bool or an array is an error, nil stays nil.
      if (typeof v === 'boolean' || Array.isArray(v))
        throw new FormulaEvalError(`formula result must be a number, got ${typeName(v)}`, 0);
      return v as number | null;
    },
  };
}

/**
 * KEDA's webhook check (§1.2 rule 7): compile against the trigger names and run once with every
 * named trigger bound to −1. Returns the error message, or undefined when the formula is valid.
 */
export function validateFormula(
  formula: string,
  triggerNames: readonly string[],
): string | undefined {
  const c = compileFormula(formula, triggerNames);
  if (!c.ok) return c.error;
  const vars: Record<string, number> = {};
  for (const n of triggerNames) vars[n] = -1;
  try {
    c.evaluate(vars);
    return undefined;
  } catch (e) {
    return e instanceof FormulaEvalError ? e.message : String(e);
  }
}
