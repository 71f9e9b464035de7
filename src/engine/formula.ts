/**
 * `scalingModifiers.formula` (KEDA `pkg/scaling/modifiers/formula.go`, expr-lang): compile once,
 * evaluate each round with trigger values by trigger `name`. No eval/Function: the AST is
 * turned into closures. Values are numbers, booleans or nil (`null`); the result must be a
 * number or nil, as KEDA wraps the formula in `float(...)` and lets `??` formulas stay nil.
 */
import { FormulaSyntaxError, identifiers, parseFormula, type Node } from './formula-parse.js';

export { FormulaSyntaxError } from './formula-parse.js';

type Value = number | boolean | null;
type Vars = Readonly<Record<string, number | null>>;
type Fn = (vars: Vars) => Value;

/** A runtime failure: wrong operand types, nil arithmetic, unknown variable. */
export class FormulaEvalError extends Error {
  override readonly name = 'FormulaEvalError';
  constructor(message: string, pos: number) {
    super(`${message} at column ${pos + 1}`);
  }
}

export type CompiledFormula =
  | {
      ok: true;
      /** Trigger names the formula reads. */
      readonly names: readonly string[];
      /** Evaluates; `null` is expr's nil. Throws FormulaEvalError on a runtime error. */
      evaluate(vars: Vars): number | null;
    }
  | { ok: false; error: string };

function typeName(v: Value): string {
  return v === null ? 'nil' : typeof v === 'boolean' ? 'bool' : 'float';
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

/** Go's math.Round: half away from zero. */
function goRound(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

const FUNCS: Record<string, { arity: [number, number]; fn: (args: number[]) => number }> = {
  float: { arity: [1, 1], fn: ([x = 0]) => x },
  int: { arity: [1, 1], fn: ([x = 0]) => Math.trunc(x) },
  abs: { arity: [1, 1], fn: ([x = 0]) => Math.abs(x) },
  ceil: { arity: [1, 1], fn: ([x = 0]) => Math.ceil(x) },
  floor: { arity: [1, 1], fn: ([x = 0]) => Math.floor(x) },
  round: { arity: [1, 1], fn: ([x = 0]) => goRound(x) },
  sqrt: { arity: [1, 1], fn: ([x = 0]) => Math.sqrt(x) },
  pow: { arity: [2, 2], fn: ([x = 0, y = 0]) => x ** y },
  min: { arity: [1, Infinity], fn: (xs) => Math.min(...xs) },
  max: { arity: [1, Infinity], fn: (xs) => Math.max(...xs) },
};

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
      return (vars) => {
        const v = vars[name];
        if (v === undefined) throw new FormulaEvalError(`unknown name ${name}`, pos);
        return v;
      };
    }
    case 'unary': {
      const arg = build(node.arg);
      const { op, pos } = node;
      if (op === '!') return (vars) => !bool(arg(vars), `'!'`, pos);
      if (op === '-') return (vars) => -num(arg(vars), `unary '-'`, pos);
      return (vars) => num(arg(vars), `unary '+'`, pos);
    }
    case 'cond': {
      const [test, a, b] = [build(node.test), build(node.then), build(node.else)];
      const pos = node.pos;
      return (vars) => (bool(test(vars), `'?:' condition`, pos) ? a(vars) : b(vars));
    }
    case 'call':
      return buildCall(node);
    case 'binary':
      return buildBinary(node);
  }
}

function buildCall(node: Extract<Node, { kind: 'call' }>): Fn {
  const f = FUNCS[node.name];
  if (!f) throw new FormulaSyntaxError(`unknown function ${node.name}()`, node.pos);
  const [lo, hi] = f.arity;
  if (node.args.length < lo || node.args.length > hi) {
    throw new FormulaSyntaxError(
      `${node.name}() takes ${lo === hi ? lo : `at least ${lo}`} argument${lo === 1 && hi === 1 ? '' : 's'}, got ${node.args.length}`,
      node.pos,
    );
  }
  const args = node.args.map(build);
  const { name, pos } = node;
  return (vars) => f.fn(args.map((a) => num(a(vars), `${name}()`, pos)));
}

function buildBinary(node: Extract<Node, { kind: 'binary' }>): Fn {
  const [l, r] = [build(node.left), build(node.right)];
  const { op, pos } = node;
  const what = `'${op}'`;
  switch (op) {
    case '??':
      return (vars) => l(vars) ?? r(vars);
    case '&&':
    case 'and':
      return (vars) => bool(l(vars), what, pos) && bool(r(vars), what, pos);
    case '||':
    case 'or':
      return (vars) => bool(l(vars), what, pos) || bool(r(vars), what, pos);
    case '==':
      return (vars) => l(vars) === r(vars);
    case '!=':
      return (vars) => l(vars) !== r(vars);
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
  return (vars) => f(num(l(vars), what, pos), num(r(vars), what, pos));
}

/**
 * Compiles a formula. With `names` (the object's trigger names) an unknown identifier is a
 * compile error, as in KEDA where the formula is compiled against an env of trigger names.
 */
export function compileFormula(formula: string, names?: readonly string[]): CompiledFormula {
  try {
    if (formula.trim() === '') return { ok: false, error: 'formula is empty' };
    const ast = parseFormula(formula);
    const used = [...identifiers(ast)];
    if (names) {
      const unknown = used.filter((n) => !names.includes(n));
      if (unknown.length > 0)
        return { ok: false, error: `unknown name ${unknown.join(', ')} (not a trigger name)` };
    }
    const run = build(ast);
    return {
      ok: true,
      names: used,
      evaluate(vars) {
        const v = run(vars);
        if (typeof v === 'boolean')
          throw new FormulaEvalError('formula result must be a number, got bool', 0);
        return v;
      },
    };
  } catch (e) {
    if (e instanceof FormulaSyntaxError) return { ok: false, error: e.message };
    throw e;
  }
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
